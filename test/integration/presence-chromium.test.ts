// Presence in Chromium through a private Prosody: two windows of different sizes (1280x800 and
// 800x600, the small one scrolled) on demo/presence/. A pointer over a shape's corner and over
// a word lands on the same corner and word in the other window, also after the paragraph
// reflows; focus and selection highlights appear and clear; a remote caret sits at the right
// character; a person is gone within 3 s of leaving, closing the tab, or losing the link.
import { execFileSync } from 'node:child_process'
import { cuttableLink } from './proxy.js'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs'
import { startProsody, type ProsodyInstance } from '../../scripts/prosody.mjs'
import { startDemoServer, type DemoServer } from '../../demo/server.mjs'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const WAIT = 15_000
const CLOSE = 3 // pixels

let browser: Browser
let prosody: ProsodyInstance
let server: DemoServer

beforeAll(async () => {
  // Always built here: the presence bundle must be today's.
  execFileSync(process.execPath, ['scripts/build.mjs', '--no-check', '--quiet'], { cwd: ROOT, stdio: 'ignore' })
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
  prosody = await startProsody()
  server = await startDemoServer({ port: 0, prosody })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await prosody?.stop()
})

interface Opened {
  page: Page
  ctx: BrowserContext
  errors: string[]
  peer: string
}

async function open(url: string, viewport: { width: number; height: number }): Promise<Opened> {
  const ctx = await browser.newContext({ viewport })
  const page = await ctx.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  await page.goto(url)
  await page.waitForFunction(() => (window as any).presenceDemo?.session.self !== undefined, null, { timeout: WAIT })
  const peer = await page.evaluate(() => (window as any).presenceDemo.session.self as string)
  return { page, ctx, errors, peer }
}

/** Where `page` draws `peer`'s presence now (Presence.where), as plain data. */
const where = (page: Page, peer: string) =>
  page.evaluate((peer) => {
    const w = (window as any).presenceDemo.presence.where(peer)
    if (!w) return null
    const r = (d: DOMRect | undefined) => d && { left: d.left, top: d.top, width: d.width, height: d.height }
    return { pointer: w.pointer as { x: number; y: number } | undefined, box: r(w.box), range: w.range.map(r), caret: r(w.caret), select: w.select.map(r) }
  }, peer)

/** The pointer the layer draws for `peer` (its shadow root's pointer element), in client coordinates. */
const drawnPointer = (page: Page, name: string) =>
  page.evaluate((name) => {
    const root = document.querySelector('[data-sync-presence-layer]')!.shadowRoot!
    const ptr = [...root.querySelectorAll('.ptr')].find((p) => p.textContent === name && !(p as HTMLElement).hidden)
    if (!ptr) return null
    const r = ptr.getBoundingClientRect()
    return { x: r.left, y: r.top }
  }, name)

/** Client rectangle of a word in #para, and of a character at `offset` in it. */
const wordRect = (page: Page, word: string) =>
  page.evaluate((word) => {
    const text = document.getElementById('para')!.firstChild as Text
    const i = text.data.indexOf(word)
    const range = document.createRange()
    range.setStart(text, i)
    range.setEnd(text, i + word.length)
    const r = range.getBoundingClientRect()
    return { left: r.left, top: r.top, width: r.width, height: r.height, index: i }
  }, word)

const charLeft = (page: Page, index: number) =>
  page.evaluate((index) => {
    const text = document.getElementById('para')!.firstChild as Text
    const range = document.createRange()
    range.setStart(text, index)
    range.setEnd(text, index + 1)
    const r = range.getBoundingClientRect()
    return { left: r.left, top: r.top }
  }, index)

/** The shape's top-left corner on screen. */
const corner = (page: Page) =>
  page.evaluate(() => {
    const r = document.getElementById('shape')!.getBoundingClientRect()
    return { x: r.left, y: r.top }
  })

