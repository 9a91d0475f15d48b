// The headline scenario (issue 13), on the unmodified whiteboard app (demo/whiteboard/, which
// knows nothing of syncing) as the demo server serves it, under its strict CSP, from a host name
// over plain http: two pages, the bookmarklet run on each as a bookmark runs, the drawing picked
// by clicking and the selection overlay (its handles, widened to their group) excluded by
// picking on one, a ready bookmark from /bookmarklet/ on the other; drawing and moving with the
// mouse on both; a late joiner, and a page that reloads and runs the bookmark again.
// Then most of the whiteboard suite's pair scenario through the bookmarklet: every tool and action
// from each side, one concurrent edit, and the same pixels with nothing selected.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs'
import { startProsody, type ProsodyInstance } from '../../scripts/prosody.mjs'
import { startDemoServer, type DemoServer } from '../../demo/server.mjs'
import { BUNDLE_PATH, panelPart, panelStatus, pickWithPanel, runBookmarklet } from './bookmarklet-support.js'
import type { SyncConfig } from '../../src/panel/config.js'
import { centre, click, converged, dblclick, drag, handle, overlayCount, pixelDiff, screen, selectedIds, shapes } from './whiteboard-support.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const HOST = 'islands-demo.test'
const WAIT = 15_000

let browser: Browser
let prosody: ProsodyInstance
let demo: DemoServer
let base: SyncConfig & { src: string }

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--no-check', '--quiet'], { cwd: ROOT, stdio: 'ignore' })
  ;[browser, prosody] = await Promise.all([chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${HOST} 127.0.0.1`] }), startProsody()])
  demo = await startDemoServer({ port: 0, prosody })
  // As the demo's /bookmarklet/ page makes it: the bundle from the demo, its Prosody.
  base = { src: `http://${HOST}:${demo.port}${BUNDLE_PATH}`, service: prosody.websocketUrl, domain: prosody.anonDomain, muc: prosody.mucDomain }
})

afterAll(async () => {
  await browser?.close()
  await demo?.close()
  await prosody?.stop()
})

/** Opens the whiteboard; records uncaught errors and CSP violations. */
async function openWhiteboard(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage()
  const problems: string[] = []
  page.on('pageerror', (e) => problems.push(`error: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()}`)
  })
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`)
    void d.dismiss()
  })
  await page.goto(`http://${HOST}:${demo.port}/whiteboard/`)
  return { page, problems }
}

/** The island's doc as this page shares it (what it sent and received). */
const sharedDoc = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const run = (window as any).XmlSyncIslands.currentPanel().run
    return [...run.session.islands.values()].map((i: any) => i.doc.getXmlFragment('island').toString()).join('\n')
  })

/** A ready bookmark from the demo's /bookmarklet/ page: the form filled in, the link's href. */
async function readyBookmark(context: BrowserContext, fields: Record<string, string>): Promise<string> {
  const page = await context.newPage()
  await page.goto(`http://${HOST}:${demo.port}/bookmarklet/`)
  await expect.poll(() => page.locator('#bookmarklet').getAttribute('href')).toMatch(/^javascript:/)
  for (const [name, value] of Object.entries(fields)) await page.fill(`#builder [name="${name}"]`, value)
  const href = (await page.locator('#ready').getAttribute('href'))!
  await page.close()
  return href
}

async function runHref(page: Page, href: string): Promise<void> {
  try {
    await page.goto(href)
  } catch (err) {
    expect(String(err)).toMatch(/ERR_ABORTED/)
  }
}

