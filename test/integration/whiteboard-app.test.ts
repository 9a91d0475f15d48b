// The whiteboard app (demo/whiteboard/) as a person uses it: every tool and action with the real
// mouse and keyboard in Chromium, the DOM checked after each step. The app knows nothing of
// syncing; the last tests open the demo's pair page, where two frames of it share one drawing.
// The demo server sends the whiteboard's pages with a strict CSP; any violation fails a test.
import { existsSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core'
import {
  click,
  converged,
  drag,
  handle,
  ids,
  near,
  onCanvas,
  overlayCount,
  screen,
  pagePoint,
  pixelDiff,
  selectedIds,
  shape,
  shapes,
  transformOf,
  WAIT,
  watch,
} from './whiteboard-support.js'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs'
import { startProsody, type ProsodyInstance } from '../../scripts/prosody.mjs'
import { startDemoServer, type DemoServer } from '../../demo/server.mjs'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const IIFE = `${ROOT}dist/xml-sync-islands.iife.js`
let browser: Browser

beforeAll(async () => {
  if (!existsSync(IIFE)) execFileSync(process.execPath, ['scripts/build.mjs', '--no-check', '--quiet'], { cwd: ROOT, stdio: 'inherit' })
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
})

afterAll(async () => {
  await browser?.close()
})

describe('the whiteboard app, alone', () => {
  let server: DemoServer
  let context: BrowserContext
  let page: Page
  let problems: string[]

  beforeAll(async () => {
    server = await startDemoServer({ port: 0, reason: 'this test started no Prosody' })
    context = await browser.newContext({ viewport: { width: 1100, height: 760 } })
    page = await context.newPage()
    problems = watch(page)
    const res = await page.goto(`${server.url}whiteboard/`)
    expect(res!.headers()['content-security-policy']).toContain("script-src 'self'")
    await page.waitForFunction(() => (window as any).whiteboardApp !== undefined)
  })

  afterAll(async () => {
    await context?.close()
    await server?.close()
  })

  const tool = (name: string) => page.click(`[data-tool="${name}"]`)
  const action = (name: string) => page.click(`[data-action="${name}"]`)
  // The centre of a shape's box lies on the app's lines and (symmetric) polyline too.
  const clickShape = async (id: string) => click(page, page, await onCanvas(page, id, 'centre'))

  it('draws every kind of shape, numbered shape_1, shape_2, ... with a fade-in the app removes', async () => {
    // The fade-ins, as they come and go (each lasts 300 ms: too short to catch between steps).
    await page.evaluate(() => {
      const seen: string[] = ((window as any).fadeIns = [])
      new MutationObserver((records) => {
        for (const r of records) for (const n of r.addedNodes) if ((n as Element).localName === 'animate') seen.push((r.target as Element).id)
      }).observe(document.getElementById('wb-canvas')!, { childList: true, subtree: true })
    })
    await tool('rect')
    await drag(page, page, { x: 100, y: 100 }, { x: 220, y: 180 })
    const rect = await shape(page, 'shape_1')
    expect(rect.tag).toBe('rect')
    near(Number(rect.attrs.x), 100)
    near(Number(rect.attrs.width), 120)
    near(Number(rect.attrs.height), 80)
    expect(rect.attrs.fill).toBe('#4e79a7')

    await tool('roundrect')
    await drag(page, page, { x: 260, y: 100 }, { x: 380, y: 180 })
    await tool('ellipse')
    await drag(page, page, { x: 420, y: 100 }, { x: 540, y: 180 })
    await page.keyboard.press('l') // the line tool, by its key
    expect(await page.getAttribute('[data-tool="line"]', 'aria-pressed')).toBe('true')
    await drag(page, page, { x: 100, y: 250 }, { x: 250, y: 320 })
    await tool('polyline')
    await click(page, page, { x: 300, y: 250 })
    await click(page, page, { x: 350, y: 320 })
    await click(page, page, { x: 400, y: 250 })
    const last = await pagePoint(page, page, { x: 450, y: 320 })
    await page.mouse.dblclick(last.x, last.y)
    // The double-click ended it: the pointer moving on changes nothing.
    const finished = (await shape(page, 'shape_5')).attrs.points
    expect(finished!.trim().split(/[\s,]+/)).toHaveLength(8)
    await page.mouse.move(last.x + 40, last.y + 40)
    expect((await shape(page, 'shape_5')).attrs.points).toBe(finished)
    await tool('path')
    await drag(page, page, { x: 500, y: 250 }, { x: 650, y: 330 }, 12)
    await tool('text')
    await click(page, page, { x: 100, y: 450 })

    const all = await shapes(page)
    expect(all.map((s) => `${s.id}:${s.tag}`)).toEqual([
      'shape_1:rect',
      'shape_2:rect',
      'shape_3:ellipse',
      'shape_4:line',
      'shape_5:polyline',
      'shape_6:path',
      'shape_7:text',
    ])
    expect(all[1]!.attrs.rx).toBe('14')
    near(Number(all[2]!.attrs.cx), 480)
    near(Number(all[2]!.attrs.ry), 40)
    near(Number(all[3]!.attrs.x2), 250)
    expect(all[4]!.attrs.points!.trim().split(/[\s,]+/)).toHaveLength(8) // four points
    expect(all[5]!.attrs.d).toMatch(/^M [\d.]+ [\d.]+( L [\d.]+ [\d.]+){5,}$/)
    expect(all[6]!.text).toBe('Hello')
    // A new shape is not selected (the next colour picked is for the next shape).
    expect(await selectedIds(page)).toEqual([])

    expect(await page.evaluate(() => (window as any).fadeIns)).toEqual(all.map((s) => s.id))
    await page.waitForTimeout(350)
    expect((await shapes(page)).every((s) => s.children.length === 0)).toBe(true)
  })

  it('selects nothing on Escape and on a click on the empty canvas', async () => {
    await page.keyboard.press('v')
    await click(page, page, { x: 160, y: 140 })
    expect(await selectedIds(page)).toEqual(['shape_1'])
    expect(await overlayCount(page)).toBeGreaterThan(1) // the outline and the handles
    await page.keyboard.press('Escape')
    expect(await selectedIds(page)).toEqual([])
    expect(await overlayCount(page)).toBe(0)
    expect((await shape(page, 'shape_1')).attrs.class).toBeUndefined()

    await click(page, page, { x: 160, y: 140 })
    await click(page, page, { x: 800, y: 520 })
    expect(await selectedIds(page)).toEqual([])
    expect(await overlayCount(page)).toBe(0)
  })

  it('moves through transform.baseVal, resizes through x.baseVal and the lists, rotates in place', async () => {
    await clickShape('shape_1')
    await drag(page, page, { x: 160, y: 140 }, { x: 200, y: 170 })
    let t = await transformOf(page, 'shape_1')
    expect(t).toHaveLength(1)
    expect(t[0]!.type).toBe(2) // SVG_TRANSFORM_TRANSLATE
    near(t[0]!.e, 40)
    near(t[0]!.f, 30)
    expect((await shape(page, 'shape_1')).attrs.x).toBe('100')

    // The se corner, dragged by (60, 40): the nw corner stays.
    const se = await handle(page, 'se')
    await drag(page, page, se, { x: se.x + 60, y: se.y + 40 })
    let rect = await shape(page, 'shape_1')
    near(Number(rect.attrs.x), 100)
    near(Number(rect.attrs.width), 180, 2)
    near(Number(rect.attrs.height), 120, 2)

    // The rotation knob, dragged to the right of the centre: a quarter turn, the centre stays.
    const centre = await onCanvas(page, 'shape_1', 'centre')
    const knob = await handle(page, 'rotate')
    const radius = Math.hypot(knob.x - centre.x, knob.y - centre.y)
    await drag(page, page, knob, { x: centre.x + radius, y: centre.y }, 10)
    t = await transformOf(page, 'shape_1')
    expect(t.map((i) => i.type)).toEqual([2, 4]) // translate, rotate
    near(t[1]!.angle, 90, 2)
    const after = await onCanvas(page, 'shape_1', 'centre')
    near(after.x, centre.x)
    near(after.y, centre.y)

    // Resizing a rotated shape keeps the opposite corner where it is on screen.
    const nw = await onCanvas(page, 'shape_1', 'nw')
    const se2 = await handle(page, 'se')
    await drag(page, page, se2, { x: se2.x - 20, y: se2.y + 30 })
    rect = await shape(page, 'shape_1')
    expect(Number(rect.attrs.width)).toBeGreaterThan(190)
    const nw2 = await onCanvas(page, 'shape_1', 'nw')
    near(nw2.x, nw.x, 2)
    near(nw2.y, nw.y, 2)

    // A line's ends and a polyline's points move through the SVG DOM too.
    await clickShape('shape_4')
    expect(await selectedIds(page)).toEqual(['shape_4'])
    const lineSe = await handle(page, 'se')
    await drag(page, page, lineSe, { x: lineSe.x + 50, y: lineSe.y + 20 })
    const line = await shape(page, 'shape_4')
    near(Number(line.attrs.x1), 100)
    near(Number(line.attrs.x2), 300, 2)
    await clickShape('shape_5')
    expect(await selectedIds(page)).toEqual(['shape_5'])
    const pointsBefore = (await shape(page, 'shape_5')).attrs.points
    const polyNe = await handle(page, 'ne')
    await drag(page, page, polyNe, { x: polyNe.x + 40, y: polyNe.y - 20 })
    const points = (await shape(page, 'shape_5')).attrs.points!.trim().split(/[\s,]+/).map(Number)
    expect((await shape(page, 'shape_5')).attrs.points).not.toBe(pointsBefore)
    near(points[0]!, 300) // the sw corner's x stays
    near(points[6]!, 490, 2)

    // Arrow keys nudge (Shift: by 10), one undoable step per press.
    await clickShape('shape_6')
    expect(await selectedIds(page)).toEqual(['shape_6'])
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('Shift+ArrowDown')
    expect((await shape(page, 'shape_6')).attrs.transform).toBe('translate(2 10)')
    await page.keyboard.press('Control+z')
    expect((await shape(page, 'shape_6')).attrs.transform).toBe('translate(2 0)')
  })

  it('recolours and changes the stroke width of the selection, each an undoable step', async () => {
    await click(page, page, { x: 320, y: 140 })
    expect(await selectedIds(page)).toEqual(['shape_2'])
    await page.locator('[data-field="fill"]').fill('#e15759')
    expect((await shape(page, 'shape_2')).attrs.fill).toBe('#e15759')
    await page.locator('[data-field="stroke"]').fill('#00aa00')
    expect((await shape(page, 'shape_2')).attrs.stroke).toBe('#00aa00')
    await page.locator('[data-field="stroke-width"]').fill('7')
    await page.locator('[data-field="stroke-width"]').press('Enter')
    expect((await shape(page, 'shape_2')).attrs['stroke-width']).toBe('7')
    // Others' shapes are untouched.
    expect((await shape(page, 'shape_3')).attrs.fill).toBe('#4e79a7')

    await action('undo')
    expect((await shape(page, 'shape_2')).attrs['stroke-width']).toBe('2')
    expect((await shape(page, 'shape_2')).attrs.stroke).toBe('#00aa00')
    await action('undo')
    expect((await shape(page, 'shape_2')).attrs.stroke).toBe('#1f2933')
    expect((await shape(page, 'shape_2')).attrs.fill).toBe('#e15759')
    await action('redo')
    await action('redo')
    expect((await shape(page, 'shape_2')).attrs.stroke).toBe('#00aa00')
    expect((await shape(page, 'shape_2')).attrs['stroke-width']).toBe('7')

    // A double-click on a text edits it in the text field.
    const t = await pagePoint(page, page, await onCanvas(page, 'shape_7', 'centre'))
    await page.mouse.dblclick(t.x, t.y)
    expect(await selectedIds(page)).toEqual(['shape_7'])
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.field)).toBe('text')
    await page.keyboard.type('Hello, world')
    await page.keyboard.press('Enter')
    expect((await shape(page, 'shape_7')).text).toBe('Hello, world')
    // Keys typed in the field were not shortcuts.
    expect(await page.getAttribute('[data-tool="select"]', 'aria-pressed')).toBe('true')
  })

  it('brings to front and sends to back by moving the canvas children, undone one at a time', async () => {
    const start = await ids(page)
    await click(page, page, { x: 480, y: 140 }) // the ellipse
    expect(await selectedIds(page)).toEqual(['shape_3'])
    await action('front')
    expect(await ids(page)).toEqual([...start.filter((id) => id !== 'shape_3'), 'shape_3'])
    await action('back')
    expect(await ids(page)).toEqual(['shape_3', ...start.filter((id) => id !== 'shape_3')])
    // The overlay stays the canvas's last child.
    expect(await page.evaluate(() => document.getElementById('wb-canvas')!.lastElementChild!.getAttribute('class'))).toBe('wb-ui')

    await page.keyboard.press('Control+z')
    expect(await ids(page)).toEqual([...start.filter((id) => id !== 'shape_3'), 'shape_3'])
    await page.keyboard.press('Control+z')
    expect(await ids(page)).toEqual(start)
    await page.keyboard.press('Control+Shift+z')
    expect(await ids(page)).toEqual([...start.filter((id) => id !== 'shape_3'), 'shape_3'])
    await page.keyboard.press('Control+z')
    expect(await ids(page)).toEqual(start)
  })

  it('groups into a <g>, moves the group, ungroups without moving anything on screen', async () => {
    await click(page, page, { x: 320, y: 140 })
    await click(page, page, { x: 480, y: 140 }, ['Shift'])
    expect((await selectedIds(page)).sort()).toEqual(['shape_2', 'shape_3'])
    await page.keyboard.press('Control+g')
    const group = (await shapes(page)).find((s) => s.tag === 'g')!
    expect(group.id).toBe('shape_8')
    expect(group.children).toEqual(['shape_2', 'shape_3'])
    expect(await selectedIds(page)).toEqual(['shape_8'])
    expect(await page.locator('.wb-ui [data-handle="se"]').count()).toBe(0) // a group rotates and moves, no resize

    await drag(page, page, { x: 480, y: 140 }, { x: 480, y: 200 })
    near((await transformOf(page, 'shape_8'))[0]!.f, 60)
    const knob = await handle(page, 'rotate')
    const c = await onCanvas(page, 'shape_8', 'centre')
    await drag(page, page, knob, { x: c.x - 200, y: c.y - 200 }, 10) // about -45 degrees
    const angle = (await transformOf(page, 'shape_8'))[1]!.angle
    near(angle, -45, 3)

    const before = await Promise.all(['shape_2', 'shape_3'].map((id) => onCanvas(page, id, 'centre')))
    await page.keyboard.press('Control+Shift+g')
    expect(await ids(page)).not.toContain('shape_8')
    expect((await selectedIds(page)).sort()).toEqual(['shape_2', 'shape_3'])
    const after = await Promise.all(['shape_2', 'shape_3'].map((id) => onCanvas(page, id, 'centre')))
    for (let i = 0; i < 2; i++) {
      near(after[i]!.x, before[i]!.x)
      near(after[i]!.y, before[i]!.y)
    }
    expect((await shape(page, 'shape_2')).attrs.transform).toMatch(/^matrix\(/)

    await page.keyboard.press('Control+z') // ungroup undone
    expect((await shape(page, 'shape_8')).children).toEqual(['shape_2', 'shape_3'])
    await page.keyboard.press('Control+z') // the rotation
    await page.keyboard.press('Control+z') // the move
    expect((await shape(page, 'shape_8')).attrs.transform ?? '').not.toMatch(/rotate\(-/)
    await page.keyboard.press('Control+z') // the grouping
    expect(await ids(page)).toEqual(['shape_1', 'shape_2', 'shape_3', 'shape_4', 'shape_5', 'shape_6', 'shape_7'])
  })

  it('deletes with the Delete key and clears all, both undoable; an undo whose shape is gone is skipped', async () => {
    await clickShape('shape_4')
    await page.keyboard.press('Delete')
    expect(await ids(page)).not.toContain('shape_4')
    await page.keyboard.press('Control+z')
    expect(await ids(page)).toEqual(['shape_1', 'shape_2', 'shape_3', 'shape_4', 'shape_5', 'shape_6', 'shape_7'])
    await page.keyboard.press('Control+y')
    expect(await ids(page)).not.toContain('shape_4')
    await page.keyboard.press('Control+z')

    await action('clear')
    expect(await ids(page)).toEqual([])
    await action('undo')
    expect(await ids(page)).toEqual(['shape_1', 'shape_2', 'shape_3', 'shape_4', 'shape_5', 'shape_6', 'shape_7'])

    // Recolour the path, then the path goes (as a peer's delete would): undo skips that step and
    // reverses the one before it; nothing throws.
    await clickShape('shape_4')
    await page.locator('[data-field="stroke"]').fill('#ff00ff')
    expect((await shape(page, 'shape_4')).attrs.stroke).toBe('#ff00ff')
    await clickShape('shape_3')
    await page.locator('[data-field="stroke"]').fill('#0000ff')
    expect((await shape(page, 'shape_3')).attrs.stroke).toBe('#0000ff')
    await page.evaluate(() => document.getElementById('shape_3')!.remove())
    await action('undo')
    expect((await shape(page, 'shape_4')).attrs.stroke).toBe('#1f2933')
    expect(problems).toEqual([])
  })

  it('numbers shapes from 1 on each page load, skipping only ids present when it picks', async () => {
    await page.reload()
    await page.waitForFunction(() => (window as any).whiteboardApp !== undefined)
    expect(await ids(page)).toEqual([])
    await page.evaluate(() => {
      // Another's shape_1, present before we draw.
      const svg = document.getElementById('wb-canvas')!
      const r = document.createElementNS('http://www.w3.org/2000/svg', 'rect')
      r.id = 'shape_1'
      for (const [k, v] of Object.entries({ x: '600', y: '400', width: '50', height: '50', fill: '#999999' })) r.setAttribute(k, v)
      svg.insertBefore(r, svg.lastElementChild)
    })
    await page.keyboard.press('e')
    await drag(page, page, { x: 700, y: 100 }, { x: 780, y: 160 })
    await drag(page, page, { x: 700, y: 200 }, { x: 780, y: 260 })
    expect(await ids(page)).toEqual(['shape_1', 'shape_2', 'shape_3'])
    expect(problems).toEqual([])
  })

  it('draws with touch (pointer events, no scrolling)', async () => {
    const touch = await browser.newContext({ viewport: { width: 900, height: 700 }, hasTouch: true })
    try {
      const p = await touch.newPage()
      const errs = watch(p)
      await p.goto(`${server.url}whiteboard/`)
      await p.waitForFunction(() => (window as any).whiteboardApp !== undefined)
      expect(await p.evaluate(() => getComputedStyle(document.getElementById('wb-canvas')!).touchAction)).toBe('none')
      await p.tap('[data-tool="rect"]')
      const s = await screen(p, { x: 300, y: 300 })
      await p.touchscreen.tap(s.x, s.y)
      const drawn = await shapes(p)
      expect(drawn.map((d) => d.tag)).toEqual(['rect'])
      expect(drawn[0]!.attrs.width).toBe('120')
      expect(errs).toEqual([])
    } finally {
      await touch.close()
    }
  })
})

// ---- The pair page: two frames of the app, synced.

/** The drawing as shared: the canvas's shapes without local state (classes, the overlay). */
// Attributes sorted (a peer may set them in another order), whitespace-only text left out.
async function openPair(context: BrowserContext, url: string): Promise<{ page: Page; left: Frame; right: Frame; problems: string[] }> {
  const page = await context.newPage()
  const problems = watch(page)
  await page.goto(url)
  const frame = async (name: string): Promise<Frame> => (await (await page.waitForSelector(`iframe[data-peer="${name}"]`)).contentFrame())!
  const [left, right] = [await frame('left'), await frame('right')]
  for (const f of [left, right]) {
    await f.waitForFunction(
      () => {
        const s = (window as any).whiteboardSync
        return s?.session?.islands.get('whiteboard')?.state === 'synced' && s.session.peers.size === 1
      },
      null,
      { timeout: WAIT },
    )
  }
  return { page, left, right, problems }
}

/** Left draws and drags; right sees both, and never the left's selection. */
async function drawOnOneSeeOnBoth(page: Page, left: Frame, right: Frame): Promise<void> {
  await left.click('[data-tool="rect"]')
  await drag(page, left, { x: 100, y: 100 }, { x: 260, y: 200 })
  let drawing = await converged([left, right], 'a rectangle drawn on the left')
  expect(drawing).toMatch(/^<rect [^>]*id="shape_1"/)
  expect(await shapes(right)).toHaveLength(1)

  await left.click('[data-tool="select"]')
  await drag(page, left, { x: 180, y: 150 }, { x: 260, y: 230 })
  drawing = await converged([left, right], 'the rectangle moved on the left')
  expect(drawing).toContain('transform="translate(')
  expect(await selectedIds(left)).toEqual(['shape_1'])
  expect(await overlayCount(left)).toBeGreaterThan(0)
  expect(await selectedIds(right)).toEqual([])
  expect(await overlayCount(right)).toBe(0)

  // And back: the right draws an ellipse, which its own counter also calls shape_...
  await right.click('[data-tool="ellipse"]')
  await drag(page, right, { x: 500, y: 300 }, { x: 640, y: 400 })
  drawing = await converged([left, right], 'an ellipse drawn on the right')
  expect(drawing).toContain('<ellipse')
  expect((await shapes(right)).map((s) => s.id)).toEqual(['shape_1', 'shape_2'])

  // Keys go to the frame clicked: the left groups both with Ctrl+G ...
  await click(page, left, await onCanvas(left, 'shape_1', 'centre'))
  await click(page, left, await onCanvas(left, 'shape_2', 'centre'), ['Shift'])
  await page.keyboard.press('Control+g')
  drawing = await converged([left, right], 'grouped on the left')
  expect((await shapes(right)).map((s) => `${s.tag}:${s.children.join(',')}`)).toEqual(['g:shape_1,shape_2'])
  // ... and the right undoes its own step only (its ellipse, now in the left's group).
  await right.click('[data-tool="select"]')
  await page.keyboard.press('Control+z')
  drawing = await converged([left, right], "the right's undo")
  expect((await shapes(left)).map((s) => `${s.tag}:${s.children.join(',')}`)).toEqual(['g:shape_1'])
}

describe('the pair page: two frames of the app, one drawing', () => {
  it('over BroadcastChannel (the demo without Prosody)', async () => {
    const server = await startDemoServer({ port: 0, reason: 'this test started no Prosody' })
    const context = await browser.newContext({ viewport: { width: 1400, height: 800 } })
    try {
      const room = `wb${Date.now().toString(36)}`
      const { page, left, right, problems } = await openPair(context, `${server.url}whiteboard-pair.html?room=${room}`)
      expect(await left.evaluate(() => (window as any).whiteboardSync.kind)).toBe('broadcast')
      await drawOnOneSeeOnBoth(page, left, right)
      expect(problems).toEqual([])

      // A third page joins late: the app alone, the engine added to it as a bookmarklet would.
      const late = await context.newPage()
      const lateProblems = watch(late)
      await late.goto(`${server.url}whiteboard/?room=${room}`)
      await late.addScriptTag({ url: '/dist/xml-sync-islands.iife.js' })
      await late.addScriptTag({ url: '/whiteboard-sync.js' })
      await late.waitForFunction(() => (window as any).whiteboardSync?.session?.islands.get('whiteboard')?.state === 'synced', null, { timeout: WAIT })
      await converged([left, right, late.mainFrame()], 'a late joiner')
      expect((await shapes(late)).map((s) => `${s.tag}:${s.children.join(',')}`)).toEqual(['g:shape_1'])
      expect(lateProblems).toEqual([])
      for (const f of [left, right]) expect(await f.evaluate(() => (window as any).whiteboardSync.errors)).toEqual([])
    } finally {
      await context.close()
      await server.close()
    }
  })

  it('every kind of change made with the mouse in one frame reaches the other (BroadcastChannel)', async () => {
    const server = await startDemoServer({ port: 0, reason: 'this test started no Prosody' })
    const context = await browser.newContext({ viewport: { width: 1400, height: 800 } })
    try {
      const { page, left, right, problems } = await openPair(context, `${server.url}whiteboard-pair.html?room=wb${Date.now().toString(36)}`)
      const both = (what: string) => converged([left, right], what)
      const centre = (f: Frame, id: string) => onCanvas(f, id, 'centre')

      await left.click('[data-tool="rect"]')
      await drag(page, left, { x: 100, y: 100 }, { x: 250, y: 200 })
      await left.click('[data-tool="polyline"]')
      for (const [x, y] of [[300, 100], [350, 200], [400, 100]] as const) await click(page, left, { x, y })
      const end = await pagePoint(page, left, { x: 450, y: 200 })
      await page.mouse.dblclick(end.x, end.y)
      await right.click('[data-tool="text"]')
      await click(page, right, { x: 100, y: 400 })
      await both('a rectangle and a polyline from the left, a text from the right')

      await left.click('[data-tool="select"]')
      await click(page, left, await centre(left, 'shape_1'))
      let h = await handle(left, 'se')
      await drag(page, left, h, { x: h.x + 50, y: h.y + 50 })
      expect(await both('a resize (width.baseVal)')).toContain('width="200"')
      h = await handle(left, 'rotate')
      const c = await centre(left, 'shape_1')
      await drag(page, left, h, { x: c.x + 100, y: c.y })
      expect(await both('a rotation (transform.baseVal)')).toMatch(/rotate\(90 /)
      await click(page, left, await centre(left, 'shape_2'))
      h = await handle(left, 'ne')
      await drag(page, left, h, { x: h.x + 40, y: h.y - 30 })
      await both('a polyline resize (points.getItem(i).x)')

      await click(page, left, await centre(left, 'shape_1'))
      await click(page, left, await centre(left, 'shape_2'), ['Shift'])
      await page.keyboard.press('Control+g')
      const a = await centre(left, 'shape_1')
      await drag(page, left, a, { x: a.x + 150, y: a.y + 120 })
      await both('a group, moved')
      await page.keyboard.press('Control+Shift+g')
      expect(await both('an ungroup')).toMatch(/transform="matrix\(/)
      await page.keyboard.press('Control+z')
      await both('the ungroup undone')
      expect((await shapes(right)).map((s) => s.tag)).toEqual(['g', 'text'])

      await right.click('[data-tool="select"]')
      const t = await pagePoint(page, right, await centre(right, 'shape_3'))
      await page.mouse.dblclick(t.x, t.y)
      await page.keyboard.type('Edited on the right')
      await page.keyboard.press('Enter')
      await right.click('[data-action="back"]')
      expect(await both('a text edited and sent to back on the right')).toMatch(/^<text [^\n]*>Edited on the right<\/text>\n<g /)
      expect((await shapes(left)).map((s) => s.tag)).toEqual(['text', 'g'])

      await left.click('[data-action="clear"]')
      expect(await both('cleared on the left')).toBe('')
      await left.click('[data-action="undo"]')
      await both('the clear undone')
      expect((await shapes(right)).map((s) => s.tag)).toEqual(['text', 'g'])

      // With nothing selected, the two drawings look the same, pixel for pixel (almost).
      for (const f of [left, right]) await click(page, f, { x: 940, y: 590 })
      // Nor focused: the canvas a click focused shows the app's focus ring once keys were typed there.
      for (const f of [left, right]) await f.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
      await page.waitForTimeout(350) // fade-ins over
      const [shotL, shotR] = await Promise.all([left, right].map((f) => f.locator('#wb-canvas').screenshot()))
      const diff = await pixelDiff(context, shotL!, shotR!)
      expect(diff.total).toBeGreaterThan(100_000)
      expect(diff.differing / diff.total).toBeLessThan(0.001)
      expect(problems).toEqual([])
      for (const f of [left, right]) expect(await f.evaluate(() => (window as any).whiteboardSync.errors)).toEqual([])
    } finally {
      await context.close()
      await server.close()
    }
  })

  it('through a private Prosody (the demo as `npm run demo` serves it)', async () => {
    const prosody: ProsodyInstance = await startProsody()
    const server = await startDemoServer({ port: 0, prosody })
    const context = await browser.newContext({ viewport: { width: 1400, height: 800 } })
    try {
      const { page, left, right, problems } = await openPair(context, `${server.url}whiteboard-pair.html?room=wb${Date.now().toString(36)}`)
      expect(await left.evaluate(() => (window as any).whiteboardSync.kind)).toBe('xmpp')
      await drawOnOneSeeOnBoth(page, left, right)
      expect(problems).toEqual([])
      for (const f of [left, right]) expect(await f.evaluate(() => (window as any).whiteboardSync.errors)).toEqual([])
    } finally {
      await context.close()
      await server.close()
      await prosody.stop()
    }
  })
})
