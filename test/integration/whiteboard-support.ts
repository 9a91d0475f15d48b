// What the whiteboard's tests share: the app's DOM read and driven the way a person drives it
// (the real mouse and keyboard, through page.mouse), in a page or in a frame of the pair page.
import { expect } from 'vitest'
import type { BrowserContext, Frame, Page } from 'playwright-core'

export const WAIT = 15_000

export type Where = Page | Frame
export interface Pt {
  x: number
  y: number
}

/** Uncaught errors and CSP violations of a page and its frames. */
export function watch(page: Page): string[] {
  const problems: string[] = []
  page.on('pageerror', (e) => problems.push(`error: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()}`)
  })
  return problems
}

/** A point of the drawing (the canvas's user units) on the page's screen. */
export function screen(where: Where, p: Pt): Promise<Pt> {
  return where.evaluate(({ x, y }) => {
    const svg = document.getElementById('wb-canvas') as unknown as SVGSVGElement
    const s = new DOMPoint(x, y).matrixTransform(svg.getScreenCTM()!)
    return { x: s.x, y: s.y }
  }, p)
}

/** In a frame, screen() is the frame's viewport: add the frame's offset for page.mouse. */
export async function pagePoint(page: Page, where: Where, p: Pt): Promise<Pt> {
  const s = await screen(where, p)
  if (where === page) return s
  const box = (await (await (where as Frame).frameElement()).boundingBox())!
  return { x: s.x + box.x + 1, y: s.y + box.y + 1 } // the iframe's 1px border
}

export async function drag(page: Page, where: Where, from: Pt, to: Pt, steps = 8, canvas = true): Promise<void> {
  const a = canvas ? await pagePoint(page, where, from) : from
  const b = canvas ? await pagePoint(page, where, to) : to
  await page.mouse.move(a.x, a.y)
  await page.mouse.down()
  for (let i = 1; i <= steps; i++) await page.mouse.move(a.x + ((b.x - a.x) * i) / steps, a.y + ((b.y - a.y) * i) / steps)
  await page.mouse.up()
}

export async function dblclick(page: Page, where: Where, p: Pt): Promise<void> {
  const s = await pagePoint(page, where, p)
  await page.mouse.dblclick(s.x, s.y)
}

export async function click(page: Page, where: Where, p: Pt, modifiers: 'Shift'[] = []): Promise<void> {
  const s = await pagePoint(page, where, p)
  for (const m of modifiers) await page.keyboard.down(m)
  await page.mouse.click(s.x, s.y)
  for (const m of modifiers) await page.keyboard.up(m)
}

export interface Shape {
  id: string
  tag: string
  attrs: Record<string, string>
  text: string
  children: string[]
}

/** The drawing as the DOM has it: the canvas's children but the overlay, in order. */
export function shapes(where: Where): Promise<Shape[]> {
  return where.evaluate(() => {
    const svg = document.getElementById('wb-canvas')!
    return [...svg.children]
      .filter((el) => !el.classList.contains('wb-ui'))
      .map((el) => ({
        id: el.id,
        tag: el.localName,
        attrs: Object.fromEntries([...el.attributes].map((a) => [a.name, a.value])),
        text: el.textContent ?? '',
        children: [...el.children].map((c) => c.id || c.localName),
      }))
  })
}
export const ids = async (where: Where): Promise<string[]> => (await shapes(where)).map((s) => s.id)
export const shape = async (where: Where, id: string): Promise<Shape> => {
  const found = (await shapes(where)).find((s) => s.id === id)
  if (!found) throw new Error(`no top-level ${id}`)
  return found
}

/** An element's transform list, item by item, through the SVG DOM. */
export function transformOf(where: Where, id: string): Promise<{ type: number; angle: number; e: number; f: number }[]> {
  return where.evaluate((id) => {
    const list = (document.getElementById(id) as unknown as SVGGraphicsElement).transform.baseVal
    return [...Array(list.numberOfItems)].map((_, i) => {
      const t = list.getItem(i)
      return { type: t.type, angle: t.angle, e: t.matrix.e, f: t.matrix.f }
    })
  }, id)
}

/** A point of an element's own user space, on the canvas (after its transforms). */
export function onCanvas(where: Where, id: string, p: Pt | 'centre' | 'nw'): Promise<Pt> {
  return where.evaluate(
    ({ id, p }) => {
      const svg = document.getElementById('wb-canvas') as unknown as SVGSVGElement
      const el = document.getElementById(id) as unknown as SVGGraphicsElement
      const b = el.getBBox()
      const local = p === 'centre' ? { x: b.x + b.width / 2, y: b.y + b.height / 2 } : p === 'nw' ? { x: b.x, y: b.y } : p
      const q = new DOMPoint(local.x, local.y).matrixTransform(svg.getScreenCTM()!.inverse().multiply(el.getScreenCTM()!))
      return { x: q.x, y: q.y }
    },
    { id, p },
  )
}

/** The centre of an element's box, on the canvas. */
export const centre = (where: Where, id: string): Promise<Pt> => onCanvas(where, id, 'centre')

/** The centre of a handle of the selection overlay, on the canvas. */
export function handle(where: Where, name: string): Promise<Pt> {
  return where.evaluate((name) => {
    const svg = document.getElementById('wb-canvas') as unknown as SVGSVGElement
    const h = svg.querySelector(`.wb-ui .wb-handle[data-handle="${name}"]`) as SVGGraphicsElement | null
    if (!h) throw new Error(`no ${name} handle`)
    const b = h.getBBox()
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 }
  }, name)
}

export const selectedIds = (where: Where): Promise<string[]> => where.evaluate(() => [...document.querySelectorAll('#wb-canvas .wb-selected')].map((el) => el.id))
export const overlayCount = (where: Where): Promise<number> => where.evaluate(() => document.querySelector('#wb-canvas > .wb-ui')!.childElementCount)

export const near = (a: number, b: number, tolerance = 1.5): void => {
  expect(Math.abs(a - b), `${a} ≈ ${b}`).toBeLessThanOrEqual(tolerance)
}

export function sharedDrawing(where: Where): Promise<string> {
  return where.evaluate(() => {
    const canon = (el: Element): string => {
      const attrs = [...el.attributes]
        .filter((a) => a.name !== 'class' && !a.name.startsWith('data-sync-'))
        .map((a) => `${a.name}="${a.value}"`)
        .sort()
      const inner = [...el.childNodes].map((n) => (n.nodeType === 1 ? canon(n as Element) : (n.textContent ?? '').trim())).join('')
      return `<${el.localName}${attrs.map((a) => ` ${a}`).join('')}>${inner}</${el.localName}>`
    }
    return [...document.getElementById('wb-canvas')!.children]
      .filter((el) => !el.classList.contains('wb-ui'))
      .map(canon)
      .join('\n')
  })
}

export async function converged(frames: Where[], what: string): Promise<string> {
  const deadline = Date.now() + WAIT
  let last: string[] = []
  while (Date.now() < deadline) {
    last = await Promise.all(frames.map(sharedDrawing))
    if (last.every((d) => d === last[0])) return last[0]!
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${what}: frames differ after ${WAIT} ms:\n${last.join('\n----\n')}`)
}

/** Pixels that differ (any channel by more than 16) between two PNGs, compared on a page canvas. */
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

