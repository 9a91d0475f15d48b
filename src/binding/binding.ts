import * as Y from 'yjs'
import morphdom from 'morphdom'
import { allowAll, DEFAULT_RENDER_LIMITS, type BindingContext, type Refusal, type RenderFilter, type RenderLimits } from './context.js'
import { createMirror, type YNode } from './mirror.js'
import { MoveIndex } from './moves.js'
import { Capture, childIndex, registerMoves } from './capture.js'
import { collectLost, hasRedo, moveAgain, redo, RedoState } from './redo.js'
import { colliding, followOwn, IdIndex, indexAll, noteTransaction, resolve, resolveCaptured, writeHere } from './ids.js'
import { patchFromEvents, patchRootAttributes, revertRecords } from './patch.js'
import { TextMarkers } from './text-delta.js'
import { domFromType, typeFromDom } from './build.js'
import { ATTR_IGNORE, AUTHORING_PREFIX, isSynced, ignoredAttrs, setLocalAttributes } from './filter.js'
import { keyOf, sharedAttrs, shares } from './gate.js'
import { attrKey } from './names.js'
import { attachKinds, type AttachedKinds } from './kind-hooks.js'
import { realClock, type Clock } from '../clock.js'
import { accessorHooks } from '../island/accessors.js'
import type { IslandKind, KindHost } from '../island/kinds.js'

/** Transaction origins, so every listener can tell whose change it sees. */
export const LOCAL = Symbol('xml-sync-islands:local')
export const REMOTE = Symbol('xml-sync-islands:remote')
/** The island's initial content, written under a client id derived from that content. */
export const SEED = Symbol('xml-sync-islands:seed')
/** Deleting the losing copies of a node that two peers moved at once. */
export const MOVES = Symbol('xml-sync-islands:moves')
/** Doing again, on a moved node's copy, this page's edits that died with the original (redo.ts). */
export const REDO = Symbol('xml-sync-islands:redo')
/** Renaming elements whose ids collide with another's (ids.ts). */
export const IDS = Symbol('xml-sync-islands:ids')

export const FRAGMENT = 'island'
export const ROOT_ATTRS = 'attrs'

export interface BindingOptions {
  allow?: RenderFilter
  limits?: RenderLimits
  /** Told of each remote element, attribute or text not rendered (policy or limits), with the reason when the filter gave one. */
  onRefused?: (what: 'element' | 'attribute' | 'text' | 'limit', name: string, why?: Refusal) => void
  clock?: Clock
  /** Called for errors that must not escape into the page (a bug, a DOM that refuses a patch). */
  onError?: (err: unknown) => void
  /** Island kinds attached at start(), stopped at stop() (src/island/kinds.ts). */
  kinds?: readonly IslandKind[]
}

/**
 * The two-way binding of one island element and one Y.Doc: a MutationObserver feeding Capture
 * (one callback, one transaction), Yjs events feeding the patcher, and the mirror between them.
 */
export class Binding {
  private ctx: BindingContext
  private readonly capture: Capture
  private readonly observer: MutationObserver
  private readonly clock: Clock
  private readonly onError: (err: unknown) => void
  private readonly allow: RenderFilter
  private readonly limits: RenderLimits
  private readonly onRefused: NonNullable<BindingOptions['onRefused']>
  /** When set, local changes are put back from the doc instead of captured (a read-only island). */
  readOnly = false
  private readonly kindList: readonly IslandKind[]
  private kinds: AttachedKinds | null = null
  private stopped = false

  constructor(
    readonly root: Element,
    private docRef: Y.Doc,
    opts: BindingOptions = {},
  ) {
    this.allow = opts.allow ?? allowAll
    this.limits = opts.limits ?? DEFAULT_RENDER_LIMITS
    this.onRefused = opts.onRefused ?? (() => undefined)
    this.clock = opts.clock ?? realClock
    this.onError = opts.onError ?? ((err) => queueMicrotask(() => { throw err }))
    this.kindList = opts.kinds ?? []
    this.ctx = this.contextFor(docRef)
    this.capture = new Capture(this.ctx)
    const view = root.ownerDocument.defaultView
    const Observer = view?.MutationObserver ?? globalThis.MutationObserver
    this.observer = new Observer((records) => this.guard(() => this.commit(records)))
  }