async function expectNear(get: () => Promise<{ x: number; y: number } | null | undefined>, want: () => Promise<{ x: number; y: number }>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT
  let got: { x: number; y: number } | null | undefined
  let target = await want()
  while (Date.now() < deadline) {
    got = await get()
    target = await want()
    if (got && Math.abs(got.x - target.x) <= CLOSE && Math.abs(got.y - target.y) <= CLOSE) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${what}: drawn at ${JSON.stringify(got)}, wanted ${JSON.stringify(target)}`)
}

/** Waits until `page` no longer lists `peer`; returns how long that took. */
async function goneWithin(page: Page, peer: string, since: number): Promise<number> {
  await page.waitForFunction((peer) => !(window as any).presenceDemo.presence.people.has(peer), peer, { timeout: 10_000, polling: 50 })
  return Date.now() - since
}

describe('presence in Chromium through Prosody', () => {
  it('pointers land on the same corner and word in windows of different sizes, and follow a reflow', async () => {
    const url = `${server.url}presence/?room=p${Date.now().toString(36)}`
    const A = await open(`${url}&name=Ann`, { width: 1280, height: 800 })
    const B = await open(`${url}&name=Bob`, { width: 800, height: 600 })
    try {
      await B.page.evaluate(() => window.scrollTo(0, 140))
      await B.page.waitForFunction((peer) => (window as any).presenceDemo.presence.people.has(peer), A.peer, { timeout: WAIT })
      await A.page.waitForFunction((peer) => (window as any).presenceDemo.presence.people.get(peer)?.name === 'Bob', B.peer, { timeout: WAIT })

      // The shape's top-left corner (the drawing is scaled to each window's width).
      const a = await corner(A.page)
      await A.page.mouse.move(a.x, a.y, { steps: 4 })
      await expectNear(async () => (await where(B.page, A.peer))?.pointer, () => corner(B.page), 'shape corner')
      await expectNear(() => drawnPointer(B.page, 'Ann'), async () => (await where(B.page, A.peer))!.pointer!, 'the layer draws it there')
      expect((await B.page.evaluate(() => (window as any).presenceDemo.presence.people.values().next().value.state.pointer.at))).toBe('svg')

      // A word: the middle of "anchorword" (scrolled into Ann's view; Bob stays where he is).
      await A.page.evaluate(() => document.getElementById('para')!.scrollIntoView({ block: 'center' }))
      const wa = await wordRect(A.page, 'anchorword')
      await A.page.mouse.move(wa.left + wa.width / 2, wa.top + wa.height / 2, { steps: 4 })
      const onWord = async () => {
        const wb = await wordRect(B.page, 'anchorword')
        return { x: wb.left + wb.width / 2, y: wb.top + wb.height / 2 }
      }
      await expectNear(async () => (await where(B.page, A.peer))?.pointer, onWord, 'word').catch(async (err) => {
        const state = await B.page.evaluate(() => JSON.stringify([...(window as any).presenceDemo.presence.people.values()].map((p: any) => p.state)))
        const mine = await A.page.evaluate(() => JSON.stringify((window as any).presenceDemo.presence.state()))
        throw new Error(`${err.message}; B has ${state}; A sends ${mine}`)
      })
      expect((await B.page.evaluate(() => (window as any).presenceDemo.presence.people.values().next().value.state.pointer.at))).toBe('text')

      // The paragraph reflows: text inserted before the word (by Ann, synced), and Bob's window narrower.
      const lineBefore = (await wordRect(B.page, 'anchorword')).top
      await A.page.evaluate(() => {
        const t = document.getElementById('para')!.firstChild as Text
        t.insertData(0, 'Some words put in front push the rest along the lines, far enough to move it. ')
      })
      await B.page.waitForFunction(() => document.getElementById('para')!.textContent!.startsWith('Some words'), null, { timeout: WAIT })
      await expectNear(async () => (await where(B.page, A.peer))?.pointer, onWord, 'word after an insert before it')
      await B.page.setViewportSize({ width: 640, height: 600 })
      await expectNear(async () => (await where(B.page, A.peer))?.pointer, onWord, 'word after a resize')
      expect((await wordRect(B.page, 'anchorword')).top).not.toBe(lineBefore)
      await expectNear(() => drawnPointer(B.page, 'Ann'), async () => (await where(B.page, A.peer))!.pointer!, 'the layer follows')

      for (const p of [A, B]) expect(p.errors).toEqual([])
      // The layer is outside every island and nothing of it is shared.
      expect(await B.page.evaluate(() => !!document.querySelector('[data-sync-presence-layer]')!.closest('[data-sync-island]'))).toBe(false)
      expect(await B.page.evaluate(() => [...(window as any).presenceDemo.session.islands.values()].some((i: any) => JSON.stringify(i.doc.toJSON()).includes('Ann')))).toBe(false)
    } finally {
      await A.ctx.close()
      await B.ctx.close()
    }
  })

  it('a fast real mouse move sends at most 20 states a second; presence bytes per second per person', async () => {
    const url = `${server.url}presence/?room=r${Date.now().toString(36)}`
    const A = await open(`${url}&name=Ann`, { width: 1280, height: 800 })
    const B = await open(`${url}&name=Bob`, { width: 800, height: 600 })
    try {
      await B.page.waitForFunction((peer) => (window as any).presenceDemo.presence.people.has(peer), A.peer, { timeout: WAIT })
      // Every presence stanza Ann's page writes, with when and how many UTF-8 bytes.
      await A.page.evaluate(() => {
        const log: Array<[number, number, boolean]> = ((window as any).presenceLog = [])
        new MutationObserver((records) => {
          for (const r of records) for (const n of r.addedNodes) {
            const text = n.textContent ?? ''
            if (text.includes('<here')) log.push([performance.now(), new TextEncoder().encode(text).length, text.includes('<pointer')])
          }
        }).observe(document.getElementById('xmpp-outgoing')!, { childList: true })
      })
      const box = (await A.page.locator('#drawing').boundingBox())!
      const started = await A.page.evaluate(() => performance.now())
      // 2 s of moving, a move every 4 ms or so (faster than any mouse reports).
      for (let i = 0; i < 400; i++) {
        const t = i / 400
        await A.page.mouse.move(box.x + 20 + t * (box.width - 40), box.y + 20 + Math.abs(Math.sin(t * 20)) * (box.height - 40))
      }
      const moved = await A.page.evaluate(() => performance.now())
      const last = await A.page.evaluate(() => {
        const p = (window as any).presenceDemo.presence.state().pointer
        return p
      })
      await new Promise((r) => setTimeout(r, 3000)) // still: heartbeats only
      const log: Array<[number, number, boolean]> = await A.page.evaluate(() => (window as any).presenceLog)
      const during = log.filter(([t]) => t >= started && t <= moved + 60)
      const still = log.filter(([t]) => t > moved + 500)
      const maxPerSecond = Math.max(...during.map(([t]) => during.filter(([u]) => u >= t && u < t + 1000).length))
      const seconds = (moved - started) / 1000
      const movingBps = during.reduce((n, [, b]) => n + b, 0) / seconds
      const stillBps = still.reduce((n, [, b]) => n + b, 0) / ((log[log.length - 1]![0] - moved - 500) / 1000 || 1)
      console.log(`presence: ${during.length} states in ${seconds.toFixed(2)} s of moving (max ${maxPerSecond} in any second), ${movingBps.toFixed(0)} B/s moving, ${stillBps.toFixed(0)} B/s still (${still.length} heartbeats)`)
      expect(maxPerSecond).toBeLessThanOrEqual(20)
      expect(during.length).toBeGreaterThan(seconds * 10) // it does send while moving
      expect(still.length).toBeGreaterThanOrEqual(2)
      // The last position arrived (as sent: user units to 2 decimals).
      await B.page.waitForFunction(
        ([peer, last]) => {
          const got = (window as any).presenceDemo.presence.people.get(peer)?.state.pointer
          return got && got.at === last.at && Math.abs(got.x - last.x) < 0.01 && Math.abs(got.y - last.y) < 0.01
        },
        [A.peer, last] as const,
        { timeout: WAIT },
      )
    } finally {
      await A.ctx.close()
      await B.ctx.close()
    }
  })

  it('focus and selection highlights appear and clear; a remote caret sits at the right character', async () => {
    const url = `${server.url}presence/?room=f${Date.now().toString(36)}`
    const A = await open(`${url}&name=Ann`, { width: 1280, height: 800 })
    const B = await open(`${url}&name=Bob`, { width: 800, height: 600 })
    try {
      await B.page.evaluate(() => window.scrollTo(0, 100))
      await B.page.waitForFunction((peer) => (window as any).presenceDemo.presence.people.has(peer), A.peer, { timeout: WAIT })

      // A field focused: its box is highlighted.
      await A.page.focus('#title')
      const fieldB = await B.page.evaluate(() => {
        const r = document.getElementById('title')!.getBoundingClientRect()
        return { x: r.left, y: r.top }
      })
      await expectNear(async () => {
        const b = (await where(B.page, A.peer))?.box
        return b && { x: b.left, y: b.top }
      }, async () => fieldB, 'focused field')
      // Its caret, after the 3rd character: where Bob's own field draws that character's end
      // (the text's width in the field's font, from its content box's left edge).
      await A.page.evaluate(() => (document.getElementById('title') as HTMLInputElement).setSelectionRange(3, 3))
      const fieldCaret = () =>
        B.page.evaluate(() => {
          const f = document.getElementById('title') as HTMLInputElement
          const s = getComputedStyle(f)
          const r = f.getBoundingClientRect()
          const ctx = document.createElement('canvas').getContext('2d')!
          ctx.font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`
          return { x: r.left + parseFloat(s.borderLeftWidth) + parseFloat(s.paddingLeft) + ctx.measureText(f.value.slice(0, 3)).width, y: r.top + r.height / 2 }
        })
      await expectNear(async () => {
        const c = (await where(B.page, A.peer))?.caret
        return c && { x: c.left, y: c.top + c.height / 2 }
      }, fieldCaret, 'caret in a field')
      // A selection of characters 1 to 5 in it: highlighted between them.
      await A.page.evaluate(() => (document.getElementById('title') as HTMLInputElement).setSelectionRange(1, 5))
      await B.page.waitForFunction((peer) => (window as any).presenceDemo.presence.where(peer)?.range.length === 1, A.peer, { timeout: WAIT })
      await A.page.evaluate(() => (document.activeElement as HTMLElement).blur())
      await B.page.waitForFunction((peer) => !(window as any).presenceDemo.presence.where(peer)?.box, A.peer, { timeout: WAIT })

      // A shape selected (the page says so: presence.select): outlined on the same shape.
      await A.page.click('#drawing circle')
      const circleB = () =>
        B.page.evaluate(() => {
          const r = document.querySelector('#drawing circle')!.getBoundingClientRect()
          return { x: r.left, y: r.top }
        })
      await expectNear(async () => {
        const r = (await where(B.page, A.peer))?.select[0]
        return r && { x: r.left, y: r.top }
      }, circleB, 'selected shape')
      await A.page.click('#drawing rect:first-child', { position: { x: 5, y: 5 } })
      await B.page.waitForFunction((peer) => (window as any).presenceDemo.presence.where(peer)?.select.length === 0, A.peer, { timeout: WAIT })

      // The word selected in the notes: highlighted over the same word.
      await A.page.evaluate(() => {
        const text = document.getElementById('para')!.firstChild as Text
        const i = text.data.indexOf('anchorword')
        document.getElementById('notes')!.focus()
        getSelection()!.setBaseAndExtent(text, i, text, i + 'anchorword'.length)
      })
      const wb = await wordRect(B.page, 'anchorword')
      await expectNear(async () => {
        const r = (await where(B.page, A.peer))?.range
        return r?.length === 1 ? { x: r[0]!.left, y: r[0]!.top } : undefined
      }, async () => ({ x: wb.left, y: wb.top }), 'selection')
      expect(Math.abs((await where(B.page, A.peer))!.range[0]!.width - wb.width)).toBeLessThanOrEqual(CLOSE)

      // A caret after the 5th character of the word.
      await A.page.evaluate(() => {
        const text = document.getElementById('para')!.firstChild as Text
        getSelection()!.collapse(text, text.data.indexOf('anchorword') + 5)
      })
      const at = await charLeft(B.page, wb.index + 5)
      await expectNear(async () => {
        const c = (await where(B.page, A.peer))?.caret
        return c && { x: c.left, y: c.top }
      }, async () => ({ x: at.left, y: at.top }), 'caret')
      expect((await where(B.page, A.peer))!.range).toEqual([])
      const caretDrawn = await B.page.evaluate(() => {
        const c = document.querySelector('[data-sync-presence-layer]')!.shadowRoot!.querySelector('.caret')
        return c && c.getBoundingClientRect().left
      })
      expect(Math.abs(caretDrawn! - at.left)).toBeLessThanOrEqual(CLOSE)

      // Focus leaves the notes: the caret goes.
      await A.page.evaluate(() => {
        getSelection()!.removeAllRanges()
        ;(document.activeElement as HTMLElement).blur()
      })
      await B.page.waitForFunction((peer) => {
        const w = (window as any).presenceDemo.presence.where(peer)
        return w && !w.caret && w.range.length === 0
      }, A.peer, { timeout: WAIT })
      for (const p of [A, B]) expect(p.errors).toEqual([])
    } finally {
      await A.ctx.close()
      await B.ctx.close()
    }
  })

  it("works under the demo's strict Content-Security-Policy (no inline style or script): the layer is styled, nothing refused", async () => {
    const url = `${server.url}presence/?room=c${Date.now().toString(36)}`
    const response = await fetch(url)
    expect(response.headers.get('content-security-policy')).toMatch(/style-src 'self'/)
    const A = await open(`${url}&name=Ann`, { width: 1280, height: 800 })
    const B = await open(`${url}&name=Bob`, { width: 800, height: 600 })
    try {
      await B.page.waitForFunction((peer) => (window as any).presenceDemo.presence.people.has(peer), A.peer, { timeout: WAIT })
      const a = await corner(A.page)
      await A.page.mouse.move(a.x + 30, a.y + 30, { steps: 3 })
      await expect.poll(() => drawnPointer(B.page, 'Ann'), { timeout: WAIT }).not.toBeNull()
      const styled = await B.page.evaluate(() => {
        const host = document.querySelector('[data-sync-presence-layer]') as HTMLElement
        const ptr = host.shadowRoot!.querySelector('.ptr')!
        const label = ptr.querySelector('span')!
        return { host: getComputedStyle(host).position, pointerEvents: getComputedStyle(host).pointerEvents, ptr: getComputedStyle(ptr).position, label: getComputedStyle(label).backgroundColor }
      })
      expect(styled).toMatchObject({ host: 'fixed', pointerEvents: 'none', ptr: 'absolute' })
      expect(styled.label).toMatch(/^rgb\(/) // the person's colour, from the constructed stylesheet
      for (const p of [A, B]) expect(p.errors).toEqual([]) // a CSP refusal is a console error
    } finally {
      await A.ctx.close()
      await B.ctx.close()
    }
  })

  it('a person is gone within 3 s of stopping, closing the tab, losing the link, or going silent', async () => {
    const link = await cuttableLink(Number(new URL(prosody.websocketUrl).port))
    const cutServer = await startDemoServer({ port: 0, prosody: { ...prosody, websocketUrl: `ws://127.0.0.1:${link.port}/xmpp-websocket` } })
    const room = `g${Date.now().toString(36)}`
    const W = await open(`${server.url}presence/?room=${room}&name=Watcher`, { width: 800, height: 600 })
    try {
      const join = async (name: string, base = server.url) => {
        const p = await open(`${base}presence/?room=${room}&name=${name}`, { width: 1280, height: 800 })
        await W.page.waitForFunction((peer) => (window as any).presenceDemo.presence.people.has(peer), p.peer, { timeout: WAIT })
        return p
      }
      const timings: Record<string, number> = {}

      const stopper = await join('Stopper')
      let t = Date.now()
      await stopper.page.evaluate(() => (window as any).presenceDemo.presence.stop())
      timings.stop = await goneWithin(W.page, stopper.peer, t)

      const closer = await join('Closer')
      t = Date.now()
      await closer.page.close()
      timings.close = await goneWithin(W.page, closer.peer, t)
      await closer.ctx.close()

      const cut = await join('Cut', cutServer.url)
      t = Date.now()
      link.cut()
      timings.cut = await goneWithin(W.page, cut.peer, t)
      await cut.ctx.close()
      link.restore()

      const silent = await join('Silent', cutServer.url)
      t = Date.now()
      link.freeze() // no FIN, no RST: the server keeps the session, nobody sends unavailable
      timings.silent = await goneWithin(W.page, silent.peer, t)
      expect(await W.page.evaluate(() => [...(window as any).presenceDemo.session.peers].length)).toBeGreaterThan(0) // still in the room
      await silent.ctx.close()

      console.log(`presence gone after (ms): ${JSON.stringify(timings)}`)
      for (const ms of Object.values(timings)) expect(ms).toBeLessThanOrEqual(3000)
      expect(W.errors).toEqual([])
    } finally {
      await W.ctx.close()
      await cutServer.close()
      await link.close()
    }
  })
})

