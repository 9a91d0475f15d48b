import { describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { svgKind } from '../../islands/svg/index.js'
import { accessorHooks } from '../../src/island/accessors.js'
import type { KindHost } from '../../src/index.js'
import { ManualClock } from '../helpers/clock.js'
import { createPage } from '../helpers/pages.js'

// islands/svg on its own, with a host that records what the kind asks of the engine. The doc
// side is a map of attribute values per element, standing in for the mirror's Y.XmlElements.

function setup(html: string) {
  const doc = createPage(html)
  const root = doc.querySelector('[data-sync-island]')!
  const clock = new ManualClock()
  const docValues = new Map<Element, Record<string, string>>()
  for (const el of Array.from(root.querySelectorAll('*'))) {
    docValues.set(el, Object.fromEntries(Array.from(el.attributes).map((a) => [a.name, a.value])))
  }
  const marked: string[][] = []
  let rescans = 0
  const host: KindHost = {
    root,
    doc: null as unknown as Y.Doc, // the svg kind keeps nothing of its own in the doc
    clock,
    typeOf: (node) => {
      const values = docValues.get(node as Element)
      return values && ({ getAttribute: (k: string) => values[k] } as unknown as Y.XmlElement)
    },
    attributeKey: (attr) => (attr.name.startsWith('data-sync-') ? null : attr.name), // as the engine's host: authoring attributes have no key
    markChanged: (els) => void marked.push([...els].map((e) => e.id)),
    commit: () => undefined,
    rescan: () => {
      rescans++
      hooks.rescan!()
    },
    accessors: accessorHooks({}),
  }
  const hooks = svgKind.attach(host)
  return { doc, root, clock, hooks, marked, rescans: () => rescans }
}

const DRAWING = '<svg data-sync-island="d" id="root"><rect id="r" x="1"/><circle id="c" r="2"/></svg>'
const ARTICLE = '<div data-sync-island="a" id="root"><p id="html" title="t"></p><svg id="s"><rect id="r" x="1"/></svg></div>'

const pointer = (doc: Document, type: string) => doc.body.dispatchEvent(new Event(type, { bubbles: true }))

describe('islands/svg', () => {
  it('attaches to every island (inline SVG stands in articles too); brings the svg profile to SVG island elements only', () => {
    const { root } = setup(DRAWING)
    const div = createPage('<div data-sync-island="a"></div>').body.firstElementChild!
    expect([svgKind.matches(root), svgKind.matches(div)]).toEqual([true, true])
    expect([svgKind.profile!(root), svgKind.profile!(div)]).toEqual(['svg', undefined])
  })

  it('rescan marks the SVG elements whose attributes differ from the doc, and an SVG island element', () => {
    const drawing = setup(DRAWING)
    drawing.hooks.rescan!()
    expect(drawing.marked).toEqual([['root']])
    drawing.doc.getElementById('r')!.setAttribute('x', '5')
    drawing.hooks.rescan!()
    expect(drawing.marked[1]).toEqual(['r', 'root'])

    const article = setup(ARTICLE)
    article.doc.getElementById('r')!.setAttribute('x', '5')
    article.doc.getElementById('html')!.setAttribute('title', 'not SVG: its record carries it')
    article.hooks.rescan!()
    expect(article.marked).toEqual([['r']])
  })

  it('ignores authoring attributes: data-sync-* never differs', () => {
    const { doc, hooks, marked } = setup(DRAWING)
    doc.getElementById('c')!.setAttribute('data-sync-ignore-attrs', 'class')
    hooks.rescan!()
    expect(marked).toEqual([['root']])
  })

  it('a key or click rescans once, after the page handled it; a pointer held down rescans every 16 ms until released', () => {
    const { doc, clock, rescans, hooks } = setup(DRAWING)
    pointer(doc, 'keydown')
    pointer(doc, 'keyup')
    expect(rescans()).toBe(0)
    clock.advance(0)
    expect(rescans(), 'one rescan for the two events').toBe(1)

    pointer(doc, 'pointerdown')
    clock.advance(16 * 3)
    expect(rescans()).toBe(4)
    pointer(doc, 'pointerup')
    clock.advance(1000)
    expect(rescans(), 'the drag stopped; pointerup itself rescans once').toBe(5)
    hooks.stop()
  })

  it('before a remote update, marks changes only mid-drag (otherwise records and input rescans have them)', () => {
    const { doc, hooks, marked } = setup(DRAWING)
    doc.getElementById('r')!.setAttribute('x', '9')
    hooks.beforeRemoteApply!()
    expect(marked).toEqual([])
    pointer(doc, 'pointerdown')
    hooks.beforeRemoteApply!()
    expect(marked).toEqual([['r', 'root']])
    hooks.stop()
  })

  it('stop removes its listeners and timers: no rescan after it', () => {
    const { doc, clock, hooks, rescans } = setup(DRAWING)
    pointer(doc, 'pointerdown')
    pointer(doc, 'keydown')
    hooks.stop()
    expect(clock.pending).toBe(0)
    pointer(doc, 'pointerdown')
    pointer(doc, 'click')
    clock.advance(1000)
    expect(rescans()).toBe(0)
  })
})
