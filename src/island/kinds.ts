/**
 * Island kinds: what is particular to a kind of content (SVG drawings, forms, presence) lives
 * in `islands/`, outside the generic engine, and plugs in here. A kind may add change sources
 * the DOM reports to nobody (SVG DOM writes, a control's value set by script), handle an element
 * after a remote patch (a control's live value), say what stays local, and bring its default
 * policy. The engine works with no kind at all; the package entry registers the built-in ones,
 * so nothing in src/ imports islands/.
 */

import type * as Y from 'yjs'
import type { Profile, ProfileName } from '../policy/profiles.js'
import type { AccessorHooks } from './accessors.js'
import type { Clock } from '../clock.js'

export interface IslandKind {
  /** Unique among registered kinds: registering a second kind of one name replaces the first. */
  readonly name: string
  /** Whether this kind attaches to the island whose element is `island` (asked once, at start). */
  matches(island: Element): boolean
  /**
   * The profile islands of this kind render remote content through, unless the island names
   * one with `data-sync-policy` or the session passes `allow`. Undefined: no say. Decided by
   * the island element, never its content: every peer must choose the same.
   */
  profile?(island: Element): ProfileName | Profile | undefined
  /** Starts the kind on one island; `stop` of the result ends it (the island stopped). */
  attach(host: KindHost): KindHooks
}

/** What the engine gives a kind attached to one island. */
export interface KindHost {
  /** The island element. */
  readonly root: Element
  /**
   * The island's doc, as it stands now: it is replaced once if the page adopts the session's
   * (then `adopted` is called). For state of the kind's own beside the island's XML (form
   * fields' live values): root types other than `island` and `attrs`.
   */
  readonly doc: Y.Doc
  /** True while this page may not edit the island (`receive` mode, or not among `data-sync-editors`): put local changes back. */
  readonly readOnly?: boolean
  /** The session's clock: kinds set timers through it, so tests can drive them. */
  readonly clock: Clock
  /** The Yjs node bound to a shared DOM node (the mirror), undefined for local or unknown ones. */
  typeOf(node: Node): Y.XmlElement | Y.XmlText | undefined
  /** The key under which the doc keeps this attribute (`x`, `xlink:href`, `{uri}local`); null: never shared (`data-sync-*`, ...). */
  attributeKey(attr: Attr): string | null
  /** Marks elements whose attributes may have changed without a mutation record; `commit` captures them. */
  markChanged(elements: Iterable<Element>): void
  /** Captures what is marked and every pending record now, in one transaction; errors become `sync-error`s. */
  commit(): void
  /** Asks every kind of this island to mark what changed unreported (`rescan`), then commits. */
  rescan(): void
  /** Wraps prototype setters, methods and getters: one registry per window, shared by every kind and island. */
  readonly accessors: AccessorHooks
}

/** What a kind does on one island. Every hook but `stop` is optional; a hook that throws becomes a `sync-error`. */
export interface KindHooks {
  /** Mark (`host.markChanged`) whatever may have changed unreported: the engine commits after. */
  rescan?(): void
  /** A remote update is about to be applied: mark what changed locally (the engine commits it first). */
  beforeRemoteApply?(): void
  /** A remote update changed the attributes `keys` of `el` (the island element included) on the page. */
  patched?(el: Element, keys: readonly string[]): void
  /**
   * Attribute names that stay local on `el` and its descendants, as with `data-sync-ignore-attrs`:
   * never sent, never overwritten from a peer. Asked often: keep it cheap.
   */
  localAttributes?(el: Element): Iterable<string> | null
  /** The page adopted the session's doc (`host.doc` is now that one) and its DOM shows it: render what the kind keeps. */
  adopted?(): void
  /** The island stopped: remove every listener, timer and accessor hook. */
  stop(): void
}

const registry = new Map<string, IslandKind>()

/** Registers a kind for every island started from now on; the returned function unregisters it. */
export function registerKind(kind: IslandKind): () => void {
  registry.set(kind.name, kind)
  return () => {
    if (registry.get(kind.name) === kind) registry.delete(kind.name)
  }
}

/** The registered kinds that match `island`, in registration order. */
export function kindsFor(island: Element): IslandKind[] {
  return [...registry.values()].filter((kind) => kind.matches(island))
}

/** The first profile these kinds give `island`, if any. */
export function kindProfile(kinds: readonly IslandKind[], island: Element): ProfileName | Profile | undefined {
  for (const kind of kinds) {
    const profile = kind.profile?.(island)
    if (profile !== undefined) return profile
  }
  return undefined
}
