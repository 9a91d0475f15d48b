// The bookmarklet in Chromium, run as a click on a bookmark runs it (a browser-side navigation
// to its javascript: URL), on a drawing page never written for it (test/fixtures/bookmarklet),
// served over plain http from a host name (not a secure context), with the bundle from the
// demo server's origin and a private Prosody. Two pages sync the drawing picked by clicking,
// with the selection overlay picked too and never sent; a ready bookmark from the demo's
// /bookmarklet/ page needs no click; running it twice toggles the panel; stopping leaves no
// listener, observer, hook or element behind; and pages that stop it say why.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs'
import { startProsody, type ProsodyInstance } from '../../scripts/prosody.mjs'
import { startDemoServer, type DemoServer } from '../../demo/server.mjs'
import { BUNDLE_PATH, COUNTERS_SCRIPT, fixtureUrl, liveCounts, nextDialog, pageServer, panelPart, panelStatus, pickWithPanel, runBookmarklet, selfSignedCert, tlsProxy, type PageServer } from './bookmarklet-support.js'
import type { SyncConfig } from '../../src/panel/config.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const DEMO_HOST = 'islands-demo.test'
const PAGES_HOST = 'pages.test'
const SECURE_HOST = 'secure-pages.test'
const WAIT = 15_000

let browser: Browser
let prosody: ProsodyInstance
let demo: DemoServer
let pages: PageServer
let securePages: PageServer
/** TLS in front of Prosody's WebSocket, for the https pages. */
let wss: { port: number; close(): Promise<void> }
/** The bookmarklet as the demo's page makes it: the bundle from the demo's origin, its Prosody. */
let base: SyncConfig & { src: string }

beforeAll(async () => {
  // Always built here: a stale bundle would test yesterday's panel.
  execFileSync(process.execPath, ['scripts/build.mjs', '--no-check', '--quiet'], { cwd: ROOT, stdio: 'ignore' })
  const rules = [DEMO_HOST, PAGES_HOST, SECURE_HOST].map((h) => `MAP ${h} 127.0.0.1`).join(',')
  const cert = selfSignedCert([SECURE_HOST])
  ;[browser, prosody, pages, securePages] = await Promise.all([
    chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, `--host-resolver-rules=${rules}`] }),
    startProsody({ accounts: [{ user: 'alice', password: 'alice-secret' }] }),
    pageServer(),
    pageServer(cert),
  ])
  wss = await tlsProxy(prosody.httpPort, cert)
  demo = await startDemoServer({ port: 0, prosody })
  base = {
    src: `http://${DEMO_HOST}:${demo.port}${BUNDLE_PATH}`,
    service: `ws://${DEMO_HOST}:${prosody.httpPort}/xmpp-websocket`,
    domain: prosody.anonDomain,
    muc: prosody.mucDomain,
  }
})

afterAll(async () => {
  await browser?.close()
  await Promise.all([demo?.close(), pages?.close(), securePages?.close(), wss?.close()])
  await prosody?.stop()
})

const room = (label: string): string => `${label}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`

/** A fixture page in its own context, counting what it holds live, recording uncaught errors. */
async function open(context: BrowserContext, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await page.addInitScript(COUNTERS_SCRIPT)
  await page.goto(url)
  return { page, errors }
}

const status = (page: Page) => panelPart(page, 'status').textContent()
const problem = (page: Page) => panelPart(page, 'problem').textContent()

/** The island's doc as this page shares it (what it sent), via the panel's run. */
const sharedDoc = (page: Page, name: string): Promise<string> =>
  page.evaluate((name) => (window as any).XmlSyncIslands.currentPanel().run.session.islands.get(name).doc.getXmlFragment('island').toString(), name)

/** Clicks the middle of an element, as a person would. */
async function clickOn(page: Page, selector: string): Promise<void> {
  const box = (await page.locator(selector).boundingBox())!
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
}

