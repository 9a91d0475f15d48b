// Stanzas per second during a drag, in real time: the engine on its real clock, a shape moved
// as fast as timers allow (every 4 ms in Chromium, about 1 ms in Node) for a few seconds, a
// bridge reading #xmpp-outgoing as it fills (a MutationObserver, as the real bridges do) and
// delivering to page B, which must end with A's last position.
//
// And the cost of a drag made through the SVG DOM (`x.baseVal.value`, which makes no
// MutationObserver record in Chromium), between pointerdown and pointerup, where the svg kind
// hears the write through its wrapped accessors and compares the written shape every 16 ms,
// against the same drag by setAttribute, with and without pointer events: on simulated time,
// on islands of 2,000 and 10,000 shapes, a move every 8 and 16 ms (Chromium only).
import { syncIslands } from '../../index.ts'
import { canonicalDom } from '../../src/testing.ts'
import { BenchBus, SVG_NS, SimClock, check, checkSame, median, ticks } from './common.js'

function svgIsland(doc, shapes) {
  const el = doc.createElementNS(SVG_NS, 'svg')
  el.setAttribute('data-sync-island', 'board')
  el.setAttribute('width', '1600')
  el.setAttribute('height', '1200')
  for (let i = 0; i < shapes; i++) {
    const r = doc.createElementNS(SVG_NS, 'rect')
    r.setAttribute('id', `r${i}`)
    r.setAttribute('x', String((i * 37) % 1500))
    r.setAttribute('y', String((i * 53) % 1100))
    r.setAttribute('width', '20')
    r.setAttribute('height', '20')
    r.setAttribute('fill', '#457b9d')
    el.appendChild(r)
  }
  return el
}

/** Live delivery for real time: each page's outgoing is read as it fills. */
function liveBus(bus, pages) {
  const observers = pages.map((p) => {
    const o = new p.win.MutationObserver(() => {
      bus.pump()
      bus.deliver()
    })
    o.observe(p.doc.getElementById('xmpp-outgoing'), { childList: true })
    return o
  })
  return () => observers.forEach((o) => o.disconnect())
}

async function realTimeDrag(env, seconds) {
  const A = env.page('main')
  const B = env.page('peer')
  const a = svgIsland(A.doc, 1)
  const b = svgIsland(B.doc, 1)
  A.doc.body.appendChild(a)
  B.doc.body.appendChild(b)
  const sA = syncIslands({ root: A.doc })
  const sB = syncIslands({ root: B.doc })
  const clock = { now: () => env.now() }
  const bus = new BenchBus(clock)
  let stopLive = () => {}
  try {
    bus.connect(A.doc, 'a')
    bus.connect(B.doc, 'b')
    stopLive = liveBus(bus, [A, B])
    const t = env.now()
    while (sA.islands.get('board')?.state !== 'synced' || sB.islands.get('board')?.state !== 'synced') {
      if (env.now() - t > 10000) throw new Error('drag: pages never synced')
      await new Promise((r) => setTimeout(r, 5))
    }
    await new Promise((r) => setTimeout(r, 100))
    bus.log = []
    const rect = a.firstElementChild
    let moves = 0
    const t0 = env.now()
    const end = t0 + seconds * 1000
    while (env.now() < end) {
      rect.setAttribute('x', String(++moves))
      await new Promise((r) => setTimeout(r, 0))
    }
    const elapsed = (env.now() - t0) / 1000
    await new Promise((r) => setTimeout(r, 200))
    const times = bus.log.filter((r) => r.from === 'a' && r.t <= t0 + elapsed * 1000 + 20).map((r) => r.t)
    let best = 0
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i] - times[j] >= 1000) j++
      best = Math.max(best, i - j + 1)
    }
    checkSame(canonicalDom(b), canonicalDom(a), 'drag: page B after the drag')
    check(b.firstElementChild.getAttribute('x') === String(moves), 'drag: page B shows the last position')
    // Steady rate: stanzas after the first (which goes out at once) over the time they span.
    const span = times.length > 1 ? (times[times.length - 1] - times[0]) / 1000 : elapsed
    return { moves, elapsed, stanzas: times.length, perSecond: (times.length - 1) / span, maxPerSecond: best, movesPerSecond: moves / elapsed }
  } finally {
    stopLive()
    sA.stop()
    sB.stop()
    bus.disconnect()
    a.remove()
    b.remove()
  }
}

