// The variants every capture workload runs, on the same steps, in the same process and run:
//
//   floor   the DOM work alone, no observer of ours (the floor for capture)
//   engine  page A captures through the engine (one observer callback per step), page B then
//           applies A's stanzas one by one (parse, check, apply, patch)
//   yjs     the same logical edits on a Y.XmlFragment, one transaction per step, with an update
//           listener (the CRDT alone), applied on a second doc; plus A's own engine updates
//           applied to a plain doc (the remote-apply baseline: same bytes, no DOM, no XML)
//   rrweb   rrweb's record() observing the same DOM work, events kept in memory (Chromium)
//   naive   the island's outerHTML on every change, applied on B with morphdom (sampled)
//
// Each step is its own task slice: the step's DOM work, then `await` (the observers' callbacks
// run, as they would after a real event), then simulated time moves on (coalescing timers fire).
import * as Y from 'yjs'
import morphdom from 'morphdom'
import { syncIslands } from '../../index.ts'
import { canonicalDom } from '../../src/testing.ts'
import { BenchBus, BenchError, SimClock, canonicalDoc, check, checkSame, median, ticks, updatesOfStanzas, utf8Length, writeStanza } from './common.js'

/** Removes an island and whatever channel elements a run left in a page. */
function cleanPage(doc) {
  for (const id of ['xmpp-outgoing', 'xmpp-incoming']) doc.getElementById(id)?.remove()
}

function mountIsland(env, page, sc) {
  const island = sc.createIsland(page.doc)
  page.doc.body.appendChild(island)
  const st = {}
  sc.init(page.doc, island, st)
  return { island, st }
}

export async function runFloor(env, sc, { countMutations = false } = {}) {
  const page = env.page('main')
  const { island, st } = mountIsland(env, page, sc)
  let mutations = 0
  let counter = null
  if (countMutations) {
    const Observer = page.win.MutationObserver
    counter = new Observer((records) => {
      mutations += records.length
    })
    counter.observe(island, { childList: true, attributes: true, characterData: true, subtree: true })
  }
  const steps = sc.steps
  const marks = {}
  env.gc()
  const t0 = env.now()
  for (let i = 0; i < steps.length; i++) {
    sc.dom(page.doc, island, st, steps[i])
    await null
    if (sc.checkpoints?.includes(i + 1)) marks[i + 1] = env.now() - t0
    if (sc.gcEvery && (i + 1) % sc.gcEvery === 0) env.gcReal()
  }
  const ms = env.now() - t0
  if (counter) {
    mutations += counter.takeRecords().length
    counter.disconnect()
  }
  sc.verifyFloor?.(island, st)
  const canonical = canonicalDom(island)
  island.remove()
  return { ms, canonical, mutations, marks }
}

