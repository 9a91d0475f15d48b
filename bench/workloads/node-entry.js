// The workloads in Node, with happy-dom pages (one Window per page). Run by bench/run.mjs as
// `node --expose-gc bench/.build/node.mjs SUITE 'OPTIONS-JSON'`; prints one line
// `BENCH_RESULT <json>` at the end (progress goes to stderr).
import { Window, HTMLElement as HappyHTMLElement } from 'happy-dom'
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { suites } from './suites.js'

// morphdom (the naive baseline, and the engine's adoption patch) tests `x instanceof HTMLElement`
// against the global, which a browser always has.
globalThis.HTMLElement ??= HappyHTMLElement

const pages = {}
function makePage() {
  const win = new Window({ url: 'http://localhost/' })
  return { win, doc: win.document, close: () => win.happyDOM.close() }
}

const env = {
  name: 'node',
  now: () => performance.now(),
  gc: () => globalThis.gc?.(),
  gcReal: () => globalThis.gc?.(),
  gcAvailable: typeof globalThis.gc === 'function',
  heapUsed: () => process.memoryUsage().heapUsed,
  forceLayout() {},
  page(kind) {
    pages[kind] ??= makePage()
    return pages[kind]
  },
  newPage: makePage,
  rrweb: null,
  breathe: () => new Promise((resolve) => setImmediate(resolve)),
  log: (msg) => process.stderr.write(`  [node] ${msg}\n`),
  loadTrace(name, dir) {
    return JSON.parse(gunzipSync(readFileSync(`${dir}/${name}.json.gz`)).toString('utf8'))
  },
  nodeModules: {},
}

async function runOne(suite, opts) {
  const run = suites[suite]
  if (!run) throw new Error(`no suite ${suite}`)
  // Quick runs skip the collections before each measurement (each costs a full GC of every page).
  env.gc = opts.noGc ? () => {} : env.gcReal
  if (opts.nodeDeps && !env.nodeModules.ws) {
    // Node-only packages a suite asks for (the XMPP suites): loaded here, never in the browser bundle.
    env.nodeModules.ws = (await import('ws')).default
  }
  if (opts.prosodyModule && !env.nodeModules.prosody) {
    // scripts/prosody.mjs finds its config template next to itself: loaded from there, not bundled.
    env.nodeModules.prosody = await import(opts.prosodyModule)
  }
  return run(env, opts)
}

const errorResult = (err) => ({ error: String(err?.message ?? err), wrong: err?.name === 'BenchError' || err?.constructor?.name === 'BenchError' })

async function main() {
  const [suite, json] = process.argv.slice(2)
  const opts = JSON.parse(json || '{}')
  if (suite === 'batch') {
    // Several suites in one process (quick runs): one result line each, named.
    for (const { name, suite: s, opts: o } of opts) {
      let result
      const t = performance.now()
      try {
        result = await runOne(s, o)
        result.seconds = (performance.now() - t) / 1000
      } catch (err) {
        process.stderr.write(`${err?.stack ?? err}\n`)
        result = errorResult(err)
      }
      process.stdout.write(`BENCH_RESULT ${JSON.stringify({ name, ...result })}\n`)
    }
  } else {
    const result = await runOne(suite, opts)
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`)
  }
  for (const p of Object.values(pages)) await p.close()
  // happy-dom windows and sockets may keep timers: leave now.
  process.exit(0)
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`)
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(errorResult(err))}\n`)
  process.exit(1)
})
