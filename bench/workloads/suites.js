// Every suite, the same code in Chromium and in Node. Each returns { figures, info }: figures
// are { name, value, unit, target?, note? } (every target is an upper bound), info is free-form
// detail for the report.
import { runScenario } from './harness.js'
import { textScenario } from './text.js'
import { whiteboardScenario } from './whiteboard.js'
import { xepTextBytes, xepWhiteboardBytes } from './xep0284.js'
import { median } from './common.js'
import { shapeScenarios } from './shapes.js'
import { lateJoinSuite } from './latejoin.js'
import { dragSuite } from './dragrate.js'
import { manyPeersSuite } from './manypeers.js'
import { joinSuite } from './join.js'
import { heapSuite } from './heap.js'
import { presenceSuite } from './presence.js'

const medOf = (runs, f) => median(runs.map(f))
const fig = (name, value, unit, extra = {}) => ({ name, value, unit, ...extra })

/** Max stanzas in any 1 s window of simulated time. */
function maxPerSecond(times) {
  let best = 0
  let j = 0
  for (let i = 0; i < times.length; i++) {
    while (times[i] - times[j] >= 1000) j++
    best = Math.max(best, i - j + 1)
  }
  return best
}

/**
 * The capture/apply figures every capture workload shares. `per` names the unit of work the
 * capture figures are divided by; all capture variants use the same count, so their ratios are
 * the ratios of their total costs.
 */
function captureFigures(env, key, res, { per, count, targets = true, rrwebNote }) {
  const p = `${env.name}.${key}`
  const F = []
  const E = res.engine
  const fl = res.floor
  const Yj = res.yjs
  const capture = E.map((e, i) => e.captureMs - fl[i].ms)
  F.push(fig(`${p}.floor_us_per_${per}`, (medOf(fl, (f) => f.ms) * 1000) / count, 'us'))
  F.push(fig(`${p}.capture.engine_us_per_${per}`, (median(capture) * 1000) / count, 'us'))
  F.push(fig(`${p}.capture.yjs_us_per_${per}`, (medOf(Yj, (y) => y.localMs) * 1000) / count, 'us'))
  F.push(fig(`${p}.capture.engine_over_yjs`, median(capture.map((c, i) => c / Yj[i].localMs)), 'ratio', targets ? { target: 2 } : {}))
  if (res.rrweb.length) {
    const rr = res.rrweb.map((r, i) => r.ms - fl[i].ms)
    F.push(fig(`${p}.capture.rrweb_us_per_${per}`, (median(rr) * 1000) / count, 'us'))
    F.push(fig(`${p}.capture.engine_over_rrweb`, median(capture.map((c, i) => c / rr[i])), 'ratio', targets ? { target: 1, ...(rrwebNote ? { note: rrwebNote } : {}) } : {}))
  }
  if (res.naive.length) {
    F.push(fig(`${p}.capture.naive_us_per_change`, medOf(res.naive, (n) => (n.serializeMs * 1000) / n.samples), 'us'))
    F.push(fig(`${p}.apply.naive_us_per_snapshot`, medOf(res.naive, (n) => (n.applyMs * 1000) / n.samples), 'us'))
    F.push(fig(`${p}.bytes.naive_per_change`, res.naive[0].bytes / res.naive[0].samples, 'B'))
  }
  F.push(fig(`${p}.apply.engine_us_per_update`, medOf(E, (e) => (e.applyMs * 1000) / e.stanzas), 'us'))
  F.push(fig(`${p}.apply.yjs_us_per_update`, medOf(Yj, (y) => (y.engineUpdatesMs * 1000) / y.engineUpdates), 'us'))
  F.push(fig(`${p}.apply.engine_over_yjs`, median(E.map((e, i) => e.applyMs / Yj[i].engineUpdatesMs)), 'ratio', targets ? { target: 2 } : {}))
  F.push(fig(`${p}.apply.yjs_own_updates_us_per_update`, medOf(Yj, (y) => (y.remoteMs * 1000) / y.updates), 'us'))
  F.push(fig(`${p}.stanzas`, E[0].stanzas, 'count'))
  return F
}