function pointer(target, type, x) {
  const View = target.ownerDocument.defaultView
  target.dispatchEvent(new View.PointerEvent(type, { bubbles: true, cancelable: true, composed: true, pointerId: 1, pointerType: 'mouse', isPrimary: true, clientX: x, clientY: 10, buttons: type === 'pointerup' ? 0 : 1 }))
}

/**
 * One drag of `moves` moves (`interval` ms apart) of one shape among `shapes`; returns ms. `how`:
 * `attr` setAttribute without pointer events (what a script does), `attr+pointer` setAttribute
 * between pointerdown and pointerup (an editor), `svgdom+pointer` through `x.baseVal.value`.
 * Without the engine it is the app alone, the floor each engine variant is measured against.
 */
async function simDrag(env, { shapes, moves, interval, how, engine }) {
  const A = env.page('main')
  const B = env.page('peer')
  const a = svgIsland(A.doc, shapes)
  const b = svgIsland(B.doc, shapes)
  A.doc.body.appendChild(a)
  B.doc.body.appendChild(b)
  const clock = new SimClock()
  const sA = engine ? syncIslands({ root: A.doc, clock }) : null
  const sB = engine ? syncIslands({ root: B.doc, clock }) : null
  const bus = new BenchBus(clock)
  try {
    if (engine) {
      bus.connect(A.doc, 'a')
      await bus.settle()
      bus.connect(B.doc, 'b')
      await bus.settle()
    }
    const rect = a.children[shapes >> 1]
    const pointers = how !== 'attr'
    env.gc()
    const t0 = env.now()
    if (pointers) pointer(rect, 'pointerdown', 0)
    for (let m = 1; m <= moves; m++) {
      if (how === 'svgdom+pointer') rect.x.baseVal.value += 1
      else rect.setAttribute('x', String(Number(rect.getAttribute('x')) + 1))
      if (pointers) pointer(rect, 'pointermove', m)
      await null
      clock.advance(interval)
      bus.pump()
    }
    if (pointers) pointer(rect, 'pointerup', moves)
    await null
    clock.advance(100)
    bus.pump()
    const ms = env.now() - t0
    if (engine) {
      bus.deliver()
      await ticks()
      await bus.settle()
      checkSame(canonicalDom(b), canonicalDom(a), `drag by ${how}: page B after the drag`)
    }
    return { ms, stanzas: bus.log.filter((r) => r.from === 'a').length }
  } finally {
    sA?.stop()
    sB?.stop()
    bus.disconnect()
    a.remove()
    b.remove()
  }
}

const HOWS = ['attr', 'attr+pointer', 'svgdom+pointer']
const FIGURE = { attr: 'setattribute', 'attr+pointer': 'setattribute_with_pointer_events', 'svgdom+pointer': 'svgdom_with_pointer_events' }

/**
 * The drag on simulated time, at every size and interval: per round, each variant alone (the
 * floor) and with the engine, interleaved. An engine cost is (engine - floor of the same variant
 * in the same round); a difference between two costs is taken within a round, then the median
 * over rounds, so a slow spell of the machine hits both sides.
 */
