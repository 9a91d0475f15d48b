import { afterEach, describe, expect, it, vi } from 'vitest'
import { Network, type TestPeer } from '../helpers/pages.js'
import { userEvent } from 'vitest/browser'
import { Binding } from '../../src/binding/binding.js'
import { outgoingCounter, pointer, tick } from './support.js'

// Chromium changes an attribute set through the SVG DOM (transform.baseVal, x.baseVal.value,
// point lists) without any MutationObserver record; editors drag shapes exactly that way. The
// svg kind hears those writes through its wrapped accessors and sends them after input and
// every 16 ms while a pointer is down (test/browser/svg-writes.test.ts counts what it compares).

const PAGE =
  '<div data-sync-island="main"><svg id="s" viewBox="0 0 200 200" width="200" height="200">' +
  '<rect id="r" x="10" y="10" width="20" height="20" transform="translate(0 0)"/>' +
  '<polygon id="p" points="0,0 10,0 10,10"/>' +
  '</svg></div>'

async function threePages(): Promise<{ net: Network; a: TestPeer; b: TestPeer; c: TestPeer }> {
  const net = new Network()
  const [a, b, c] = [net.join(PAGE), net.join(PAGE), net.join(PAGE)]
  await net.settle()
  return { net, a: a!, b: b!, c: c! }
}

const rect = (p: TestPeer): SVGRectElement => p.doc.getElementById('r') as unknown as SVGRectElement
const polygon = (p: TestPeer): SVGPolygonElement => p.doc.getElementById('p') as unknown as SVGPolygonElement
const matrixOf = (el: SVGGraphicsElement): number[] => {
  const m = el.transform.baseVal.consolidate()?.matrix
  return m ? [m.a, m.b, m.c, m.d, m.e, m.f].map((v) => Math.round(v * 1000) / 1000) : []
}

/** An editor's drag handler: moves the shape by the pointer's travel, through the SVG DOM only. */
function draggable(shape: SVGRectElement): void {
  let start: { x: number; y: number; x0: number } | null = null
  shape.addEventListener('pointerdown', (e) => {
    start = { x: e.clientX, y: e.clientY, x0: shape.x.baseVal.value }
  })
  shape.ownerDocument.addEventListener('pointermove', (e) => {
    if (!start) return
    shape.transform.baseVal.getItem(0).setTranslate(e.clientX - start.x, e.clientY - start.y)
  })
  shape.ownerDocument.addEventListener('pointerup', () => {
    start = null
  })
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('attributes changed through the SVG DOM (Chromium makes no mutation record for them)', () => {
  it('Chromium really gives no record: the premise of the rescan', async () => {
    const { a } = await threePages()
    const records: MutationRecord[] = []
    const mo = new MutationObserver((rs) => records.push(...rs))
    mo.observe(a.island(), { attributes: true, subtree: true })
    rect(a).transform.baseVal.getItem(0).setTranslate(5, 6)
    rect(a).x.baseVal.value = 42
    polygon(a).points.getItem(0).x = 3
    await tick()
    records.push(...mo.takeRecords())
    mo.disconnect()
    expect(rect(a).getAttribute('x')).toBe('42')
    expect(records).toEqual([])
  })

  it('a shape dragged through transform.baseVal arrives while the pointer is down, and where it was dropped', async () => {
    const { net, a, b, c } = await threePages()
    draggable(rect(a))
    const sent = outgoingCounter(a)

    pointer(rect(a), 'pointerdown', 100, 100)
    pointer(rect(a), 'pointermove', 130, 140)
    await tick()
    expect(sent.count, 'no record, so nothing goes out before the drag tick').toBe(0)

    net.clock.advance(16) // one drag tick: the rescan finds the moved shape
    await net.step()
    expect(sent.count).toBe(1)
    expect(matrixOf(rect(b))).toEqual([1, 0, 0, 1, 30, 40])
    expect(rect(b).getAttribute('transform')).toBe(rect(a).getAttribute('transform'))

    pointer(rect(a), 'pointermove', 150, 170)
    pointer(rect(a), 'pointerup', 150, 170)
    await net.settle()
    for (const p of [b, c]) {
      expect(matrixOf(rect(p))).toEqual([1, 0, 0, 1, 50, 70])
      expect(rect(p).getAttribute('transform')).toBe(rect(a).getAttribute('transform'))
    }
    expect(net.canonical()).toEqual([net.canonical()[0], net.canonical()[0], net.canonical()[0]])
    sent.stop()
  })

  it('a rotation handle: setRotate on an existing item, then createSVGTransform + appendItem', async () => {
    const { net, a, b, c } = await threePages()
    const shape = rect(a)
    const svg = shape.ownerSVGElement!
    shape.addEventListener('pointerdown', () => shape.transform.baseVal.getItem(0).setRotate(30, 20, 20))
    shape.addEventListener('pointerup', () => {
      const scale = svg.createSVGTransform()
      scale.setScale(2, 2)
      shape.transform.baseVal.appendItem(scale)
    })
    pointer(shape, 'pointerdown', 20, 20)
    pointer(shape, 'pointerup', 20, 20)
    await net.settle()
    expect(shape.transform.baseVal.numberOfItems).toBe(2)
    for (const p of [b, c]) {
      expect(rect(p).transform.baseVal.numberOfItems).toBe(2)
      expect(rect(p).transform.baseVal.getItem(0).type).toBe(SVGTransform.SVG_TRANSFORM_ROTATE)
      expect(rect(p).transform.baseVal.getItem(0).angle).toBe(30)
      expect(rect(p).transform.baseVal.getItem(1).type).toBe(SVGTransform.SVG_TRANSFORM_SCALE)
      expect(matrixOf(rect(p))).toEqual(matrixOf(shape))
    }
  })

  it('x.baseVal.value, a transform matrix entry and a polygon point, changed on pointermove, arrive', async () => {
    const { net, a, b, c } = await threePages()
    const shape = rect(a)
    const poly = polygon(a)
    a.doc.addEventListener('pointermove', (e) => {
      shape.x.baseVal.value = e.clientX
      shape.transform.baseVal.getItem(0).matrix.f = e.clientY
      poly.points.getItem(0).x = e.clientX / 2
      poly.points.getItem(2).y = e.clientY / 2
    })
    pointer(shape, 'pointerdown', 0, 0)
    pointer(shape, 'pointermove', 64, 32)
    net.clock.advance(16)
    await net.step()
    expect(rect(b).x.baseVal.value, 'arrives during the drag').toBe(64)
    pointer(shape, 'pointermove', 80, 48)
    pointer(shape, 'pointerup', 80, 48)
    await net.settle()
    for (const p of [b, c]) {
      expect(rect(p).x.baseVal.value).toBe(80)
      expect(matrixOf(rect(p))).toEqual([1, 0, 0, 1, 0, 48])
      expect(polygon(p).points.getItem(0).x).toBe(40)
      expect(polygon(p).points.getItem(2).y).toBe(24)
      expect(polygon(p).getAttribute('points')).toBe(poly.getAttribute('points'))
    }
  })

  it('a key press (nudging with the arrow keys) triggers the rescan too', async () => {
    const { net, a, b } = await threePages()
    a.doc.addEventListener('keydown', () => {
      rect(a).x.baseVal.value += 1
    })
    a.doc.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }))
    await net.settle()
    expect(rect(b).getAttribute('x')).toBe('11')
  })

  it('without input the change waits for a rescan: nothing is sent until then', async () => {
    const { net, a, b } = await threePages()
    const sent = outgoingCounter(a)
    rect(a).x.baseVal.value = 99
    await net.settle()
    expect(sent.count).toBe(0)
    expect(rect(b).getAttribute('x')).toBe('10')
    a.session.islands.get('main')!.rescan()
    await net.settle()
    expect(sent.count).toBe(1)
    expect(rect(b).getAttribute('x')).toBe('99')
  })

  it('plain setAttribute changes need no rescan: the mutation record carries them', async () => {
    const { net, a, b, c } = await threePages()
    const rescan = vi.spyOn(Binding.prototype, 'rescan')
    const sent = outgoingCounter(a)
    rect(a).setAttribute('x', '42')
    rect(a).setAttribute('transform', 'translate(3 4) rotate(10)')
    polygon(a).setAttribute('points', '1,1 2,2 3,1')
    await tick() // the observer's callback; no input, no timer has run
    expect(sent.count).toBe(1)
    net.bus.deliver()
    await tick()
    for (const p of [b, c]) {
      expect(rect(p).getAttribute('x')).toBe('42')
      expect(rect(p).getAttribute('transform')).toBe('translate(3 4) rotate(10)')
      expect(polygon(p).getAttribute('points')).toBe('1,1 2,2 3,1')
    }
    expect(rescan).not.toHaveBeenCalled()
  })
})