export const suites = {
  async whiteboard(env, opts) {
    const sc = whiteboardScenario(opts.scale)
    const warmup = whiteboardScenario(opts.warmupScale ?? opts.scale)
    const res = await runScenario(env, sc, { rounds: opts.rounds, warmup, rrweb: true, naiveEvery: opts.naiveEvery, log: env.log })
    const ops = sc.steps.length
    const F = captureFigures(env, 'whiteboard', res, { per: 'mutation', count: res.mutations })
    const e = res.engine[0]
    const xep = xepWhiteboardBytes(sc.steps, e.groupEnds)
    const xepUuid = xepWhiteboardBytes(sc.steps, e.groupEnds, { uuidRids: true })
    const p = `${env.name}.whiteboard`
    F.push(fig(`${p}.bytes.engine_per_op`, e.bytes / ops, 'B'))
    F.push(fig(`${p}.bytes.engine_base64_payload_per_op`, e.payloadChars / ops, 'B'))
    F.push(fig(`${p}.bytes.xep0284_per_op`, xep.bytes / ops, 'B'))
    F.push(fig(`${p}.bytes.engine_over_xep0284`, e.bytes / xep.bytes, 'ratio', { target: 0.5 }))
    F.push(fig(`${p}.drag.stanzas_per_second_max`, maxPerSecond(e.times), 'per s', { target: 60 }))
    return {
      figures: F,
      info: {
        ops,
        mutations: res.mutations,
        shapes: sc.steps.filter((s) => s.k === 'create').length,
        stanzas: e.stanzas,
        engineBytes: e.bytes,
        xep0284: { ...xep, uuidRidsBytes: xepUuid.bytes },
        yjsUpdateBytes: res.yjs[0].bytes,
        enginePayloadBytes: res.yjs[0].enginePayloadBytes,
        naiveSamples: res.naive[0]?.samples,
        rounds: res.engine.length,
      },
    }
  },

  async text(env, opts) {
    const trace = await env.loadTrace(opts.trace, opts.dir)
    const limit = opts.limit ?? Infinity
    const rrwebLimit = opts.rrwebLimit
    const checkpoints = rrwebLimit ? [rrwebLimit] : []
    const form = opts.form === true
    const sc = textScenario(opts.trace, trace, { limit, checkpoints, gcEvery: opts.gcEvery, form })
    const warmup = opts.warmupLimit ? textScenario(opts.trace, trace, { limit: opts.warmupLimit, checkpoints: rrwebLimit && rrwebLimit < opts.warmupLimit ? [rrwebLimit] : [], form }) : sc
    // A form's live value is in no markup: neither rrweb's DOM events nor outerHTML carry it alike.
    const res = await runScenario(env, sc, { rounds: opts.rounds, warmup, rrweb: !form && opts.rrweb !== false, naiveEvery: form ? 0 : opts.naiveEvery, rrwebLimit, log: env.log })
    const key = `${form ? 'form' : 'text'}.${opts.trace}`
    const p = `${env.name}.${key}`
    const edits = sc.edits
    const F = captureFigures(env, key, { ...res, rrweb: [] }, { per: 'edit', count: edits, targets: opts.targets !== false })
    const E = res.engine
    const Yj = res.yjs
    if (res.rrweb.length) {
      // rrweb keeps every text value it records (a copy of the whole text per keystroke): it
      // runs on the first `rrwebLimit` steps, compared with the engine's time at that step.
      const at = rrwebLimit
      const fl = res.floor
      const cap = E.map((e, i) => e.marks[at].ms - fl[i].marks[at])
      const rr = res.rrweb.map((r, i) => r.ms - fl[i].marks[at])
      const prefixEdits = sc.steps.slice(0, at).reduce((n, s) => n + s.length, 0)
      F.push(fig(`${p}.capture.rrweb_us_per_edit_first_${at}`, (median(rr) * 1000) / prefixEdits, 'us'))
      F.push(fig(`${p}.capture.engine_us_per_edit_first_${at}`, (median(cap) * 1000) / prefixEdits, 'us'))
      F.push(fig(`${p}.capture.engine_over_rrweb_first_${at}`, median(cap.map((c, i) => c / rr[i])), 'ratio', opts.targets !== false ? { target: 1 } : {}))
    }
    const total = E.map((e, i) => (e.captureMs + e.applyMs) / (Yj[i].localMs + Yj[i].remoteMs))
    F.push(fig(`${p}.engine_s`, medOf(E, (e) => e.captureMs + e.applyMs) / 1000, 's'))
    F.push(fig(`${p}.yjs_s`, medOf(Yj, (y) => y.localMs + y.remoteMs) / 1000, 's'))
    F.push(fig(`${p}.capture_plus_apply.engine_over_yjs`, median(total), 'ratio', opts.totalTarget ? { target: 2 } : {}))
    const e = E[0]
    const xep = xepTextBytes(sc.steps, e.groupEnds)
    F.push(fig(`${p}.bytes.engine_per_edit`, e.bytes / edits, 'B'))
    F.push(fig(`${p}.bytes.engine_base64_payload_per_edit`, e.payloadChars / edits, 'B'))
    F.push(fig(`${p}.bytes.xep0284_per_edit`, xep.bytes / edits, 'B'))
    F.push(fig(`${p}.bytes.engine_over_xep0284`, e.bytes / xep.bytes, 'ratio', opts.targets !== false ? { target: 0.5 } : {}))
    return {
      figures: F,
      info: {
        trace: opts.trace,
        steps: sc.steps.length,
        traceSteps: trace.txns.length,
        edits,
        full: sc.full,
        finalChars: sc.endContent.length,
        stanzas: e.stanzas,
        engineBytes: e.bytes,
        xep0284: xep,
        rrwebLimit,
        warmupSteps: warmup.steps.length,
        rounds: E.length,
      },
    }
  },

  async shapes(env, opts) {
    const F = []
    const info = {}
    // Warm-ups on a tenth of each shape: the batches are one step each, and setting up the
    // full-size ones (seeding two pages, rrweb's first snapshot) costs more than measuring them.
    const small = shapeScenarios(opts.scale * 0.1)
    const all = shapeScenarios(opts.scale)
    for (let i = 0; i < all.length; i++) {
      const sc = all[i]
      if (opts.only && !opts.only.includes(sc.name)) continue
      const res = await runScenario(env, sc, { rounds: opts.rounds, warmup: small[i], rrweb: true, naiveEvery: 1, log: env.log })
      F.push(...captureFigures(env, sc.name, res, { per: 'mutation', count: res.mutations }).filter((f) => !/naive|stanzas|own_updates/.test(f.name)))
      F.push(fig(`${env.name}.${sc.name}.bytes.engine_per_mutation`, res.engine[0].bytes / res.mutations, 'B'))
      info[sc.name] = { mutations: res.mutations, stanzas: res.engine[0].stanzas, bytes: res.engine[0].bytes, rounds: res.engine.length }
    }
    return { figures: F, info }
  },

  latejoin: lateJoinSuite,
  drag: dragSuite,
  manypeers: manyPeersSuite,
  join: joinSuite,
  heap: heapSuite,
  presence: presenceSuite,
}
