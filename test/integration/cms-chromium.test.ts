// The one-tag embed on the demo's CMS article (demo/cms/), in Chromium through the project's
// Prosody (its config is the site's, prosody/prosody.cfg.lua, mod_limits included), on plain http
// from a host name (not a secure context). Each reader is a browser context of its own. The
// article page is served as a site would: one script tag, nothing else of XML Sync Islands; a
// test that needs the page without the tag, with the panel closed, or with hostile CSS rewrites
// the page on its way (a proxy in front of the demo server, `?variant=`: the room ignores the
// query), as a site's template change would. (Not page.route: Chromium then takes the page for
// one from the public internet and blocks its loopback subresources, Private Network Access.)
import { execFileSync } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs'
import { startProsody, type ProsodyInstance } from '../../scripts/prosody.mjs'
import { startDemoServer, type DemoServer } from '../../demo/server.mjs'
import WS from 'ws'
import * as Y from 'yjs'
import { xmppBridge } from '../../src/bridge/xmpp.js'
import { hashName } from '../../src/panel/room.js'
import { toBase64 } from '../../src/protocol/base64.js'
import { encodeMessages } from '../../src/protocol/messages.js'
import { islandStanza, makePage } from './support.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const HOST = 'gazette.test'
const WAIT = 20_000
const TAG = /<script src="\/dist\/xml-sync-islands\.bookmarklet\.iife\.js"[^>]*><\/script>/

let browser: Browser
let prosody: ProsodyInstance
let demo: DemoServer
let origin: string
let proxy: Server
/** Rewrites of the page's HTML, by the `variant` query parameter. */
const variants = new Map<string, (html: string) => string>()

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--no-check', '--quiet'], { cwd: ROOT, stdio: 'ignore' })
  ;[browser, prosody] = await Promise.all([
    chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${HOST} 127.0.0.1`] }),
    startProsody(),
  ])
  // The tag names the service by the site's host name too, as a site's would.
  demo = await startDemoServer({ port: 0, prosody: { ...prosody, websocketUrl: `ws://${HOST}:${prosody.httpPort}/xmpp-websocket` } })
  proxy = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${demo.port}`)
    const rewrite = variants.get(url.searchParams.get('variant') ?? '')
    const upstream = await fetch(url)
    const type = upstream.headers.get('content-type') ?? 'application/octet-stream'
    let body: Buffer | string = Buffer.from(await upstream.arrayBuffer())
    if (rewrite && type.startsWith('text/html')) body = rewrite(body.toString('utf8'))
    res.writeHead(upstream.status, { 'content-type': type, 'cache-control': 'no-store' }).end(body)
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  origin = `http://${HOST}:${(proxy.address() as { port: number }).port}`
})

afterAll(async () => {
  await browser?.close()
  await demo?.close()
  await new Promise((resolve) => proxy?.close(resolve))
  await prosody?.stop()
})

interface Reader {
  ctx: BrowserContext
  page: Page
  errors: string[]
  sockets: string[]
  /** Frames this page sent over its WebSockets. */
  sent: string[]
}

type Rewrite = (html: string) => string

/** A reader of `path` in a context of its own; `rewrite` changes the page's HTML on its way. */
async function reader(path: string, rewrite?: Rewrite, siteScript = true): Promise<Reader> {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } })
  const page = await ctx.newPage()
  const r: Reader = { ctx, page, errors: [], sockets: [], sent: [] }
  page.on('pageerror', (e) => r.errors.push(e.message))
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') r.errors.push(`console: ${m.text()}`)
  })
  page.on('websocket', (ws) => {
    r.sockets.push(ws.url())
    ws.on('framesent', (f) => r.sent.push(typeof f.payload === 'string' ? f.payload : f.payload.toString()))
  })
  if (!siteScript) await page.route(/\/cms\/site\.js/, (route) => route.fulfill({ contentType: 'text/javascript', body: '' }))
  let url = `${origin}${path}`
  if (rewrite) {
    const key = String(variants.size + 1)
    variants.set(key, rewrite)
    const u = new URL(url)
    u.searchParams.append('variant', key)
    url = u.href
  }
  await page.goto(url)
  return r
}

/** Closes the readers' pages first (pagehide: the bridge leaves the room), then their contexts. */
const close = (...readers: Reader[]): Promise<unknown> =>
  Promise.all(
    readers.map(async (r) => {
      await r.page.close().catch(() => undefined)
      await r.ctx.close()
    }),
  )

