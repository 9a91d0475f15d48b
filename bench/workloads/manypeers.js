// Workload 6: many peers in one room, through the real Prosody. Each peer is a happy-dom page in
// this Node process with its own engine and its own XMPP bridge (@xmpp/client over `ws`, an
// anonymous login), all in one MUC room. Every peer moves its own shape `rate` times a second
// for `seconds`; every page notes when each move shows in its DOM (one process, one clock).
// Then editing stops and every page must converge to the same island, with every shape at its
// last position. The same run with 2 peers gives the baseline for the p99.
import { syncIslands, xmppBridge } from '../../index.ts'
import { canonicalDom } from '../../src/testing.ts'
import { SVG_NS, check, percentile, median } from './common.js'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function waitFor(cond, what, ms) {
  const t = Date.now()
  while (!cond()) {
    if (Date.now() - t > ms) throw new Error(`many peers: timed out after ${ms} ms waiting for ${what}`)
    await sleep(20)
  }
}

export async function manyPeersRun(env, { service, domain, mucDomain, peers, seconds, rate, WebSocket }) {
  const room = `many-${peers}-${Date.now().toString(36)}@${mucDomain}`
  const pages = []
  const sent = new Map()
  const latencies = []
  const errors = []
  const cpu0 = process.cpuUsage()
  try {
    for (let i = 0; i < peers; i++) {
      const page = env.newPage()
      const svg = page.doc.createElementNS(SVG_NS, 'svg')
      svg.setAttribute('data-sync-island', 'board')
      for (let j = 0; j < peers; j++) {
        const r = page.doc.createElementNS(SVG_NS, 'rect')
        r.setAttribute('id', `p${j}`)
        r.setAttribute('x', '0')
        r.setAttribute('y', String(j * 20))
        r.setAttribute('width', '10')
        r.setAttribute('height', '10')
        svg.appendChild(r)
      }
      page.doc.body.appendChild(svg)
      const session = syncIslands({ root: page.doc })
      session.addEventListener('sync-error', (e) => errors.push(e.detail))
      const bridge = xmppBridge({ service, domain, room, nick: `p${i}`, document: page.doc, WebSocket, backoff: { minDelay: 100, maxDelay: 1000 } })
      bridge.addEventListener('error', (e) => errors.push(e.detail?.message))
      const own = `p${i}`
      const observer = new page.win.MutationObserver((records) => {
        const t = performance.now()
        for (const r of records) {
          const id = r.target.getAttribute('id')
          if (r.attributeName !== 'x' || id === own) continue
          const key = `${id}:${r.target.getAttribute('x')}`
          const at = sent.get(key)
          if (at !== undefined) latencies.push(t - at)
        }
      })
      observer.observe(svg, { attributes: true, subtree: true, attributeFilter: ['x'] })
      pages.push({ page, svg, session, bridge, observer, seq: 0 })
      // One at a time: each joiner finds the room's state and the designated answerer.
      await waitFor(() => bridge.online && session.islands.get('board')?.state === 'synced', `peer ${i} to sync`, 20000)
    }
    await waitFor(() => pages.every((p) => p.session.peers.size === peers - 1), 'every peer to see the others', 20000)
    const joinedCpu = process.cpuUsage(cpu0)

    // Editing: peer i moves shape p<i> every 1000/rate ms, the peers' phases spread evenly.
    const period = 1000 / rate
    const t0 = performance.now()
    const end = t0 + seconds * 1000
    // Scheduled on absolute times, so a late timer does not lower the rate.
    const timers = pages.map((p, i) => {
      const first = t0 + (i * period) / peers
      return setTimeout(function tick() {
        if (performance.now() >= end) return
        const rect = p.svg.querySelector(`#p${i}`)
        const x = String(++p.seq)
        sent.set(`p${i}:${x}`, performance.now())
        rect.setAttribute('x', x)
        p.timer = setTimeout(tick, Math.max(0, first + p.seq * period - performance.now()))
      }, first - performance.now())
    })
    await sleep(seconds * 1000)
    const editCpu = process.cpuUsage(cpu0)
    for (const t of timers) clearTimeout(t)
    for (const p of pages) clearTimeout(p.timer)
    const edits = pages.reduce((n, p) => n + p.seq, 0)

    // Convergence: every page equal, every shape at its peer's last position.
    const settledAt = performance.now()
    await waitFor(() => {
      const first = canonicalDom(pages[0].svg)
      return pages.every((p) => canonicalDom(p.svg) === first) && pages.every((p, i) => pages[0].svg.querySelector(`#p${i}`).getAttribute('x') === String(p.seq))
    }, 'every peer to converge', 60000).catch((err) => errors.push(err.message))
    const convergeMs = performance.now() - settledAt
    const first = canonicalDom(pages[0].svg)
    const notConverged = pages.filter((p, i) => canonicalDom(p.svg) !== first || pages[0].svg.querySelector(`#p${i}`).getAttribute('x') !== String(p.seq)).length
    const expected = edits * (peers - 1)
    return {
      peers,
      seconds,
      rate,
      edits,
      deliveries: latencies.length,
      expectedDeliveries: expected,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.reduce((m, x) => (x > m ? x : m), 0),
      notConverged,
      convergeMs,
      errors: errors.slice(0, 5),
      errorCount: errors.length,
      cpuSecondsJoin: (joinedCpu.user + joinedCpu.system) / 1e6,
      cpuSecondsEditing: (editCpu.user + editCpu.system - joinedCpu.user - joinedCpu.system) / 1e6,
    }
  } finally {
    for (const p of pages) {
      p.observer.disconnect()
      p.session.stop()
    }
    await Promise.all(pages.map((p) => p.bridge.close()))
    for (const p of pages) await p.page.close()
  }
}

