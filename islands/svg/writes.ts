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
 * (`createSVGPoint()`, `getCTM()`, `matrix.translate()`) belong to no element: writes to them
 * change nothing on the page and are ignored.
 */
export interface SvgWrites {
  /** Elements written through the SVG DOM since the last `take` (anywhere in the window: filter by island). */
  readonly written: ReadonlySet<Element>
  /** A write since the last `take` landed on an object whose element is unknown. */
  readonly unattributed: boolean
  /** Any write since the last `take`. */
  readonly dirty: boolean
  /** While true, every element whose SVG DOM property the page reads is noted in `touched`. */
  touching: boolean
  /** Elements whose SVG DOM properties were read while `touching`; cleared by the caller. */
  readonly touched: Set<Element>
  /** Starts a new round: `written`, `unattributed` and `dirty` cleared. */
  take(): void
  /** Removes every hook (the island stopped). */
  stop(): void
}

const SVG_NS = 'http://www.w3.org/2000/svg'

/** Getter-only properties of SVG elements that give no SVG DOM value of the element's own attributes. */
const NOT_ANIMATED = new Set([
  'ownerSVGElement', 'viewportElement', 'nearestViewportElement', 'farthestViewportElement', 'dataset',
  'attributeStyleMap', 'sheet', 'instanceRoot', 'animatedInstanceRoot', 'correspondingElement',
  'correspondingUseElement', 'targetElement', 'animatedPoints', 'animatedPathSegList',
  'animatedNormalizedPathSegList', 'relList',
])
/** The value objects' write side: setters (accessors) and mutating methods, by interface. */
const VALUE_WRITES: Record<string, readonly string[]> = {
  length: ['value', 'valueInSpecifiedUnits', 'valueAsString', 'newValueSpecifiedUnits', 'convertToSpecifiedUnits'],
  angle: ['value', 'valueInSpecifiedUnits', 'valueAsString', 'newValueSpecifiedUnits', 'convertToSpecifiedUnits'],
  number: ['value'],
  point: ['x', 'y'],
  matrix: ['a', 'b', 'c', 'd', 'e', 'f'],
  rect: ['x', 'y', 'width', 'height'],
  transform: ['setMatrix', 'setTranslate', 'setScale', 'setRotate', 'setSkewX', 'setSkewY'],
}
const LIST_READS = ['getItem']
const LIST_WRITES = ['appendItem', 'insertItemBefore', 'replaceItem', 'initialize', 'removeItem', 'clear', 'consolidate']
const LISTS = ['SVGLengthList', 'SVGNumberList', 'SVGPointList', 'SVGTransformList', 'SVGStringList']
/** Methods that return objects the page made, belonging to no element. */
const DETACHED: Record<string, readonly string[]> = {
  SVGSVGElement: ['createSVGLength', 'createSVGAngle', 'createSVGNumber', 'createSVGPoint', 'createSVGMatrix', 'createSVGRect', 'createSVGTransform', 'createSVGTransformFromMatrix'],
  SVGGraphicsElement: ['getCTM', 'getScreenCTM', 'getBBox'],
  SVGTransformList: ['createSVGTransformFromMatrix'],
  matrix: ['multiply', 'inverse', 'translate', 'scale', 'scaleNonUniform', 'rotate', 'rotateFromVector', 'flipX', 'flipY', 'skewX', 'skewY'],
  point: ['matrixTransform'],
}

type View = Record<string, unknown>

/**
 * Hooks the SVG DOM of `doc`'s window through `accessors`. Null when that window has no SVG DOM
 * to hook (no SVGSVGElement, SVGLength or SVGTransform): the caller compares whole islands then.
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
  const values: Record<string, object | null> = {
    length: protoOf(() => probe.createSVGLength()),
    angle: protoOf(() => probe.createSVGAngle()),
    number: protoOf(() => probe.createSVGNumber()),
    point: protoOf(() => probe.createSVGPoint()),
    matrix: protoOf(() => probe.createSVGMatrix()),
    rect: protoOf(() => probe.createSVGRect()),
    transform: protoOf(() => probe.createSVGTransform()),
    aspect: ctor('SVGPreserveAspectRatio')?.prototype ?? null,
  }

  const owner = new WeakMap<object, Element>()
  const detached = new WeakSet<object>()
  const state = {
    written: new Set<Element>(),
    unattributed: false,
    dirty: false,
    touching: false,
    touched: new Set<Element>(),
    take() {
      state.written = new Set()
      state.unattributed = false
      state.dirty = false
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
    state.dirty = true
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

  // Elements: every animated property's getter (`x`, `transform`, `points`, `className`, ...).
  const fromElement = (self: object, _args: readonly unknown[], result: unknown): void => {
    if (result !== null && typeof result === 'object') owner.set(result, self as Element)
    if (state.touching) state.touched.add(self as Element)
  }
  for (const name of Object.getOwnPropertyNames(view)) {
    if (!/^SVG\w*Element$/.test(name)) continue
    const proto = ctor(name)?.prototype
    if (!proto) continue
    for (const prop of Object.getOwnPropertyNames(proto)) {
      if (NOT_ANIMATED.has(prop)) continue
      const d = Object.getOwnPropertyDescriptor(proto, prop)!
      if (d.get && !d.set) hook(proto, prop, fromElement, 'get')
    }
  }
  // A marker's orientation, written by methods of the element itself.
  const marker = ctor('SVGMarkerElement')?.prototype
  for (const m of ['setOrientToAuto', 'setOrientToAngle']) hook(marker, m, (self) => {
    state.dirty = true
    state.written.add(self as Element)
  })
  // Animated values: `baseVal` belongs to the element; a primitive one is written by its setter.
  for (const name of Object.getOwnPropertyNames(view)) {
    if (!/^SVGAnimated\w+$/.test(name)) continue
    const proto = ctor(name)?.prototype
    hook(proto, 'baseVal', inherit, 'get')
    hook(proto, 'baseVal', wrote, 'set')
  }
  for (const [kind, names] of Object.entries(VALUE_WRITES)) for (const n of names) hook(values[kind], n, wrote)
  for (const n of ['align', 'meetOrSlice']) hook(values.aspect, n, wrote)
  hook(values.transform, 'matrix', inherit, 'get')
  for (const list of LISTS) {
    const proto = ctor(list)?.prototype
    for (const n of LIST_READS) hook(proto, n, inherit)
    for (const n of LIST_WRITES) hook(proto, n, (self, args, result) => {
      wrote(self)
      inherit(self, args, result)
    })
  }
  const made = (_self: object, _args: readonly unknown[], result: unknown): void => {
    if (result !== null && typeof result === 'object') detached.add(result)
  }
  for (const [where, names] of Object.entries(DETACHED)) {
    const proto = values[where] ?? ctor(where)?.prototype
    for (const n of names) hook(proto, n, made)
  }
  return state
}
