// Large changes from a browser, through the project's own Prosody. Chromium sends a WebSocket
// message larger than 65,536 bytes as several frames, and Prosody 0.12's mod_websocket closes
// the connection on the first non-final frame (RFC 7395 §3.3.3: one stanza, one unfragmented
// message). Node's `ws` never splits, so only a real browser shows it. Each page is a fresh
// browser context (no BroadcastChannel between them) with the built IIFE; every frame a page
// sends is recorded, so the tests can say how large the largest was and how many parts went.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { build } from 'esbuild'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs'
import { startProsody, type ProsodyInstance } from '../../scripts/prosody.mjs'
import { shapesFragment } from '../fixtures/shapes.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const WAIT = 60_000
/** One browser WebSocket message that Chromium never splits (measured: 65,537 bytes split). */
const FRAME = 65_536

let browser: Browser
let prosody: ProsodyInstance
let server: Server
let baseUrl: string

beforeAll(async () => {
  // Always built here: a stale bundle would test yesterday's engine (about 1 s).
  execFileSync(process.execPath, ['scripts/build.mjs', '--no-check', '--quiet'], { cwd: ROOT, stdio: 'ignore' })
  const iife = readFileSync(`${ROOT}dist/xml-sync-islands.iife.js`, 'utf8')
  const bundled = await build({ entryPoints: [`${ROOT}src/testing.ts`], bundle: true, format: 'iife', globalName: 'XmlSyncIslandsTesting', write: false, logLevel: 'error' })
  const testing = bundled.outputFiles[0]!.text
  server = createServer((req, res) => {
    if (req.url === '/engine.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(iife)
    if (req.url === '/testing.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(testing)
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end('<!doctype html><meta charset="utf-8"><body><script src="/engine.js"></script><script src="/testing.js"></script></body>')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/`
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
  prosody = await startProsody()
})

afterAll(async () => {
  await browser?.close()
  await prosody?.stop()
  await new Promise((resolve) => server?.close(resolve))
})

interface Joined {
  ctx: BrowserContext
  page: Page
}

/**
 * A page whose SVG island holds one rect, joined to `room` through the XMPP bridge (anonymous
 * login); `shapes` more rects are added in one change right after it starts. The page records its WebSocket frames, the bridge's events
 * and the engine's errors in `window.t`.
 */
async function join(room: string, nick: string, shapes = 0): Promise<Joined> {
  const ctx = await browser.newContext()
  const page = await ctx.newPage()
  page.on('pageerror', (e) => console.error(`[${nick}] page error: ${e.message}`))
  await page.goto(baseUrl)
  await page.evaluate(
    ({ service, domain, room, nick }) => {
      const t: any = ((window as any).t = { sent: [], errors: [], bridgeErrors: [], online: 0, offline: 0 })
      // Every text frame the page sends, by its UTF-8 size: @xmpp/websocket writes one stanza per send().
      const utf8 = new TextEncoder()
      const send = WebSocket.prototype.send
      WebSocket.prototype.send = function (data: any) {
        if (typeof data === 'string') t.sent.push({ bytes: utf8.encode(data).length, part: /<island [^>]*\bpart="/.test(data.slice(0, 600)) })
        return send.call(this, data)
      }
      const SVG = 'http://www.w3.org/2000/svg'
      const svg = document.createElementNS(SVG, 'svg')
      svg.setAttribute('data-sync-island', 'board')
      svg.setAttribute('viewBox', '0 0 1000 1000')
      const rect = document.createElementNS(SVG, 'rect')
      rect.setAttribute('width', '10')
      rect.setAttribute('height', '10')
      svg.append(rect)
      document.body.append(svg)
      const api = (window as any).XmlSyncIslands
      const session = api.syncIslands()
      session.addEventListener('sync-error', (e: CustomEvent) => t.errors.push(e.detail))
      const bridge = api.xmppBridge({ service, domain, room, nick })
      bridge.addEventListener('error', (e: CustomEvent) => t.bridgeErrors.push({ reason: e.detail.reason, message: e.detail.message }))
      bridge.addEventListener('online', () => t.online++)
      bridge.addEventListener('offline', () => t.offline++)
      Object.assign(t, { session, bridge, svg })
    },
    { service: prosody.websocketUrl, domain: prosody.anonDomain, room, nick },
  )
  if (shapes) await addShapes(page, shapes, 'rect')
  await page.waitForFunction(() => (window as any).t.bridge.online && (window as any).t.session.islands.get('board')?.state === 'synced', null, { timeout: WAIT })
  return { ctx, page }
}

/**
 * Adds `n` shapes to the island in one change (one fragment: one mutation record), as an
 * import, a paste or a big undo would. Paths carry a `d` of ten segments; rects eight attributes.
 */
/** Adds `n` seeded shapes to the page's island in one change (test/fixtures/shapes.ts, sent as source). */
async function addShapes(page: Page, n: number, kind: 'path' | 'rect', seed = 1): Promise<void> {
  if (!(await page.evaluate(() => 'shapesFragment' in window))) await page.addScriptTag({ content: `window.shapesFragment = ${shapesFragment.toString()}` })
  await page.evaluate(({ n, kind, seed }) => (window as any).t.svg.append((window as any).shapesFragment(document, n, kind, seed)), { n, kind, seed })
}

const canonical = (page: Page): Promise<string> => page.evaluate(() => (window as any).XmlSyncIslandsTesting.canonicalDom((window as any).t.svg))
const count = (page: Page, kind: string): Promise<number> => page.evaluate((kind) => (window as any).t.svg.querySelectorAll(kind).length, kind)

/** What a page saw: the largest frame it sent, how many island parts, errors and reconnects. */
const report = (page: Page) =>
  page.evaluate(() => {
    const t = (window as any).t
    return {
      maxFrame: Math.max(0, ...t.sent.map((s: any) => s.bytes)),
      parts: t.sent.filter((s: any) => s.part).length,
      errors: t.errors,
      bridgeErrors: t.bridgeErrors,
      offline: t.offline,
      reconnects: t.bridge.stats.reconnects,
    }
  })

async function waitUntil(what: string, check: () => Promise<boolean>, pages: Page[]): Promise<void> {
  const deadline = Date.now() + WAIT
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await Promise.all(pages.map(report)))}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const close = (...joined: Joined[]) => Promise.all(joined.map((j) => j.page.evaluate(() => (window as any).t.bridge.close()).catch(() => undefined).then(() => j.ctx.close())))

/** Both pages ended with no error, no loss of the connection, frames that fit, and parts used. */
async function expectClean(what: string, sender: Page, receiver: Page, minParts: number): Promise<void> {
  const a = await report(sender)
  const b = await report(receiver)
  console.info(`${what}: ${a.parts} parts sent, largest frame ${a.maxFrame} bytes`)
  for (const r of [a, b]) {
    expect(r.errors).toEqual([])
    expect(r.bridgeErrors).toEqual([])
    expect(r.offline).toBe(0)
    expect(r.reconnects).toBe(0)
    expect(r.maxFrame).toBeLessThanOrEqual(FRAME)
  }
  // Real parts really used: the change did not fit one stanza.
  expect(a.parts).toBeGreaterThanOrEqual(minParts)
}

const room = (name: string): string => `${name}-${Date.now().toString(36)}@${prosody.mucDomain}`

describe('large changes from Chromium through Prosody', () => {
  it('1,500 paths added in one change arrive whole, with the session usable throughout', async () => {
    const r = room('paths')
    const A = await join(r, 'a')
    const B = await join(r, 'b')
    try {
      await A.page.waitForFunction(() => (window as any).t.session.peers.size === 1, null, { timeout: WAIT })
      await addShapes(A.page, 1500, 'path')
      await waitUntil('B to show 1,500 paths', async () => (await count(B.page, 'path')) === 1500, [A.page, B.page])
      expect(await canonical(B.page)).toBe(await canonical(A.page))
      // Still usable: a small edit each way after the big one.
      await A.page.evaluate(() => (window as any).t.svg.querySelector('path').setAttribute('stroke', '#000001'))
      await B.page.evaluate(() => (window as any).t.svg.querySelector('rect').setAttribute('fill', '#000002'))
      await waitUntil('the small edits after it', async () => (await canonical(A.page)) === (await canonical(B.page)) && (await canonical(A.page)).includes('#000002') && (await canonical(A.page)).includes('#000001'), [A.page, B.page])
      await expectClean('1,500 paths', A.page, B.page, 2)
    } finally {
      await close(A, B)
    }
  })

  it('10,000 shapes added in one change arrive whole', async () => {
    const r = room('shapes')
    const A = await join(r, 'a')
    const B = await join(r, 'b')
    try {
      await A.page.waitForFunction(() => (window as any).t.session.peers.size === 1, null, { timeout: WAIT })
      await addShapes(A.page, 10_000, 'rect')
      await waitUntil('B to show 10,001 rects', async () => (await count(B.page, 'rect')) === 10_001, [A.page, B.page])
      expect(await canonical(B.page)).toBe(await canonical(A.page))
      await expectClean('10,000 shapes', A.page, B.page, 10)
    } finally {
      await close(A, B)
    }
  })

  it('a late joiner to a 10,000-shape island gets the whole state', async () => {
    const r = room('late')
    const A = await join(r, 'a', 10_000)
    const C = await join(r, 'c')
    try {
      await waitUntil('C to show 10,001 rects', async () => (await count(C.page, 'rect')) === 10_001, [A.page, C.page])
      expect(await canonical(C.page)).toBe(await canonical(A.page))
      // The answer is A's whole state: it went in parts.
      await expectClean('late join of 10,000 shapes', A.page, C.page, 10)
    } finally {
      await close(A, C)
    }
  })

  it('a bridge whose bound is raised past one message is cut by Prosody once, says so, and does not loop', async () => {
    // With maxStanzaBytes raised, the bridge sends stanzas of 100 KiB; Chromium splits such a
    // message when the socket is busy (a lone one on an idle socket went whole), so four back to
    // back, and Prosody closes (over its stanza size limit, or with 1003 on a split message). As the engine does on each rejoin, the page writes them
    // again.
    const ctx = await browser.newContext()
    const page = await ctx.newPage()
    await page.goto(baseUrl)
    try {
      const result = await page.evaluate(
        async ({ service, domain, room }) => {
          const api = (window as any).XmlSyncIslands
          const errors: Array<{ reason: string; condition?: string }> = []
          const bridge = api.xmppBridge({ service, domain, room, nick: 'x', maxStanzaBytes: 256 * 1024, backoff: { minDelay: 50, maxDelay: 400 } })
          bridge.addEventListener('error', (e: CustomEvent) => errors.push({ reason: e.detail.reason, condition: e.detail.condition }))
          let writes = 0
          const write = (): void => {
            writes++
            for (let i = 0; i < 4; i++) {
              const child = document.createElement('div')
              child.textContent = `<message xmlns="jabber:client"><island xmlns="urn:xml-sync-islands:1" name="board">${'A'.repeat(100 * 1024 - 4 * i - 16 * writes)}</island></message>`
              document.getElementById('xmpp-outgoing')!.append(child)
            }
          }
          bridge.addEventListener('online', write)
          const deadline = Date.now() + 20_000
          while (writes < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
          // Several backoff periods: a loop would have shown by now.
          await new Promise((r) => setTimeout(r, 2000))
          const out = { errors, writes, reconnects: bridge.stats.reconnects, online: bridge.online}
          await bridge.close()
          return out
        },
        { service: prosody.websocketUrl, domain: prosody.anonDomain, room: room('cut') },
      )
      // Refused once; then every stanza that large is kept back, before sending.
      // policy-violation from the site's c2s_stanza_size_limit (64 KiB, prosody/prosody.cfg.lua)
      // when Prosody reads the stanza whole; else 1003 when Chromium reads Prosody's close frame
      // over a split message, 1006 when it was still sending and saw none.
      expect(result.errors[0]).toEqual({ reason: 'refused', condition: expect.stringMatching(/^(ws-100[36]|policy-violation)$/) })
      expect(result.errors.slice(1)).toEqual(Array(4).fill({ reason: 'too-large' }))
      expect(result, JSON.stringify(result)).toMatchObject({ writes: 2, reconnects: 1, online: true })
    } finally {
      await ctx.close()
    }
  })
})
