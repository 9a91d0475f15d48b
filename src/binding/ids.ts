import * as Y from 'yjs'
import type { BindingContext } from './context.js'
import { trySetAttribute } from './build.js'
import { ignoredAttrs } from './filter.js'
import { lineageOf, originOf } from './moves.js'
import { noteAttr } from './redo.js'

/**
 * Ids that collide (issue 12). Apps number their shapes with a per-page counter and find them by
 * `getElementById`, so two people's shapes can get one id, and each screen then finds only one of
 * them. The island's doc keeps every id on one element: where two elements of different lineages
 * (moves.ts: a moved node's copies share one) hold one id, all but one are renamed, in the doc, to
 * a name derived from their own lineage, so every peer that renames writes the same value.
 *
 * - Concurrent (any transaction this page did not capture itself): the element whose lineage
 *   (client, clock) is smallest keeps the id. Every peer that sees the collision writes the
 *   renames; they are equal, so concurrent ones merge as one value.
 * - Captured here (the page's own counter did not see an element it had): the element new to the
 *   id (made, or given the id, in this capture) yields to the one that held it, in the same
 *   transaction, so no peer ever sees the collision.
 * - References (`href="#id"`, `xlink:href`, `url(#id)` in any attribute, `style` included) follow
 *   a renamed element when they were made with it: in a capture, those written in that capture;
 *   otherwise those whose author (the client of the attribute's item, or for a value a moved copy
 *   was made with, the client that made the element) made the renamed element and not the one
 *   that keeps the id.
 *
 * Cost: each transaction is read for the ids and references it wrote (its new structs), never
 * the whole island; the index keeps every element seen with an id, dropping stale entries when met.
 */

