import { mulberry32 } from '../../src/bridge/memory.js'

const SVG = 'http://www.w3.org/2000/svg'

/** Seeded choices. */
export class Rng {
  readonly next: () => number
  constructor(seed: number) {
    this.next = mulberry32(seed)
  }
  int(n: number): number {
    return Math.floor(this.next() * n)
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!
  }
  chance(p: number): boolean {
    return this.next() < p
  }
}

export const HTML_ISLAND = '<div data-sync-island="main"><p id="p0">alpha <b id="b0">beta</b> gamma</p><ul id="u0"><li id="l0">one</li><li id="l1">two</li></ul></div>'
export const SVG_ISLAND =
  '<svg data-sync-island="main" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 100">' +
  '<g id="g0"><rect id="r0" x="1" y="2" width="10" height="10" fill="red"/><circle id="c0" cx="5" cy="5" r="3"/></g>' +
  '<g id="g1" transform="translate(1 2)"><rect id="r1" x="3" y="4" width="5" height="5"/><use id="u1" xlink:href="#r0"/></g><text id="t0" xml:space="preserve">label</text></svg>'

const COLORS = ['red', 'green', 'blue', 'black']
const WORDS = ['x', 'yy', 'zzz', ' ', 'é', '🙂']

/**
 * Edits a page's island the way an app would (plain DOM calls), at random: inserts, deletes
 * (subtrees someone else may be editing included), moves (z-order and into another group),
 * attribute and text races, and SVG DOM changes that make no mutation record.
 */
export interface EditRecord {
  /** An attribute written (a value), removed (null), or changed in a way not told (undefined: the SVG DOM). */
  attribute(el: Element, name: string, value: string | null | undefined): void
  /** A node removed with its subtree. */
  removed(node: Node): void
}

export function randomEdit(rng: Rng, island: Element, uid: () => string, record?: EditRecord): string {
  const doc = island.ownerDocument
  const svg = island.namespaceURI === SVG
  const elements = [island, ...Array.from(island.querySelectorAll('*'))]
  const containers = elements.filter((e) => (svg ? e === island || e.localName === 'g' : !['b', 'li'].includes(e.localName) || e.childNodes.length < 4))
  const texts: Text[] = []
  const walker = doc.createTreeWalker(island, 4 /* text */)
  for (let n = walker.nextNode(); n; n = walker.nextNode()) texts.push(n as Text)
  const nonRoot = elements.filter((e) => e !== island)
  const at = (parent: Element): Node | null => (parent.childNodes.length ? (rng.chance(0.3) ? null : parent.childNodes[rng.int(parent.childNodes.length)]!) : null)

  switch (rng.int(9)) {
    case 0: {
      const parent = rng.pick(containers)
      const id = uid()
      let el: Element
      if (svg) {
        el = doc.createElementNS(SVG, rng.pick(['rect', 'circle', 'g']))
        el.setAttribute('x', String(rng.int(90)))
        el.setAttribute('fill', rng.pick(COLORS))
      } else {
        el = doc.createElement(rng.pick(['p', 'span', 'li', 'b']))
        el.textContent = rng.pick(WORDS)
      }
      el.setAttribute('id', id)
      parent.insertBefore(el, at(parent))
      for (const a of Array.from(el.attributes)) if (a.name !== 'id') record?.attribute(el, a.name, a.value)
      return `insert ${id} into ${parent.id || 'island'}`
    }
    case 1: {
      if (svg) return 'noop'
      const parent = rng.pick(containers)
      parent.insertBefore(doc.createTextNode(rng.pick(WORDS)), at(parent))
      return 'insert text'
    }
    case 2: {
      const victim = rng.chance(0.7) || texts.length === 0 ? nonRoot[rng.int(nonRoot.length)] : rng.pick(texts)
      if (!victim) return 'noop'
      if (victim.parentNode) record?.removed(victim)
      victim.parentNode?.removeChild(victim)
      return `delete ${(victim as Element).id ?? 'text'}`
    }
    case 3:
    case 4: {
      const el = nonRoot[rng.int(nonRoot.length)]
      if (!el) return 'noop'
      const targets = containers.filter((c) => c !== el && !el.contains(c))
      if (!targets.length) return 'noop'
      const parent = rng.chance(0.5) && el.parentElement && targets.includes(el.parentElement) ? el.parentElement : rng.pick(targets)
      if (rng.chance(0.5)) parent.appendChild(el) // z-order: to the front
      else {
        const ref = at(parent)
        if (ref !== el) parent.insertBefore(el, ref)
      }
      return `move ${el.id} into ${parent.id || 'island'}`
    }
    case 5: {
      const el = rng.pick(elements)
      const name = rng.pick(svg ? ['fill', 'x', 'stroke'] : ['class', 'title', 'data-v'])
      if (rng.chance(0.2)) {
        el.removeAttribute(name)
        record?.attribute(el, name, null)
      } else {
        const v = rng.pick(COLORS)
        el.setAttribute(name, v)
        record?.attribute(el, name, v)
      }
      return `attr ${el.id} ${name}`
    }
    case 6:
    case 7: {
      if (!texts.length) return 'noop'
      // At code point boundaries, as browser editing does: Yjs turns split surrogate pairs into U+FFFD.
      const t = rng.pick(texts)
      const bounds = codePointBoundaries(t.data)
      const r = rng.int(3)
      if (r === 0) t.insertData(rng.pick(bounds), rng.pick(WORDS))
      else if (r === 1 && bounds.length > 1) {
        const i = rng.int(bounds.length - 1)
        const j = Math.min(bounds.length - 1, i + 1 + rng.int(3))
        t.deleteData(bounds[i]!, bounds[j]! - bounds[i]!)
      } else t.data = rng.pick(WORDS) + t.data.slice(rng.pick(bounds))
      return 'text edit'
    }
    default: {
      // The SVG DOM: attributes change without a mutation record in Chromium.
      const shape = elements.find((e) => e.localName === 'rect' && 'x' in e && rng.chance(0.5)) as SVGRectElement | undefined
      if (!svg || !shape || !shape.x?.baseVal) return 'noop'
      shape.x.baseVal.value = rng.int(100)
      record?.attribute(shape, 'x', undefined)
      return `baseVal ${shape.id}`
    }
  }
}

function codePointBoundaries(s: string): number[] {
  const out = [0]
  let i = 0
  for (const cp of s) out.push((i += cp.length))
  return out
}