export async function runEngine(env, sc, expected) {
  const A = env.page('main')
  const B = env.page('peer')
  const a = mountIsland(env, A, sc)
  const b = mountIsland(env, B, sc)
  const clock = new SimClock()
  const errors = []
  const onError = (e) => errors.push(e.detail)
  const sA = syncIslands({ root: A.doc, clock })
  const sB = syncIslands({ root: B.doc, clock })
  sA.addEventListener('sync-error', onError)
  sB.addEventListener('sync-error', onError)
  const bus = new BenchBus(clock)
  try {
    const t = env.now()
    bus.connect(A.doc, 'a')
    await bus.settle()
    bus.connect(B.doc, 'b')
    await bus.settle()
    if (env.debug) env.log(`  engine: two pages joined in ${(env.now() - t).toFixed(0)} ms`)
    const islandA = sA.islands.get(sc.islandName)
    const islandB = sB.islands.get(sc.islandName)
    check(islandA?.state === 'synced' && islandB?.state === 'synced', `${sc.name}: both pages synced before the workload`)
    const initialState = Y.encodeStateAsUpdate(islandA.doc)
    bus.log = []
    bus.peers.get('b').inbox = []

    const steps = sc.steps
    const marks = {}
    // Stanzas read after each step: where each stanza ends (simulated time makes it the same every run).
    const after = new Int32Array(steps.length)
    env.gc()
    const t0 = env.now()
    for (let i = 0; i < steps.length; i++) {
      sc.dom(A.doc, a.island, a.st, steps[i])
      await null
      clock.advance(sc.dt(steps[i]))
      bus.pump()
      after[i] = bus.log.length
      if (sc.gcEvery && (i + 1) % sc.gcEvery === 0) env.gcReal()
      if (sc.checkpoints?.includes(i + 1)) marks[i + 1] = { ms: env.now() - t0, stanzas: bus.peers.get('b').inbox.length }
    }
    // The last coalescing window closes.
    clock.advance(1000)
    bus.pump()
    const captureMs = env.now() - t0

    const sent = bus.log.filter((r) => r.from === 'a')
    const inbox = bus.peers.get('b').inbox
    bus.peers.get('b').inbox = []
    bus.log = []
    env.gc()
    const applyMarks = {}
    const markAt = new Map(Object.entries(marks).map(([k, v]) => [v.stanzas, Number(k)]))
    // B receives each stanza at the pace A sent it (simulated time moves on between them, so
    // B's per-peer rate limit sees the real rate), but with no wait in wall-clock time.
    const incomingB = B.doc.getElementById('xmpp-incoming')
    const addressed = inbox.map((m) => m.addressed)
    const base = clock.now() - (inbox.length ? inbox[0].t : 0)
    const t1 = env.now()
    for (let i = 0; i < inbox.length; i++) {
      const at = base + inbox[i].t
      if (at > clock.now()) clock.advance(at - clock.now())
      writeStanza(incomingB, addressed[i])
      await null
      if (sc.gcEvery && (i + 1) % sc.gcEvery === 0) env.gcReal()
      if (markAt.has(i + 1)) applyMarks[markAt.get(i + 1)] = env.now() - t1
    }
    const applyMs = env.now() - t1
    bus.pump()

    check(errors.length === 0, `${sc.name}: the engine reported errors: ${JSON.stringify(errors.slice(0, 3))}`)
    check(bus.log.length === 0, `${sc.name}: page B echoed ${bus.log.length} stanzas of a remote change`)
    checkSame(canonicalDom(a.island), expected, `${sc.name}: page A's island`)
    checkSame(canonicalDom(b.island), expected, `${sc.name}: page B's island after applying A's stanzas`)
    checkSame(canonicalDoc(islandA.doc), expected, `${sc.name}: page A's doc`)
    checkSame(canonicalDoc(islandB.doc), expected, `${sc.name}: page B's doc`)
    sc.verifyIsland?.(a.island)
    sc.verifyIsland?.(b.island)

    const texts = sent.map((r) => r.text)
    const groupEnds = []
    for (let i = 0; i < after.length; i++) if (after[i] > (i ? after[i - 1] : 0)) groupEnds.push(i + 1)
    // The base64 inside each stanza, the rest being its XML envelope.
    let payloadChars = 0
    for (const t of texts) for (const m of t.matchAll(/<island[^>]*>([^<]*)<\/island>/g)) payloadChars += m[1].length
    return {
      payloadChars,
      groupEnds,
      captureMs,
      applyMs,
      marks,
      applyMarks,
      stanzas: sent.length,
      bytes: sent.reduce((n, r) => n + r.bytes, 0),
      times: sent.map((r) => r.t),
      texts,
      initialState,
    }
  } finally {
    sA.stop()
    sB.stop()
    bus.disconnect()
    a.island.remove()
    b.island.remove()
    cleanPage(A.doc)
    cleanPage(B.doc)
  }
}

/**
 * The CRDT alone: the same logical edits, one transaction per step, an update listener keeping
 * each update (as a provider would send it), then those updates applied one by one on a second
 * doc. With `engineRun`, also A's engine updates (decoded from its stanzas, untimed) applied to
 * a plain doc from the same initial state: the remote-apply baseline for the same bytes.
 */