async function dragBy(page: Page, selector: string, dx: number, dy: number): Promise<void> {
  const box = (await page.locator(selector).boundingBox())!
  const x = box.x + box.width / 2
  const y = box.y + box.height / 2
  await page.mouse.move(x, y)
  await page.mouse.down()
  for (let i = 1; i <= 6; i++) await page.mouse.move(x + (dx * i) / 6, y + (dy * i) / 6)
  await page.mouse.up()
}

/** The config a bookmark carries (the JSON its loader is called with). */
function readyConfig(href: string): SyncConfig & { src: string } {
  const source = decodeURIComponent(href.slice('javascript:'.length))
  return JSON.parse(source.slice(source.lastIndexOf('})(') + 3, source.lastIndexOf(');void 0')))
}

/** A ready bookmark from the demo's /bookmarklet/ page: the form filled in, the link's href. */
async function readyBookmark(context: BrowserContext, fields: Record<string, string>): Promise<string> {
  const page = await context.newPage()
  await page.goto(`http://${DEMO_HOST}:${demo.port}/bookmarklet/`)
  await expect.poll(() => page.locator('#bookmarklet').getAttribute('href')).toMatch(/^javascript:/)
  for (const [name, value] of Object.entries(fields)) await page.fill(`#builder [name="${name}"]`, value)
  const href = (await page.locator('#ready').getAttribute('href'))!
  expect(await page.locator('#how li').count()).toBe(3)
  await page.close()
  return href
}

