// `npm run bench` (full, under 10 minutes on 2 cores) and `npm run bench -- --quick` (a small
// version of everything, under a minute). Options:
//   --quick            small sizes, one round
//   --only=a,b         run only these suites (chromium.whiteboard, node.heap, e2e, ...)
//   --profile          CPU profiles: Node suites with --cpu-prof, Chromium suites through the
//                      DevTools protocol, all into bench/.build/prof/
//   --no-write         do not write bench/results/latest.* (quick runs write quick.*)
//   --full-traces      automerge-paper whole (259,778 edits) in Chromium, one round (minutes)
//   --rewrite-report   rewrite latest.md and latest.svg from latest.json and latest.info.json
// Exit status 1 when any suite fails or gives a wrong answer.
import { spawn, execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { buildBench, bundleSizes, OUT, ROOT } from './lib/build.mjs'
import { benchPage, launchChromium, startServer, TRACES_DIR } from './lib/browser.mjs'
import { e2eSuite } from './lib/e2e.mjs'
import { finalize, printTable, writeResults } from './lib/report.mjs'
import { startProsody } from '../scripts/prosody.mjs'

const args = process.argv.slice(2)
const QUICK = args.includes('--quick')
const PROFILE = args.includes('--profile')
const WRITE = !args.includes('--no-write')
const ONLY = args.find((a) => a.startsWith('--only='))?.slice(7).split(',')
const FULL_TRACES = args.includes('--full-traces')
const PROF_DIR = join(OUT, 'prof')

// automerge-paper's whole trace (259,778 edits) takes the engine minutes per run (see the
// report): the full run replays a prefix of it, the same one in Chromium and Node.
const AUTOMERGE_PREFIX = 20000

const CONFIG = QUICK
  ? {
      chromium: {
        whiteboard: { scale: 0.05, warmupScale: 0.02, rounds: 1, naiveEvery: 10 },
        shapes: { scale: 0.1, rounds: 1 },
        'text.sveltecomponent': { trace: 'sveltecomponent', limit: 2000, warmupLimit: 300, rrwebLimit: 1000, naiveEvery: 100, rounds: 1 },
        'text.automerge-paper': { trace: 'automerge-paper', limit: 2000, warmupLimit: 300, rrwebLimit: 1000, naiveEvery: 100, rounds: 1, totalTarget: true },
        'form.sveltecomponent': { trace: 'sveltecomponent', limit: 2000, warmupLimit: 300, rounds: 1, form: true },
        'form.automerge-paper': { trace: 'automerge-paper', limit: 2000, warmupLimit: 300, rounds: 1, totalTarget: true, form: true },
        latejoin: { sizes: [1000, 3000], rounds: 1, warmupNodes: 300 },
        drag: { seconds: 1.1, rounds: 1, svgdom: true, shapes: [200, 1000], intervals: [8, 16], moves: 30 },
        presence: { seconds: 1.1, stillSeconds: 2, rounds: 1 },
      },
      e2e: { n: 30, batches: 2, gapMs: 25 },
      node: {
        whiteboard: { scale: 0.02, warmupScale: 0.01, rounds: 1, naiveEvery: 10 },
        shapes: { scale: 0.05, rounds: 1 },
        'text.sveltecomponent': { trace: 'sveltecomponent', limit: 1000, warmupLimit: 200, naiveEvery: 100, rounds: 1 },
        'text.automerge-paper': { trace: 'automerge-paper', limit: 1000, warmupLimit: 200, naiveEvery: 100, rounds: 1, totalTarget: true },
        'form.sveltecomponent': { trace: 'sveltecomponent', limit: 1000, warmupLimit: 200, rounds: 1, form: true },
        'form.automerge-paper': { trace: 'automerge-paper', limit: 1000, warmupLimit: 200, rounds: 1, totalTarget: true, form: true },
        latejoin: { sizes: [1000], rounds: 1, warmupNodes: 200 },
        drag: { seconds: 1.1, rounds: 1 },
        presence: { seconds: 1.1, stillSeconds: 2, rounds: 1 },
        heap: { nodes: 2000 },
        manypeers: { peers: 20, seconds: 4, twoSeconds: 2, rate: 10 },
        join: { rounds: 1 },
      },
    }
  : {
      chromium: {
        whiteboard: { scale: 1, warmupScale: 0.05, rounds: 3, naiveEvery: 1000 },
        shapes: { scale: 1, rounds: 3 },
        'text.sveltecomponent': { trace: 'sveltecomponent', warmupLimit: 2000, rrwebLimit: 5000, naiveEvery: 200, rounds: 3 },
        'text.automerge-paper': { trace: 'automerge-paper', limit: AUTOMERGE_PREFIX, warmupLimit: 2000, rrwebLimit: 5000, naiveEvery: 500, rounds: 3, totalTarget: true },
        'form.sveltecomponent': { trace: 'sveltecomponent', warmupLimit: 2000, rounds: 3, form: true },
        'form.automerge-paper': { trace: 'automerge-paper', limit: AUTOMERGE_PREFIX, warmupLimit: 2000, rounds: 3, totalTarget: true, form: true },
        latejoin: { sizes: [1000, 10000], rounds: 3, warmupNodes: 1000 },
        drag: { seconds: 2, rounds: 5, svgdom: true, shapes: [2000, 10000], intervals: [8, 16], moves: 300 },
        presence: { seconds: 2, stillSeconds: 3, rounds: 2 },
      },
      e2e: { n: 200, batches: 4, gapMs: 30 },
      node: {
        whiteboard: { scale: 0.05, warmupScale: 0.01, rounds: 3, naiveEvery: 100 },
        shapes: { scale: 0.2, rounds: 3 },
        'text.sveltecomponent': { trace: 'sveltecomponent', limit: 3000, warmupLimit: 500, naiveEvery: 200, rounds: 3 },
        'text.automerge-paper': { trace: 'automerge-paper', limit: 3000, warmupLimit: 500, naiveEvery: 200, rounds: 3, totalTarget: true },
        'form.sveltecomponent': { trace: 'sveltecomponent', limit: 3000, warmupLimit: 500, rounds: 3, form: true },
        'form.automerge-paper': { trace: 'automerge-paper', limit: 3000, warmupLimit: 500, rounds: 3, totalTarget: true, form: true },
        latejoin: { sizes: [1000, 10000], rounds: 2, warmupNodes: 500 },
        drag: { seconds: 2, rounds: 3 },
        presence: { seconds: 2, stillSeconds: 3, rounds: 2 },
        heap: { nodes: 10000 },
        manypeers: { peers: 20, seconds: 60, twoSeconds: 20, rate: 10 },
        join: { rounds: 5 },
      },
    }

if (FULL_TRACES) {
  CONFIG.chromium['text.automerge-paper'] = { trace: 'automerge-paper', warmupLimit: 2000, rrwebLimit: 5000, naiveEvery: 5000, rounds: 1, totalTarget: true, gcEvery: 10000 }
}

const suiteOf = (key) => (key.startsWith('text.') || key.startsWith('form.') ? 'text' : key)
const wanted = (name) => !ONLY || ONLY.some((o) => name === o || name.startsWith(`${o}.`) || o === name.split('.')[0])
const log = (msg) => console.log(msg)

const figures = []
const failures = []
const durations = {}
const infos = {}

async function timed(name, fn, seconds) {
  if (name !== 'build' && !wanted(name)) return
  const t = Date.now()
  log(`▶ ${name}`)
  try {
    const res = await fn()
    if (res?.error) throw Object.assign(new Error(res.error), { wrong: res.wrong })
    if (res?.figures) figures.push(...res.figures)
    if (res?.info) infos[name] = res.info
  } catch (err) {
    failures.push({ suite: name, error: String(err?.message ?? err), wrong: Boolean(err?.wrong) || /wrong result/.test(String(err?.message)) })
    log(`✗ ${name}: ${err?.message ?? err}`)
    if (process.env.BENCH_DEBUG) log(err?.stack)
  } finally {
    durations[name] = seconds?.() ?? (Date.now() - t) / 1000
    log(`  ${name}: ${durations[name].toFixed(1)} s`)
  }
}

/**
 * Node suites in a child process with --expose-gc (and --cpu-prof when profiling): one process
 * per suite, or (quick runs) one `batch` process for all, which prints one result per suite.
 */
function nodeSuite(suite, opts) {
  return nodeProcess(suite, opts).then((results) => results[0])
}

function nodeProcess(suite, opts) {
  return new Promise((resolve, reject) => {
    const flags = ['--expose-gc', '--max-old-space-size=4096']
    if (PROFILE) flags.push('--cpu-prof', `--cpu-prof-dir=${PROF_DIR}`, `--cpu-prof-name=node-${suite}-${opts.trace ?? ''}-${Date.now()}.cpuprofile`)
    const child = spawn(process.execPath, [...flags, join(OUT, 'node.mjs'), suite, JSON.stringify(opts)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => {
      err += d
      for (const line of String(d).split('\n')) if (line.startsWith('  [node]')) log(line.trim())
    })
    child.on('exit', (code) => {
      const lines = out.split('\n').filter((l) => l.startsWith('BENCH_RESULT '))
      if (!lines.length) return reject(new Error(`node suite ${suite} exited ${code} without a result:\n${err.slice(-2000)}`))
      const stderrTail = err.split('\n').filter((l) => !l.startsWith('  [node]')).slice(-8).join('\n')
      resolve(lines.map((line) => {
        const res = JSON.parse(line.slice('BENCH_RESULT '.length))
        if (res.error) res.error = `${res.error}\n${stderrTail}`
        return res
      }))
    })
  })
}

let sharedPage = null
async function chromiumSuite(browser, serverUrl, suite, opts, name) {
  // A fresh page (renderer) per suite; quick runs share one.
  const p = QUICK ? (sharedPage ??= await benchPage(browser, serverUrl, log)) : await benchPage(browser, serverUrl, log)
  let cdp = null
  try {
    if (PROFILE) {
      cdp = await p.page.context().newCDPSession(p.page)
      await cdp.send('Profiler.enable')
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 })
      await cdp.send('Profiler.start')
    }
    const res = await p.run(suite, opts)
    if (cdp) {
      const { profile } = await cdp.send('Profiler.stop')
      mkdirSync(PROF_DIR, { recursive: true })
      writeFileSync(join(PROF_DIR, `chromium-${name}-${Date.now()}.cpuprofile`), JSON.stringify(profile))
    }
    return res
  } finally {
    if (!QUICK) await p.close()
  }
}

