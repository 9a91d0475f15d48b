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
  readonly listeners: Set<AccessorListener>
}

const registries = new WeakMap<object, AccessorHooks>()

/** The registry of `view` (a window, or globalThis outside a browser): one per window. */
export function accessorHooks(view: object): AccessorHooks {
  let registry = registries.get(view)
  if (!registry) registries.set(view, (registry = createRegistry()))
  return registry
}

function createRegistry(): AccessorHooks {
  const wraps = new Map<object, Map<string, Wrap>>()
  const notify = (wrap: Wrap, self: object, args: readonly unknown[]): void => {
    // A copy: a listener may unhook itself (an island stopping) while being told.
    for (const listener of [...wrap.listeners]) {
      try {
        listener(self, args)
      } catch (err) {
        reportLater(err)
      }
    }
  }
  return {
    hook(proto, name, listener) {
      let byName = wraps.get(proto)
      let wrap = byName?.get(name)
      if (!wrap) {
        const original = Object.getOwnPropertyDescriptor(proto, name)
        if (!original) throw new TypeError(`no own property "${name}" to hook on this prototype`)
        wrap = { original, listeners: new Set() }
        Object.defineProperty(proto, name, wrapped(original, wrap, notify, name))
        if (!byName) wraps.set(proto, (byName = new Map()))
        byName.set(name, wrap)
      }
      // One entry per hook() call: the same function hooked twice stays until unhooked twice.
      const entry: AccessorListener = (self, args) => listener(self, args)
      wrap.listeners.add(entry)
      const w = wrap
      let done = false
      return () => {
        if (done) return
        done = true
        w.listeners.delete(entry)
        if (w.listeners.size > 0) return
        Object.defineProperty(proto, name, w.original)
        byName!.delete(name)
        if (byName!.size === 0) wraps.delete(proto)
      }
    },
  }
}

function wrapped(original: PropertyDescriptor, wrap: Wrap, notify: (wrap: Wrap, self: object, args: readonly unknown[]) => void, name: string): PropertyDescriptor {
  const { set, value } = original
  if (set) {
    return {
      ...original,
      set(this: object, v: unknown) {
        set.call(this, v)
        notify(wrap, this, [v])
      },
    }
  }
  if (typeof value === 'function') {
    const method = value as (...args: unknown[]) => unknown
    return {
      ...original,
      value: function (this: object, ...args: unknown[]) {
        const result = method.apply(this, args)
        notify(wrap, this, args)
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