  get doc(): Y.Doc {
    return this.docRef
  }

  /**
   * Fills the (empty) doc from the island's DOM, deterministically: every peer that loads the same
   * content writes the same Yjs items under the same client id (a hash of the content), so they
   * merge as one. Then the doc takes a fresh random client id for every later edit: two peers
   * editing under one client id silently drop each other's edits.
   */
  seedFromDom(seedClientId: number): void {
    // Kinds first: what they keep local (a password's value) must not be in the seed either.
    this.attachAll()
    const doc = this.docRef
    const randomId = doc.clientID
    doc.clientID = seedClientId
    doc.transact(() => {
      const created = new Set<YNode>()
      const kids: YNode[] = []
      const key = keyOf(this.root)
      const ignored = ignoredAttrs(this.root, this.root)
      for (let c = this.root.firstChild; c !== null; c = c.nextSibling) if (shares(this.ctx, c, key)) kids.push(typeFromDom(this.ctx, c, created, undefined, ignored))
      if (kids.length) this.ctx.fragment.insert(0, kids)
      const attrs = [...sharedAttrs(this.ctx, this.root)].sort((a, b) => (a[0] < b[0] ? -1 : 1))
      for (const [k, v] of attrs) this.ctx.rootAttrs.set(k, v)
      // A page whose own content repeats an id: renamed in the seed, so equal pages stay equal.
      indexAll(this.ctx)
      resolve(this.ctx, (t, key, v) => writeHere(this.ctx, t, key, v))
    }, SEED)
    doc.clientID = randomId
  }

  /**
   * Takes `doc` as the island's doc (a session's state that this page adopts) and makes the DOM
   * show it with a minimal patch: morphdom keeps every element that can stay, local-only nodes
   * and attributes included.
   */
  adopt(doc: Y.Doc): void {
    this.flush()
    this.unobserveDoc()
    this.docRef = doc
    const ctx = (this.ctx = this.contextFor(doc))
    this.capture.setContext(ctx)
    const target = this.root.cloneNode(false) as Element
    for (const t of ctx.fragment.toArray()) {
      const n = domFromType(ctx, t as YNode, keyOf(this.root), 1)
      if (n) target.appendChild(n)
    }
    // morphdom moves some of the built nodes into the page and drops others (when it morphs a page
    // node into their shape instead): note every built node's type, in document order, first.
    const types: YNode[] = []
    forEachShared(target, (n) => void types.push(ctx.mirror.typeOf(n)!))
    morphdom(this.root, target, {
      childrenOnly: true,
      onBeforeNodeDiscarded: (node) => isSynced(node),
      onBeforeElUpdated: (from, to) => {
        if (from.hasAttribute(ATTR_IGNORE)) return false
        keepLocalAttributes(from, to, this.root)
        return true
      },
    })
    // The page's shared nodes now have the built tree's shape: bind them, in the same order.
    const live: Node[] = []
    forEachShared(this.root, (n) => void live.push(n))
    if (live.length !== types.length) throw new Error(`adoption left ${live.length} shared nodes for ${types.length} types`)
    live.forEach((n, i) => ctx.mirror.bind(n, types[i]!))
    patchRootAttributes(ctx, ctx.rootAttrs.keys())
    this.kinds?.adopted()
    this.observer.takeRecords()
    this.observeDoc()
    indexAll(ctx)
    this.resolveIds()
    this.observer.takeRecords()
  }

  start(): void {
    this.observer.observe(this.root, {
      childList: true,
      attributes: true,
      characterData: true,
      characterDataOldValue: true,
      subtree: true,
    })
    this.observeDoc()
    this.attachAll()
  }

