import type { AccessorHooks } from '../../src/index.js'

/**
 * Which elements the page changed through the SVG DOM, learnt from the SVG DOM itself (Chromium
 * makes no MutationObserver record for these writes). Every object a write can land on is
 * reached from an element through a getter or a method: `el.x` (an SVGAnimatedLength, the same
 * object every time), its `baseVal` (an SVGLength), `el.transform.baseVal.getItem(0)` (a new
 * SVGTransform every call) and its `matrix`, `el.points.getItem(0)`. Those getters and methods
 * are wrapped to note, for what they return, the element it belongs to; the write side
 * (`SVGLength.value`, `SVGTransform.setTranslate`, the lists' methods, `SVGPoint.x`,
 * `SVGMatrix.e`, the animated strings' and numbers' `baseVal`) is wrapped to note that element
 * as written. A tick then looks at the written elements only.
 *
 * A write on an object of unknown owner (reached before the hooks were installed, as when a
 * bookmarklet arrives after the app cached `el.x.baseVal`, or by index, `points[0]`, which no
 * wrap sees) is `unattributed`: the caller compares the elements the page touched during the
 * drag, and rescans the island once when the drag ends. Objects the page made itself
 * (`createSVGPoint()`, `matrix.translate()`) belong to no element: writes to them change nothing
 * on the page and are ignored. Each island keeps its own map of owners; the wraps themselves are
 * shared through the window's accessor registry, so a write costs one listener per island.
 */
export interface SvgWrites {
  /** Elements written through the SVG DOM since the last `take` (anywhere in the window: filter by island). */
  readonly written: ReadonlySet<Element>
  /** A write since the last `take` landed on an object whose element is unknown. */
  readonly unattributed: boolean
  /** While true, every element whose SVG DOM property the page reads is noted in `touched`. */
  touching: boolean
  /** Elements whose SVG DOM properties were read while `touching`; cleared by the caller. */
  readonly touched: Set<Element>
  /** Starts a new round: `written` and `unattributed` cleared. */
  take(): void
  /** Removes every hook (the island stopped). */
  stop(): void
}

const SVG_NS = 'http://www.w3.org/2000/svg'

// The value objects, by the method of SVGSVGElement that makes a free one. On every one, each
// setter and each method is a write, but SVGMatrix's and SVGPoint's methods, which make new
// free objects (`matrix.translate()`, `point.matrixTransform()`).
const VALUES = ['Length', 'Angle', 'Number', 'Point', 'Matrix', 'Rect', 'Transform']
const LISTS = ['SVGLengthList', 'SVGNumberList', 'SVGPointList', 'SVGTransformList', 'SVGStringList']

type View = Record<string, unknown>

/**
 * Hooks the SVG DOM of `doc`'s window through `accessors`. Null when that window has no SVG DOM
 * (no SVGSVGElement, SVGLength or SVGTransform): nothing can write through one there.
 */
