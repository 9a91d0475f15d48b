import type { AccessorHooks } from '../island/accessors.js'
import type { IslandKind, KindHooks, KindHost } from '../island/kinds.js'

/** The hooks of every kind attached to one island, called as one. */
export interface AttachedKinds {
  readonly size: number
  rescan(): void
  beforeRemoteApply(): void
  patched(el: Element, keys: readonly string[]): void
  adopted(): void
  /** Null when no kind keeps attributes local: the binding then asks nothing per element. */
  readonly localAttributes: ((el: Element) => Iterable<string> | null) | null
  stop(): void
}

/**
 * Attaches `kinds` through `host`. Every call into a kind goes through `guard`, so a kind's bug
 * becomes an error event and the island goes on. Accessor hooks a kind forgot to remove are
 * removed at stop all the same: a stopped island leaves no wrapped prototype behind.
 */
export function attachKinds(kinds: readonly IslandKind[], host: KindHost, guard: (fn: () => void) => void): AttachedKinds {
  const unhooks = new Set<() => void>()
  const accessors: AccessorHooks = {
    hook(proto, name, listener, on) {
      // A try of its own, not `guard(() => ...)`: a getter hook runs on every read the page
      // makes, and a closure per read would be garbage per read.
      const unhook = host.accessors.hook(proto, name, (self, args, result) => {
        try {
          listener(self, args, result)
        } catch (err) {
          guard(() => {
            throw err
          })
        }
      }, on)
      const remove = (): void => {
        unhooks.delete(remove)
        unhook()
      }
      unhooks.add(remove)
      return remove
    },
  }
  // Not spread: a spread would read `doc` once, and the island's doc changes on adoption.
  const kindHost: KindHost = Object.assign(bindAll(host), { accessors })
  const hooks: KindHooks[] = []
  for (const kind of kinds) guard(() => void hooks.push(kind.attach(kindHost)))
  const locals = hooks.filter((h) => h.localAttributes !== undefined)
  return {
    size: hooks.length,
    rescan: () => {
      for (const h of hooks) if (h.rescan) guard(() => h.rescan!())
    },
    beforeRemoteApply: () => {
      for (const h of hooks) if (h.beforeRemoteApply) guard(() => h.beforeRemoteApply!())
    },
    patched: (el, keys) => {
      for (const h of hooks) if (h.patched) guard(() => h.patched!(el, keys))
    },
    adopted: () => {
      for (const h of hooks) if (h.adopted) guard(() => h.adopted!())
    },
    localAttributes: locals.length === 0 ? null : (el) => {
      let out: string[] | null = null
      for (const h of locals) {
        let names: Iterable<string> | null = null
        guard(() => void (names = h.localAttributes!(el)))
        if (names !== null) (out ??= []).push(...(names as Iterable<string>))
      }
      return out
    },
    stop: () => {
      for (const h of hooks) guard(() => h.stop())
      for (const remove of [...unhooks]) remove()
    },
  }
}

/** The host's methods, callable unbound (a kind may pass `host.commit` as a listener). */
function bindAll(host: KindHost): Omit<KindHost, 'accessors'> {
  return {
    root: host.root,
    get doc() {
      return host.doc
    },
    get readOnly() {
      return host.readOnly === true
    },
    clock: host.clock,
    typeOf: (node) => host.typeOf(node),
    attributeKey: (attr) => host.attributeKey(attr),
    markChanged: (elements) => host.markChanged(elements),
    commit: () => host.commit(),
    rescan: () => host.rescan(),
  }
}