export async function manyPeersSuite(env, opts) {
  const WebSocket = env.nodeModules.ws
  const base = { service: opts.service, domain: opts.domain, mucDomain: opts.mucDomain, rate: opts.rate, WebSocket }
  const two = await manyPeersRun(env, { ...base, peers: 2, seconds: opts.twoSeconds })
  env.log(`many peers, 2: p50 ${two.p50.toFixed(1)} ms p99 ${two.p99.toFixed(1)} ms, ${two.deliveries}/${two.expectedDeliveries} deliveries`)
  const many = await manyPeersRun(env, { ...base, peers: opts.peers, seconds: opts.seconds })
  env.log(`many peers, ${opts.peers}: p50 ${many.p50.toFixed(1)} ms p99 ${many.p99.toFixed(1)} ms, ${many.deliveries}/${many.expectedDeliveries} deliveries, cpu ${many.cpuSecondsEditing.toFixed(1)} s in ${opts.seconds} s, converged in ${many.convergeMs.toFixed(0)} ms`)
  for (const r of [two, many]) {
    check(r.notConverged === 0, `many peers (${r.peers}): ${r.notConverged} pages did not converge ${JSON.stringify(r.errors)}`)
    check(r.errorCount === 0, `many peers (${r.peers}): errors ${JSON.stringify(r.errors)}`)
  }
  const p = `node.manypeers`
  const F = [
    { name: `${p}.${opts.peers}.not_converged`, value: many.notConverged, unit: 'peers', target: 0 },
    { name: `${p}.${opts.peers}.latency_p50_ms`, value: many.p50, unit: 'ms' },
    { name: `${p}.${opts.peers}.latency_p99_ms`, value: many.p99, unit: 'ms' },
    { name: `${p}.2.latency_p50_ms`, value: two.p50, unit: 'ms' },
    { name: `${p}.2.latency_p99_ms`, value: two.p99, unit: 'ms' },
    { name: `${p}.p99_${opts.peers}_over_2`, value: many.p99 / two.p99, unit: 'ratio' },
    { name: `${p}.${opts.peers}.cpu_share_of_one_core`, value: many.cpuSecondsEditing / opts.seconds, unit: 'ratio' },
  ]
  return { figures: F, info: { two, many } }
}

export { median }
