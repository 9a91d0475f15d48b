// Issues 12 and 13's acceptance: two people, each in a Chromium window of their own, on the
// unmodified whiteboard app (demo/whiteboard/) under its strict CSP, through a private Prosody,
// three ways: the engine attached through its public API (the IIFE build and
// demo/whiteboard-sync.js added to the page); the bookmarklet, run as a click on a bookmark runs
// it, on plain http from a host name; and the bookmarklet on https (a certificate made for the
// test, the bundle over https, wss:// to Prosody through TLS proxies). Every tool from each side with the mouse; after each step both drawings have
// the same canonical form, screenshots of both canvases with nothing selected match, and the
// selection of one person never shows on the other's screen. Then the concurrency cases, each
// made truly concurrent by holding one person's WebSocket while both act, and a late third page.
import { existsSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs'
import { startProsody, type ProsodyInstance } from '../../scripts/prosody.mjs'
import { startDemoServer, type DemoServer } from '../../demo/server.mjs'
import { BUNDLE_PATH, runBookmarklet, selfSignedCert } from './bookmarklet-support.js'
import { cuttableLink, type CuttableLink } from './proxy.js'
import { click, converged, drag, handle, ids, onCanvas, overlayCount, pagePoint, pixelDiff, selectedIds, shape, shapes, WAIT, watch, type Pt } from './whiteboard-support.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const IIFE = `${ROOT}dist/xml-sync-islands.iife.js`
// Screenshots of the two canvases, nothing selected: at most this share of pixels may differ
// (by more than 16 in a channel; antialiasing of one edge drawn from other float values).
const MAX_DIFFERING = 0.001

// A host name, not 127.0.0.1: the browser maps it to the loopback.
const HOST = 'whiteboard.test'

let browser: Browser
let prosody: ProsodyInstance
let server: DemoServer
/** TLS in front of the demo server (https pages) and of Prosody's HTTP port (wss://). */
let tlsPages: CuttableLink
let tlsXmpp: CuttableLink

beforeAll(async () => {
  if (!existsSync(IIFE)) execFileSync(process.execPath, ['scripts/build.mjs', '--no-check', '--quiet'], { cwd: ROOT, stdio: 'inherit' })
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${HOST} 127.0.0.1`] })
  prosody = await startProsody()
  const cert = selfSignedCert([HOST])
  tlsXmpp = await cuttableLink(prosody.httpPort, { tls: cert })
  // The whiteboard's CSP lets its pages connect to the demo's Prosody, and to it behind TLS.
  server = await startDemoServer({ port: 0, prosody, connectSrc: [`wss://${HOST}:${tlsXmpp.port}`] })
  tlsPages = await cuttableLink(server.port, { tls: cert })
})

afterAll(async () => {
  await browser?.close()
  await Promise.all([tlsPages?.close(), tlsXmpp?.close()])
  await server?.close()
  await prosody?.stop()
})

/** How the engine comes to the app's page. */
interface Way {
  readonly label: string
  readonly contextOptions?: BrowserContextOptions
  url(): string
  /** Attaches the engine to the open page and waits until its island is synced in `room`. */
  attach(page: Page, room: string): Promise<void>
  /** The sync errors the page shows. */
  errors(page: Page): Promise<string[]>
  /** How many other pages its session knows. */
  peers(page: Page): Promise<number>
}

const BY_SCRIPT: Way = {
  label: 'the engine added by script, on 127.0.0.1',
  url: () => `${server.url}whiteboard/`,
  async attach(page, room) {
    await page.evaluate((room) => history.replaceState(null, '', `?room=${room}`), room)
    await page.addScriptTag({ url: '/dist/xml-sync-islands.iife.js' })
    await page.addScriptTag({ url: '/whiteboard-sync.js' })
    await page.waitForFunction(() => (window as any).whiteboardSync?.session?.islands.get('whiteboard')?.state === 'synced', null, { timeout: WAIT })
    expect(await page.evaluate(() => (window as any).whiteboardSync.kind)).toBe('xmpp')
  },
  errors: (page) => page.evaluate(() => (window as any).whiteboardSync.errors),
  peers: (page) => page.evaluate(() => (window as any).whiteboardSync.session.peers.size),
}

/** The bookmarklet from `origin`, ready (no click in the panel), connecting to `service`; then its panel hidden. */
function byBookmarklet(label: string, origin: () => string, service: () => string, contextOptions?: BrowserContextOptions): Way {
  return {
    label,
    ...(contextOptions ? { contextOptions } : {}),
    url: () => `${origin()}/whiteboard/`,
    async attach(page, room) {
      const config = {
        src: `${origin()}${BUNDLE_PATH}`,
        service: service(),
        domain: prosody.anonDomain,
        muc: prosody.mucDomain,
        room,
        island: '#wb-canvas',
        name: 'whiteboard',
        exclude: 'g.wb-ui',
        local: 'class',
        start: true,
      }
      await runBookmarklet(page, config)
      await page.waitForFunction(() => (window as any).XmlSyncIslands?.currentPanel()?.run?.session?.islands.get('whiteboard')?.state === 'synced', null, { timeout: WAIT })
      // The bookmark again hides the panel (it would stand over the canvas in the screenshots).
      await runBookmarklet(page, config)
      await page.waitForFunction(() => !(window as any).XmlSyncIslands.currentPanel().visible, null, { timeout: WAIT })
    },
    errors: (page) => page.evaluate(() => (window as any).XmlSyncIslands.currentPanel().run.state.errors),
    peers: (page) => page.evaluate(() => (window as any).XmlSyncIslands.currentPanel().run.session.peers.size),
  }
}

const WAYS: Way[] = [
  BY_SCRIPT,
  byBookmarklet('the bookmarklet, plain http from a host name', () => `http://${HOST}:${server.port}`, () => prosody.websocketUrl),
  byBookmarklet('the bookmarklet on https, wss:// to Prosody', () => `https://${HOST}:${tlsPages.port}`, () => `wss://${HOST}:${tlsXmpp.port}/xmpp-websocket`, { ignoreHTTPSErrors: true }),
]
let way: Way = BY_SCRIPT

interface Person {
  readonly name: string
  readonly context: BrowserContext
  readonly page: Page
  readonly problems: string[]
  /** Holds every WebSocket frame of this page, both ways, until release() sends them on in order. */
  hold(): void
  release(): void
}

/** A person's window on the whiteboard, the engine attached, synced in `room`. */
async function person(name: string, room: string): Promise<Person> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, ...way.contextOptions })
  const page = await context.newPage()
  const problems = watch(page)
  let held: Array<() => void> | null = null
  const later = (send: () => void): void => void (held ? held.push(send) : send())
  await page.routeWebSocket(/\/xmpp-websocket/, (ws) => {
    const upstream = ws.connectToServer()
    ws.onMessage((m) => later(() => upstream.send(m)))
    upstream.onMessage((m) => later(() => ws.send(m)))
  })
  await page.goto(way.url())
  await page.waitForFunction(() => (window as any).whiteboardApp !== undefined)
  await way.attach(page, room)
  return {
    name,
    context,
    page,
    problems,
    hold: () => void (held ??= []),
    release: () => {
      const queue = held ?? []
      held = null
      for (const send of queue) send()
    },
  }
}

