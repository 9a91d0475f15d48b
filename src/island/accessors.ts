/**
 * Some changes reach the page through no event and no MutationObserver record: the SVG DOM
 * (`x.baseVal.value = 5`), a control's live `value` set by script. A kind that must see them
 * wraps the prototype's setter or method. Several islands and kinds on one page may want the
 * same one: each window keeps one wrap per property, shared by its users, and puts the very
 * descriptor it found back when the last one leaves, so a page that compares or wraps the
 * accessor itself (a polyfill, another recorder) finds it as it was.
 */

/** `self`: the object the setter or method ran on; `args`: the value set, or the method's arguments. */
export type AccessorListener = (self: object, args: readonly unknown[]) => void

export interface AccessorHooks {
  /**
   * Calls `listener` after every call of `proto[name]`'s setter (an accessor) or of `proto[name]`
   * (a method), until the returned function is called. `name` must be `proto`'s own property.
   * A listener that throws never breaks the page's call: its error is thrown again in a microtask.
   */
  hook(proto: object, name: string, listener: AccessorListener): () => void
}

interface Wrap {
  readonly original: PropertyDescriptor
  /** What we defined: put back only while it is still what the prototype holds. */
  readonly installed: PropertyDescriptor
  /** Replaced, never changed in place: a call in progress keeps the list it started with. */
  listeners: readonly AccessorListener[]
}

// Kept on the window under a registered symbol, not in this module: two copies of the engine on
// one page (the page's bundle and a bookmarklet's) must share one wrap per property too.
const REGISTRY = Symbol.for('xml-sync-islands.accessor-hooks.v1')

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
    hook(proto, name, listener) {
      let byName = wraps.get(proto)
      let wrap = byName?.get(name)
      if (!wrap) {
        const original = Object.getOwnPropertyDescriptor(proto, name)
        if (!original) throw new TypeError(`no own property "${name}" to hook on this prototype`)
        const w: Wrap = { original, installed: original, listeners: [] }
        const installed = wrapped(original, w, name)
        ;(w as { installed: PropertyDescriptor }).installed = installed
        Object.defineProperty(proto, name, installed)
        if (!byName) wraps.set(proto, (byName = new Map()))
        byName.set(name, (wrap = w))
      }
      // One entry per hook() call: the same function hooked twice stays until unhooked twice.
      const entry: AccessorListener = (self, args) => listener(self, args)
      wrap.listeners = [...wrap.listeners, entry]
      const w = wrap
      let done = false
      return () => {
        if (done) return
        done = true
        w.listeners = w.listeners.filter((l) => l !== entry)
        if (w.listeners.length > 0) return
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
  return now !== undefined && now.set === installed.set && now.value === installed.value
}

function notify(wrap: Wrap, self: object, args: readonly unknown[]): void {
  for (const listener of wrap.listeners) {
    try {
      listener(self, args)
    } catch (err) {
      reportLater(err)
    }
  }
}

function wrapped(original: PropertyDescriptor, wrap: Wrap, name: string): PropertyDescriptor {
  const { set, value } = original
  if (set) {
    return {
      ...original,
      set(this: object, v: unknown) {
        set.call(this, v)
        if (wrap.listeners.length) notify(wrap, this, [v])
      },
    }
  }
  if (typeof value === 'function') {
    const method = value as (...args: unknown[]) => unknown
    return {
      ...original,
      value: function (this: object, ...args: unknown[]) {
        const result = method.apply(this, args)
        if (wrap.listeners.length) notify(wrap, this, args)
        return result
      },
    }
  }
  throw new TypeError(`"${name}" is neither a setter nor a method`)
}

function reportLater(err: unknown): void {
  queueMicrotask(() => {
    throw err
  })
}