/** The tag given a room of its own (`data-room`), so that tests do not meet in the page's room. */
const inRoom = (label: string): Rewrite => {
  const name = `${label}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`
  return (html) => html.replace('<script src="/dist/', `<script data-room="${name}" src="/dist/`)
}

const state = (page: Page): Promise<{ connection: string; peers: string[]; room: string } | null> =>
  page.evaluate(() => {
    const run = (window as any).XmlSyncIslands?.currentEmbed?.()?.run
    return run ? { connection: run.state.connection, peers: run.state.peers, room: run.config.room } : null
  })

async function online(page: Page, peers?: number): Promise<void> {
  await expect.poll(async () => (await state(page))?.connection, { timeout: WAIT }).toBe('online')
  if (peers !== undefined) await expect.poll(async () => (await state(page))?.peers.length, { timeout: WAIT }).toBe(peers)
}

const fill = (page: Page, box: string): Promise<string | null> => page.locator(`#${box} rect`).getAttribute('fill')
const draft = (page: Page): Promise<string> => page.locator('#draft').innerText()
const poll = (page: Page): Promise<{ slowest: string | undefined; why: string }> =>
  page.evaluate(() => {
    const form = document.getElementById('poll') as HTMLFormElement
    return { slowest: (form.querySelector('input[name=slowest]:checked') as HTMLInputElement | null)?.value, why: (form.elements.namedItem('why') as HTMLTextAreaElement).value }
  })
const part = (page: Page, name: string) => page.locator(`xsi-panel [data-part="${name}"]`)

