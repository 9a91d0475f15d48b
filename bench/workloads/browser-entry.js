// The workloads in Chromium: page A is the top document (rrweb's recorder observes it), page B
// a same-origin iframe with a window of its own. bench/run.mjs loads this bundle into a page
// served from loopback and calls `Bench.run(suite, options)`.
import { record } from 'rrweb'
import { suites } from './suites.js'
import { e2e } from './e2e.js'

const pages = {}
function framePage() {
  const iframe = document.createElement('iframe')
  iframe.style.cssText = 'width: 800px; height: 600px; border: 0'
  document.body.appendChild(iframe)
  const doc = iframe.contentDocument
  if (!doc.body) doc.documentElement.appendChild(doc.createElement('body'))
  return { win: iframe.contentWindow, doc, close: () => iframe.remove(), iframe }
}

const env = {
  name: 'chromium',
  now: () => performance.now(),
  gc: () => globalThis.gc?.(),
  gcReal: () => globalThis.gc?.(),
  heapMiB: () => (performance.memory ? (performance.memory.usedJSHeapSize / 2 ** 20).toFixed(0) : '?'),
  // Style and layout of the page (a "rendered" island), as a user would wait for.
  forceLayout: (el) => el.getBoundingClientRect(),
  page(kind) {
    if (kind === 'main') return (pages.main ??= { win: window, doc: document, close() {} })
    pages[kind] ??= framePage()
    return pages[kind]
  },
  newPage: framePage,
  /** Removes a page (an iframe), so that the next `page(kind)` is a fresh one. */
  dropPage(kind) {
    if (kind === 'main' || !pages[kind]) return
    pages[kind].close()
    delete pages[kind]
  },
  rrweb: { record },
  // A macrotask between runs: lets the browser run its own work (GC, timers) outside measurements.
  breathe: () => new Promise((resolve) => setTimeout(resolve, 0)),
  log: (msg) => console.log(`[chromium] ${msg}`),
  async loadTrace(name) {
    const res = await fetch(`/traces/${name}.json.gz`)
    const stream = res.body.pipeThrough(new DecompressionStream('gzip'))
    return JSON.parse(await new Response(stream).text())
  },
}

globalThis.Bench = {
  env,
  e2e,
  async run(suite, opts) {
    const fn = suites[suite]
    if (!fn) throw new Error(`no suite ${suite}`)
    env.gc = opts.noGc ? () => {} : env.gcReal
    env.debug = Boolean(opts.debug)
    try {
      return await fn(env, opts)
    } catch (err) {
      return { error: String(err?.message ?? err), wrong: err?.name === 'BenchError' || err?.constructor?.name === 'BenchError', stack: err?.stack }
    }
  },
}