export async function runYjs(env, sc, expected, engineRun) {
  const doc = new Y.Doc()
  const yst = {}
  sc.yInit(doc, yst)
  const initial = Y.encodeStateAsUpdate(doc)
  const updates = []
  doc.on('update', (u) => updates.push(u))
  const steps = sc.steps
  const marks = {}
  env.gc()
  const t0 = env.now()
  for (let i = 0; i < steps.length; i++) {
    doc.transact(() => sc.yStep(doc, yst, steps[i]))
    if (sc.checkpoints?.includes(i + 1)) marks[i + 1] = { ms: env.now() - t0, updates: updates.length }
  }
  const localMs = env.now() - t0
  const doc2 = new Y.Doc()
  Y.applyUpdate(doc2, initial)
  const applyMarks = {}
  const markAt = new Map(Object.entries(marks).map(([k, v]) => [v.updates, Number(k)]))
  env.gc()
  const t1 = env.now()
  for (let i = 0; i < updates.length; i++) {
    Y.applyUpdate(doc2, updates[i])
    if (markAt.has(i + 1)) applyMarks[markAt.get(i + 1)] = env.now() - t1
  }
  const remoteMs = env.now() - t1
  checkSame(canonicalDoc(doc), expected, `${sc.name}: raw Yjs doc`)
  checkSame(canonicalDoc(doc2), expected, `${sc.name}: raw Yjs remote doc`)
  const out = { localMs, remoteMs, marks, applyMarks, updates: updates.length, bytes: updates.reduce((n, u) => n + u.length, 0) }
  if (engineRun) {
    const engineUpdates = updatesOfStanzas(engineRun.texts)
    const doc3 = new Y.Doc()
    Y.applyUpdate(doc3, engineRun.initialState)
    env.gc()
    const t2 = env.now()
    for (const u of engineUpdates) Y.applyUpdate(doc3, u)
    out.engineUpdatesMs = env.now() - t2
    out.engineUpdates = engineUpdates.length
    out.enginePayloadBytes = engineUpdates.reduce((n, u) => n + u.length, 0)
    checkSame(canonicalDoc(doc3), expected, `${sc.name}: plain doc after the engine's updates`)
  }
  doc.destroy()
  doc2.destroy()
  return out
}

/** rrweb's recorder over the same DOM work (Chromium only: it records the top document). */
export async function runRrweb(env, sc, expected, { limit } = {}) {
  // rrweb also records same-origin iframes, and its stop() leaves its observers on them: page B
  // (an iframe) must not exist while it records, or every later change on B pays rrweb's cost.
  env.dropPage?.('peer')
  const page = env.page('main')
  const { island, st } = mountIsland(env, page, sc)
  const events = []
  const stop = env.rrweb.record({ emit: (e) => events.push(e) })
  const snapshotEvents = events.length
  const steps = limit ? sc.steps.slice(0, limit) : sc.steps
  const marks = {}
  env.gc()
  const t0 = env.now()
  for (let i = 0; i < steps.length; i++) {
    sc.dom(page.doc, island, st, steps[i])
    await null
    if (sc.checkpoints?.includes(i + 1)) marks[i + 1] = env.now() - t0
    if (sc.gcEvery && (i + 1) % sc.gcEvery === 0) env.gcReal()
  }
  const ms = env.now() - t0
  stop()
  env.dropPage?.('peer')
  // Incremental snapshots of DOM mutations (EventType 3, IncrementalSource 0).
  const mutationEvents = events.slice(snapshotEvents).filter((e) => e.type === 3 && e.data?.source === 0).length
  check(mutationEvents > 0, `${sc.name}: rrweb recorded no mutation`)
  if (!limit) checkSame(canonicalDom(island), expected, `${sc.name}: the island under rrweb`)
  island.remove()
  return { ms, marks, events: events.length - snapshotEvents, mutationEvents }
}

/**
 * Naive sync: the island's outerHTML on every change (serialized on every `every`-th step only,
 * timed inside its observer callback, so the island still goes through every state), then each
 * snapshot applied on page B with morphdom, in order; B must end equal to A.
 */
export async function runNaive(env, sc, expected, every) {
  const A = env.page('main')
  const B = env.page('peer')
  const a = mountIsland(env, A, sc)
  const b = mountIsland(env, B, sc)
  const snapshots = []
  let serializeMs = 0
  let sample = false
  const observer = new A.win.MutationObserver(() => {
    if (!sample) return
    const t = env.now()
    const html = a.island.outerHTML
    serializeMs += env.now() - t
    snapshots.push(html)
  })
  observer.observe(a.island, { childList: true, attributes: true, characterData: true, subtree: true })
  const steps = sc.steps
  for (let i = 0; i < steps.length; i++) {
    sample = i % every === every - 1 || i === steps.length - 1
    sc.dom(A.doc, a.island, a.st, steps[i])
    await null
    if (sc.gcEvery && (i + 1) % sc.gcEvery === 0) env.gcReal()
  }
  observer.disconnect()
  const holder = B.doc.createElement('div')
  env.gc()
  const t0 = env.now()
  for (const html of snapshots) {
    holder.innerHTML = html
    morphdom(b.island, holder.firstElementChild)
  }
  const applyMs = env.now() - t0
  checkSame(canonicalDom(b.island), expected, `${sc.name}: page B after the naive snapshots`)
  a.island.remove()
  b.island.remove()
  return {
    samples: snapshots.length,
    serializeMs,
    applyMs,
    bytes: snapshots.reduce((n, s) => n + utf8Length(s), 0),
  }
}