describe('presence between tabs of one browser (BroadcastChannel, no server)', () => {
  it('each tab lists the other and draws its pointer on the same corner', async () => {
    const local = await startDemoServer({ port: 0, reason: 'a test without Prosody' })
    const ctx = await browser.newContext({ viewport: { width: 1024, height: 700 } })
    try {
      const url = `${local.url}presence/?room=t${Date.now().toString(36)}`
      const pages = await Promise.all(['Ann', 'Bob'].map(async (name) => {
        const page = await ctx.newPage()
        const errors: string[] = []
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
        await page.goto(`${url}&name=${name}`)
        await page.waitForFunction(() => (window as any).presenceDemo?.session.self !== undefined, null, { timeout: WAIT })
        return { page, errors, peer: await page.evaluate(() => (window as any).presenceDemo.session.self as string) }
      }))
      const [A, B] = pages as [(typeof pages)[0], (typeof pages)[0]]
      expect(await A.page.evaluate(() => (window as any).presenceDemo.kind)).toBe('broadcast')
      await B.page.waitForFunction((peer) => (window as any).presenceDemo.presence.people.get(peer)?.name === 'Ann', A.peer, { timeout: WAIT })
      await B.page.setViewportSize({ width: 700, height: 600 })
      const a = await corner(A.page)
      await A.page.mouse.move(a.x, a.y, { steps: 3 })
      await expectNear(async () => (await where(B.page, A.peer))?.pointer, () => corner(B.page), 'corner across tabs')
      await A.page.close()
      await B.page.waitForFunction((peer) => !(window as any).presenceDemo.presence.people.has(peer), A.peer, { timeout: 3500, polling: 50 })
      for (const p of [A, B]) expect(p.errors).toEqual([])
    } finally {
      await ctx.close()
      await local.close()
    }
  })
})