const tool = (p: Person, name: string) => p.page.click(`[data-tool="${name}"]`)
const action = (p: Person, name: string) => p.page.click(`[data-action="${name}"]`)
const drawOn = (p: Person, from: Pt, to: Pt, steps = 8) => drag(p.page, p.page, from, to, steps)
const clickAt = (p: Person, at: Pt, modifiers: 'Shift'[] = []) => click(p.page, p.page, at, modifiers)
const centre = (p: Person, id: string) => onCanvas(p.page, id, 'centre')
const select = async (p: Person, ...of: string[]) => {
  await tool(p, 'select')
  for (let i = 0; i < of.length; i++) await clickAt(p, await centre(p, of[i]!), i ? ['Shift'] : [])
  expect((await selectedIds(p.page)).sort()).toEqual([...of].sort())
}
const errorsOf = (p: Person): Promise<string[]> => way.errors(p.page)
const count = (p: Person, id: string): Promise<number> => p.page.evaluate((id) => document.querySelectorAll(`#wb-canvas [id="${id}"]`).length, id)

/**
 * After a step: both drawings converge; after one person's step (`actor`), the others, who
 * selected nothing, show no selection and no outline of the one who acted; then, all deselected,
 * the canvases look the same. Returns the shared drawing.
 */
async function same(people: Person[], what: string, actor?: Person): Promise<string> {
  const drawing = await converged(
    people.map((p) => p.page),
    what,
  )
  for (const p of actor ? people : []) {
    if (p === actor) continue
    expect(await selectedIds(p.page), `${what}: ${p.name} shows a selection`).toEqual([])
    expect(await overlayCount(p.page), `${what}: ${p.name} shows an outline`).toBe(0)
  }
  for (const p of people) {
    // Out of a toolbar field (keys typed there are not the app's shortcuts), then deselect.
    await p.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
    await p.page.keyboard.press('Escape')
    expect(await overlayCount(p.page), `${what}: ${p.name}'s own outline after Escape`).toBe(0)
  }
  await people[0]!.page.waitForTimeout(350) // the fade-in of a new shape is over
  const shots = await Promise.all(people.map((p) => p.page.locator('#wb-canvas').screenshot()))
  for (let i = 1; i < shots.length; i++) {
    const diff = await pixelDiff(people[0]!.context, shots[0]!, shots[i]!)
    expect(diff.total, what).toBeGreaterThan(100_000)
    expect(diff.differing / diff.total, `${what}: ${diff.differing} of ${diff.total} pixels differ`).toBeLessThan(MAX_DIFFERING)
  }
  for (const p of people) expect(await errorsOf(p), `${what}: ${p.name}'s sync errors`).toEqual([])
  return drawing
}