export function trackSvgWrites(doc: Document, accessors: AccessorHooks): SvgWrites | null {
  // A document made by createHTMLDocument has no window: its elements are the creating realm's,
  // as the engine's accessor registry assumes too.
  const view = (doc.defaultView ?? globalThis) as unknown as View
  const ctor = (name: string): { prototype: object } | undefined => {
    const c = view[name] as { prototype?: unknown } | undefined
    return typeof c === 'function' && typeof c.prototype === 'object' && c.prototype !== null ? (c as { prototype: object }) : undefined
  }
  const SVGSVG = ctor('SVGSVGElement')
  if (!SVGSVG || !ctor('SVGLength') || !ctor('SVGTransform')) return null
  // The prototypes the SVG DOM really hands out (SVGPoint may be DOMPoint, SVGMatrix DOMMatrix).
  const probe = doc.createElementNS(SVG_NS, 'svg') as SVGSVGElement
  const protoOf = (make: () => unknown): object | null => {
    try {
      const v = make()
      return v !== null && typeof v === 'object' ? Object.getPrototypeOf(v) : null
    } catch {
      return null
    }
  }
  const values = VALUES.map((v) => protoOf(() => (probe as unknown as Record<string, () => unknown>)[`createSVG${v}`]!()))
  values.push(ctor('SVGPreserveAspectRatio')?.prototype ?? null)
  const [matrix, point, transform] = [values[4], values[3], values[6]]

  const owner = new WeakMap<object, Element>()
  const detached = new WeakSet<object>()
  const state = {
    written: new Set<Element>(),
    unattributed: false,
    touching: false,
    touched: new Set<Element>(),
    take() {
      state.written = new Set()
      state.unattributed = false
    },
    stop() {
      for (const off of unhooks) off()
      unhooks.length = 0
    },
  }
  const unhooks: Array<() => void> = []
  const hook = (proto: object | null | undefined, name: string, listener: Parameters<AccessorHooks['hook']>[2], on?: 'get' | 'set'): void => {
    if (!proto) return
    const d = Object.getOwnPropertyDescriptor(proto, name)
    if (!d || !d.configurable) return
    if (on === 'get' ? !d.get : !(d.set || typeof d.value === 'function')) return
    unhooks.push(accessors.hook(proto, name, listener, on))
  }
  const wrote = (self: object): void => {
    const el = owner.get(self)
    if (el !== undefined) state.written.add(el)
    else if (!detached.has(self)) state.unattributed = true
  }
  /** `result`, reached from `self`, belongs to `self`'s element. */
  const inherit = (self: object, _args: readonly unknown[], result: unknown): void => {
    if (result === null || typeof result !== 'object') return
    const el = owner.get(self)
    if (el !== undefined) owner.set(result, el)
    else if (detached.has(self)) detached.add(result)
  }

  // Elements: every getter-only property (`x`, `transform`, `points`, `className`, ...): most
  // give an animated value, the rest (`ownerSVGElement`, `dataset`) no object a write lands on.
  const fromElement = (self: object, _args: readonly unknown[], result: unknown): void => {
    if (result !== null && typeof result === 'object') owner.set(result, self as Element)
    if (state.touching) state.touched.add(self as Element)
  }
  const made = (_self: object, _args: readonly unknown[], result: unknown): void => {
    if (result !== null && typeof result === 'object') detached.add(result)
  }
  const own = (proto: object | null | undefined): Array<[string, PropertyDescriptor]> =>
    proto ? Object.entries(Object.getOwnPropertyDescriptors(proto)).filter(([n]) => n !== 'constructor') : []
  for (const name of Object.getOwnPropertyNames(view)) {
    // Named first: reading some of the window's properties throws or warns (`localStorage`).
    if (!name.startsWith('SVG')) continue
    const proto = ctor(name)?.prototype
    if (/^SVG\w*Element$/.test(name)) {
      for (const [prop, d] of own(proto)) if (d.get && !d.set) hook(proto, prop, fromElement, 'get')
    } else if (/^SVGAnimated\w+$/.test(name)) {
      // `baseVal` belongs to the element; a primitive one (a string, a number) is written by its setter.
      hook(proto, 'baseVal', inherit, 'get')
      hook(proto, 'baseVal', wrote, 'set')
    }
  }
  // Objects the page makes itself. (Rarer writes, to a `getCTM()` or through a marker's
  // `setOrientToAngle`, are unattributed: the caller's rescan finds them.)
  for (const [n] of own(SVGSVG.prototype)) if (n.startsWith('createSVG')) hook(SVGSVG.prototype, n, made)
  for (const proto of new Set(values)) {
    for (const [n, d] of own(proto)) {
      if (d.set) hook(proto, n, wrote)
      else if (typeof d.value === 'function') hook(proto, n, proto === matrix || proto === point ? made : wrote)
    }
  }
  hook(transform, 'matrix', inherit, 'get')
  for (const list of LISTS) {
    const proto = ctor(list)?.prototype
    for (const [n, d] of own(proto)) {
      if (typeof d.value !== 'function') continue
      if (n.startsWith('create')) hook(proto, n, made)
      else if (n === 'getItem') hook(proto, n, inherit)
      else hook(proto, n, (self, args, result) => {
        wrote(self)
        inherit(self, args, result)
      })
    }
  }
  return state
}