describe('a real drag (browser input, not synthetic events)', () => {
  it('a shape dragged with the mouse arrives at the other page', async () => {
    // Page A is the test's own document, so the browser's real pointer reaches it.
    const host = document.createElement('div')
    host.innerHTML = PAGE.replace('id="s"', 'id="s" style="position: absolute; left: 0; top: 0"') + '<div id="drop" style="position: absolute; left: 300px; top: 150px; width: 10px; height: 10px"></div>'
    document.body.appendChild(host)
    const net = new Network()
    const a = net.attach(document)
    const b = net.join(PAGE)
    try {
      await net.settle()
      const shape = document.getElementById('r') as unknown as SVGRectElement
      let start: { x: number; y: number } | null = null
      const moves: number[] = []
      shape.addEventListener('pointerdown', (e) => {
        start = { x: e.clientX, y: e.clientY }
        shape.setPointerCapture(e.pointerId)
      })
      shape.addEventListener('pointermove', (e) => {
        if (!start) return
        moves.push(e.clientX)
        shape.transform.baseVal.getItem(0).setTranslate(e.clientX - start.x, e.clientY - start.y)
      })
      shape.addEventListener('pointerup', () => {
        start = null
      })
      await userEvent.dragAndDrop(shape, document.getElementById('drop')!)
      await net.settle()
      expect(moves.length, 'the browser sent pointermove events').toBeGreaterThan(0)
      const m = matrixOf(shape)
      expect(m[4], 'the shape moved to the right').toBeGreaterThan(200)
      expect(matrixOf(rect(b))).toEqual(m)
      expect(rect(b).getAttribute('transform')).toBe(shape.getAttribute('transform'))
      expect(a.errors).toEqual([])
    } finally {
      for (const p of net.peers) p.session.stop()
      host.remove()
      for (const id of ['xmpp-outgoing', 'xmpp-incoming']) document.getElementById(id)?.remove()
    }
  })
})