function version(cmd, fallback) {
  try {
    return cmd()
  } catch {
    return fallback
  }
}

// The commit the bench builds from (taken before building: others may commit while it runs),
// with a mark when src/ has changes not committed.
let COMMIT = 'unknown'

async function main() {
  const started = Date.now()
  COMMIT = version(() => {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim()
    return dirty ? `${head} + uncommitted changes in src/` : head
  }, 'unknown')
  log(`bench: ${QUICK ? 'quick' : 'full'} run${ONLY ? ` (only ${ONLY.join(', ')})` : ''}`)
  await timed('build', async () => {
    const ms = await buildBench()
    log(`  bench bundles built in ${(ms / 1000).toFixed(1)} s`)
  })
  if (failures.length) return finish(started)

  await timed('bundle', async () => {
    const sizes = await bundleSizes()
    const heavy = (s) => Object.entries(s.byPackage).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k} ${(v / 1024).toFixed(1)} KiB`)
    log(`  core ${(sizes.core.gzip / 1024).toFixed(1)} KiB gzipped, full ${(sizes.full.gzip / 1024).toFixed(1)} KiB gzipped`)
    return {
      figures: [
        { name: 'bundle.core_iife_gzip_kib', value: sizes.core.gzip / 1024, unit: 'KiB', target: 75 },
        { name: 'bundle.full_iife_gzip_kib', value: sizes.full.gzip / 1024, unit: 'KiB', target: 95 },
        { name: 'bundle.core_iife_raw_kib', value: sizes.core.raw / 1024, unit: 'KiB' },
        { name: 'bundle.full_iife_raw_kib', value: sizes.full.raw / 1024, unit: 'KiB' },
      ],
      info: { core: heavy(sizes.core), full: heavy(sizes.full) },
    }
  })

  const needChromium = Object.keys(CONFIG.chromium).some((k) => wanted(`chromium.${k}`)) || wanted('e2e')
  const needProsody = wanted('e2e') || wanted('node.manypeers')
  const server = needChromium ? await startServer() : null
  const browser = needChromium ? await launchChromium() : null
  const chromiumVersion = browser ? `Chromium ${browser.version()}` : 'Chromium (not run)'
  let prosody = null
  try {
    for (const [key, opts] of Object.entries(CONFIG.chromium)) {
      await timed(`chromium.${key}`, () => chromiumSuite(browser, server.url, suiteOf(key), { ...opts, noGc: QUICK, debug: Boolean(process.env.BENCH_DEBUG) }, key))
    }
    if (needProsody) prosody = await startProsody()
    await timed('e2e', () => e2eSuite({ browser, serverUrl: server.url, prosody, ...CONFIG.e2e, log }))
  } finally {
    await browser?.close()
    await server?.close()
  }
  try {
    const extra = (key) => ({
      noGc: QUICK,
      ...(key === 'manypeers'
        ? { service: prosody.websocketUrl, domain: prosody.anonDomain, mucDomain: prosody.mucDomain, nodeDeps: true }
        : key === 'join'
          ? { nodeDeps: true, prosodyModule: pathToFileURL(join(ROOT, 'scripts', 'prosody.mjs')).href }
          : { dir: TRACES_DIR }),
    })
    if (QUICK) {
      const batch = Object.entries(CONFIG.node)
        .filter(([key]) => wanted(`node.${key}`))
        .map(([key, opts]) => ({ name: `node.${key}`, suite: suiteOf(key), opts: { ...opts, ...extra(key) } }))
      let results = []
      if (batch.length) {
        log(`▶ node suites (one process): ${batch.map((b) => b.name).join(', ')}`)
        results = await nodeProcess('batch', batch).catch((err) => batch.map((b) => ({ name: b.name, error: err.message })))
      }
      for (const b of batch) {
        const res = results.find((r) => r.name === b.name) ?? { error: 'the batch process ended before this suite' }
        await timed(b.name, async () => res, () => res.seconds ?? 0)
      }
    } else {
      for (const [key, opts] of Object.entries(CONFIG.node)) await timed(`node.${key}`, () => nodeSuite(suiteOf(key), { ...opts, ...extra(key) }))
    }
  } finally {
    await prosody?.stop()
  }
  return finish(started, chromiumVersion)
}

function finish(started, chromiumVersion = 'Chromium') {
  const seconds = (Date.now() - started) / 1000
  const commit = COMMIT
  const yjs = version(() => `yjs ${JSON.parse(readFileSync(join(ROOT, 'node_modules', 'yjs', 'package.json'), 'utf8')).version}`, 'yjs')
  const meta = {
    mode: QUICK ? 'quick' : 'full',
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    commit,
    machine: `${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    node: process.versions.node,
    chromium: chromiumVersion,
    yjs,
    seconds,
    durations,
    failures,
    infos,
    config: CONFIG,
    scope: scopeNotes(),
  }
  console.log('')
  // Quick runs write bench/results/quick.* (not committed): latest.* always comes from a full run.
  const base = QUICK ? 'quick' : 'latest'
  const list = WRITE && !ONLY ? writeResults(join(ROOT, 'bench', 'results'), figures, meta, base) : finalize(figures)
  printTable(list)
  if (WRITE && !ONLY) writeFileSync(join(ROOT, 'bench', 'results', `${base}.info.json`), `${JSON.stringify({ meta: { ...meta, infos: undefined }, infos }, null, 2)}\n`)
  if (WRITE && !ONLY) console.log(`\nwrote bench/results/${base}.json, ${base}.md, ${base}.svg`)
  console.log(`\nbench: ${figures.length} figures, ${failures.length} failures, ${seconds.toFixed(0)} s`)
  if (failures.length) {
    for (const f of failures) console.log(`  FAILED ${f.suite}${f.wrong ? ' (wrong result)' : ''}: ${f.error.split('\n')[0]}`)
    process.exitCode = 1
  }
}

function scopeNotes() {
  const c = CONFIG
  const s = []
  const steps = (o, total) => (o.limit ? `the first ${o.limit.toLocaleString('en')} of its ${total}` : `all ${total}`)
  for (const env of ['chromium', 'node']) {
    const am = c[env]['text.automerge-paper']
    const sv = c[env]['text.sveltecomponent']
    s.push(`${env === 'chromium' ? 'Chromium' : 'Node'} text traces: automerge-paper, ${steps(am, '259,778 edits')}; sveltecomponent, ${steps(sv, '18,335 transactions')}.${env === 'chromium' && am.limit ? ' The engine needs minutes for the whole of automerge-paper (its per-keystroke cost grows with the text: see the notes), which does not fit the 10-minute run.' : ''}`)
  }
  const am = c.chromium['text.automerge-paper']
  if (am.gcEvery) s.push(`Whole traces (--full-traces): every variant collects garbage every ${am.gcEvery.toLocaleString('en')} steps inside its measured loop (Chromium holds a text node's MutationObserver records until a collection, and a tight replay of the whole trace otherwise grows the renderer past 8 GB and crashes it).`)
  s.push(`rrweb on the text traces: the first ${am.rrwebLimit} steps only (it keeps a copy of the whole text per keystroke), compared with the engine's time at that step of the same run.`)
  s.push(`Naive sync (outerHTML + morphdom): serialized on every ${c.chromium.whiteboard.naiveEvery}th step of the whiteboard and every ${am.naiveEvery}th (automerge-paper) and ${c.chromium['text.sveltecomponent'].naiveEvery}th (sveltecomponent) step of the traces, the island still going through every state; every batch of the rrweb shapes.`)
  s.push(`Whiteboard at scale ${c.chromium.whiteboard.scale} in Chromium (${Math.round(2000 * c.chromium.whiteboard.scale)} shapes, ${Math.round(23200 * c.chromium.whiteboard.scale)} operations) and ${c.node.whiteboard.scale} in Node (${Math.round(2000 * c.node.whiteboard.scale)} shapes: happy-dom is about 10× slower); rrweb's shapes at scale ${c.chromium.shapes.scale} in Chromium, ${c.node.shapes.scale} in Node. rrweb runs in Chromium only (it records a browser window).`)
  s.push('Forms (a textarea in a form island) are not run: the engine does not capture form control values yet.')
  s.push(`Many peers: ${c.node.manypeers.peers} happy-dom pages in one Node process, each with its own engine and XMPP bridge (@xmpp/client over ws) in one MUC room of the private Prosody, ${c.node.manypeers.rate} changes/s each for ${c.node.manypeers.seconds} s; the 2-peer baseline for ${c.node.manypeers.twoSeconds} s.`)
  return s
}

if (args.includes('--rewrite-report')) {
  const dir = join(ROOT, 'bench', 'results')
  const list = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'))
  const { meta, infos: saved } = JSON.parse(readFileSync(join(dir, 'latest.info.json'), 'utf8'))
  writeResults(dir, list, { ...meta, infos: saved })
  console.log('rewrote bench/results/latest.md and latest.svg')
} else
main().catch((err) => {
  console.error(err)
  process.exit(1)
})