/**
 * A warm-up (every variant once, on `warmup`: the same workload, or a smaller one of the same
 * kind), a floor run that counts the workload's mutations and gives the expected result, then
 * `rounds` rounds of every variant, interleaved, so that the machine's noise falls on all of
 * them alike. Returns every round's results; callers take medians (of per-round values).
 */
export async function runScenario(env, sc, { rounds, warmup = sc, rrweb = true, naiveEvery = 0, rrwebLimit, log = () => {} }) {
  const t = env.now()
  {
    const lap = (what) => env.debug && log(`  ${what} at ${((env.now() - t) / 1000).toFixed(1)} s, heap ${env.heapMiB?.() ?? '?'} MiB`)
    const f = await runFloor(env, warmup)
    lap('floor')
    const e = await runEngine(env, warmup, f.canonical)
    lap('engine')
    await runYjs(env, warmup, f.canonical, e)
    lap('yjs')
    if (rrweb && env.rrweb) await runRrweb(env, warmup, f.canonical, { limit: rrwebLimit })
    lap('rrweb')
    if (naiveEvery) await runNaive(env, warmup, f.canonical, naiveEvery)
    lap('naive')
    await env.breathe()
    log(`${sc.name}: warm-up (${warmup.steps.length} steps) ${((env.now() - t) / 1000).toFixed(1)} s`)
  }
  const first = await runFloor(env, sc, { countMutations: true })
  const expected = first.canonical
  const all = { floor: [], engine: [], yjs: [], rrweb: [], naive: [] }
  for (let r = 1; r <= rounds; r++) {
    const t0 = env.now()
    const lap = (what) => env.debug && log(`  round ${r}: ${what} done at ${((env.now() - t0) / 1000).toFixed(2)} s`)
    const floor = await runFloor(env, sc)
    lap('floor')
    checkSame(floor.canonical, expected, `${sc.name}: the floor run`)
    floor.canonical = undefined
    await env.breathe()
    const engine = await runEngine(env, sc, expected)
    lap('engine')
    await env.breathe()
    const yjs = await runYjs(env, sc, expected, engine)
    lap('yjs')
    await env.breathe()
    const rr = rrweb && env.rrweb ? await runRrweb(env, sc, expected, { limit: rrwebLimit }) : null
    lap('rrweb')
    await env.breathe()
    const naive = naiveEvery ? await runNaive(env, sc, expected, naiveEvery) : null
    lap('naive')
    await env.breathe()
    log(`${sc.name} round ${r}: floor ${floor.ms.toFixed(0)} ms, engine ${engine.captureMs.toFixed(0)}+${engine.applyMs.toFixed(0)} ms, yjs ${yjs.localMs.toFixed(0)}+${yjs.remoteMs.toFixed(0)} ms${rr ? `, rrweb ${rr.ms.toFixed(0)} ms` : ''}${naive ? `, naive ${naive.serializeMs.toFixed(0)}+${naive.applyMs.toFixed(0)} ms (${naive.samples} samples)` : ''}`)
    // Keep only what the figures need (the stanza texts are large).
    engine.texts = undefined
    engine.initialState = undefined
    if (r > 1) engine.groupEnds = undefined
    all.floor.push(floor)
    all.engine.push(engine)
    all.yjs.push(yjs)
    if (rr) all.rrweb.push(rr)
    if (naive) all.naive.push(naive)
  }
  return { expectedChars: expected.length, mutations: first.mutations, steps: sc.steps.length, ...all }
}

export const med = (runs, f) => median(runs.map(f))
export { BenchError }
