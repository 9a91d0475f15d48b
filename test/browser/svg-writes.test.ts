import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { registerKind } from '../../index.js'
import { createSvgKind, svgKind } from '../../islands/index.js'
import { Network, type TestPeer } from '../helpers/pages.js'
import { pointer } from './support.js'

// The svg kind hears SVG DOM writes through wrapped getters and setters (islands/svg/writes.ts):
// a drag tick compares only the elements written since the last one. Comparisons are counted
// through the kind's `compared` option, never timed.

const SVG = 'http://www.w3.org/2000/svg'

function drawing(shapes: number): string {
  let s = '<svg data-sync-island="main" id="s" width="400" height="400">'
  s += '<polyline id="pl" points="0,0 10,0 10,10"/><rect id="t" x="0" y="0" width="5" height="5" transform="translate(0 0)"/>'
  for (let i = 0; i < shapes; i++) s += `<rect id="r${i}" x="${i % 300}" y="${(i * 7) % 300}" width="4" height="4"/>`
  return `${s}</svg>`
}

let compared: Element[] = []
beforeEach(() => {
  compared = []
  registerKind(createSvgKind({ compared: (el) => void compared.push(el) }))
})
afterEach(() => {
  registerKind(svgKind)
})

async function pages(shapes: number): Promise<{ net: Network; a: TestPeer; b: TestPeer }> {
  const net = new Network()
  const a = net.join(drawing(shapes))
  const b = net.join(drawing(shapes))
  await net.settle()
  compared = []
  return { net, a, b }
}
const byId = <T extends Element>(p: TestPeer, id: string): T => p.doc.getElementById(id) as unknown as T

