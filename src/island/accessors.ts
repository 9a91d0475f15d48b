/**
 * Some changes reach the page through no event and no MutationObserver record: the SVG DOM
 * (`x.baseVal.value = 5`), a control's live `value` set by script. A kind that must see them
 * wraps the prototype's setter or method; a kind that must know which object a later write
 * lands on (the SVG DOM's `el.x.baseVal` belongs to `el`) wraps getters too, and hears what they
 * returned. Several islands and kinds on one page may want the same property: each window keeps
 * one wrap per property, shared by its users, and puts the very descriptor it found back when
 * the last one leaves, so a page that compares or wraps the accessor itself (a polyfill, another
 * recorder) finds it as it was.
 */

/**
 * `self`: the object the accessor or method ran on; `args`: the value set (`[value]`), the
 * method's arguments, or none for a getter; `result`: what a method or getter returned.
 */
export type AccessorListener = (self: object, args: readonly unknown[], result: unknown) => void

/** Which side of a property a hook hears: `set` a setter's writes and a method's calls, `get` an accessor's reads. */
export type AccessorSide = 'set' | 'get'

export interface AccessorHooks {
  /**
   * Calls `listener` after every call of `proto[name]`'s setter (an accessor, `on: 'set'`, the
   * default), of its getter (`on: 'get'`), or of `proto[name]` itself (a method, `'set'`), until
   * the returned function is called. `name` must be `proto`'s own property. A listener that
   * throws never breaks the page's call: its error is thrown again in a microtask.
   */
  hook(proto: object, name: string, listener: AccessorListener, on?: AccessorSide): () => void
}

interface Wrap {
  readonly original: PropertyDescriptor
  /** What we defined: put back only while it is still what the prototype holds. */
  readonly installed: PropertyDescriptor
  /**
   * Replaced, never changed in place: a call in progress keeps the list it started with. Both
   * sides of an accessor are wrapped once either is hooked; a side with no listeners passes
   * straight through (one length check).
   */
  set: readonly AccessorListener[]
  get: readonly AccessorListener[]
}

const NO_ARGS: readonly unknown[] = Object.freeze([])

// Kept on the window under a registered symbol, not in this module: two copies of the engine on
// one page (the page's bundle and a bookmarklet's) must share one wrap per property too. The
// registry's shape changed in v2 (getters, results): a v1 copy on the same page keeps its own.
const REGISTRY = Symbol.for('xml-sync-islands.accessor-hooks.v2')

/** The registry of `view` (a window, or globalThis outside a browser): one per window. */
export function accessorHooks(view: object): AccessorHooks {
  const holder = view as { [REGISTRY]?: AccessorHooks }
  let registry = holder[REGISTRY]
  if (!registry) {
    registry = createRegistry()
    Object.defineProperty(view, REGISTRY, { value: registry, configurable: true })
  }
  return registry
}

function createRegistry(): AccessorHooks {
  const wraps = new Map<object, Map<string, Wrap>>()
  return {
    hook(proto, name, listener, on = 'set') {
      let byName = wraps.get(proto)
      let wrap = byName?.get(name)
      if (!wrap) {
        const original = Object.getOwnPropertyDescriptor(proto, name)
        if (!original) throw new TypeError(`no own property "${name}" to hook on this prototype`)
        const w: Wrap = { original, installed: original, set: [], get: [] }
        const installed = wrapped(original, w, name)
        ;(w as { installed: PropertyDescriptor }).installed = installed
        Object.defineProperty(proto, name, installed)
        if (!byName) wraps.set(proto, (byName = new Map()))
        byName.set(name, (wrap = w))
      }
      if (on === 'get' && !wrap.original.get) throw new TypeError(`"${name}" has no getter to hook`)
      // One entry per hook() call: the same function hooked twice stays until unhooked twice.
      const entry: AccessorListener = (self, args, result) => listener(self, args, result)
      wrap[on] = [...wrap[on], entry]
      const w = wrap
      let done = false
      return () => {
        if (done) return
        done = true
        w[on] = w[on].filter((l) => l !== entry)
        if (w.set.length > 0 || w.get.length > 0) return
        // The page may have wrapped it after us (a polyfill, another recorder): then ours stays,
        // a pass-through with no listeners, for the next hook to reuse; theirs keeps working.
        if (!isInstalled(proto, name, w.installed)) return
        Object.defineProperty(proto, name, w.original)
        byName!.delete(name)
        if (byName!.size === 0) wraps.delete(proto)
      }
    },
  }
}

function isInstalled(proto: object, name: string, installed: PropertyDescriptor): boolean {
  const now = Object.getOwnPropertyDescriptor(proto, name)
  return now !== undefined && now.set === installed.set && now.get === installed.get && now.value === installed.value
}

function notify(listeners: readonly AccessorListener[], self: object, args: readonly unknown[], result: unknown): void {
  for (const listener of listeners) {
    try {
      listener(self, args, result)
    } catch (err) {
      reportLater(err)
    }
  }
}

function wrapped(original: PropertyDescriptor, wrap: Wrap, name: string): PropertyDescriptor {
  const { get, set, value } = original
  if (get || set) {
    const out: PropertyDescriptor = { ...original }
    if (get) {
      out.get = function (this: object) {
        const result: unknown = get.call(this)
        if (wrap.get.length) notify(wrap.get, this, NO_ARGS, result)
        return result
      }
    }
    if (set) {
      out.set = function (this: object, v: unknown) {
        set.call(this, v)
        if (wrap.set.length) notify(wrap.set, this, [v], undefined)
      }
    }
    return out
  }
  if (typeof value === 'function') {
    const method = value as (...args: unknown[]) => unknown
    return {
      ...original,
      value: function (this: object, ...args: unknown[]) {
        const result = method.apply(this, args)
        if (wrap.set.length) notify(wrap.set, this, args, result)
        return result
      },
    }
  }
  throw new TypeError(`"${name}" is neither an accessor nor a method`)
}

function reportLater(err: unknown): void {
  queueMicrotask(() => {
    throw err
  })
}
