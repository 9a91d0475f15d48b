// Driving the whiteboard app (demo/whiteboard/) with the mouse from a test, page by page: points
// of the drawing on screen, drags and clicks, its shapes and overlay as the DOM has them, the
// shared drawing's canonical form and a pixel comparison. The same ways as the app's own suite
// (whiteboard-app.test.ts, which drives frames of the pair page), for whole pages, as the
// bookmarklet's runs have them.
import type { BrowserContext, Page } from 'playwright-core'

export interface Pt {
  x: number
  y: number
}

/** A point of the drawing (the canvas's user units) on the page's screen. */
export const screen = (page: Page, p: Pt): Promise<Pt> =>
  page.evaluate(({ x, y }) => {
    const svg = document.getElementById('wb-canvas') as unknown as SVGSVGElement
    const s = new DOMPoint(x, y).matrixTransform(svg.getScreenCTM()!)
    return { x: s.x, y: s.y }
  }, p)

export async function drag(page: Page, from: Pt, to: Pt, steps = 8): Promise<void> {
  const a = await screen(page, from)
  const b = await screen(page, to)
  await page.mouse.move(a.x, a.y)
  await page.mouse.down()
  for (let i = 1; i <= steps; i++) await page.mouse.move(a.x + ((b.x - a.x) * i) / steps, a.y + ((b.y - a.y) * i) / steps)
  await page.mouse.up()
}

export async function click(page: Page, p: Pt, modifiers: 'Shift'[] = []): Promise<void> {
  const s = await screen(page, p)
  for (const m of modifiers) await page.keyboard.down(m)
  await page.mouse.click(s.x, s.y)
  for (const m of modifiers) await page.keyboard.up(m)
}

export async function dblclick(page: Page, p: Pt): Promise<void> {
  const s = await screen(page, p)
  await page.mouse.dblclick(s.x, s.y)
}

export interface Shape {
  id: string
  tag: string
  attrs: Record<string, string>
  text: string
  children: string[]
}

/** The drawing as the DOM has it: the canvas's children but the overlay, in order. */
export const shapes = (page: Page): Promise<Shape[]> =>
  page.evaluate(() =>
    [...document.getElementById('wb-canvas')!.children]
      .filter((el) => !el.classList.contains('wb-ui'))
      .map((el) => ({
        id: el.id,
        tag: el.localName,
        attrs: Object.fromEntries([...el.attributes].map((a) => [a.name, a.value])),
        text: el.textContent ?? '',
        children: [...el.children].map((c) => c.id || c.localName),
      })),
  )

/** A point of an element's own user space (its centre), on the canvas, after its transforms. */
export const centre = (page: Page, id: string): Promise<Pt> =>
  page.evaluate((id) => {
    const svg = document.getElementById('wb-canvas') as unknown as SVGSVGElement
    const el = document.getElementById(id) as unknown as SVGGraphicsElement
    const b = el.getBBox()
    const q = new DOMPoint(b.x + b.width / 2, b.y + b.height / 2).matrixTransform(svg.getScreenCTM()!.inverse().multiply(el.getScreenCTM()!))
    return { x: q.x, y: q.y }
  }, id)

/** The centre of a handle of the selection overlay, on the canvas. */
export const handle = (page: Page, name: string): Promise<Pt> =>
  page.evaluate((name) => {
    const h = document.querySelector(`#wb-canvas > .wb-ui .wb-handle[data-handle="${name}"]`) as SVGGraphicsElement | null
    if (!h) throw new Error(`no ${name} handle`)
    const b = h.getBBox()
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 }
  }, name)

export const selectedIds = (page: Page): Promise<string[]> => page.evaluate(() => [...document.querySelectorAll('#wb-canvas .wb-selected')].map((el) => el.id))
export const overlayCount = (page: Page): Promise<number> => page.evaluate(() => document.querySelector('#wb-canvas > .wb-ui')!.childElementCount)

/** The drawing as shared: the canvas's shapes without local state (classes, the overlay), attributes sorted. */
export const sharedDrawing = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const canon = (el: Element): string => {
      const attrs = [...el.attributes].filter((a) => a.name !== 'class' && !a.name.startsWith('data-sync-')).map((a) => `${a.name}="${a.value}"`).sort()
      const inner = [...el.childNodes].map((n) => (n.nodeType === 1 ? canon(n as Element) : (n.textContent ?? '').trim())).join('')
      return `<${el.localName}${attrs.map((a) => ` ${a}`).join('')}>${inner}</${el.localName}>`
    }
    return [...document.getElementById('wb-canvas')!.children].filter((el) => !el.classList.contains('wb-ui')).map(canon).join('\n')
  })

/** Polls until every page shows one drawing; returns it. */
export async function converged(pages: Page[], what: string, timeout = 15_000): Promise<string> {
  const deadline = Date.now() + timeout
  let last: string[] = []
  while (Date.now() < deadline) {
    last = await Promise.all(pages.map(sharedDrawing))
    if (last.every((d) => d === last[0])) return last[0]!
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${what}: pages differ after ${timeout} ms:\n${last.join('\n----\n')}`)
}

/** Pixels differing by more than 16 in a channel, of two PNG screenshots of one size. */
export async function pixelDiff(context: BrowserContext, a: Buffer, b: Buffer): Promise<{ differing: number; total: number }> {
  const page = await context.newPage()
  try {
    return await page.evaluate(
      async ([a, b]) => {
        const load = async (b64: string) => {
          const img = new Image()
          img.src = `data:image/png;base64,${b64}`
          await img.decode()
          const canvas = new OffscreenCanvas(img.width, img.height)
          const ctx = canvas.getContext('2d')!
          ctx.drawImage(img, 0, 0)
          return ctx.getImageData(0, 0, img.width, img.height)
        }
        const [x, y] = await Promise.all([load(a!), load(b!)])
        if (x.width !== y.width || x.height !== y.height) return { differing: Infinity, total: x.width * x.height }
        let differing = 0
        for (let i = 0; i < x.data.length; i += 4) {
          for (let c = 0; c < 4; c++) {
            if (Math.abs(x.data[i + c]! - y.data[i + c]!) > 16) {
              differing++
              break
            }
          }
        }
        return { differing, total: x.width * x.height }
      },
      [a.toString('base64'), b.toString('base64')],
    )
  } finally {
    await page.close()
  }
}
