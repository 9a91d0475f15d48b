// Helpers for running the bookmarklet in Chromium as a person does, reusable by any test page
// (the whiteboard app's end-to-end run among them):
// - pageServer: serves test/fixtures/bookmarklet/ (and /dist/) over http or https, with the
//   Content-Security-Policy a test asks for in `?csp=`;
// - runBookmarklet: navigates the page to the bookmarklet's javascript: URL from the browser
//   side, as a click on a bookmark does (Playwright reports net::ERR_ABORTED: expected);
// - the panel's parts, and counters of live listeners, observers and accessor hooks.
import { execFileSync } from 'node:child_process'
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttps } from 'node:https'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { extname, join, normalize, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AddressInfo, Socket } from 'node:net'
import { cuttableLink, type CuttableLink } from './proxy.js'
import type { Locator, Page } from 'playwright-core'
import { bookmarkletUrl } from '../../src/panel/bookmarklet.js'
import type { SyncConfig } from '../../src/panel/config.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const FIXTURES = join(ROOT, 'test', 'fixtures', 'bookmarklet')
const DIST = join(ROOT, 'dist')
export const BUNDLE_PATH = '/dist/xml-sync-islands.bookmarklet.iife.js'
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json', '.svg': 'image/svg+xml' }

export interface PageServer {
  /** `http(s)://HOST:PORT` for the host name given (mapped to 127.0.0.1 by the browser). */
  origin(host: string): string
  port: number
  close(): Promise<void>
}