export const ID_KEY = 'id'
const HREF_KEYS = new Set(['href', 'xlink:href'])
// url(#id), url('#id'), url( "#id" ): a same-document reference, the only url() policies render.
const URL_REF = /[uU][rR][lL]\(\s*(['"]?)#([^'"()\s]+)\1\s*\)/g
const PRUNE_MIN = 4096
/** Rounds of renaming (a new name may itself be taken, by an element some app named so). */
const MAX_ROUNDS = 4

interface Lineage {
  readonly client: number
  readonly clock: number
}

/** The live elements of one lineage that hold an id. */
interface Holder {
  readonly lineage: Lineage
  readonly types: Y.XmlElement[]
}

export class IdIndex {
  /** Elements seen with this id; stale ones (dead, or named otherwise since) are dropped when met. */
  private readonly byId = new Map<string, Set<Y.XmlElement>>()
  /** Elements seen with an attribute that references this id. */
  private readonly refs = new Map<string, Set<Y.XmlElement>>()
  /** Ids written since the last resolve: where a collision may have appeared. */
  readonly touched = new Set<string>()
  private entries = 0
  private pruneAt = PRUNE_MIN

  addId(id: string, type: Y.XmlElement): void {
    this.add(this.byId, id, type)
    this.touched.add(id)
  }

  addRef(id: string, type: Y.XmlElement): void {
    this.add(this.refs, id, type)
  }

  /** The live elements holding `id` now. */
  holders(id: string): Y.XmlElement[] {
    return this.live(this.byId, id, (t) => t.getAttribute(ID_KEY) === id)
  }

  /** The live elements with an attribute that may reference `id`. */
  referrers(id: string): Y.XmlElement[] {
    return this.live(this.refs, id, (t) => referencesIn(t).has(id))
  }

  private add(map: Map<string, Set<Y.XmlElement>>, id: string, type: Y.XmlElement): void {
    let set = map.get(id)
    if (set === undefined) map.set(id, (set = new Set()))
    if (set.has(type)) return
    set.add(type)
    if (++this.entries > this.pruneAt) this.prune()
  }

  private live(map: Map<string, Set<Y.XmlElement>>, id: string, holds: (t: Y.XmlElement) => boolean): Y.XmlElement[] {
    const set = map.get(id)
    if (set === undefined) return []
    const out: Y.XmlElement[] = []
    for (const t of set) {
      if (isLive(t) && holds(t)) out.push(t)
      else {
        set.delete(t)
        this.entries--
      }
    }
    if (set.size === 0) map.delete(id)
    return out
  }

  /** Drops every stale entry: amortized, the index stays within twice what is live. */
  private prune(): void {
    for (const id of [...this.byId.keys()]) this.holders(id)
    for (const id of [...this.refs.keys()]) this.referrers(id)
    this.pruneAt = Math.max(PRUNE_MIN, 2 * this.entries)
  }
}

const isLive = (t: Y.XmlElement): boolean => {
  for (let p: Y.AbstractType<any> | null = t; p !== null && p._item !== null; p = p.parent as Y.AbstractType<any> | null) {
    if (p._item.deleted) return false
  }
  return t.doc !== null
}

/** The ids an attribute value references: `#id` in an href, `url(#id)` anywhere. */
export function referencedIds(key: string, value: string): string[] {
  if (!value.includes('#')) return []
  const out: string[] = []
  if (HREF_KEYS.has(key)) {
    const v = value.trim()
    if (v.startsWith('#') && v.length > 1) out.push(v.slice(1))
  }
  for (const m of value.matchAll(URL_REF)) out.push(m[2]!)
  return out
}

function referencesIn(type: Y.XmlElement): Set<string> {
  const out = new Set<string>()
  for (const [key, v] of Object.entries(type.getAttributes() as Record<string, unknown>)) {
    if (typeof v === 'string' && !key.startsWith('#')) for (const id of referencedIds(key, v)) out.add(id)
  }
  return out
}

/** `value` with its references to `from` made references to `to`. */
export function retarget(key: string, value: string, from: string, to: string): string {
  if (HREF_KEYS.has(key) && value.trim() === `#${from}`) return `#${to}`
  return value.replace(URL_REF, (m, q: string, id: string) => (id === from ? `url(${q}#${to}${q})` : m))
}

/** The name a renamed element takes: its id and its lineage, so every peer computes the same. */
export const renamedId = (id: string, l: Lineage): string => `${id}-${l.client.toString(36)}-${l.clock.toString(36)}`

function parseLineage(l: string): Lineage {
  const colon = l.indexOf(':')
  return { client: Number(l.slice(0, colon)), clock: Number(l.slice(colon + 1)) }
}

const compareLineage = (a: Lineage, b: Lineage): number => a.client - b.client || a.clock - b.clock

/** What one transaction wrote that matters here. */
export interface WrittenIds {
  /** Elements whose id it wrote. */
  readonly ids: Set<Y.XmlElement>
  /** Attributes it wrote that reference an id (not the values a moved copy was made with). */
  readonly refs: Array<[Y.XmlElement, string]>
}

/**
 * Indexes the ids and references a transaction wrote (its new structs: O(change)). Inside the
 * transaction (a capture) or in its observers, before Yjs merges its structs.
 */
export function noteTransaction(ctx: BindingContext, txn: Y.Transaction): WrittenIds {
  const written: WrittenIds = { ids: new Set(), refs: [] }
  for (const [client, structs] of txn.doc.store.clients) {
    const before = txn.beforeState.get(client) ?? 0
    const last = structs[structs.length - 1]
    if (last === undefined || last.id.clock + last.length <= before) continue
    for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
      const s = structs[i]!
      if (!(s instanceof Y.Item) || s.deleted || s.parentSub === null || !(s.parent instanceof Y.XmlElement)) continue
      const key = s.parentSub
      if (key.startsWith('#')) continue
      const v = s.content.getContent()[0] as unknown
      if (typeof v !== 'string') continue
      const type = s.parent
      if (key === ID_KEY) {
        ctx.ids.addId(v, type)
        written.ids.add(type)
      }
      const refs = referencedIds(key, v)
      if (refs.length === 0) continue
      for (const id of refs) ctx.ids.addRef(id, type)
      if (!inherited(type, s)) written.refs.push([type, key])
    }
  }
  return written
}

/** A value a moved node's copy was made with (its first write of the key, by the copy's maker). */
function inherited(type: Y.XmlElement, item: Y.Item): boolean {
  return originOf(type) !== undefined && item.left === null && type._item !== null && item.id.client === type._item.id.client
}

/** Indexes every element of the island's doc (a seed, an adopted doc): once, O(island). */
export function indexAll(ctx: BindingContext): void {
  const dup = new Set<string>()
  const seen = new Set<string>()
  const walk = (types: ReadonlyArray<unknown>): void => {
    for (const t of types) {
      if (!(t instanceof Y.XmlElement)) continue
      const attrs = t.getAttributes() as Record<string, unknown>
      for (const [key, v] of Object.entries(attrs)) {
        if (typeof v !== 'string' || key.startsWith('#')) continue
        if (key === ID_KEY) {
          ctx.ids.addId(v, t)
          if (seen.has(v)) dup.add(v)
          seen.add(v)
        }
        for (const id of referencedIds(key, v)) ctx.ids.addRef(id, t)
      }
      walk(t.toArray())
    }
  }
  walk(ctx.fragment.toArray())
  // Only where two hold one id is there anything to resolve.
  ctx.ids.touched.clear()
  for (const id of dup) ctx.ids.touched.add(id)
}

/** The live holders of `id`, one entry per lineage, smallest lineage first. */
function holdersOf(ctx: BindingContext, id: string): Holder[] {
  const byLineage = new Map<string, Holder>()
  for (const t of ctx.ids.holders(id)) {
    const l = lineageOf(t)
    if (l === undefined) continue
    const h = byLineage.get(l)
    if (h) h.types.push(t)
    else byLineage.set(l, { lineage: parseLineage(l), types: [t] })
  }
  return [...byLineage.values()].sort((a, b) => compareLineage(a.lineage, b.lineage))
}

/**
 * Who made a reference, and when: the attribute item's id, or for a value a moved copy was made
 * with, the element's lineage (the copy's maker only carried it over).
 */
function authorOf(type: Y.XmlElement, key: string): Lineage | undefined {
  const item = type._map.get(key)
  if (item === undefined || item.deleted) return undefined
  if (inherited(type, item)) return parseLineage(originOf(type)!)
  return item.id
}

/**
 * The holder a reference was made with: the one its author made; of several, the last one made
 * before the reference (a client's clock orders what it made), else the first made after it (in
 * one transaction, elements and attributes are numbered parent by parent, not in the order the
 * page made them). Undefined when its author made none.
 */
function madeWith(holders: readonly Holder[], author: Lineage): Holder | undefined {
  let before: Holder | undefined
  let after: Holder | undefined
  for (const h of holders) {
    if (h.lineage.client !== author.client) continue
    if (h.lineage.clock <= author.clock) {
      if (before === undefined || h.lineage.clock > before.lineage.clock) before = h
    } else if (after === undefined || h.lineage.clock < after.lineage.clock) after = h
  }
  return before ?? after
}

type Write = (type: Y.XmlElement, key: string, value: string) => void

/** Where a capture is being resolved: which holders are new to their id, which references are new. */
interface Capture {
  readonly newcomer: (h: Holder) => boolean
  readonly wrote: (type: Y.XmlElement, key: string) => boolean
}

/** Renames every collision among the touched ids (one round). True when it wrote anything. */
function resolveRound(ctx: BindingContext, write: Write, capture: Capture | null, deferred: Set<string>): boolean {
  const ids = [...ctx.ids.touched]
  ctx.ids.touched.clear()
  let wrote = false
  for (const id of ids) {
    const holders = holdersOf(ctx, id)
    if (holders.length < 2) continue
    const incumbents = capture ? holders.filter((h) => !capture.newcomer(h)) : holders
    const keeper = (incumbents.length ? incumbents : holders)[0]!
    // A capture renames only what it brought; holders that were there before it are left to
    // resolveRemote (they may be waiting for a gap to fill).
    if (capture && incumbents.length > 1) deferred.add(id)
    const renamed = new Map<Holder, string>()
    for (const h of holders) {
      if (h === keeper || (capture && !capture.newcomer(h))) continue
      const to = renamedId(id, h.lineage)
      renamed.set(h, to)
      for (const t of h.types) write(t, ID_KEY, to)
      wrote = true
    }
    // In a capture, the references it wrote were made with its one new holder, if it has one.
    const fresh = capture ? holders.filter((h) => capture.newcomer(h)) : []
    const follows = fresh.length === 1 && renamed.has(fresh[0]!) ? fresh[0] : undefined
    for (const r of ctx.ids.referrers(id)) {
      for (const [key, v] of Object.entries(r.getAttributes() as Record<string, unknown>)) {
        if (typeof v !== 'string' || key.startsWith('#') || !referencedIds(key, v).includes(id)) continue
        let to: Holder | undefined
        if (capture?.wrote(r, key)) to = follows
        else {
          // Made with a renamed element: its author made it, and made no other holder since.
          const author = authorOf(r, key)
          const h = author && madeWith(capture ? holders.filter((x) => !capture.newcomer(x)) : holders, author)
          if (h !== undefined && renamed.has(h)) to = h
        }
        if (to !== undefined) write(r, key, retarget(key, v, id, renamed.get(to)!))
      }
    }
  }
  return wrote
}

/**
 * Resolves the collisions the remote changes just applied brought (any transaction this page did
 * not capture). Call inside a transaction whose origin the patcher applies to the page; the
 * renames it writes are indexed when that transaction's observers run, so call it again while
 * `ctx.ids.touched` holds anything (at most a few rounds).
 */
export function resolveRemote(ctx: BindingContext): boolean {
  return resolveRound(ctx, (t, key, v) => {
    t.setAttribute(key, v)
    // This page's write, as a capture's is: done again on the copy if a concurrent move (made
    // before the mover saw it) takes the element away (redo.ts). A copy's ids are checked anew
    // anyway; its references are not, and would point at the wrong element without this.
    noteAttr(ctx, t, key, v)
  }, null, new Set())
}

/**
 * In the transaction of this page's own capture, after it: an element this capture made, or
 * gave an id, yields that id to the element that held it, and the references written in this
 * capture follow it. The page's DOM is written too (a capture is not patched back). True when
 * anything was renamed.
 */
export function resolveCaptured(ctx: BindingContext, txn: Y.Transaction): boolean {
  // Ids remote changes touched that wait for resolveRemote (a gap): not this capture's to decide.
  const waiting = [...ctx.ids.touched]
  ctx.ids.touched.clear()
  try {
    return resolveCapture(ctx, txn)
  } finally {
    for (const id of waiting) ctx.ids.touched.add(id)
  }
}

function resolveCapture(ctx: BindingContext, txn: Y.Transaction): boolean {
  const written = noteTransaction(ctx, txn)
  if (ctx.ids.touched.size === 0) return false
  const me = txn.doc.clientID
  const before = txn.beforeState.get(me) ?? 0
  const madeNow = (t: Y.XmlElement): boolean => t._item !== null && t._item.id.client === me && t._item.id.clock >= before
  const refs = new Map<Y.XmlElement, Set<string>>()
  for (const [t, k] of written.refs) {
    const keys = refs.get(t)
    if (keys) keys.add(k)
    else refs.set(t, new Set([k]))
  }
  const capture: Capture = {
    newcomer: (h) => (h.lineage.client === me && h.lineage.clock >= before) || h.types.some((t) => written.ids.has(t) && !madeNow(t)),
    wrote: (t, key) => refs.get(t)?.has(key) === true,
  }
  return resolveDirect(ctx, capture)
}

/** Resolves, in the transaction in progress, writing the doc and the page (a seed or a capture). */
export function resolveDirect(ctx: BindingContext, capture: Capture | null = null): boolean {
  const write: Write = (t, key, v) => {
    t.setAttribute(key, v)
    noteAttr(ctx, t, key, v)
    if (key === ID_KEY) ctx.ids.addId(v, t)
    else for (const id of referencedIds(key, v)) ctx.ids.addRef(id, t)
    const node = ctx.mirror.nodeOf(t)
    if (node !== undefined && ctx.mirror.typeOf(node) === t) trySetAttribute(node as Element, key, v, ignoredAttrs(node as Element, ctx.root))
  }
  let wrote = false
  const deferred = new Set<string>()
  for (let round = 0; round < MAX_ROUNDS && ctx.ids.touched.size; round++) wrote = resolveRound(ctx, write, capture, deferred) || wrote
  ctx.ids.touched.clear()
  for (const id of deferred) ctx.ids.touched.add(id)
  return wrote
}