async function simDrags(env, opts, p, F, info) {
  const { moves } = opts
  const cells = []
  for (const n of opts.shapes) for (const interval of opts.intervals) cells.push({ n, interval })
  const hows = opts.hows ?? HOWS // (a subset, for profiling one path)
  for (const how of hows) await simDrag(env, { shapes: opts.shapes[0], moves: 10, interval: 16, how, engine: true }) // warm-up
  const cost = {} // cost[`${how} ${n} ${interval}`] = [us per move, one per round]
  const floor = {}
  const stanzas = {}
  const key = (how, n, interval) => `${how} ${n} ${interval}`
  for (let r = 0; r < opts.rounds; r++) {
    for (const { n, interval } of cells) {
      // The paths in another order each round: whatever drifts within a round (the heap, the
      // JIT, the machine's other work) does not always favour the same one.
      for (const how of [...hows.slice(r % hows.length), ...hows.slice(0, r % hows.length)]) {
        const cfg = { shapes: n, moves, interval, how }
        const alone = ((await simDrag(env, { ...cfg, engine: false })).ms * 1000) / moves
        const d = await simDrag(env, { ...cfg, engine: true })
        const k = key(how, n, interval)
        ;(floor[k] ??= []).push(alone)
        ;(cost[k] ??= []).push((d.ms * 1000) / moves - alone)
        stanzas[k] = d.stanzas
      }
    }
  }
  const diff = (xs, ys) => median(xs.map((x, i) => x - ys[i]))
  const [small, large] = [opts.shapes[0], opts.shapes[opts.shapes.length - 1]]
  for (const { n, interval } of cells) {
    const at = `${n}_shapes_${interval}ms`
    if (floor[key('attr', n, interval)]) F.push({ name: `${p}.sim.floor_us_per_move_${at}`, value: median(floor[key('attr', n, interval)]), unit: 'us' })
    if (floor[key('attr+pointer', n, interval)]) F.push({ name: `${p}.sim.floor_with_pointer_events_us_per_move_${at}`, value: median(floor[key('attr+pointer', n, interval)]), unit: 'us' })
    for (const how of hows) {
      F.push({ name: `${p}.sim.${FIGURE[how]}.engine_us_per_move_${at}`, value: median(cost[key(how, n, interval)]), unit: 'us', ...(how === 'attr' ? { target: 50 } : {}) })
    }
    for (const how of hows.includes('attr') ? hows.filter((h) => h !== 'attr') : []) {
      F.push({ name: `${p}.sim.${FIGURE[how]}.over_setattribute_us_per_move_${at}`, value: diff(cost[key(how, n, interval)], cost[key('attr', n, interval)]), unit: 'us', target: 10 })
    }
    const row = hows.map((how) => `${FIGURE[how]} ${median(cost[key(how, n, interval)]).toFixed(0)}`).join(', ')
    env.log(`drag on simulated time, ${n} shapes, a move every ${interval} ms, engine us per move over the app alone: ${row} (app alone ${median(floor[key(hows[0], n, interval)]).toFixed(1)} us)`)
  }
  if (large !== small) {
    for (const interval of opts.intervals) {
      for (const how of hows) {
        F.push({ name: `${p}.sim.${FIGURE[how]}.${large}_over_${small}_shapes_us_per_move_${interval}ms`, value: diff(cost[key(how, large, interval)], cost[key(how, small, interval)]), unit: 'us', target: 10 })
      }
    }
  }
  info.sim = { shapes: opts.shapes, intervals: opts.intervals, moves, stanzas }
}

export async function dragSuite(env, opts) {
  const F = []
  const info = {}
  const rt = []
  await realTimeDrag(env, 0.2) // warm-up
  for (let r = 0; r < opts.rounds; r++) rt.push(await realTimeDrag(env, opts.seconds))
  env.log(`drag in real time: ${rt.map((x) => `${x.stanzas} stanzas for ${x.moves} moves in ${x.elapsed.toFixed(1)} s`).join('; ')}`)
  const p = `${env.name}.drag`
  F.push({ name: `${p}.realtime.moves_per_second`, value: median(rt.map((x) => x.movesPerSecond)), unit: 'per s' })
  F.push({ name: `${p}.realtime.stanzas_per_second`, value: median(rt.map((x) => x.perSecond)), unit: 'per s', target: 60 })
  if (opts.seconds >= 1) F.push({ name: `${p}.realtime.stanzas_per_second_max_1s`, value: Math.max(...rt.map((x) => x.maxPerSecond)), unit: 'per s', target: 60 })
  info.realtime = rt

  if (opts.svgdom && env.name === 'chromium') await simDrags(env, opts, p, F, info)
  return { figures: F, info }
}
