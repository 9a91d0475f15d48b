// End to end: the demo as a person uses it. A private Prosody and the demo server, two Chromium
// pages on the demo; one drags shapes with the mouse (the page moves them through the SVG DOM,
// which MutationObserver does not see), the other types and adds a shape; both converge.
// Then the same without Prosody: the page says it falls back to BroadcastChannel, and two tabs
// of one browser converge through it.
import { existsSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { addTestingTools, canonicalIsland } from './testing-script.js'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs'
import { startProsody, type ProsodyInstance } from '../../scripts/prosody.mjs'
import { startDemoServer, type DemoServer } from '../../demo/server.mjs'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const IIFE = `${ROOT}dist/xml-sync-islands.iife.js`
const WAIT = 15_000

let browser: Browser

beforeAll(async () => {
  // `npm test` builds first; a lone `vitest run` builds here if it has to.
  if (!existsSync(IIFE)) execFileSync(process.execPath, ['scripts/build.mjs', '--no-check', '--quiet'], { cwd: ROOT, stdio: 'inherit' })
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
})

afterAll(async () => {
  await browser?.close()
})

/** Opens the demo and records the page's uncaught errors. */
async function open(context: BrowserContext, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(url)
  await page.waitForFunction(() => (window as any).demo !== undefined, null, { timeout: WAIT })
  await addTestingTools(page)
  return { page, errors }
}

const canonical = (page: Page): Promise<string[]> => Promise.all(['drawing', 'notes'].map((name) => canonicalIsland(page, name)))

const waitForPeers = (page: Page, n: number) =>
  page.waitForFunction((n) => (window as any).demo.session.peers.size === n, n, { timeout: WAIT })

/** Drags the first shape matching `selector` by (dx, dy) screen pixels, in small steps. */
async function drag(page: Page, selector: string, dx: number, dy: number): Promise<void> {
  const box = await page.locator(selector).first().boundingBox()
  if (!box) throw new Error(`no ${selector} to drag`)
  const x = box.x + box.width / 2
  const y = box.y + box.height / 2
  await page.mouse.move(x, y)
  await page.mouse.down()
  const steps = 12
  for (let i = 1; i <= steps; i++) await page.mouse.move(x + (dx * i) / steps, y + (dy * i) / steps)
  await page.mouse.up()
}

/** Polls until every page shows the same islands; returns them. */
async function converged(pages: Page[], what: string): Promise<string[]> {
  const deadline = Date.now() + WAIT
  let last: string[][] = []
  while (Date.now() < deadline) {
    last = await Promise.all(pages.map(canonical))
    if (last.every((c) => c.join('\n') === last[0]!.join('\n'))) return last[0]!
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${what}: pages did not converge within ${WAIT} ms:\n${last.map((c) => c.join('\n')).join('\n----\n')}`)
}

/** The same edits in both bridges: A drags, B types and adds a shape, A recolours it. */
async function editAndConverge(a: Page, b: Page, label: string): Promise<void> {
  const before = await canonical(a)
  expect(await canonical(b)).toEqual(before)

  await drag(a, '#shapes rect', 120, 60) // x.baseVal / y.baseVal
  await drag(a, '#shapes circle', -80, 90) // transform.baseVal
  await b.locator('#notes p').first().click()
  await b.keyboard.press('End')
  await b.keyboard.type(` Typed in B (${label}).`)
  await b.click('#add')
  const shapesInB = await b.locator('#shapes > *').count()

  let [drawing, notes] = await converged([a, b], `${label}: drag, type, add`)
  expect(drawing).not.toEqual(before[0])
  expect(notes).toContain(`Typed in B (${label}).`)
  const rect = await a.evaluate(() => {
    const r = document.querySelector('#shapes rect') as SVGRectElement
    return { x: r.x.baseVal.value, y: r.y.baseVal.value }
  })
  expect(rect.x).toBeGreaterThan(60 + 50) // moved right by the drag (screen px scale to user units)
  expect(drawing).toContain(`x="${rect.x}"`)
  expect(drawing).toMatch(/<svg:circle [^>]*transform="translate\(/)
  expect(await a.locator('#shapes > *').count()).toBe(shapesInB)

  // A selects the shape B added (the last one) and recolours it.
  const last = a.locator('#shapes > *').last()
  const box = (await last.boundingBox())!
  const fillBefore = await last.getAttribute('fill')
  await a.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
  await a.click('#recolour')
  ;[drawing, notes] = await converged([a, b], `${label}: recolour`)
  expect(await b.locator('#shapes > *').last().getAttribute('fill')).not.toBe(fillBefore)

  // The selection outline is local (data-sync-ignore-attrs="class").
  expect(await a.locator('#shapes > .selected').count()).toBe(1)
  expect(drawing).not.toContain('selected')
}

describe('the demo through a private Prosody', () => {
  let prosody: ProsodyInstance
  let server: DemoServer

  beforeAll(async () => {
    prosody = await startProsody()
    server = await startDemoServer({ port: 0, prosody })
  })

  afterAll(async () => {
    await server?.close()
    await prosody?.stop()
  })

  it('two windows converge through XMPP, and a late joiner gets the state', async () => {
    const url = `${server.url}?room=e2e${Date.now().toString(36)}`
    // Separate browser contexts: no BroadcastChannel between them, only the server.
    const [ctxA, ctxB, ctxC] = await Promise.all([browser.newContext(), browser.newContext(), browser.newContext()])
    try {
      const A = await open(ctxA, url)
      const B = await open(ctxB, url)
      for (const { page } of [A, B]) {
        expect(await page.evaluate(() => (window as any).demo.kind)).toBe('xmpp')
        await waitForPeers(page, 1)
        await expect.poll(() => page.locator('#bridge').textContent(), { timeout: WAIT }).toContain('online as')
      }
      expect(await A.page.locator('#bridge').textContent()).toContain('XMPP through Prosody')

      await editAndConverge(A.page, B.page, 'xmpp')

      const C = await open(ctxC, url)
      await waitForPeers(C.page, 2)
      const state = await converged([A.page, B.page, C.page], 'late joiner')
      expect(state[1]).toContain('Typed in B (xmpp).')

      for (const { page, errors } of [A, B, C]) {
        expect(errors).toEqual([])
        expect(await page.locator('#errors').textContent()).toBe('none')
      }
    } finally {
      await Promise.all([ctxA.close(), ctxB.close(), ctxC.close()])
    }
  })
})

describe('the demo without Prosody', () => {
  let server: DemoServer

  beforeAll(async () => {
    server = await startDemoServer({ port: 0, reason: 'this test started no Prosody' })
  })

  afterAll(async () => {
    await server?.close()
  })

  it('says so, and two tabs of one browser converge through BroadcastChannel', async () => {
    const url = `${server.url}?room=e2e${Date.now().toString(36)}`
    const ctx = await browser.newContext()
    try {
      const A = await open(ctx, url)
      const B = await open(ctx, url)
      for (const { page } of [A, B]) {
        expect(await page.evaluate(() => (window as any).demo.kind)).toBe('broadcast')
        expect(await page.locator('#bridge').textContent()).toContain('BroadcastChannel')
        expect(await page.locator('#bridge').textContent()).toContain('this test started no Prosody')
        await waitForPeers(page, 1)
      }

      await editAndConverge(A.page, B.page, 'broadcast')

      for (const { page, errors } of [A, B]) {
        expect(errors).toEqual([])
        expect(await page.locator('#errors').textContent()).toBe('none')
      }
    } finally {
      await ctx.close()
    }
  })
})