describe('SVG DOM writes, heard where they land', () => {
  it('a drag with pointer events on 2,000 shapes compares only the shape it moves, once per tick', async () => {
    const { net, a, b } = await pages(2000)
    const shape = byId<SVGRectElement>(a, 'r1000')
    pointer(shape, 'pointerdown', 0, 0)
    for (let m = 1; m <= 10; m++) {
      shape.x.baseVal.value += 1
      pointer(shape, 'pointermove', m, 0)
      net.clock.advance(16)
      await net.step()
    }
    pointer(shape, 'pointerup', 10, 0)
    await net.settle()
    expect(byId<SVGRectElement>(b, 'r1000').getAttribute('x')).toBe(shape.getAttribute('x'))
    expect(new Set(compared)).toEqual(new Set([shape]))
    expect(compared.length, 'one comparison per tick that followed a write, none after').toBeLessThanOrEqual(11)
    net.peers.forEach((p) => p.session.stop())
  })

  it('a tick with no write since the last compares nothing', async () => {
    const { net, a } = await pages(50)
    pointer(byId(a, 'r1'), 'pointerdown', 0, 0)
    net.clock.advance(16 * 10)
    pointer(byId(a, 'r1'), 'pointerup', 0, 0)
    await net.settle()
    expect(compared).toEqual([])
    net.peers.forEach((p) => p.session.stop())
  })

  it('a point of a list item reached after the hooks: points.getItem(0).x = 3', async () => {
    const { net, a, b } = await pages(20)
    const pl = byId<SVGPolylineElement>(a, 'pl')
    pointer(pl, 'pointerdown', 0, 0)
    pl.points.getItem(0).x = 3
    net.clock.advance(16)
    await net.step()
    expect(byId(b, 'pl').getAttribute('points')).toBe(pl.getAttribute('points'))
    expect(pl.getAttribute('points')).toMatch(/^3[ ,]0/)
    pointer(pl, 'pointerup', 0, 0)
    await net.settle()
    expect(new Set(compared)).toEqual(new Set([pl]))
    net.peers.forEach((p) => p.session.stop())
  })

  it('a transform item: its matrix.e, then setTranslate', async () => {
    const { net, a, b } = await pages(20)
    const t = byId<SVGRectElement>(a, 't')
    pointer(t, 'pointerdown', 0, 0)
    t.transform.baseVal.getItem(0).matrix.e = 5
    net.clock.advance(16)
    await net.step()
    expect(byId<SVGRectElement>(b, 't').transform.baseVal.getItem(0).matrix.e).toBe(5)
    t.transform.baseVal.getItem(0).setTranslate(7, 8)
    pointer(t, 'pointerup', 0, 0)
    await net.settle()
    const m = byId<SVGRectElement>(b, 't').transform.baseVal.getItem(0).matrix
    expect([m.e, m.f]).toEqual([7, 8])
    expect(new Set(compared)).toEqual(new Set([t]))
    net.peers.forEach((p) => p.session.stop())
  })

  it('x.baseVal.value after a key press: only that shape is compared', async () => {
    const { net, a, b } = await pages(200)
    a.doc.addEventListener('keydown', () => {
      byId<SVGRectElement>(a, 'r5').x.baseVal.value = 123
    })
    a.doc.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }))
    await net.settle()
    expect(byId(b, 'r5').getAttribute('x')).toBe('123')
    expect(compared).toEqual([byId(a, 'r5')])
    net.peers.forEach((p) => p.session.stop())
  })

  it('an object cached before the island started is caught by the rescan at pointerup', async () => {
    const net = new Network()
    const html = drawing(100)
    const aDoc = document.implementation.createHTMLDocument('')
    aDoc.body.innerHTML = html
    const cached = (aDoc.getElementById('r7') as unknown as SVGRectElement).x.baseVal // before any hook
    const a = net.attach(aDoc, 'a')
    const b = net.join(html, 'b')
    await net.settle()
    compared = []
    const shape = aDoc.getElementById('r7')!
    pointer(shape, 'pointerdown', 0, 0)
    cached.value = 250
    net.clock.advance(16 * 3)
    await net.step()
    pointer(shape, 'pointerup', 0, 0)
    await net.settle()
    expect(byId(b, 'r7').getAttribute('x')).toBe('250')
    expect(compared.length, 'the whole island, once').toBeGreaterThanOrEqual(100)
    expect(compared.length).toBeLessThan(2 * 103)
    expect(a.errors).toEqual([])
    net.peers.forEach((p) => p.session.stop())
  })

  it('a point reached by index (no wrap sees it) during a drag: found among the touched elements', async () => {
    const { net, a, b } = await pages(50)
    const pl = byId<SVGPolylineElement>(a, 'pl')
    pointer(pl, 'pointerdown', 0, 0)
    const points = pl.points as unknown as SVGPoint[]
    points[1]!.y = 9
    net.clock.advance(16)
    await net.step()
    expect(byId(b, 'pl').getAttribute('points')).toBe(pl.getAttribute('points'))
    pointer(pl, 'pointerup', 0, 0)
    await net.settle()
    net.peers.forEach((p) => p.session.stop())
  })

  it('objects the page makes itself (createSVGTransform, createSVGMatrix().translate()) belong to no element: no rescan for them', async () => {
    const { net, a, b } = await pages(50)
    const t = byId<SVGRectElement>(a, 't')
    const svg = byId<SVGSVGElement>(a, 's')
    pointer(t, 'pointerdown', 0, 0)
    const scale = svg.createSVGTransform()
    scale.setScale(2, 2)
    const m = svg.createSVGMatrix().translate(3, 4)
    m.e = 6
    t.transform.baseVal.appendItem(scale)
    pointer(t, 'pointerup', 0, 0)
    await net.settle()
    expect(byId<SVGRectElement>(b, 't').transform.baseVal.numberOfItems).toBe(2)
    expect(new Set(compared)).toEqual(new Set([t]))
    net.peers.forEach((p) => p.session.stop())
  })
})

describe('the hooks leave with the last island', () => {
  it('stop puts back every prototype descriptor the kind wrapped', async () => {
    const protos: Array<[object, string]> = []
    const names = ['SVGRectElement', 'SVGGraphicsElement', 'SVGPolylineElement', 'SVGAnimatedLength', 'SVGAnimatedString', 'SVGLength', 'SVGTransform', 'SVGTransformList', 'SVGPointList', 'SVGPoint', 'SVGMatrix', 'SVGSVGElement', 'SVGElement']
    const w = window as unknown as Record<string, { prototype: object }>
    for (const n of names) for (const p of Object.getOwnPropertyNames(w[n]!.prototype)) protos.push([w[n]!.prototype, p])
    const before = protos.map(([o, p]) => Object.getOwnPropertyDescriptor(o, p))
    const { net } = await pages(5)
    const during = protos.map(([o, p]) => Object.getOwnPropertyDescriptor(o, p))
    const changed = (xs: typeof before) => xs.filter((d, i) => d!.get !== before[i]!.get || d!.set !== before[i]!.set || d!.value !== before[i]!.value).length
    expect(changed(during), 'wrapped while islands run').toBeGreaterThan(20)
    net.peers[0]!.session.stop()
    expect(changed(protos.map(([o, p]) => Object.getOwnPropertyDescriptor(o, p))), 'still wrapped: one island runs').toBe(changed(during))
    net.peers[1]!.session.stop()
    const after = protos.map(([o, p]) => Object.getOwnPropertyDescriptor(o, p))
    expect(changed(after)).toBe(0)
    expect(after).toEqual(before)
    void SVG
  })
})