  /** Attaches the island's kinds, once (before seeding, or at start when nothing was seeded). */
  private attachAll(): void {
    if (this.kinds !== null || this.stopped || this.kindList.length === 0) return
    const kinds = (this.kinds = attachKinds(this.kindList, this.kindHost(), (fn) => this.guard(fn)))
    if (kinds.localAttributes) setLocalAttributes(this.root, kinds.localAttributes)
  }

  stop(): void {
    if (this.stopped) return
    this.flush()
    this.stopped = true
    this.observer.disconnect()
    this.unobserveDoc()
    if (this.kinds) {
      this.kinds.stop()
      if (this.kinds.localAttributes) setLocalAttributes(this.root, null)
      this.kinds = null
    }
  }

  /** Captures every DOM change made so far, now (one transaction). */
  flush(): void {
    if (this.stopped) return
    this.commit(this.observer.takeRecords())
  }

  /**
   * Captures changes no mutation record reports (the SVG DOM, a control's value set by script):
   * every attached kind marks what may have changed, then one commit.
   */
  rescan(): void {
    if (this.stopped) return
    this.kinds?.rescan()
    this.commit(this.observer.takeRecords())
  }

  /**
   * Runs `apply` (which applies remote updates to the doc with origin REMOTE) with local changes
   * captured first, so local and remote changes never interleave, and the observer's records of
   * the resulting patch dropped after, so nothing a remote update does is sent back.
   */
  applyRemote(apply: () => void): void {
    if (this.stopped) return
    this.kinds?.beforeRemoteApply()
    this.flush()
    try {
      apply()
    } finally {
      this.resolveMoves()
      // Each round may make copies (a child inserted again) that contest or die in turn.
      for (let round = 0; round < 4 && hasRedo(this.ctx); round++) {
        this.docRef.transact(() => redo(this.ctx, (t) => registerMoves(this.ctx, t)), REDO)
        this.resolveMoves()
      }
      this.resolveIds()
      this.observer.takeRecords()
      // A child this page moved inside a node moved elsewhere meanwhile: moved again, and sent.
      if (moveAgain(this.ctx)) this.commit(this.observer.takeRecords())
    }
  }

  private commit(records: MutationRecord[]): void {
    if (this.readOnly) {
      revertRecords(this.ctx, records)
      this.observer.takeRecords() // of the revert itself
      return
    }
    if (records.length) this.capture.addRecords(records)
    if (this.capture.isEmpty) return
    // The doc observers ignore local transactions, but while one is registered Yjs still builds
    // and path-sorts the events of every changed type for it: leave them out of this one.
    this.unobserveDoc()
    let renamed = false
    try {
      this.docRef.transact((txn) => {
        this.capture.flush()
        renamed = resolveCaptured(this.ctx, txn, (n) => this.capture.orderOf(n))
      }, LOCAL)
    } finally {
      this.observeDoc()
    }
    if (renamed) this.observer.takeRecords() // of the renames written to the page
  }

  /**
   * Ids that two elements hold since the last remote changes: renamed as every peer renames them
   * (ids.ts), in transactions the patcher applies. A read-only page leaves that to the editors.
   * While updates wait in Yjs's pending structs (a gap), this waits too: what waits may be a
   * reference made with the element to rename, in the same update as that element.
   */
  private resolveIds(): void {
    const { ids } = this.ctx
    if (this.readOnly) {
      ids.learned = []
      return ids.touched.clear()
    }
    if (this.docRef.store.pendingStructs !== null) return
    const write = (t: Y.XmlElement, key: string, v: string): void => writeHere(this.ctx, t, key, v, false)
    for (let round = 0; round < 4 && colliding(this.ctx); round++) this.docRef.transact(() => resolve(this.ctx, write), IDS)
    ids.touched.clear()
    if (ids.learned.length) this.docRef.transact(() => followOwn(this.ctx, write), IDS)
  }

