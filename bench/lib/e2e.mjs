// Workload 5, the Node side: two Chromium pages (separate browser contexts, as two users) with
// the engine and the XMPP bridge in one MUC room of the private Prosody; page A edits a shape
// `n` times, page B sees each edit. Then two more pages with plain @xmpp/client connections in
// another room exchange messages of the same size (the raw XMPP one-way baseline). Engine and
// raw batches alternate, so both see the same machine.
import { benchPage } from './browser.mjs'
import { median, percentile } from './stats.mjs'

export async function e2eSuite({ browser, serverUrl, prosody, n, batches, gapMs, log }) {
  const stamp = Date.now().toString(36)
  const roomEngine = `e2e-${stamp}@${prosody.mucDomain}`
  const roomRaw = `raw-${stamp}@${prosody.mucDomain}`
  const common = { service: prosody.websocketUrl, domain: prosody.anonDomain }
  const pages = []
  const open = async () => {
    const p = await benchPage(browser, serverUrl, log)
    pages.push(p)
    return p
  }
  const call = (p, fn, arg) => p.page.evaluate(([f, a]) => globalThis.Bench.e2e[f](a), [fn, arg])
  try {
    const [A, B, C, D] = [await open(), await open(), await open(), await open()]
    await call(A, 'engineJoin', { ...common, room: roomEngine, nick: 'a' })
    await call(B, 'engineJoin', { ...common, room: roomEngine, nick: 'b' })
    for (let i = 0; (await call(A, 'peers')) < 1 || (await call(B, 'peers')) < 1; i++) {
      if (i > 500) throw new Error('e2e: the engine pages never saw each other')
      await new Promise((r) => setTimeout(r, 10))
    }
    await call(C, 'rawJoin', { ...common, room: roomRaw, nick: 'c' })
    await call(D, 'rawJoin', { ...common, room: roomRaw, nick: 'd' })
    await new Promise((r) => setTimeout(r, 150))

    const engine = { total: [], send: [], receive: [], chars: [], bridgeOut: [], wire: [], bridgeIn: [] }
    const raw = { oneway: [], chars: [], wire: [] }
    const per = Math.max(1, Math.round(n / batches))
    // Warm-up: a few edits and messages, not counted.
    await call(A, 'engineEdits', { n: 5, gapMs, start: 100000 })
    await new Promise((r) => setTimeout(r, 200))
    await call(B, 'engineCollect')
    await call(C, 'rawSend', { n: 5, gapMs, chars: 300, start: 100000 })
    await new Promise((r) => setTimeout(r, 200))
    await call(D, 'rawCollect')
    let lastX = null
    for (let b = 0; b < batches; b++) {
      const start = 1 + b * per
      const sent = await call(A, 'engineEdits', { n: per, gapMs, start })
      await new Promise((r) => setTimeout(r, 150))
      const got = await call(B, 'engineCollect')
      if (sent.errors.length || got.errors.length) throw new Error(`e2e: engine errors ${JSON.stringify([...sent.errors, ...got.errors].slice(0, 3))}`)
      const patchedAt = new Map(got.patched.map((p) => [p.x, p.t]))
      if (sent.written.length !== per || got.received.length !== per) {
        throw new Error(`e2e: ${per} edits gave ${sent.written.length} stanzas out and ${got.received.length} in (coalescing merged edits?)`)
      }
      for (let i = 0; i < per; i++) {
        const e = sent.edits[i]
        const tp = patchedAt.get(e.x)
        if (tp === undefined) throw new Error(`wrong result: e2e: page B never showed x=${e.x}`)
        engine.total.push(tp - e.t)
        engine.send.push(sent.written[i].t - e.t)
        engine.receive.push(tp - got.received[i].t)
        engine.chars.push(sent.written[i].chars)
        // Where the rest goes: A's bridge to its socket, socket to socket, B's socket to its channel.
        if (sent.frames.length === per && got.frames.length === per) {
          engine.bridgeOut.push(sent.frames[i] - sent.written[i].t)
          engine.wire.push(got.frames[i] - sent.frames[i])
          engine.bridgeIn.push(got.received[i].t - got.frames[i])
        }
      }
      lastX = got.x
      // The same number of raw messages, as long as the engine's stanzas are once addressed.
      const chars = Math.round(median(engine.chars)) + ` to="${roomEngine}" type="groupchat"`.length
      const rs = await call(C, 'rawSend', { n: per, gapMs, chars, start })
      await new Promise((r) => setTimeout(r, 150))
      const rg = await call(D, 'rawCollect')
      const at = new Map(rg.got.map((g) => [g.n, g.t]))
      rs.sent.forEach((s, i) => {
        const t = at.get(s.n)
        if (t === undefined) throw new Error(`e2e: raw message ${s.n} never arrived`)
        raw.oneway.push(t - s.t)
        raw.chars.push(s.chars)
        if (rs.frames.length === per && rg.frames.length === per) raw.wire.push(rg.frames[i] - rs.frames[i])
      })
    }
    if (lastX !== String(batches * per)) throw new Error(`wrong result: e2e: page B ends at x=${lastX}, not ${batches * per}`)
    const large = await largeChanges({ open, call, common, stamp, prosody, log })
    const p50 = percentile(engine.total, 50)
    const rawP50 = percentile(raw.oneway, 50)
    const share = (median(engine.send) + median(engine.receive)) / p50
    log(`e2e: engine p50 ${p50.toFixed(2)} ms p99 ${percentile(engine.total, 99).toFixed(2)} ms (capture ${median(engine.send).toFixed(2)}, bridge out ${median(engine.bridgeOut).toFixed(2)}, socket to socket ${median(engine.wire).toFixed(2)}, bridge in ${median(engine.bridgeIn).toFixed(2)}, apply ${median(engine.receive).toFixed(2)}); raw p50 ${rawP50.toFixed(2)} ms (socket to socket ${median(raw.wire).toFixed(2)}); ${engine.total.length} edits`)
    return {
      figures: [
        { name: 'chromium.e2e.engine_latency_p50_ms', value: p50, unit: 'ms' },
        { name: 'chromium.e2e.engine_latency_p99_ms', value: percentile(engine.total, 99), unit: 'ms' },
        { name: 'chromium.e2e.engine_share_of_p50', value: share, unit: 'ratio' },
        { name: 'chromium.e2e.engine_send_ms_median', value: median(engine.send), unit: 'ms' },
        { name: 'chromium.e2e.engine_receive_ms_median', value: median(engine.receive), unit: 'ms' },
        { name: 'chromium.e2e.bridge_out_ms_median', value: median(engine.bridgeOut), unit: 'ms' },
        { name: 'chromium.e2e.socket_to_socket_ms_median', value: median(engine.wire), unit: 'ms' },
        { name: 'chromium.e2e.bridge_in_ms_median', value: median(engine.bridgeIn), unit: 'ms' },
        { name: 'chromium.e2e.raw_xmpp_oneway_p50_ms', value: rawP50, unit: 'ms' },
        { name: 'chromium.e2e.raw_socket_to_socket_ms_median', value: median(raw.wire), unit: 'ms' },
        { name: 'chromium.e2e.raw_xmpp_oneway_p99_ms', value: percentile(raw.oneway, 99), unit: 'ms' },
        { name: 'chromium.e2e.engine_p50_over_raw_p50', value: p50 / rawP50, unit: 'ratio', target: 2 },
        ...large.figures,
      ],
      info: { edits: engine.total.length, stanzaChars: median(engine.chars), rawChars: median(raw.chars), gapMs, large: large.info },
    }
  } finally {
    for (const p of pages) {
      await p.page.evaluate(() => Promise.all([globalThis.Bench.e2e.engineLeave(), globalThis.Bench.e2e.rawLeave(), globalThis.Bench.e2e.bigLeave()])).catch(() => {})
      await p.close().catch(() => {})
    }
  }
}