describe('the bookmarklet on the unmodified whiteboard app, through Prosody', () => {
  it('two pages draw together; the selection overlay, picked, is never sent; a late joiner and a reloaded page get the drawing', async () => {
    const room = `wb${Date.now().toString(36)}`
    const contexts = await Promise.all([0, 1, 2].map(() => browser.newContext({ viewport: { width: 1200, height: 800 } })))
    try {
      const A = await openWhiteboard(contexts[0]!)
      // A drew before anyone else came: the drawing the session starts from.
      await A.page.click('[data-tool="rect"]')
      await drag(A.page, A.page, { x: 100, y: 100 }, { x: 260, y: 200 })
      await A.page.click('[data-tool="select"]')
      const inRect = await screen(A.page, { x: 180, y: 150 })
      await A.page.mouse.click(inRect.x, inRect.y)
      expect(await overlayCount(A.page)).toBeGreaterThan(0)

      await runBookmarklet(A.page, base)
      // The drawing: a click on the empty canvas. What stays local: a resize handle, widened to its group.
      const empty = await screen(A.page, { x: 800, y: 520 })
      await panelPart(A.page, 'pick-island').click()
      await A.page.mouse.move(empty.x, empty.y)
      await expect.poll(() => panelPart(A.page, 'pick-label').textContent()).toBe('#wb-canvas')
      await A.page.mouse.click(empty.x, empty.y)
      await expect.poll(() => panelPart(A.page, 'island').textContent()).toBe('#wb-canvas')
      await pickWithPanel(A.page, 'exclude', '#wb-canvas > .wb-ui > .wb-handle[data-handle="se"]', { up: 1 })
      expect(await panelPart(A.page, 'exclude').inputValue()).toBe('g.wb-ui')
      // Picking swallowed those clicks: the app still has its selection.
      expect(await A.page.locator('#wb-canvas .wb-selected').count()).toBe(1)
      await panelPart(A.page, 'local').fill('class')
      await panelPart(A.page, 'room').fill(room)
      await panelPart(A.page, 'start').click()
      await panelStatus(A.page, /^connected: XMPP room/)

      const href = await readyBookmark(contexts[1]!, { room, island: '#wb-canvas', exclude: 'g.wb-ui', local: 'class' })
      const B = await openWhiteboard(contexts[1]!)
      await runHref(B.page, href)
      await panelStatus(B.page, /^connected/)
      for (const { page } of [A, B]) await expect.poll(() => panelPart(page, 'peers').textContent(), { timeout: WAIT }).toMatch(/^Here: /)
      let drawing = await converged([A.page, B.page], "B has A's rectangle")
      expect(drawing).toMatch(/^<rect [^>]*id="shape_1"/)
      expect(await overlayCount(B.page)).toBe(0)

      // B draws an ellipse; A moves its rectangle; each sees the other's.
      await B.page.click('[data-tool="ellipse"]')
      await drag(B.page, B.page, { x: 500, y: 300 }, { x: 640, y: 400 })
      await drag(A.page, A.page, { x: 180, y: 150 }, { x: 260, y: 230 })
      drawing = await converged([A.page, B.page], 'an ellipse from B, a move from A')
      expect(drawing).toContain('<ellipse')
      expect(drawing).toContain('transform="translate(')
      expect(await overlayCount(A.page)).toBeGreaterThan(0)
      // Each page's selection stays its own: never in a doc, never on the other page.
      for (const page of [A.page, B.page]) expect(await sharedDoc(page)).not.toMatch(/wb-ui|wb-handle|wb-outline|wb-selected/)

      // A third page runs the ready bookmark late: the whole drawing.
      const C = await openWhiteboard(contexts[2]!)
      await runHref(C.page, href)
      expect(await converged([A.page, B.page, C.page], 'a late joiner')).toBe(drawing)
      expect(await overlayCount(C.page)).toBe(0)

      // B reloads (its drawing gone with the page) and runs the bookmark again: back in the session.
      await B.page.reload()
      await runHref(B.page, href)
      expect(await converged([A.page, B.page, C.page], 'B after a reload')).toBe(drawing)

      for (const { page, problems } of [A, B, C]) {
        expect(problems).toEqual([])
        expect(await panelPart(page, 'errors').locator('li').count()).toBe(0)
      }
    } finally {
      await Promise.all(contexts.map((c) => c.close()))
    }
  })

  it('every tool and action, with the mouse from each side, reaches the other; a concurrent edit of one shape; the same pixels', async () => {
    const room = `wbtools${Date.now().toString(36)}`
    const ready = { ...base, room, island: '#wb-canvas', exclude: 'g.wb-ui', local: 'class', start: true }
    const contexts = await Promise.all([0, 1].map(() => browser.newContext({ viewport: { width: 1300, height: 800 } })))
    try {
      const [A, B] = await Promise.all(contexts.map((c) => openWhiteboard(c)))
      for (const { page } of [A!, B!]) await runBookmarklet(page, ready)
      for (const { page } of [A!, B!]) await expect.poll(() => panelPart(page, 'peers').textContent(), { timeout: WAIT }).toMatch(/^Here: /)
      const a = A!.page
      const b = B!.page
      const both = (what: string) => converged([a, b], what)

      await a.click('[data-tool="rect"]')
      await drag(a, a, { x: 100, y: 100 }, { x: 250, y: 200 })
      await b.click('[data-tool="polyline"]')
      for (const [x, y] of [[300, 100], [350, 200], [400, 100]] as const) await click(b, b, { x, y })
      await dblclick(b, b, { x: 450, y: 200 })
      await a.click('[data-tool="text"]')
      await click(a, a, { x: 100, y: 400 })
      await b.click('[data-tool="line"]')
      await drag(b, b, { x: 500, y: 400 }, { x: 700, y: 500 })
      await a.click('[data-tool="path"]')
      await drag(a, a, { x: 600, y: 100 }, { x: 800, y: 250 }, 12)
      await b.click('[data-tool="roundrect"]')
      await drag(b, b, { x: 300, y: 300 }, { x: 420, y: 380 })
      let drawing = await both('a rectangle, text and path from A; a polyline, line and rounded rectangle from B')
      for (const tag of ['<rect', '<polyline', '<text', '<line', '<path']) expect(drawing).toContain(tag)
      expect((await shapes(a)).length).toBe(6)

      // A resizes and rotates B's rounded rectangle (the SVG DOM), B resizes A's rectangle.
      const ids = (await shapes(a)).map((s) => s.id)
      const [rectId, , , , , roundId] = ids
      await a.click('[data-tool="select"]')
      await click(a, a, await centre(a, roundId!))
      let h = await handle(a, 'se')
      await drag(a, a, h, { x: h.x + 40, y: h.y + 30 })
      h = await handle(a, 'rotate')
      const c = await centre(a, roundId!)
      await drag(a, a, h, { x: c.x + 100, y: c.y })
      expect(await both('a resize and a rotation on A')).toMatch(/rotate\(90 /)
      await b.click('[data-tool="select"]')
      await click(b, b, await centre(b, rectId!))
      h = await handle(b, 'se')
      await drag(b, b, h, { x: h.x + 50, y: h.y + 50 })
      expect(await both('a resize on B')).toContain('width="200"')

      // Colours and z-order from B, grouping and an undo from A.
      await b.locator('[data-field="fill"]').fill('#e15759')
      await b.click('[data-action="back"]')
      await both('recoloured and sent to back on B')
      await click(a, a, await centre(a, rectId!))
      await click(a, a, await centre(a, roundId!), ['Shift'])
      await a.keyboard.press('Control+g')
      drawing = await both('a group from A')
      expect((await shapes(b)).filter((s) => s.tag === 'g')).toHaveLength(1)
      await a.keyboard.press('Control+z')
      drawing = await both("A's undo of the group")
      expect((await shapes(b)).filter((s) => s.tag === 'g')).toHaveLength(0)

      // At the same moment: A moves the rectangle, B recolours it.
      await click(b, b, await centre(b, rectId!))
      const from = await centre(a, rectId!)
      await Promise.all([drag(a, a, from, { x: from.x + 60, y: from.y + 40 }), b.locator('[data-field="fill"]').fill('#59a14f')])
      drawing = await both('a concurrent move and recolour')
      const rect = (await shapes(a)).find((s) => s.id === rectId)!
      expect(rect.attrs.fill).toBe('#59a14f')
      expect(rect.attrs.transform).toMatch(/translate\(/)

      // B deletes the polyline with the Delete key; the overlay never travels.
      await click(b, b, await centre(b, ids[1]!))
      await b.keyboard.press('Delete')
      drawing = await both('a delete on B')
      expect(drawing).not.toContain('<polyline')
      for (const page of [a, b]) expect(await sharedDoc(page)).not.toMatch(/wb-ui|wb-handle|wb-outline|wb-selected/)

      // Nothing selected, panels hidden (running the bookmark again), fade-ins over: the same pixels.
      for (const page of [a, b]) {
        await page.keyboard.press('Escape')
        await runBookmarklet(page, ready)
        await expect.poll(() => page.locator('xsi-panel').isVisible()).toBe(false)
        expect(await selectedIds(page)).toEqual([])
      }
      await a.waitForTimeout(350)
      const [shotA, shotB] = await Promise.all([a, b].map((p) => p.locator('#wb-canvas').screenshot()))
      const diff = await pixelDiff(contexts[0]!, shotA!, shotB!)
      expect(diff.total).toBeGreaterThan(100_000)
      expect(diff.differing / diff.total).toBeLessThan(0.001)
      for (const { page, problems } of [A!, B!]) {
        expect(problems).toEqual([])
        expect(await panelPart(page, 'errors').locator('li').count()).toBe(0)
      }
    } finally {
      await Promise.all(contexts.map((c) => c.close()))
    }
  })
})
