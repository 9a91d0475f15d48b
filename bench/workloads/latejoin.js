// Workload 3: late join. Page A holds an island of N SVG rects (8 attributes each) and is alone
// in the session; page B, whose island is empty, joins: it asks, A answers with its whole state
// (split into parts over 64 KiB of base64), B adopts it and renders. Measured on B's side from
// starting its engine to a laid-out island (A's answer, computed in the same thread, is on
// that path too), against setting the same markup with innerHTML, and against a naive join
// (A's outerHTML applied with morphdom). The payload is every byte A sent for the join.
import morphdom from 'morphdom'
import * as Y from 'yjs'
import { syncIslands } from '../../index.ts'
import { canonicalDom } from '../../src/testing.ts'
import { BenchBus, BenchError, SVG_NS, SimClock, check, checkSame, median, rng, ticks } from './common.js'
import { ISLAND_ATTRS } from './whiteboard.js'

function makeIsland(doc) {
  const el = doc.createElementNS(SVG_NS, 'svg')
  el.setAttribute('data-sync-island', 'board')
  for (const [k, v] of Object.entries(ISLAND_ATTRS)) el.setAttribute(k, v)
  return el
}

function fill(doc, el, n) {
  const r = rng(11)
  const int = (k) => Math.floor(r() * k)
  const colours = ['#e63946', '#457b9d', '#1d3557', '#ffb703', '#8ecae6']
  for (let i = 0; i < n; i++) {
    const rect = doc.createElementNS(SVG_NS, 'rect')
    rect.setAttribute('id', `r${i}`)
    rect.setAttribute('x', String(int(1500)))
    rect.setAttribute('y', String(int(1100)))
    rect.setAttribute('width', String(10 + int(90)))
    rect.setAttribute('height', String(10 + int(90)))
    rect.setAttribute('fill', colours[int(colours.length)])
    rect.setAttribute('stroke', '#222')
    rect.setAttribute('stroke-width', String(1 + int(3)))
    el.appendChild(rect)
  }
}

async function joinOnce(env, n) {
  const A = env.page('main')
  const B = env.page('peer')
  const islandA = makeIsland(A.doc)
  fill(A.doc, islandA, n)
  A.doc.body.appendChild(islandA)
  const clock = new SimClock()
  const errors = []
  const sA = syncIslands({ root: A.doc, clock })
  sA.addEventListener('sync-error', (e) => errors.push(e.detail))
  const bus = new BenchBus(clock)
  let sB = null
  const extra = []
  try {
    bus.connect(A.doc, 'a')
    await bus.settle()
    check(sA.islands.get('board')?.state === 'synced', 'late join: page A synced alone')
    const expected = canonicalDom(islandA)
    const markup = islandA.innerHTML
    const outer = islandA.outerHTML
    bus.log = []

    const islandB = makeIsland(B.doc)
    B.doc.body.appendChild(islandB)
    extra.push(islandB)
    env.gc()
    let synced = -1
    const t0 = env.now()
    sB = syncIslands({ root: B.doc, clock })
    sB.addEventListener('sync-error', (e) => errors.push(e.detail))
    sB.addEventListener('synced', () => {
      if (synced < 0) synced = env.now()
    })
    bus.connect(B.doc, 'b')
    for (let i = 0; synced < 0; i++) {
      if (i > 100000) throw new BenchError('late join: page B never synced')
      await null
      if (bus.pump() + bus.deliver() === 0) await ticks(2)
    }
    env.forceLayout(islandB)
    const engineMs = env.now() - t0
    await bus.settle()
    check(errors.length === 0, `late join: engine errors ${JSON.stringify(errors.slice(0, 3))}`)
    checkSame(canonicalDom(islandB), expected, `late join of ${n}: page B's island`)
    const fromA = bus.log.filter((r) => r.from === 'a')
    const payloadBytes = fromA.reduce((s, r) => s + r.bytes, 0)

    // Baselines, on B's page: the same markup through innerHTML, and a naive join (A's
    // outerHTML morphed into an empty island).
    const plain = makeIsland(B.doc)
    B.doc.body.appendChild(plain)
    extra.push(plain)
    env.gc()
    const t1 = env.now()
    plain.innerHTML = markup
    env.forceLayout(plain)
    const innerMs = env.now() - t1
    checkSame(canonicalDom(plain), expected, `late join of ${n}: innerHTML baseline`)

    // The CRDT alone: A's doc encoded as the engine encodes a whole state (v2) and applied to a
    // fresh doc, no XML, no DOM: the part of the join no binding can avoid.
    env.gc()
    const t3 = env.now()
    const state = Y.encodeStateAsUpdateV2(sA.islands.get('board').doc)
    Y.applyUpdateV2(new Y.Doc(), state)
    const yjsMs = env.now() - t3

    const naive = makeIsland(B.doc)
    B.doc.body.appendChild(naive)
    extra.push(naive)
    const holder = B.doc.createElement('div')
    env.gc()
    const t2 = env.now()
    holder.innerHTML = outer
    morphdom(naive, holder.firstElementChild)
    env.forceLayout(naive)
    const naiveMs = env.now() - t2
    checkSame(canonicalDom(naive), expected, `late join of ${n}: naive baseline`)

    return { engineMs, innerMs, naiveMs, yjsMs, payloadBytes, stanzas: fromA.length, outerBytes: new TextEncoder().encode(outer).length, markupBytes: new TextEncoder().encode(markup).length }
  } finally {
    sA.stop()
    sB?.stop()
    bus.disconnect()
    islandA.remove()
    for (const el of extra) el.remove()
  }
}