describe('a CMS article with the one tag', () => {
  it('three readers share the diagram, the poll and the draft; the page is not a secure context; one global; the ticker sends nothing', async () => {
    const before = await reader('/cms/article.html', (html) => html.replace(TAG, ''))
    const globalsWithout = await before.page.evaluate(() => Object.keys(window))
    await close(before)

    const a = await reader('/cms/article.html')
    const b = await reader('/cms/article.html?utm_source=mail#poll')
    const c = await reader('/cms/article.html')
    try {
      for (const r of [a, b, c]) await online(r.page, 2)
      expect(await a.page.evaluate(() => isSecureContext)).toBe(false)
      const globals = await a.page.evaluate(() => Object.keys(window))
      expect(globals.filter((k) => !globalsWithout.includes(k))).toEqual(['XmlSyncIslands'])
      // One room for the URL with a query and a hash, and without.
      expect((await state(b.page))!.room).toBe((await state(a.page))!.room)
      expect((await state(a.page))!.room).toMatch(/^page-[0-9a-z]{14}$/)
      // The same hash anywhere (here in Node): the page's origin and path.
      expect((await state(a.page))!.room).toBe(`page-${hashName(`${origin}/cms/article.html`)}`)

      // Idle, with the site's script rewriting its sidebar every 100 ms: no island traffic.
      await a.page.waitForTimeout(300)
      const sentBefore = a.sent.length
      await a.page.waitForTimeout(1500)
      expect(a.sent.slice(sentBefore).filter((f) => f.includes('<island'))).toEqual([])
      expect(await a.page.locator('#ticker li').first().textContent()).toMatch(/update \d+/)

      // A marks the cache in the diagram (the site's own click handler), B votes and explains, C drafts.
      await a.page.click('#box-cache rect')
      await b.page.check('#poll input[value=database]')
      await b.page.fill('#poll textarea', 'it is on a spinning disk')
      await c.page.click('#draft p')
      await c.page.keyboard.press('End')
      await c.page.keyboard.type('the cache is fine.')
      for (const r of [a, b, c]) {
        await expect.poll(() => fill(r.page, 'box-cache'), { timeout: WAIT }).toBe('#f4a3a3')
        await expect.poll(() => poll(r.page), { timeout: WAIT }).toEqual({ slowest: 'database', why: 'it is on a spinning disk' })
        await expect.poll(() => draft(r.page), { timeout: WAIT }).toMatch(/^Dear editors,\s?the cache is fine\.$/)
      }
      // The sidebar stayed the site's: each page shows its own ticker, none of it was sent.
      expect(a.sent.filter((f) => f.includes('update '))).toEqual([])
      expect(await draft(a.page)).toBe(await draft(c.page))
      for (const r of [a, b, c]) expect(r.errors).toEqual([])
    } finally {
      await close(a, b, c)
    }
  })

  it('another article is another room: nothing is shared between them; a canonical link names the room', async () => {
    const a = await reader('/cms/article.html')
    const o = await reader('/cms/other.html')
    try {
      await online(a.page)
      await online(o.page)
      expect((await state(o.page))!.room).not.toBe((await state(a.page))!.room)
      await a.page.click('#box-db rect')
      await o.page.waitForTimeout(1000)
      expect(await fill(o.page, 'box-db')).toBe('#dbe7f6')
    } finally {
      await close(a, o)
    }
    // The other article with a canonical link to the first: the first's room.
    const plain = await reader('/cms/article.html')
    const canon = await reader('/cms/other.html?x=1#y', (html) => html.replace('<link rel="icon"', '<link rel="canonical" href="/cms/article.html#top"><link rel="icon"'))
    try {
      await online(plain.page, 1)
      await online(canon.page, 1)
      expect((await state(canon.page))!.room).toBe((await state(plain.page))!.room)
      expect(await canon.page.evaluate(() => (window as any).XmlSyncIslands.pageUrl(document))).toBe(`${origin}/cms/article.html`)
    } finally {
      await close(plain, canon)
    }
  })

  it('a reader who leaves stays on the page and shares nothing; joining again catches up', async () => {
    const own = inRoom('leave')
    const a = await reader('/cms/article.html', own)
    const b = await reader('/cms/article.html', own)
    try {
      await online(a.page, 1)
      await online(b.page, 1)
      const url = b.page.url()
      await part(b.page, 'leave').click()
      await expect.poll(() => part(b.page, 'join').isVisible()).toBe(true)
      expect(b.page.url()).toBe(url)
      await expect.poll(() => a.page.evaluate(() => (window as any).XmlSyncIslands.currentEmbed().run.state.peers.length), { timeout: WAIT }).toBe(0)
      // Still the page, still editable, and nobody's.
      await b.page.click('#box-server rect')
      await a.page.click('#box-browser rect')
      await b.page.waitForTimeout(800)
      expect(await fill(a.page, 'box-server')).toBe('#dbe7f6')
      expect(await fill(b.page, 'box-browser')).toBe('#dbe7f6')
      expect(await b.page.locator('[data-sync-island]').count()).toBe(3)
      expect(await b.page.locator('#xmpp-outgoing, #xmpp-incoming').count()).toBe(0)
      // Join again: B's page now holds a change A lacks and lacks A's; both end with both.
      await part(b.page, 'join').click()
      await online(b.page, 1)
      for (const r of [a, b]) {
        await expect.poll(() => fill(r.page, 'box-browser'), { timeout: WAIT }).toBe('#f4a3a3')
      }
      expect(b.errors).toEqual([])
    } finally {
      await close(a, b)
    }
  })

  it('a private room is shared only through its link', async () => {
    const own = inRoom('public')
    const a = await reader('/cms/article.html', own)
    const b = await reader('/cms/article.html', own)
    try {
      await online(a.page, 1)
      await online(b.page, 1)
      const publicRoom = (await state(a.page))!.room
      await part(a.page, 'private').click()
      await expect.poll(async () => (await state(a.page))?.room).not.toBe(publicRoom)
      await online(a.page, 0)
      const privateRoom = (await state(a.page))!.room
      expect(privateRoom).toMatch(/^xsi-[0-9a-z]{12}$/)
      // The address bar is the share link, and the panel shows it.
      const link = await part(a.page, 'share').inputValue()
      expect(a.page.url()).toBe(link)
      expect(link).toBe(`${origin}/cms/article.html?variant=${new URL(link).searchParams.get('variant')}#xsi-room=${privateRoom}`)
      await a.page.fill('#poll textarea', 'private words')
      await b.page.waitForTimeout(800)
      expect((await poll(b.page)).why).toBe('')
      // A colleague opens the link: the private room, with its state.
      const c = await reader(link.slice(origin.length), own)
      try {
        await online(c.page, 1)
        expect((await state(c.page))!.room).toBe(privateRoom)
        await expect.poll(async () => (await poll(c.page)).why, { timeout: WAIT }).toBe('private words')
        expect((await poll(b.page)).why).toBe('')
      } finally {
        await close(c)
      }
    } finally {
      await close(a, b)
    }
  })

  it('a page of the template without islands opens no connection and adds nothing', async () => {
    const r = await reader('/cms/about.html')
    try {
      await r.page.waitForTimeout(1500)
      expect(r.sockets).toEqual([])
      expect(await r.page.locator('xsi-panel, #xmpp-outgoing, #xmpp-incoming').count()).toBe(0)
      expect(await r.page.evaluate(() => typeof (window as any).XmlSyncIslands.syncIslands)).toBe('function')
      expect(r.errors).toEqual([])
    } finally {
      await close(r)
    }
  })
})

