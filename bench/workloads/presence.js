// Presence bytes and states per second per person, in real time: page A's pointer moved as fast
// as timers allow (every 4 ms in Chromium, about 1 ms in Node) over an SVG island for a few
// seconds, then still; a bridge reading #xmpp-outgoing as it fills delivers to page B, which
// must end with A's last position. Targets: at most 20 states in any second (the presence
// throttle); bytes are reported, as the page writes them and as B receives them (with `from`).
import { registerKind, syncIslands } from '../../index.ts'
import { presence, presenceKind } from '../../islands/presence/index.ts'
import { BenchBus, SVG_NS, check, median } from './common.js'

function svgIsland(doc) {
  const el = doc.createElementNS(SVG_NS, 'svg')
  el.setAttribute('data-sync-island', 'board')
  el.setAttribute('width', '800')
  el.setAttribute('height', '600')
  const r = doc.createElementNS(SVG_NS, 'rect')
  for (const [k, v] of Object.entries({ x: 10, y: 10, width: 700, height: 500, fill: '#457b9d' })) r.setAttribute(k, String(v))
  el.appendChild(r)
  return el
}

async function run(env, seconds, stillSeconds) {
  // Registered for this suite's islands only: the other suites measure the engine without it.
  const unregister = registerKind(presenceKind)
  const A = env.page('main')
  const B = env.page('peer')
  const a = svgIsland(A.doc)
  const b = svgIsland(B.doc)
  A.doc.body.appendChild(a)
  B.doc.body.appendChild(b)
  const sA = syncIslands({ root: A.doc })
  const sB = syncIslands({ root: B.doc })
  const pA = presence(sA, { document: A.doc, name: 'Ann', color: '#e15759', layer: false, track: false })
  const pB = presence(sB, { document: B.doc, layer: false, track: false })
  const bus = new BenchBus({ now: () => env.now() })
  const observers = [A, B].map((p) => {
    const o = new p.win.MutationObserver(() => {
      bus.pump()
      bus.deliver()
    })
    o.observe(p.doc.getElementById('xmpp-outgoing'), { childList: true })
    return o
  })
  try {
    bus.connect(A.doc, 'a')
    bus.connect(B.doc, 'b')
    const t = env.now()
    while (!pB.people.has('room/a')) {
      if (env.now() - t > 10000) throw new Error('presence: B never saw A')
      await new Promise((r) => setTimeout(r, 5))
    }
    await new Promise((r) => setTimeout(r, 100))
    bus.log = []
    const rect = a.firstElementChild
    const box = a.getBoundingClientRect()
    let moves = 0
    const t0 = env.now()
    const end = t0 + seconds * 1000
    while (env.now() < end) {
      moves++
      pA.pointAt(box.left + 20 + (moves % 600), box.top + 20 + ((moves * 7) % 400), rect)
      await new Promise((r) => setTimeout(r, 0))
    }
    const moved = env.now()
    await new Promise((r) => setTimeout(r, 200))
    const last = pA.state().pointer
    const got = pB.people.get('room/a')?.state.pointer
    check(got && last && got.at === last.at && JSON.stringify(got).length > 0 && ['x', 'y', 'fx', 'fy'].every((k) => last[k] === undefined || Math.abs(got[k] - last[k]) < 0.01), 'presence: page B has the last position')
    await new Promise((r) => setTimeout(r, stillSeconds * 1000))
    const mine = bus.log.filter((s) => s.from === 'a' && s.text.includes('<here'))
    const during = mine.filter((s) => s.t >= t0 && s.t <= moved + 60)
    const still = mine.filter((s) => s.t > moved + 300)
    const times = during.map((s) => s.t)
    let best = 0
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i] - times[j] >= 1000) j++
      best = Math.max(best, i - j + 1)
    }
    const span = (moved - t0) / 1000
    const stillSpan = stillSeconds - 0.3
    const sum = (xs, f) => xs.reduce((n, s) => n + f(s), 0)
    return {
      moves,
      states: during.length,
      maxPerSecond: best,
      movingBytesPerSecond: sum(during, (s) => s.bytes) / span,
      movingReceivedBytesPerSecond: sum(during, (s) => s.addressed.length) / span,
      stillBytesPerSecond: sum(still, (s) => s.bytes) / stillSpan,
      heartbeatsPerSecond: still.length / stillSpan,
    }
  } finally {
    for (const o of observers) o.disconnect()
    pA.stop()
    pB.stop()
    sA.stop()
    sB.stop()
    bus.disconnect()
    a.remove()
    b.remove()
    unregister()
  }
}

export async function presenceSuite(env, opts) {
  const F = []
  await run(env, 0.2, 0.3) // warm-up
  const rounds = []
  for (let r = 0; r < opts.rounds; r++) rounds.push(await run(env, opts.seconds, opts.stillSeconds))
  const p = `${env.name}.presence`
  const m = (k) => median(rounds.map((x) => x[k]))
  F.push({ name: `${p}.states_per_second_max_1s`, value: Math.max(...rounds.map((x) => x.maxPerSecond)), unit: 'per s', target: 20 })
  F.push({ name: `${p}.bytes_per_second_moving`, value: m('movingBytesPerSecond'), unit: 'B/s' })
  F.push({ name: `${p}.bytes_per_second_moving_received`, value: m('movingReceivedBytesPerSecond'), unit: 'B/s' })
  F.push({ name: `${p}.bytes_per_second_still`, value: m('stillBytesPerSecond'), unit: 'B/s' })
  F.push({ name: `${p}.heartbeats_per_second_still`, value: m('heartbeatsPerSecond'), unit: 'per s' })
  env.log(`presence: ${rounds.map((x) => `${x.states} states for ${x.moves} moves (max ${x.maxPerSecond}/s), ${x.movingBytesPerSecond.toFixed(0)} B/s moving, ${x.stillBytesPerSecond.toFixed(0)} B/s still`).join('; ')}`)
  return { figures: F, info: { rounds } }
}