export async function lateJoinSuite(env, opts) {
  const F = []
  const info = {}
  await joinOnce(env, opts.warmupNodes ?? 1000) // warm-up
  for (const n of opts.sizes) {
    const runs = []
    for (let r = 0; r < opts.rounds; r++) {
      runs.push(await joinOnce(env, n))
      await env.breathe()
    }
    env.log(`late join ${n}: engine ${runs.map((x) => x.engineMs.toFixed(0)).join('/')} ms, innerHTML ${runs.map((x) => x.innerMs.toFixed(0)).join('/')} ms, payload ${runs[0].payloadBytes} B in ${runs[0].stanzas} stanzas`)
    const p = `${env.name}.latejoin.${n}`
    const m = (f) => median(runs.map(f))
    F.push({ name: `${p}.engine_ms`, value: m((x) => x.engineMs), unit: 'ms' })
    F.push({ name: `${p}.innerhtml_ms`, value: m((x) => x.innerMs), unit: 'ms' })
    F.push({ name: `${p}.naive_morphdom_ms`, value: m((x) => x.naiveMs), unit: 'ms' })
    F.push({ name: `${p}.yjs_encode_apply_ms`, value: m((x) => x.yjsMs), unit: 'ms' })
    F.push({ name: `${p}.engine_over_innerhtml`, value: m((x) => x.engineMs / x.innerMs), unit: 'ratio', ...(n >= 10000 ? { target: 3 } : {}) })
    F.push({ name: `${p}.yjs_encode_apply_over_innerhtml`, value: m((x) => x.yjsMs / x.innerMs), unit: 'ratio' })
    F.push({ name: `${p}.payload_bytes`, value: runs[0].payloadBytes, unit: 'B' })
    F.push({ name: `${p}.outerhtml_bytes`, value: runs[0].outerBytes, unit: 'B' })
    F.push({ name: `${p}.payload_over_outerhtml`, value: runs[0].payloadBytes / runs[0].outerBytes, unit: 'ratio', target: 1.5 })
    info[n] = { stanzas: runs[0].stanzas, rounds: runs.length }
  }
  return { figures: F, info }
}
