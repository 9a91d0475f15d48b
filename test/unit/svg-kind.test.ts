import { afterEach, describe, expect, it, vi } from 'vitest'
import type * as Y from 'yjs'
import { svgKind } from '../../islands/svg/index.js'
import { accessorHooks } from '../../src/island/accessors.js'
import type { KindHooks, KindHost } from '../../src/index.js'
import { ManualClock } from '../helpers/clock.js'
import { createPage } from '../helpers/pages.js'

// islands/svg on its own, with a host that records what the kind asks of the engine. The doc
// side is a map of attribute values per element, standing in for the mirror's Y.XmlElements.

const attached: KindHooks[] = []
afterEach(() => {
  for (const h of attached.splice(0)) h.stop()
  vi.unstubAllGlobals()
})

function setup(page: string | Document) {
  const doc = typeof page === 'string' ? createPage(page) : page
  const root = doc.querySelector('[data-sync-island]')!
  const clock = new ManualClock()
  const docValues = new Map<Element, Record<string, string>>()
  for (const el of Array.from(root.querySelectorAll('*'))) {
    docValues.set(el, Object.fromEntries(Array.from(el.attributes).map((a) => [a.name, a.value])))
  }
  const marked: string[][] = []
  let rescans = 0
  let commits = 0
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
    commit: () => void commits++,
    rescan: () => {
      rescans++
      hooks.rescan!()
    },
    accessors: accessorHooks({}),
  }
  const hooks = svgKind.attach(host)
  attached.push(hooks)
  return { doc, root, clock, hooks, marked, rescans: () => rescans, commits: () => commits }
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

  it('a key or click looks once, after the page handled it, at what the SVG DOM wrote; at nothing when nothing was written', () => {
    const { doc, clock, rescans, marked, commits } = setup(DRAWING)
    pointer(doc, 'keydown')
    clock.advance(0)
    expect([marked, commits()], 'no write: nothing compared, nothing committed').toEqual([[], 0])
    pointer(doc, 'keydown')
    ;(doc.getElementById('r') as unknown as SVGRectElement).x.baseVal.value = 5
    pointer(doc, 'keyup')
    clock.advance(0)
    expect([marked, commits()], 'one look for the two events').toEqual([[['r']], 1])
    expect(rescans(), 'never the whole island').toBe(0)
  })

  it('a pointer held down looks every 16 ms at the elements written since the last tick, until released', () => {
    const { doc, clock, marked, commits, rescans } = setup(DRAWING)
    const r = doc.getElementById('r') as unknown as SVGRectElement
    const c = doc.getElementById('c') as unknown as SVGCircleElement
    pointer(doc, 'pointerdown')
    r.x.baseVal.value = 5
    clock.advance(16)
    expect(marked).toEqual([['r']])
    clock.advance(16 * 3)
    expect(marked, 'no write, no look').toHaveLength(1)
    c.r.baseVal.value = 7
    clock.advance(16)
    expect(marked).toEqual([['r'], ['c']])
    pointer(doc, 'pointerup')
    clock.advance(1000)
    expect([marked.length, commits(), rescans()]).toEqual([2, 2, 0])
  })

  it('the last move of a drag, written after the last tick, is committed once the pointer is released', () => {
    const { doc, clock, marked, commits } = setup(DRAWING)
    const r = doc.getElementById('r') as unknown as SVGRectElement
    pointer(doc, 'pointerdown')
    r.x.baseVal.value = 5
    clock.advance(16)
    r.x.baseVal.value = 9 // between two ticks: the pointer comes up before the next one
    pointer(doc, 'pointerup')
    clock.advance(0)
    expect(marked).toEqual([['r'], ['r']])
    expect(commits(), 'the tick, then the end of the drag').toBe(2)
    clock.advance(1000)
    expect(commits()).toBe(2)
  })

  it('a write on an object cached before the kind attached: the elements touched in the drag, then the whole island when it ends', () => {
    const doc = createPage(DRAWING)
    const cached = (doc.getElementById('r') as unknown as SVGRectElement).x.baseVal
    const { clock, marked } = setup(doc)
    const c = doc.getElementById('c') as unknown as SVGCircleElement
    pointer(doc, 'pointerdown')
    void c.r.baseVal.value // touched by the page's own handler
    cached.value = 9
    clock.advance(16)
    // (happy-dom's own setters read the element's getters, so r may count as touched here too.)
    expect(marked.flat(), 'the touched elements only, not the whole island').not.toContain('root')
    pointer(doc, 'pointerup')
    clock.advance(0)
    expect(marked.at(-1)).toEqual(['r', 'root'])
  })

  it('before a remote update, marks what the SVG DOM wrote (and nothing when nothing was)', () => {
    const { doc, hooks, marked } = setup(DRAWING)
    doc.getElementById('r')!.setAttribute('x', '9') // a mutation record carries this one
    hooks.beforeRemoteApply!()
    expect(marked).toEqual([])
    ;(doc.getElementById('c') as unknown as SVGCircleElement).r.baseVal.value = 3
    hooks.beforeRemoteApply!()
    expect(marked).toEqual([['c']])
  })

  it('with no SVG DOM in the window, nothing writes through one: input and drags look at nothing, an explicit rescan still compares all', () => {
    vi.stubGlobal('SVGLength', undefined)
    const { doc, clock, marked, hooks } = setup(DRAWING)
    pointer(doc, 'keydown')
    pointer(doc, 'pointerdown')
    clock.advance(16 * 3)
    pointer(doc, 'pointerup')
    clock.advance(1000)
    expect([marked, clock.pending]).toEqual([[], 0])
    hooks.rescan!()
    expect(marked).toEqual([['root']])
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