describe('a template whose markup the site cannot edit', () => {
  it('data-islands picks the islands, data-local-elements keeps some local, data-policy sets each profile', async () => {
    const own = inRoom('template')
    const template: Rewrite = (html) =>
      own(html)
        .replace(/ data-sync-island="[a-z]+"/g, '')
        .replace('<script ', '<script data-islands="#diagram, #draft" data-local-elements="#box-db" data-policy="diagram:svg html" ')
    const a = await reader('/cms/article.html', template)
    const b = await reader('/cms/article.html', template)
    try {
      await online(a.page, 1)
      await online(b.page, 1)
      const islands = (page: Page) =>
        page.evaluate(() => [...document.querySelectorAll('[data-sync-island]')].map((el) => `${el.id}=${el.getAttribute('data-sync-island')}:${el.getAttribute('data-sync-policy')}`))
      expect(await islands(a.page)).toEqual(['diagram=diagram:svg', 'draft=draft:html'])
      await a.page.click('#box-cache rect')
      await a.page.click('#box-db rect')
      await a.page.fill('#poll textarea', 'not an island here')
      await expect.poll(() => fill(b.page, 'box-cache'), { timeout: WAIT }).toBe('#f4a3a3')
      await b.page.waitForTimeout(500)
      expect(await fill(b.page, 'box-db')).toBe('#dbe7f6')
      expect((await poll(b.page)).why).toBe('')
      // Leaving takes the marks away again: the page is as the site made it.
      await part(a.page, 'leave').click()
      await expect.poll(() => islands(a.page)).toEqual([])
      expect(await a.page.locator('[data-sync-ignore]').count()).toBe(0)
    } finally {
      await close(a, b)
    }
  })
})

describe('a hostile client in the article\'s room', () => {
  it("cannot run code in a reader's page, and is cut off by the rate limit", async () => {
    const a = await reader('/cms/article.html', inRoom('hostile'))
    try {
      await online(a.page)
      await a.page.evaluate(() => ((window as any).__pwned = []))
      const room = (await state(a.page))!.room
      // Not a page: a client of its own (Node), writing crafted updates straight into the room.
      const evil = makePage()
      const bridge = xmppBridge({ service: prosody.websocketUrl, domain: prosody.anonDomain, room: `${room}@${prosody.mucDomain}`, nick: 'mallory', document: evil.document, WebSocket: WS })
      try {
        await expect.poll(async () => (await state(a.page))?.peers, { timeout: WAIT }).toEqual(['mallory'])
        const crafted = new Y.Doc()
        const fragment = crafted.getXmlFragment('island')
        const img = new Y.XmlElement('img')
        img.setAttribute('src', 'x')
        img.setAttribute('onerror', 'window.__pwned.push("onerror")')
        const script = new Y.XmlElement('script')
        script.insert(0, [new Y.XmlText('window.__pwned.push("script")')])
        const link = new Y.XmlElement('a')
        link.setAttribute('href', 'javascript:window.__pwned.push("href")')
        link.insert(0, [new Y.XmlText('click me')])
        fragment.insert(0, [img, script, link])
        const update = Y.encodeStateAsUpdate(crafted)
        evil.send(islandStanza('draft', toBase64(encodeMessages([{ kind: 'update', update }]))))
        await expect.poll(() => a.page.locator('#draft a').count(), { timeout: WAIT }).toBe(1)
        await a.page.click('#draft a')
        await a.page.waitForTimeout(500)
        expect(await a.page.evaluate(() => (window as any).__pwned)).toEqual([])
        expect(await a.page.locator('#draft script, #draft [onerror]').count()).toBe(0)
        expect(await a.page.locator('#draft a').getAttribute('href')).toBeNull()
        // A flood of valid little updates: over 300 a second (burst 600), the peer is cut off.
        const flood = new Y.Doc()
        const text = new Y.XmlText()
        flood.getXmlFragment('island').insert(0, [text])
        let before = Y.encodeStateVector(flood)
        for (let i = 0; i < 900; i++) {
          text.insert(text.length, 'x')
          const u = Y.encodeStateAsUpdate(flood, before)
          before = Y.encodeStateVector(flood)
          evil.send(islandStanza('poll', toBase64(encodeMessages([{ kind: 'update', update: u }]))))
        }
        await expect.poll(() => a.page.evaluate(() => (window as any).XmlSyncIslands.currentEmbed().run.state.errors.join('\n')), { timeout: WAIT }).toMatch(/rate-limited/)
        // The reader's page goes on.
        await a.page.fill('#poll textarea', 'still mine')
        expect((await poll(a.page)).why).toBe('still mine')
      } finally {
        await bridge.close()
        evil.close()
      }
      expect(a.errors.filter((e) => !e.startsWith('console:'))).toEqual([])
    } finally {
      await close(a)
    }
  })
})