/** Both act while `b`'s link is held, so that neither sees the other's change before making its own. */
async function atOnce(a: Person, b: Person, actA: () => Promise<void>, actB: () => Promise<void>): Promise<void> {
  b.hold()
  try {
    await actA()
    await actB()
    // Let `a`'s change reach the server (and `b`'s wait in the hold) before they cross.
    await a.page.waitForTimeout(300)
  } finally {
    b.release()
  }
}

describe.each(WAYS)('two people on the whiteboard, through Prosody: $label', (w) => {
  let a: Person
  let b: Person
  const room = `wbe2e${WAYS.indexOf(w)}${Date.now().toString(36)}`

  beforeAll(async () => {
    way = w
    a = await person('A', room)
    b = await person('B', room)
    for (const deadline = Date.now() + WAIT; (await way.peers(a.page)) !== 1; ) {
      if (Date.now() > deadline) throw new Error('A never saw B')
      await a.page.waitForTimeout(50)
    }
  })

  afterAll(async () => {
    for (const p of [a, b]) await p?.context.close()
  })

  // Each case starts from an empty drawing, whatever the one before it left.
  beforeEach(async () => {
    await a.page.keyboard.press('Escape')
    if ((await ids(a.page)).length) await action(a, 'clear') // the button is disabled on an empty drawing
    expect(await converged([a.page, b.page], 'cleared before the case')).toBe('')
  })

  it('both draw a shape at the same moment, which both counters call shape_1: both stay, ids unique, each editable on both screens', async () => {
    await atOnce(
      a,
      b,
      async () => {
        await tool(a, 'rect')
        await drawOn(a, { x: 100, y: 100 }, { x: 220, y: 180 })
      },
      async () => {
        await tool(b, 'ellipse')
        await drawOn(b, { x: 500, y: 300 }, { x: 640, y: 400 })
      },
    )
    await same([a, b], 'two shape_1 drawn at once')
    const drawn = await shapes(a.page)
    expect(drawn.map((s) => s.tag).sort()).toEqual(['ellipse', 'rect'])
    expect(new Set(drawn.map((s) => s.id)).size, 'ids unique again').toBe(2)
    for (const p of [a, b]) for (const s of drawn) expect(await count(p, s.id)).toBe(1)
    const rect = drawn.find((s) => s.tag === 'rect')!.id
    const ellipse = drawn.find((s) => s.tag === 'ellipse')!.id

    // Each person edits the other's shape, found by the id it has now.
    await select(a, ellipse)
    const e = await centre(a, ellipse)
    await drawOn(a, e, { x: e.x - 200, y: e.y })
    await same([a, b], "A moved B's ellipse", a)
    await select(b, rect)
    await b.page.locator('[data-field="fill"]').fill('#e15759')
    expect((await same([a, b], "B recoloured A's rectangle", b)).match(/<rect [^>]*fill="#e15759"/)).not.toBeNull()
    await select(b, ellipse)
    await b.page.keyboard.press('Delete')
    await same([a, b], "B deleted the ellipse A moved", b)
    await select(a, rect)
    await a.page.keyboard.press('Delete')
    expect(await same([a, b], 'A deleted the rectangle B recoloured', a)).toBe('')
  })

  it('every tool from each side with the mouse: both drawings equal, on screen too, after each step', async () => {
    const step = (what: string, actor: Person) => same([a, b], what, actor)
    // Drawing: A three shapes, B four.
    await tool(a, 'rect')
    await drawOn(a, { x: 100, y: 100 }, { x: 220, y: 180 })
    await step('A: a rectangle', a)
    await tool(a, 'roundrect')
    await drawOn(a, { x: 260, y: 100 }, { x: 380, y: 180 })
    await step('A: a rounded rectangle', a)
    await tool(a, 'ellipse')
    await drawOn(a, { x: 420, y: 100 }, { x: 540, y: 180 })
    await step('A: an ellipse', a)
    await tool(b, 'line')
    await drawOn(b, { x: 100, y: 250 }, { x: 250, y: 320 })
    await step('B: a line', b)
    await tool(b, 'polyline')
    for (const [x, y] of [[300, 250], [350, 320], [400, 250]] as const) await clickAt(b, { x, y })
    const end = await pagePoint(b.page, b.page, { x: 450, y: 320 })
    await b.page.mouse.dblclick(end.x, end.y)
    await step('B: a polyline', b)
    await tool(b, 'path')
    await drawOn(b, { x: 500, y: 250 }, { x: 650, y: 330 }, 12)
    await step('B: a freehand path', b)
    await tool(b, 'text')
    await clickAt(b, { x: 100, y: 450 })
    await step('B: a text', b)
    const all = await ids(a.page)
    expect(all).toHaveLength(7)
    const [rect, round, ellipse, line, poly, path, text] = all as [string, string, string, string, string, string, string]
    expect((await shapes(b.page)).map((s) => s.tag)).toEqual(['rect', 'rect', 'ellipse', 'line', 'polyline', 'path', 'text'])

    // Editing each other's shapes.
    await select(a, line)
    let c = await centre(a, line)
    await drawOn(a, c, { x: c.x + 60, y: c.y + 40 })
    expect(await step("A: moved B's line (transform.baseVal)", a)).toMatch(/<line [^>]*transform="translate\(/)
    await select(b, rect)
    let h = await handle(b.page, 'se')
    await drawOn(b, h, { x: h.x + 50, y: h.y + 30 })
    expect(await step("B: resized A's rectangle (width.baseVal)", b)).toMatch(/<rect [^>]*width="170"/)
    await select(a, ellipse)
    h = await handle(a.page, 'rotate')
    c = await centre(a, ellipse)
    await drawOn(a, h, { x: c.x + 100, y: c.y })
    expect(await step('A: rotated its ellipse', a)).toMatch(/<ellipse [^>]*rotate\(90 /)
    await select(b, poly)
    h = await handle(b.page, 'ne')
    await drawOn(b, h, { x: h.x + 40, y: h.y - 30 })
    await step('B: resized its polyline (points.getItem(i).x)', b)
    await select(b, round)
    await b.page.locator('[data-field="fill"]').fill('#e15759')
    expect(await step("B: recoloured A's rounded rectangle", b)).toMatch(/fill="#e15759"/)
    await select(a, poly)
    await a.page.locator('[data-field="stroke-width"]').fill('7')
    await a.page.locator('[data-field="stroke-width"]').press('Enter')
    expect(await step("A: stroke width of B's polyline", a)).toMatch(/<polyline [^>]*stroke-width="7"/)

    await select(b, rect, round)
    await b.page.keyboard.press('Control+g')
    await step('B: grouped the two rectangles', b)
    expect((await shapes(a.page)).map((s) => `${s.tag}:${s.children.join(',')}`)[0]).toBe(`g:${rect},${round}`)
    await tool(a, 'select')
    await clickAt(a, await centre(a, rect))
    c = await centre(a, rect)
    await drawOn(a, c, { x: c.x + 40, y: c.y + 200 })
    await step("A: moved B's group", a)

    await select(a, ellipse)
    await action(a, 'front')
    await step('A: its ellipse to front', a)
    expect((await ids(b.page)).at(-1)).toBe(ellipse)
    await select(b, path)
    await action(b, 'back')
    await step('B: its path to back', b)
    expect((await ids(a.page))[0]).toBe(path)

    await select(b, text)
    await b.page.keyboard.press('Delete')
    await step('B: deleted its text', b)
    expect(await count(a, text)).toBe(0)
    await a.page.keyboard.press('Control+z')
    await step('A: undid its last step (the ellipse to front)', a)
    expect((await ids(a.page)).at(-1)).not.toBe(ellipse)
    await b.page.keyboard.press('Control+z')
    await step('B: undid its delete', b)
    expect(await count(a, text)).toBe(1)

    // A click on a shape of a group selects the group.
    const group = (await shapes(a.page)).find((s) => s.tag === 'g')!.id
    await tool(a, 'select')
    await clickAt(a, await centre(a, rect))
    expect(await selectedIds(a.page)).toEqual([group])
    await a.page.keyboard.press('Control+Shift+g')
    await step("A: ungrouped B's group", a)
    expect((await shapes(b.page)).some((s) => s.tag === 'g')).toBe(false)

    await action(b, 'clear')
    expect(await step('B: cleared all', b)).toBe('')
    await action(b, 'undo')
    await step('B: undid the clear', b)
    expect(await ids(a.page)).toHaveLength(7)

    // A third page joins late and sees the whole drawing.
    const late = await person('C', room)
    try {
      const drawing = await same([a, b, late], 'a late joiner')
      expect(drawing.split('\n')).toHaveLength(7)
      expect(late.problems).toEqual([])
    } finally {
      await late.context.close()
    }
    await action(a, 'clear')
    expect(await step('A: cleared all', a)).toBe('')
  })

  describe('concurrent changes', () => {
    /** Three rectangles drawn by A, side by side; their ids. */
    async function threeShapes(): Promise<string[]> {
      await tool(a, 'rect')
      for (const x of [100, 300, 500]) await drawOn(a, { x, y: 100 }, { x: x + 120, y: 180 })
      await same([a, b], 'three rectangles')
      return ids(b.page)
    }
    const clearBoth = async () => {
      await action(a, 'clear')
      expect(await same([a, b], 'cleared', a)).toBe('')
    }

    it('both drag the same shape at the same time: one shape, where one of them put it', async () => {
      const [x] = await threeShapes()
      await select(a, x!)
      await select(b, x!)
      const c = await centre(a, x!)
      await atOnce(
        a,
        b,
        () => drawOn(a, c, { x: c.x + 200, y: c.y }, 12),
        () => drawOn(b, c, { x: c.x, y: c.y + 250 }, 12),
      )
      const drawing = await same([a, b], 'two drags of one shape')
      for (const p of [a, b]) expect(await count(p, x!)).toBe(1)
      expect(drawing.split('\n')).toHaveLength(3)
      await clearBoth()
    })

    it('both reorder at the same time: each shape once, both moves kept', async () => {
      const [x, y, z] = await threeShapes()
      await select(a, x!)
      await select(b, z!)
      await atOnce(
        a,
        b,
        () => action(a, 'front'),
        () => action(b, 'back'),
      )
      await same([a, b], 'front and back at once')
      expect(await ids(a.page)).toEqual([z, y, x])
      await clearBoth()
    })

    it('one brings a shape to front while the other recolours it: both kept', async () => {
      const [x, y, z] = await threeShapes()
      await select(a, x!)
      await select(b, x!)
      await atOnce(
        a,
        b,
        () => action(a, 'front'),
        () => b.page.locator('[data-field="fill"]').fill('#59a14f'),
      )
      await same([a, b], 'front and recolour at once')
      expect(await ids(b.page)).toEqual([y, z, x])
      expect((await shape(a.page, x!)).attrs.fill).toBe('#59a14f')
      await clearBoth()
    })

    it('one deletes a shape while the other recolours it: the delete wins', async () => {
      const [x, y, z] = await threeShapes()
      await select(a, y!)
      await select(b, y!)
      await atOnce(
        a,
        b,
        () => a.page.keyboard.press('Delete').then(() => undefined),
        () => b.page.locator('[data-field="fill"]').fill('#59a14f'),
      )
      await same([a, b], 'delete and recolour at once')
      expect(await ids(b.page)).toEqual([x, z])
      for (const p of [a, b]) expect(await count(p, y!)).toBe(0)
      await clearBoth()
    })
  })
})