describe('the bookmarklet on a drawing page never written for it (plain http, a host name)', () => {
  it('two pages through Prosody: the SVG and its overlay picked by clicking, the overlay never sent; stop leaves nothing behind', async () => {
    const name = room('pick')
    const [ctxA, ctxB, ctxC] = await Promise.all([browser.newContext(), browser.newContext(), browser.newContext()])
    try {
      const A = await open(ctxA, fixtureUrl(`http://${PAGES_HOST}:${pages.port}`, 'drawing.html'))
      expect(await A.page.evaluate(() => isSecureContext)).toBe(false)
      await clickOn(A.page, '#s1') // the page's own selection: a class and an overlay outline
      expect(await A.page.locator('#canvas > g.overlay').count()).toBe(1)
      const before = await liveCounts(A.page)

      await runBookmarklet(A.page, base)
      await expect.poll(() => panelPart(A.page, 'pick-island').isVisible()).toBe(true)
      // The island: the pointer over the paper (a background rect), ArrowUp to its <svg>, Enter.
      await panelPart(A.page, 'pick-island').click()
      const svgBox = (await A.page.locator('#canvas').boundingBox())!
      await A.page.mouse.move(svgBox.x + svgBox.width - 10, svgBox.y + svgBox.height - 10)
      await expect.poll(() => panelPart(A.page, 'pick-label').textContent()).toBe('rect.paper')
      await expect.poll(() => panelPart(A.page, 'pick-box').isVisible()).toBe(true)
      await A.page.keyboard.press('ArrowUp')
      await expect.poll(() => panelPart(A.page, 'pick-label').textContent()).toBe('#canvas')
      await A.page.keyboard.press('Enter')
      await expect.poll(() => panelPart(A.page, 'island').textContent()).toBe('#canvas')
      await expect.poll(() => panelPart(A.page, 'name').inputValue()).toBe('canvas')
      // What stays local: the overlay, by pointing at its outline and widening to its group.
      await panelPart(A.page, 'pick-exclude').click()
      const outline = (await A.page.locator('#canvas > g.overlay > rect.outline').boundingBox())!
      await A.page.mouse.move(outline.x + 1, outline.y + outline.height / 2)
      await expect.poll(() => panelPart(A.page, 'pick-label').textContent()).toBe('rect.outline')
      await A.page.keyboard.press('ArrowUp')
      await A.page.keyboard.press('Enter')
      await expect.poll(() => panelPart(A.page, 'exclude').inputValue()).toBe('g.overlay')
      // The picking clicks never reached the page: the selection is as it was.
      expect(await A.page.locator('#s1.selected').count()).toBe(1)
      await panelPart(A.page, 'local').fill('class')
      // ws:// to a host name: no account is offered (a password would travel in the clear).
      expect(await panelPart(A.page, 'account').isVisible()).toBe(false)
      // Typing in the panel is not the page's: Backspace there does not delete the selected shape.
      await panelPart(A.page, 'room').click()
      await A.page.keyboard.type('typo')
      for (let i = 0; i < 4; i++) await A.page.keyboard.press('Backspace')
      expect(await A.page.locator('#s1.selected').count()).toBe(1)
      await A.page.keyboard.press('Control+A')
      await A.page.keyboard.type(name)
      expect(await panelPart(A.page, 'room').inputValue()).toBe(name)
      await panelPart(A.page, 'start').click()
      await expect.poll(() => status(A.page), { timeout: WAIT }).toMatch(/^connected: XMPP room/)

      // B: a ready bookmark from the demo's page, selection made first; no click in the panel.
      const href = await readyBookmark(ctxB, { room: name, island: '#canvas', exclude: 'g.overlay', local: 'class' })
      const B = await open(ctxB, fixtureUrl(`http://${PAGES_HOST}:${pages.port}`, 'drawing.html'))
      await clickOn(B.page, '#s2')
      try {
        await B.page.goto(href)
      } catch (err) {
        expect(String(err)).toMatch(/ERR_ABORTED/)
      }
      await expect.poll(() => status(B.page), { timeout: WAIT }).toMatch(/^connected/)
      for (const page of [A.page, B.page]) await expect.poll(() => panelPart(page, 'peers').textContent(), { timeout: WAIT }).toMatch(/^Here: /)

      // Each drags its own selected shape (through the SVG DOM); the other follows.
      await dragBy(A.page, '#s1', 60, 40)
      await dragBy(B.page, '#s2', -50, 30)
      const geometry = (page: Page) =>
        page.evaluate(() => [document.querySelector('#s1')!.getAttribute('x'), document.querySelector('#s1')!.getAttribute('y'), document.querySelector('#s2')!.getAttribute('cx'), document.querySelector('#s2')!.getAttribute('cy')])
      // s1 by (60, 40) from (30, 30); s2 by (-50, 30) from (200, 120): the drawing is 1:1 on screen.
      const expected = JSON.stringify(['90', '70', '150', '150'])
      for (const page of [A.page, B.page]) await expect.poll(async () => JSON.stringify(await geometry(page)), { timeout: WAIT }).toBe(expected)
      // A third page runs the same ready bookmark late: it gets the drawing as it is now.
      const C = await open(ctxC, fixtureUrl(`http://${PAGES_HOST}:${pages.port}`, 'drawing.html'))
      await runBookmarklet(C.page, readyConfig(href))
      await expect.poll(async () => JSON.stringify(await geometry(C.page)), { timeout: WAIT }).toBe(expected)
      expect(await C.page.locator('#canvas > g.overlay').count()).toBe(0)
      await panelPart(C.page, 'stop').click()

      // Each page has its own overlay and selection, never the other's: they were never sent.
      for (const page of [A.page, B.page]) {
        expect(await page.locator('#canvas > g.overlay').count()).toBe(1)
        expect(await page.locator('#canvas .selected').count()).toBe(1)
        const doc = await sharedDoc(page, 'canvas')
        expect(doc).toContain('fill="#4e79a7"')
        expect(doc).not.toMatch(/overlay|outline|selected/)
      }
      expect(await A.page.locator('#s1.selected').count()).toBe(1)
      expect(await B.page.locator('#s2.selected').count()).toBe(1)
      for (const { errors } of [A, B, C]) expect(errors).toEqual([])
      expect(await panelPart(A.page, 'errors').locator('li').count()).toBe(0)

      // Stop: nothing of it is left on A but the global, and A's DOM is as it stands.
      // As it stands, without the marks the run put on it (data-sync-ignore on the overlay).
      const drawing = (await A.page.locator('#canvas').innerHTML()).replace(/ data-sync-[\w-]+="[^"]*"/g, '')
      expect(drawing).toContain('class="overlay"')
      await panelPart(A.page, 'stop').click()
      await expect.poll(() => A.page.locator('xsi-panel').count()).toBe(0)
      await expect.poll(() => B.page.locator('xsi-panel [data-part="peers"]').textContent(), { timeout: WAIT }).toMatch(/^Nobody else/)
      const after = await liveCounts(A.page)
      expect(after.listeners).toEqual(before.listeners)
      expect(after.observed).toEqual(before.observed)
      expect(after.observers).toBe(before.observers)
      expect(after.elements).toBe(before.elements)
      expect(after.fingerprint.filter((f) => !before.fingerprint.includes(f))).toEqual([])
      expect(after.globals.filter((g) => !before.globals.includes(g))).toEqual(['XmlSyncIslands'])
      expect(await A.page.locator('xsi-panel, script, #xmpp-outgoing, #xmpp-incoming, [data-sync-island], [data-sync-ignore], [data-sync-ignore-attrs]').count()).toBe(1) // drawing.js
      expect(await A.page.locator('#canvas').innerHTML()).toBe(drawing)
    } finally {
      await Promise.all([ctxA.close(), ctxB.close(), ctxC.close()])
    }
  })

  it('running it twice toggles the panel and never starts a second engine; running it after stop starts afresh', async () => {
    const ctx = await browser.newContext()
    try {
      const { page, errors } = await open(ctx, fixtureUrl(`http://${PAGES_HOST}:${pages.port}`, 'drawing.html'))
      const before = await liveCounts(page)
      const ready = { ...base, connection: 'tabs' as const, room: room('toggle'), island: '#canvas', start: true }
      // Started with nothing to share: it says so, and starts nothing.
      await runBookmarklet(page, { ...base, connection: 'tabs' })
      await panelPart(page, 'start').click()
      await expect.poll(() => problem(page)).toBe('Pick the island first: this page has no [data-sync-island] element.')
      expect(await panelPart(page, 'setup').isVisible()).toBe(true)
      await panelPart(page, 'stop').click()
      await expect.poll(() => page.locator('xsi-panel').count()).toBe(0)
      expect((await liveCounts(page)).listeners).toEqual(before.listeners)

      await runBookmarklet(page, ready)
      await expect.poll(() => status(page), { timeout: WAIT }).toMatch(/^connected: tabs of this browser/)
      const running = await liveCounts(page)
      expect(running.listeners.length).toBeGreaterThan(0) // the counter sees the engine's
      await runBookmarklet(page, ready)
      await expect.poll(() => page.locator('xsi-panel').isVisible()).toBe(false)
      await runBookmarklet(page, ready)
      await expect.poll(() => page.locator('xsi-panel').isVisible()).toBe(true)
      const again = await liveCounts(page)
      expect(again.observers).toBe(running.observers)
      expect(again.listeners).toEqual(running.listeners)
      expect(await page.locator('xsi-panel').count()).toBe(1)
      expect(await page.locator('#xmpp-outgoing').count()).toBe(1)
      expect(await page.locator('[data-sync-island]').count()).toBe(1)
      await panelPart(page, 'stop').click()
      await expect.poll(() => page.locator('xsi-panel').count()).toBe(0)
      const after = await liveCounts(page)
      expect(after.listeners).toEqual(before.listeners)
      expect(after.observers).toBe(before.observers)
      expect(after.elements).toBe(before.elements)
      // A fresh run after stopping: a new panel, started again.
      await runBookmarklet(page, ready)
      await expect.poll(() => status(page), { timeout: WAIT }).toMatch(/^connected/)
      expect(errors).toEqual([])
    } finally {
      await ctx.close()
    }
  })
})