  /** Two peers moved one node at once: keep the copy every peer keeps, delete the others. */
  private resolveMoves(): void {
    const losers = this.ctx.moves.takeLosers()
    if (!losers.length) return
    this.docRef.transact(() => {
      for (const t of losers) {
        const parent = t.parent as Y.XmlFragment | Y.XmlElement | null
        if (!parent || t._item === null || t._item.deleted) continue
        // The patcher removes the loser's DOM node and forgets its bindings, as for any delete.
        parent.delete(childIndex(parent, t), 1)
      }
    }, MOVES)
  }

  private contextFor(doc: Y.Doc): BindingContext {
    return {
      root: this.root,
      document: this.root.ownerDocument,
      fragment: doc.getXmlFragment(FRAGMENT),
      rootAttrs: doc.getMap<string>(ROOT_ATTRS),
      mirror: createMirror(),
      moves: new MoveIndex(),
      redo: new RedoState(),
      ids: new IdIndex(),
      texts: new TextMarkers(),
      allow: this.allow,
      limits: this.limits,
      refused: this.onRefused,
      ...(this.kindList.length ? { patched: (el: Element, keys: readonly string[]) => this.kinds?.patched(el, keys) } : {}),
      limited: false,
    }
  }

  private kindHost(): KindHost {
    const view = this.root.ownerDocument.defaultView ?? globalThis
    const binding = this
    return {
      root: this.root,
      get doc() {
        return binding.docRef
      },
      get readOnly() {
        return binding.readOnly
      },
      clock: this.clock,
      typeOf: (node) => this.ctx.mirror.typeOf(node),
      // Authoring attributes (data-sync-*) are never shared, so they have no key.
      attributeKey: (attr) => (attr.name.startsWith(AUTHORING_PREFIX) ? null : attrKey(attr)),
      markChanged: (elements) => {
        if (!this.stopped) this.capture.addElements(elements)
      },
      commit: () => this.guard(() => this.flush()),
      rescan: () => this.guard(() => this.rescan()),
      accessors: accessorHooks(view),
    }
  }

  private readonly onDeep = (events: Array<Y.YEvent<any>>, txn: Y.Transaction): void => {
    if (txn.origin === LOCAL || txn.origin === SEED) return
    this.guard(() => {
      try {
        noteTransaction(this.ctx, txn)
        collectLost(this.ctx, txn)
        patchFromEvents(this.ctx, events)
      } catch (err) {
        this.ctx.texts.clear() // events not seen to the end may have moved text markers
        throw err
      }
    })
  }

  private readonly onRootAttrs = (event: Y.YMapEvent<string>, txn: Y.Transaction): void => {
    if (txn.origin === LOCAL || txn.origin === SEED) return
    this.guard(() => patchRootAttributes(this.ctx, event.keysChanged))
  }

  private observeDoc(): void {
    this.ctx.fragment.observeDeep(this.onDeep)
    this.ctx.rootAttrs.observe(this.onRootAttrs)
  }

  private unobserveDoc(): void {
    this.ctx.fragment.unobserveDeep(this.onDeep)
    this.ctx.rootAttrs.unobserve(this.onRootAttrs)
  }

  private guard(fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.onError(err)
    }
  }
}

function keepLocalAttributes(from: Element, to: Element, root: Element): void {
  const ignored = ignoredAttrs(from, root)
  for (const a of Array.from(from.attributes)) {
    if (a.name.startsWith(AUTHORING_PREFIX) || ignored?.has(a.name)) {
      if (a.namespaceURI) to.setAttributeNS(a.namespaceURI, a.name, a.value)
      else to.setAttribute(a.name, a.value)
    }
  }
}

/** Calls `fn` on every shared node below `root`, in document order, not entering local subtrees. */
function forEachShared(root: Node, fn: (node: Node) => void): void {
  for (let c = root.firstChild; c !== null; c = c.nextSibling) {
    if (!isSynced(c)) continue
    fn(c)
    forEachShared(c, fn)
  }
}