/** A self-signed certificate for these host names (openssl), for an https page server. */
export function selfSignedCert(hosts: string[]): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'xsi-cert-'))
  try {
    const san = hosts.map((h) => `DNS:${h}`).join(',')
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${hosts[0]}`, '-addext', `subjectAltName=${san}`, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' })
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function serve(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x')
  const [dir, rel] = url.pathname.startsWith('/dist/') ? [DIST, url.pathname.slice(6)] : [FIXTURES, url.pathname.slice(1)]
  const file = normalize(join(dir, decodeURIComponent(rel)))
  if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404).end('not found')
    return
  }
  const headers: Record<string, string> = { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' }
  const csp = url.searchParams.get('csp')
  if (csp && extname(file) === '.html') headers['Content-Security-Policy'] = csp
  res.writeHead(200, headers).end(readFileSync(file))
}

/** Serves the fixture pages and dist/ on 127.0.0.1, over https when given a certificate. */
export async function pageServer(tls?: { key: string; cert: string }): Promise<PageServer> {
  const server = tls ? createHttps(tls, serve) : createHttp(serve)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const sockets = new Set<Socket>()
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  return {
    port,
    origin: (host) => `${tls ? 'https' : 'http'}://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** A fixture page's URL, with its CSP. */
export const fixtureUrl = (origin: string, page: string, csp?: string): string => `${origin}/${page}${csp ? `?csp=${encodeURIComponent(csp)}` : ''}`

/**
 * Runs the bookmarklet on `page` as a click on a bookmark does: a browser-side navigation to its
 * javascript: URL (setting location.href from page script is not the same: a strict CSP
 * blocks that, never a bookmark). `config.src` is the bundle's URL.
 */
export async function runBookmarklet(page: Page, config: SyncConfig & { src: string }): Promise<void> {
  try {
    await page.goto(bookmarkletUrl(config))
  } catch (err) {
    if (!/ERR_ABORTED/.test(String((err as Error).message))) throw err
  }
}

/** The first dialog (alert) the page shows from now on, dismissed; its message. */
export function nextDialog(page: Page, timeout = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no dialog within ${timeout} ms`)), timeout)
    page.once('dialog', (d) => {
      clearTimeout(timer)
      const text = d.message()
      void d.dismiss().catch(() => undefined)
      resolve(text)
    })
  })
}

/** A part of the panel (`data-part` inside its open shadow root; Playwright's CSS pierces it). */
export const panelPart = (page: Page, part: string): Locator => page.locator(`xsi-panel [data-part="${part}"]`)

/**
 * An init script counting what the page holds live: listeners on nodes and windows (added minus
 * removed, by type and capture) and MutationObservers observing that the engine's bundles
 * added (`xml-sync-islands` in the calling stack: the page's and Playwright's own, which it
 * injects into the page's world, are not ours to count), and a fingerprint of every accessor and method on the window's
 * prototypes (a hook left behind changes it).
 * Read with `liveCounts(page)`.
 */
export const COUNTERS_SCRIPT = `(() => {
  const live = new Map()
  const key = (t, type, fn, opts) => { const capture = typeof opts === 'boolean' ? opts : !!(opts && opts.capture); return [t, type, fn, capture] }
  const ids = new WeakMap(); let next = 1
  const id = (o) => { if (!ids.has(o)) ids.set(o, next++); return ids.get(o) }
  const counted = (t) => t instanceof Node || t === window
  const add = EventTarget.prototype.addEventListener, remove = EventTarget.prototype.removeEventListener
  EventTarget.prototype.addEventListener = function (type, fn, opts) {
    if (fn && counted(this) && /xml-sync-islands/.test(new Error().stack)) { const [t, ty, f, c] = key(this, type, fn, opts); live.set(id(t) + ' ' + ty + ' ' + id(f) + ' ' + c, ty) }
    return add.call(this, type, fn, opts)
  }
  EventTarget.prototype.removeEventListener = function (type, fn, opts) {
    if (fn && counted(this)) { const [t, ty, f, c] = key(this, type, fn, opts); live.delete(id(t) + ' ' + ty + ' ' + id(f) + ' ' + c) }
    return remove.call(this, type, fn, opts)
  }
  const observing = new Map()
  const MO = window.MutationObserver
  const observe = MO.prototype.observe, disconnect = MO.prototype.disconnect
  const describe = (n) => n.nodeType === 1 ? n.localName + (n.id ? '#' + n.id : '') + (n.getAttribute('class') ? '.' + n.getAttribute('class') : '') : n.nodeName
  MO.prototype.observe = function (target, o) {
    if (!observing.has(this) && /xml-sync-islands/.test(new Error().stack)) observing.set(this, [])
    observing.get(this)?.push(describe(target))
    return observe.call(this, target, o)
  }
  MO.prototype.disconnect = function () { observing.delete(this); return disconnect.call(this) }
  const fnIds = new WeakMap(); let nextFn = 1
  const fid = (f) => { if (typeof f !== 'function') return 0; if (!fnIds.has(f)) fnIds.set(f, nextFn++); return fnIds.get(f) }
  function fingerprint() {
    const out = []
    for (const name of Object.getOwnPropertyNames(window)) {
      let C
      try { C = window[name] } catch { continue }
      if (typeof C !== 'function' || !C.prototype || !/^[A-Z]/.test(name)) continue
      for (const p of Object.getOwnPropertyNames(C.prototype)) {
        const d = Object.getOwnPropertyDescriptor(C.prototype, p)
        if (d) out.push(name + '.' + p + ':' + fid(d.get) + ',' + fid(d.set) + ',' + fid(d.value))
      }
    }
    return out
  }
  // Not enumerable, and made before any page script: the test's own.
  Object.defineProperty(window, '__xsiCounts', { value: () => ({
    listeners: [...live.values()].sort(),
    observers: observing.size,
    observed: [...observing.values()].map((t) => [...new Set(t)].join(' ')).sort(),
    elements: document.getElementsByTagName('*').length,
    fingerprint: fingerprint(),
    globals: Object.getOwnPropertyNames(window).filter((n) => !n.startsWith('__xsi')).sort(),
  }) })
})()`

export interface LiveCounts {
  /** Types of the live listeners the engine's bundles added. */
  listeners: string[]
  observers: number
  /** What each live observer of ours observes, for failure messages. */
  observed: string[]
  elements: number
  fingerprint: string[]
  globals: string[]
}

export const liveCounts = (page: Page): Promise<LiveCounts> => page.evaluate(() => (window as any).__xsiCounts())

/** TLS in front of a loopback port (Prosody's HTTP port): `wss://HOST:port/xmpp-websocket` for an https page. */
export const tlsProxy = (targetPort: number, tls: { key: string; cert: string }): Promise<CuttableLink> => cuttableLink(targetPort, { tls })

/** Waits until the panel's status line matches. */
export async function panelStatus(page: Page, matches: RegExp, timeout = 15_000): Promise<string> {
  const deadline = Date.now() + timeout
  let last = ''
  while (Date.now() < deadline) {
    last = (await panelPart(page, 'status').textContent().catch(() => '')) ?? ''
    if (matches.test(last)) return last
    await page.waitForTimeout(50)
  }
  throw new Error(`panel status never matched ${matches}: last "${last}", problem "${await panelPart(page, 'problem').textContent().catch(() => '')}"`)
}

/**
 * Picks an element with the panel's picker as a person does: the panel's Pick button, the
 * pointer over `at` (at its `point`, default the middle of its box), ArrowUp `up` times, Enter.
 */
export async function pickWithPanel(page: Page, what: 'island' | 'exclude', at: string, options: { up?: number; point?: (box: { x: number; y: number; width: number; height: number }) => { x: number; y: number } } = {}): Promise<void> {
  await panelPart(page, what === 'island' ? 'pick-island' : 'pick-exclude').click()
  const box = await page.locator(at).first().boundingBox()
  if (!box) throw new Error(`nothing to pick at ${at}`)
  const p = options.point?.(box) ?? { x: box.x + box.width / 2, y: box.y + box.height / 2 }
  await page.mouse.move(p.x, p.y)
  for (let i = 0; i < (options.up ?? 0); i++) await page.keyboard.press('ArrowUp')
  await page.keyboard.press('Enter')
}