describe('the bookmarklet on a page with islands of its own', () => {
  it("takes the page's islands, reads the room from a share link, Escape cancels a pick; a page that reloads and runs it again is back", async () => {
    const ctx = await browser.newContext() // one context: its tabs share a BroadcastChannel
    try {
      const name = room('share')
      const tabs = { ...base, connection: 'tabs' as const }
      const url = `${fixtureUrl(`http://${PAGES_HOST}:${pages.port}`, 'plain.html')}#top&xsi-room=${name}`
      const P = await open(ctx, url)
      await runBookmarklet(P.page, tabs)
      await expect.poll(() => panelPart(P.page, 'island').textContent()).toBe("the page's 1 island ([data-sync-island])")
      expect(await panelPart(P.page, 'room').inputValue()).toBe(name)
      // A pick started and cancelled with Escape changes nothing.
      await panelPart(P.page, 'pick-island').click()
      const box = (await P.page.locator('article p').boundingBox())!
      await P.page.mouse.move(box.x + 5, box.y + 5)
      await expect.poll(() => panelPart(P.page, 'pick-box').isVisible()).toBe(true)
      await P.page.keyboard.press('Escape')
      await expect.poll(() => panelPart(P.page, 'pick-box').isVisible()).toBe(false)
      expect(await panelPart(P.page, 'island').textContent()).toBe("the page's 1 island ([data-sync-island])")
      await panelPart(P.page, 'start').click()
      await expect.poll(() => status(P.page), { timeout: WAIT }).toMatch(/^connected: tabs of this browser, session "share/)
      await expect.poll(() => panelPart(P.page, 'islands').textContent(), { timeout: WAIT }).toBe('Islands: notes (synced)')
      const share = await panelPart(P.page, 'share').inputValue()
      expect(share).toBe(url) // the page's own hash kept, the room in it once

      // A colleague opens the share link and runs the same bookmark: ready, started at once.
      const Q = await open(ctx, share)
      await runBookmarklet(Q.page, { ...tabs, start: true })
      await expect.poll(() => panelPart(Q.page, 'peers').textContent(), { timeout: WAIT }).toMatch(/^Here: tab-/)
      await P.page.evaluate(() => document.querySelector('article p')!.append(' Shared.'))
      await expect.poll(() => Q.page.locator('article p').textContent(), { timeout: WAIT }).toBe('Notes the page marked as an island itself. Shared.')

      // Q reloads and runs it again: back in the session, with what was shared meanwhile.
      await Q.page.reload()
      await P.page.evaluate(() => document.querySelector('article p')!.append(' Again.'))
      await runBookmarklet(Q.page, { ...tabs, start: true })
      await expect.poll(() => Q.page.locator('article p').textContent(), { timeout: WAIT }).toBe('Notes the page marked as an island itself. Shared. Again.')
      for (const { errors } of [P, Q]) expect(errors).toEqual([])
    } finally {
      await ctx.close()
    }
  })
})

describe('the bookmarklet on https, the bundle over https, wss:// to Prosody', () => {
  it('two pages sync the picked drawing, one logged in with an account typed in the panel, one anonymous', async () => {
    const [ctxA, ctxB] = await Promise.all([browser.newContext({ ignoreHTTPSErrors: true }), browser.newContext({ ignoreHTTPSErrors: true })])
    try {
      const origin = securePages.origin(SECURE_HOST)
      const secure = { src: `${origin}${BUNDLE_PATH}`, service: `wss://${SECURE_HOST}:${wss.port}/xmpp-websocket`, domain: prosody.anonDomain, muc: prosody.mucDomain }
      const name = room('tls')
      const A = await open(ctxA, fixtureUrl(origin, 'drawing.html'))
      expect(await A.page.evaluate(() => isSecureContext)).toBe(true)
      await clickOn(A.page, '#s1')
      await runBookmarklet(A.page, secure)
      await pickWithPanel(A.page, 'island', '#canvas > rect.paper', { up: 1 })
      await expect.poll(() => panelPart(A.page, 'island').textContent()).toBe('#canvas')
      await pickWithPanel(A.page, 'exclude', '#canvas > g.overlay > rect.outline', { up: 1, point: (b) => ({ x: b.x + 1, y: b.y + b.height / 2 }) })
      expect(await panelPart(A.page, 'exclude').inputValue()).toBe('g.overlay')
      await panelPart(A.page, 'local').fill('class')
      await panelPart(A.page, 'room').fill(name)
      // wss://: the panel offers an account.
      expect(await panelPart(A.page, 'account').isVisible()).toBe(true)
      expect(await panelPart(A.page, 'jid').isVisible()).toBe(false)
      await panelPart(A.page, 'use-account').check()
      await panelPart(A.page, 'jid').fill(`alice@${prosody.domain}`)
      await panelPart(A.page, 'password').fill('alice-secret')
      await panelPart(A.page, 'start').click()
      await panelStatus(A.page, /^connected: XMPP room .* via wss:/)
      expect(await A.page.evaluate(() => (window as any).XmlSyncIslands.currentPanel().run.bridge.jid)).toMatch(new RegExp(`^alice@${prosody.domain}/`))

      const B = await open(ctxB, fixtureUrl(origin, 'drawing.html'))
      await runBookmarklet(B.page, { ...secure, room: name, island: '#canvas', exclude: 'g.overlay', local: 'class', start: true })
      await panelStatus(B.page, /^connected/)
      for (const page of [A.page, B.page]) await expect.poll(() => panelPart(page, 'peers').textContent(), { timeout: WAIT }).toMatch(/^Here: /)
      await dragBy(A.page, '#s1', 40, 20)
      await expect.poll(() => B.page.evaluate(() => [document.querySelector('#s1')!.getAttribute('x'), document.querySelector('#s1')!.getAttribute('y')].join()), { timeout: WAIT }).toBe('70,50')
      expect(await B.page.locator('#canvas > g.overlay').count()).toBe(0) // A's overlay never came
      expect(await B.page.locator('#canvas .selected').count()).toBe(0)
      for (const { errors } of [A, B]) expect(errors).toEqual([])
    } finally {
      await Promise.all([ctxA.close(), ctxB.close()])
    }
  })
})

describe('pages that stop it say why', () => {
  const ready = (): SyncConfig & { src: string } => ({ ...base, room: room('csp'), island: '#canvas', start: true })
  const at = (csp: string) => fixtureUrl(`http://${PAGES_HOST}:${pages.port}`, 'drawing.html', csp)

  it('a strict connect-src: the panel names the directive and the service; back to the settings, tabs of this browser work', async () => {
    const ctx = await browser.newContext()
    try {
      const { page } = await open(ctx, at("connect-src 'self'"))
      await runBookmarklet(page, ready())
      await expect.poll(() => problem(page), { timeout: WAIT }).toMatch(/Content-Security-Policy \(connect-src\) does not allow connecting to ws:\/\/islands-demo\.test/)
      expect(await status(page)).toMatch(/^stopped by a problem/)
      expect(await page.locator('[data-sync-island]').count()).toBe(0)
      // As it says: tabs of this browser still work. Back to the settings, and start again.
      await panelPart(page, 'retry').click()
      await expect.poll(() => panelPart(page, 'setup').isVisible()).toBe(true)
      expect(await problem(page)).toBe('')
      await panelPart(page, 'via-tabs').check()
      await panelPart(page, 'start').click()
      await panelStatus(page, /^connected: tabs of this browser/)
      expect(await panelPart(page, 'retry').isVisible()).toBe(false)
    } finally {
      await ctx.close()
    }
  })

  it('a strict script-src: the bookmark itself says the script was blocked, and by what', async () => {
    const ctx = await browser.newContext()
    try {
      const { page } = await open(ctx, at("script-src 'self'"))
      const dialog = nextDialog(page)
      await runBookmarklet(page, ready())
      expect(await dialog).toMatch(/Content-Security-Policy \(script-src(-elem)?\) blocks loading the script http:\/\/islands-demo\.test/)
      expect(await page.locator('script[src*="bookmarklet"]').count()).toBe(0)
    } finally {
      await ctx.close()
    }
  })

  it('Trusted Types: a page that allows no policy is told so; one that allows it runs the panel', async () => {
    const ctx = await browser.newContext()
    try {
      const { page } = await open(ctx, at("require-trusted-types-for 'script'; trusted-types 'none'"))
      const dialog = nextDialog(page)
      await runBookmarklet(page, ready())
      expect(await dialog).toMatch(/requires Trusted Types/)

      const allowed = await open(ctx, at("require-trusted-types-for 'script'"))
      await runBookmarklet(allowed.page, ready()) // the XMPP client too runs under Trusted Types
      await expect.poll(() => status(allowed.page), { timeout: WAIT }).toMatch(/^connected: XMPP room/)
      expect(await problem(allowed.page)).toBe('')
      expect(allowed.errors).toEqual([])
    } finally {
      await ctx.close()
    }
  })

  it('a strict style-src: the panel is styled all the same (constructed stylesheet), and page CSS stays out', async () => {
    const ctx = await browser.newContext()
    try {
      const { page } = await open(ctx, at("style-src 'self'"))
      await runBookmarklet(page, { ...ready(), connection: 'tabs' })
      await expect.poll(() => status(page), { timeout: WAIT }).toMatch(/^connected/)
      const look = await page.evaluate(() => {
        const host = document.querySelector('xsi-panel')!
        const box = host.shadowRoot!.querySelector('.box')!
        const s = getComputedStyle(box)
        return { position: getComputedStyle(host).position, background: s.backgroundColor, radius: s.borderTopLeftRadius, font: s.fontFamily, border: s.borderTopStyle }
      })
      // The page's `div { border: 3px dashed red }` and Georgia body font do not reach it.
      expect(look).toEqual({ position: 'fixed', background: 'rgb(253, 253, 251)', radius: '8px', font: expect.stringContaining('system-ui'), border: 'solid' })
      expect(await page.locator('#xmpp-outgoing').isVisible()).toBe(false)
    } finally {
      await ctx.close()
    }
  })

  it('a standalone SVG document: the script loads, and the panel says it cannot show there', async () => {
    const ctx = await browser.newContext()
    try {
      const { page } = await open(ctx, fixtureUrl(`http://${PAGES_HOST}:${pages.port}`, 'drawing.svg'))
      const dialog = nextDialog(page)
      await runBookmarklet(page, ready())
      expect(await dialog).toMatch(/this is a standalone svg document, not an HTML page/)
      expect(await page.evaluate(() => document.documentElement.outerHTML)).not.toMatch(/xsi-panel|xmpp-|script/)
    } finally {
      await ctx.close()
    }
  })

  it('mixed content: an https page told of an http script, and of a ws:// service, before trying', async () => {
    const ctx = await browser.newContext({ ignoreHTTPSErrors: true })
    try {
      const url = fixtureUrl(securePages.origin(SECURE_HOST), 'drawing.html')
      const { page } = await open(ctx, url)
      expect(await page.evaluate(() => isSecureContext)).toBe(true)
      const dialog = nextDialog(page)
      await runBookmarklet(page, ready())
      expect(await dialog).toMatch(/mixed content: this page is https and the browser blocks the http script/)

      // The bundle over https (this server's own dist/), the service still ws://.
      await runBookmarklet(page, { ...ready(), src: `${securePages.origin(SECURE_HOST)}${BUNDLE_PATH}` })
      await expect.poll(() => problem(page), { timeout: WAIT }).toMatch(/^Mixed content: this page is https.*ws:\/\/islands-demo\.test/)
    } finally {
      await ctx.close()
    }
  })
})
