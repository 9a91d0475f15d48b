// Chromium for the bench: the system binary with the project's flags (scripts/chromium.mjs),
// driven by playwright-core, never a downloaded browser. Pages load from a loopback HTTP server
// that serves the bench bundle and the traces (gzipped JSON, decompressed by the page).
import { createServer } from 'node:http'
import { createReadStream, existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs'
import { OUT } from './build.mjs'

export const TRACES_DIR = process.env.BENCH_TRACES_DIR || join(OUT, '..', '..', '..', 'shared', 'traces')

const PAGE = '<!doctype html><html><head><meta charset="utf-8"><title>bench</title></head><body><script src="/browser.js"></script></body></html>'

export async function startServer() {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x')
    if (url.pathname === '/' || url.pathname === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      return res.end(PAGE)
    }
    if (url.pathname === '/browser.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' })
      return createReadStream(join(OUT, 'browser.js')).pipe(res)
    }
    const trace = /^\/traces\/([\w-]+\.json\.gz)$/.exec(url.pathname)
    if (trace && existsSync(join(TRACES_DIR, trace[1]))) {
      res.writeHead(200, { 'content-type': 'application/gzip' })
      return createReadStream(join(TRACES_DIR, trace[1])).pipe(res)
    }
    res.writeHead(404)
    res.end()
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((resolve) => server.close(resolve)) }
}

export async function launchChromium() {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium); the bench never downloads one`)
  // --expose-gc: the bench collects garbage before each measured run, outside the measurement.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--js-flags=--expose-gc'] })
}

/** A fresh bench page (its own renderer), with the page's console forwarded to `log`. */
export async function benchPage(browser, serverUrl, log) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  page.on('console', (m) => {
    const text = m.text()
    if (text.startsWith('[chromium]')) log(text)
  })
  page.on('pageerror', (e) => log(`[chromium] page error: ${e.message}`))
  await page.goto(serverUrl)
  await page.waitForFunction(() => globalThis.Bench !== undefined)
  return {
    page,
    async run(suite, opts) {
      return page.evaluate(([s, o]) => globalThis.Bench.run(s, o), [suite, opts])
    },
    close: () => context.close(),
  }
}