describe('the tag on a page it does not own', () => {
  const closedPanel: Rewrite = (html) => html.replace('<script src="/dist/', '<script data-panel="closed" src="/dist/')

  it('with the panel closed, the page is pixel-identical to the page without the tag', async () => {
    // The ticker off: it changes the page every 100 ms.
    const without = await reader('/cms/article.html', (html) => html.replace(TAG, ''), false)
    const withTag = await reader('/cms/article.html', closedPanel, false)
    try {
      await online(withTag.page)
      expect(await withTag.page.locator('xsi-panel').isVisible()).toBe(false)
      const [shotWithout, shotWith] = await Promise.all([without.page.screenshot({ fullPage: true }), withTag.page.screenshot({ fullPage: true })])
      expect(shotWith.equals(shotWithout)).toBe(true)
      // A button of the site's own, marked data-sync-panel-toggle, opens it.
      await withTag.page.evaluate(() => {
        const b = document.createElement('button')
        b.setAttribute('data-sync-panel-toggle', '')
        b.textContent = 'Read together'
        document.body.append(b)
      })
      await withTag.page.click('[data-sync-panel-toggle]')
      expect(await withTag.page.locator('xsi-panel').isVisible()).toBe(true)
    } finally {
      await close(without, withTag)
    }
  })

  it('page CSS on *, div and [hidden] neither shows the channel elements nor restyles the panel', async () => {
    const hostile = `<style>
      * { display: block !important; visibility: visible !important; color: red !important; font: 40px/3 serif !important; width: auto !important; opacity: 1 !important; }
      div { display: block !important; position: static !important; border: 5px solid lime !important; }
      [hidden] { display: block !important; }
      xsi-panel { display: block !important; inset: 0 !important; width: 10px !important; }
    </style>`
    const panelLook = (page: Page) =>
      page.evaluate(() => {
        const root = document.querySelector('xsi-panel')!.shadowRoot!
        const box = root.querySelector('.box') as HTMLElement
        const s = getComputedStyle(box)
        const host = document.querySelector('xsi-panel')!.getBoundingClientRect()
        return { font: s.font, color: s.color, width: s.width, border: s.border, host: [host.width, host.height], setupShown: getComputedStyle(root.querySelector('[data-part=setup]')!).display }
      })
    const plain = await reader('/cms/article.html')
    const styled = await reader('/cms/article.html', (html) => html.replace('</head>', `${hostile}</head>`))
    try {
      await online(plain.page)
      await online(styled.page)
      expect(await panelLook(styled.page)).toEqual(await panelLook(plain.page))
      for (const id of ['xmpp-outgoing', 'xmpp-incoming']) {
        const box = await styled.page.evaluate((id) => {
          const el = document.getElementById(id)!
          return [getComputedStyle(el).display, el.getBoundingClientRect().height]
        }, id)
        expect(box).toEqual(['none', 0])
      }
      // Hidden, the panel stays hidden under [hidden] { display: block !important }.
      await part(styled.page, 'hide').click()
      expect(await styled.page.evaluate(() => getComputedStyle(document.querySelector('xsi-panel')!).display)).toBe('none')
    } finally {
      await close(plain, styled)
    }
  })
})