/**
 * Large changes through Prosody, from Chromium (docs/PROTOCOL.md, "Splitting"): 1,500 paths and
 * 10,000 rects added in one change, and a late joiner to a 10,000-rect island. Each time is from
 * the change (the late joiner: its bridge online) to the receiving island showing every shape,
 * on the clock the pages share. Fresh pages and rooms, so that nothing measured above interferes.
 */
async function largeChanges({ open, call, common, stamp, prosody, log }) {
  const figures = []
  const info = {}
  const fail = (what, r) => {
    if (r.errors.length || r.reconnects) throw new Error(`wrong result: e2e: ${what}: errors ${JSON.stringify(r.errors.slice(0, 3))}, ${r.reconnects} reconnects`)
  }
  const [E, F] = [await open(), await open()]
  const room = `big-${stamp}@${prosody.mucDomain}`
  await call(E, 'bigJoin', { ...common, room, nick: 'e' })
  await call(F, 'bigJoin', { ...common, room, nick: 'f' })
  for (let i = 0; (await call(E, 'bigPeers')) < 1 || (await call(F, 'bigPeers')) < 1; i++) {
    if (i > 500) throw new Error('e2e: the big pages never saw each other')
    await new Promise((r) => setTimeout(r, 10))
  }
  let children = 1
  for (const [key, n, kind] of [
    ['paths1500', 1500, 'path'],
    ['rects10000', 10000, 'rect'],
  ]) {
    children += n
    const added = await call(E, 'bigAdd', { n, kind, seed: children })
    const got = await call(F, 'bigArrived', { children })
    const sent = await call(E, 'bigSent')
    fail(key, got)
    fail(key, sent)
    const ms = got.t - added.t
    log(`e2e: ${n} ${kind}s in one change arrived in ${ms.toFixed(0)} ms: ${sent.parts} parts, ${(sent.bytes / 1024).toFixed(0)} KiB sent, largest frame ${sent.maxFrame} bytes`)
    figures.push({ name: `chromium.e2e.large.${key}_arrive_ms`, value: ms, unit: 'ms' })
    figures.push({ name: `chromium.e2e.large.${key}_sent_kib`, value: sent.bytes / 1024, unit: 'KiB' })
    figures.push({ name: `chromium.e2e.large.${key}_parts`, value: sent.parts, unit: 'count' })
    info[key] = { ms, ...sent, markupChars: got.markupChars }
  }

  const [G, H] = [await open(), await open()]
  const lateRoom = `late-${stamp}@${prosody.mucDomain}`
  await call(G, 'bigJoin', { ...common, room: lateRoom, nick: 'g', shapes: 10000 })
  const joined = await call(H, 'bigJoin', { ...common, room: lateRoom, nick: 'h' })
  const got = await call(H, 'bigArrived', { children: 10001 })
  const sent = await call(G, 'bigSent')
  fail('late join', got)
  fail('late join', sent)
  const ms = got.t - joined.onlineAt
  log(`e2e: a late joiner to 10,000 rects had them ${ms.toFixed(0)} ms after its bridge was online (${(got.t - joined.started).toFixed(0)} ms after it started); the answerer sent ${sent.parts} parts, ${(sent.bytes / 1024).toFixed(0)} KiB in all, largest frame ${sent.maxFrame} bytes`)
  figures.push({ name: 'chromium.e2e.large.latejoin10000_arrive_ms', value: ms, unit: 'ms' })
  figures.push({ name: 'chromium.e2e.large.latejoin10000_sent_kib', value: sent.bytes / 1024, unit: 'KiB' })
  figures.push({ name: 'chromium.e2e.large.latejoin10000_parts', value: sent.parts, unit: 'count' })
  figures.push({ name: 'chromium.e2e.large.largest_frame_bytes', value: Math.max(info.paths1500.maxFrame, info.rects10000.maxFrame, sent.maxFrame), unit: 'B', target: 65536 })
  info.latejoin10000 = { ms, fromStartMs: got.t - joined.started, ...sent, markupChars: got.markupChars }
  return { figures, info }
}
