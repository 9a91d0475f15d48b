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
 *   otherwise those whose author (the attribute item's client, or for a value a moved copy was
 *   made with, the element's maker) made the renamed element, the last of the holders it made
 *   before the reference (docs/PROTOCOL.md, "The island's doc"). A page that learns that another
 *   renamed an element it made does the same for its own references to it (followOwn).
 *
 * Cost: each transaction is read for the ids and references it wrote (its new structs), never
 * the whole island; the index keeps every element seen with an id, dropping stale entries when met.
 */

export const ID_KEY = 'id'
// url(#id), url('#id'), url( "#id" ): a same-document reference, the only url() policies render.
const URL_REF = /[uU][rR][lL]\(\s*(['"]?)#([^'"()\s]+)\1\s*\)/g
const isHref = (key: string): boolean => key === 'href' || key === 'xlink:href'

/** (client, clock): a lineage, or a reference's item. */
type Stamp = [client: number, clock: number]

/** The live elements of one lineage that hold an id. */
interface Holder {
  readonly l: Stamp
  readonly types: Y.XmlElement[]
}

/** Every element seen with an id (`ids`) or a reference to one (`refs`); stale entries are dropped when met. */
export class IdIndex {
  readonly ids = new Map<string, Set<Y.XmlElement>>()
  readonly refs = new Map<string, Set<Y.XmlElement>>()
  /** Ids written since the last resolve: where a collision may have appeared. */
  readonly touched = new Set<string>()
  /** This page's own elements another page renamed (old id, element): its references to follow (followOwn). */
  learned: Array<[id: string, lineage: string]> = []
  /** Lineages of this page's elements known renamed here (learned, or renamed by this page): learned once. */
  readonly known = new Set<string>()
  n = 0
  max = 4096
}

function add(ix: IdIndex, map: Map<string, Set<Y.XmlElement>>, id: string, t: Y.XmlElement): void {
  let set = map.get(id)
  if (set === undefined) map.set(id, (set = new Set()))
  if (set.has(t)) return
  set.add(t)
  if (map === ix.ids) ix.touched.add(id)
  // Amortized: the index stays within twice what is live.
  if (++ix.n > ix.max) {
    for (const [m, f] of [[ix.ids, holders], [ix.refs, referrers]] as const) for (const k of [...m.keys()]) f(ix, k)
    ix.max = Math.max(4096, 2 * ix.n)
  }
}

function live(ix: IdIndex, map: Map<string, Set<Y.XmlElement>>, id: string, holds: (t: Y.XmlElement) => boolean): Y.XmlElement[] {
  const set = map.get(id)
  const out: Y.XmlElement[] = []
  for (const t of set ?? []) {
    if (isLive(t) && holds(t)) out.push(t)
    else {
      set!.delete(t)
      ix.n--
    }
  }
  if (set?.size === 0) map.delete(id)
  return out
}

const holders = (ix: IdIndex, id: string): Y.XmlElement[] => live(ix, ix.ids, id, (t) => t.getAttribute(ID_KEY) === id)
const referrers = (ix: IdIndex, id: string): Y.XmlElement[] => live(ix, ix.refs, id, (t) => attrs(t).some(([k, v]) => referencedIds(k, v).includes(id)))

function isLive(t: Y.XmlElement): boolean {
  for (let p: Y.AbstractType<any> | null = t; p?._item; p = p.parent as Y.AbstractType<any> | null) if (p._item.deleted) return false
  return t.doc !== null
}

/** An element's shared attributes with string values (not the binding's own `#` keys). */
const attrs = (t: Y.XmlElement): Array<[string, string]> =>
  Object.entries(t.getAttributes() as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string' && !e[0].startsWith('#'))

/** The ids an attribute value references: `#id` in an href, `url(#id)` anywhere. */
export function referencedIds(key: string, value: string): string[] {
  if (!value.includes('#')) return []
  const out = [...value.matchAll(URL_REF)].map((m) => m[2]!)
  const v = value.trim()
  if (isHref(key) && v[0] === '#' && v.length > 1) out.push(v.slice(1))
  return out
}

/** `value` with its references to `from` made references to `to`. */
export function retarget(key: string, value: string, from: string, to: string): string {
  if (isHref(key) && value.trim() === `#${from}`) return `#${to}`
  return value.replace(URL_REF, (m, q: string, id: string) => (id === from ? `url(${q}#${to}${q})` : m))
}

/** The name a renamed element takes: its id and its lineage, so every peer computes the same. */
export const renamedId = (id: string, [client, clock]: Stamp): string => `${id}-${client.toString(36)}-${clock.toString(36)}`

const stamp = (l: string): Stamp => l.split(':').map(Number) as Stamp

/** What one transaction wrote: elements whose id it wrote, and attributes referencing an id (not a moved copy's carried values). */
interface Written {
  readonly ids: Set<Y.XmlElement>
  readonly refs: Map<Y.XmlElement, Set<string>>
}

/**
 * Indexes the ids and references a transaction wrote (its new structs: O(change)). Inside the
 * transaction (a capture) or in its observers, before Yjs merges its structs.
 */
export function noteTransaction(ctx: BindingContext, txn: Y.Transaction): Written {
  const w: Written = { ids: new Set(), refs: new Map() }
  for (const [client, structs] of txn.doc.store.clients) {
    const before = txn.beforeState.get(client) ?? 0
    const last = structs[structs.length - 1]
    if (last === undefined || last.id.clock + last.length <= before) continue
    for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
      const s = structs[i]!
      const key = s instanceof Y.Item && !s.deleted && s.parent instanceof Y.XmlElement ? s.parentSub : null
      const v = key === null || key[0] === '#' ? undefined : ((s as Y.Item).content.getContent()[0] as unknown)
      if (typeof v !== 'string') continue
      const t = (s as Y.Item).parent as Y.XmlElement
      if (key === ID_KEY) {
        add(ctx.ids, ctx.ids.ids, v, t)
        w.ids.add(t)
        if (client !== txn.doc.clientID) noteLearned(ctx, t, v)
      }
      const refs = referencedIds(key!, v)
      for (const id of refs) add(ctx.ids, ctx.ids.refs, id, t)
      if (refs.length && !inherited(t, s as Y.Item)) {
        if (!w.refs.has(t)) w.refs.set(t, new Set())
        w.refs.get(t)!.add(key!)
      }
    }
  }
  return w
}

/**
 * Another page renamed an element this page made (or a copy of it arrives renamed: moved by a
 * page that had seen the rename). This page may have made references to it, by the old id,
 * that no page renaming it has seen yet (made before this page saw the other holder, and sent
 * after that page renamed): remembered once per element, for followOwn.
 */
function noteLearned(ctx: BindingContext, t: Y.XmlElement, v: string): void {
  const l = lineageOf(t)
  if (l === undefined || stamp(l)[0] !== t.doc?.clientID || ctx.ids.known.has(l)) return
  const suffix = renamedId('', stamp(l))
  if (!v.endsWith(suffix) || v.length === suffix.length) return
  ctx.ids.known.add(l)
  ctx.ids.learned.push([v.slice(0, -suffix.length), l])
}

/**
 * This page's references to its own elements that others renamed (noteLearned) follow them, by
 * the rule resolve() applies: the holder they were made with. Only this page, their author, does
 * this, when it learns of the rename: a reference it makes to the old id afterwards means the
 * element that kept it. Call inside a transaction whose origin the patcher applies.
 */
export function followOwn(ctx: BindingContext, write: Write): void {
  const me = ctx.fragment.doc!.clientID
  for (const [id, l] of ctx.ids.learned.splice(0)) {
    // The element now, wherever it is (a concurrent move may have made a copy of it since).
    const to = renamedId(id, stamp(l))
    const t = holders(ctx.ids, to).find((h) => lineageOf(h) === l)
    if (t === undefined) continue
    const hs = [...holdersOf(ctx, id), { l: stamp(l), types: [t] }]
    for (const r of referrers(ctx.ids, id)) {
      for (const [key, v] of attrs(r)) {
        const author = referencedIds(key, v).includes(id) ? authorOf(r, key) : undefined
        if (author?.[0] === me && r !== t && madeWith(hs, author)?.types[0] === t) write(r, key, retarget(key, v, id, to))
      }
    }
  }
}

/** A value a moved node's copy was made with (its first write of the key, by the copy's maker). */
const inherited = (t: Y.XmlElement, item: Y.Item): boolean => originOf(t) !== undefined && item.left === null && item.id.client === t._item?.id.client

/** Indexes every element of the island's doc (a seed, an adopted doc): once, O(island). */
export function indexAll(ctx: BindingContext): void {
  const ix = ctx.ids
  const walk = (types: ReadonlyArray<unknown>): void => {
    for (const t of types) {
      if (!(t instanceof Y.XmlElement)) continue
      for (const [k, v] of attrs(t)) {
        if (k === ID_KEY) add(ix, ix.ids, v, t)
        for (const id of referencedIds(k, v)) add(ix, ix.refs, id, t)
      }
      walk(t.toArray())
    }
  }
  walk(ctx.fragment.toArray())
}

/** The live holders of `id`, one entry per lineage, smallest lineage first. */
function holdersOf(ctx: BindingContext, id: string): Holder[] {
  const by = new Map<string, Holder>()
  for (const t of holders(ctx.ids, id)) {
    const l = lineageOf(t)
    if (l !== undefined) by.get(l)?.types.push(t) ?? by.set(l, { l: stamp(l), types: [t] })
  }
  return [...by.values()].sort((a, b) => a.l[0] - b.l[0] || a.l[1] - b.l[1])
}

/**
 * Who made a reference, and when: the attribute item's id, or for a value a moved copy was made
 * with, the element's lineage (the copy's maker only carried it over).
 */
function authorOf(t: Y.XmlElement, key: string): Stamp | undefined {
  const item = t._map.get(key)
  if (item === undefined || item.deleted) return undefined
  return inherited(t, item) ? stamp(originOf(t)!) : [item.id.client, item.id.clock]
}

/**
 * The holder a reference was made with: the one its author made; of several, the last one made
 * before the reference (a client's clock orders what it made), else the first made after it (in
 * one transaction, elements and attributes are numbered parent by parent, not in the order the
 * page made them). Undefined when its author made none.
 */
function madeWith(hs: readonly Holder[], [client, clock]: Stamp): Holder | undefined {
  const mine = hs.filter((h) => h.l[0] === client)
  const before = mine.filter((h) => h.l[1] <= clock)
  return before.length ? before.reduce((a, b) => (b.l[1] > a.l[1] ? b : a)) : mine.reduce<Holder | undefined>((a, b) => (a === undefined || b.l[1] < a.l[1] ? b : a), undefined)
}

type Write = (t: Y.XmlElement, key: string, value: string) => void

/** A capture being resolved: which holders are new to their id, which references it wrote. */
interface Capture {
  readonly newcomer: (h: Holder) => boolean
  readonly wrote: Written['refs']
  /** Whether the page made `r` (added it, or changed its attributes) no earlier than holder `h`. */
  readonly after: (r: Y.XmlElement, h: Holder) => boolean
}

/**
 * Renames every collision among the touched ids, for a few rounds (a new name may itself be
 * taken, by an element some app named so). In a capture, only what the capture brought is
 * renamed; ids that holders from before it share are left touched, for resolveIds.
 */
export function resolve(ctx: BindingContext, write: Write, capture: Capture | null = null): void {
  const ix = ctx.ids
  if (!colliding(ctx)) return
  const later = new Set<string>()
  for (let round = 0; round < 4 && ix.touched.size; round++) {
    const ids = [...ix.touched]
    ix.touched.clear()
    for (const id of ids) {
      const hs = holdersOf(ctx, id)
      if (hs.length < 2) continue
      const olds = capture ? hs.filter((h) => !capture.newcomer(h)) : hs
      const keeper = (olds.length ? olds : hs)[0]!
      if (capture && olds.length > 1) later.add(id)
      const renamed = new Map<Holder, string>()
      for (const h of hs) {
        if (h === keeper || (capture && olds.includes(h))) continue
        renamed.set(h, renamedId(id, h.l))
        for (const t of h.types) write(t, ID_KEY, renamed.get(h)!)
      }
      // In a capture, the references it wrote were made with its one new holder, if it has one.
      const fresh = capture ? hs.filter((h) => capture.newcomer(h)) : []
      for (const r of referrers(ix, id)) {
        for (const [key, v] of attrs(r)) {
          if (!referencedIds(key, v).includes(id)) continue
          // Made with a renamed element: its author made it, and made no other holder since.
          const byCapture = capture?.wrote.get(r)?.has(key) === true
          const author = byCapture ? undefined : authorOf(r, key)
          const h = byCapture ? (fresh.length === 1 && capture!.after(r, fresh[0]!) ? fresh[0] : undefined) : author && madeWith(olds, author)
          // Never to itself: an element's reference to the id it holds is made with another.
          const to = h && !h.types.includes(r) ? renamed.get(h) : undefined
          if (to !== undefined) write(r, key, retarget(key, v, id, to))
        }
      }
    }
  }
  ix.touched.clear()
  for (const id of later) ix.touched.add(id)
}

/** Whether any touched id has two holders; the others are done with (most transactions). */
export function colliding(ctx: BindingContext): boolean {
  for (const id of ctx.ids.touched) {
    if (holders(ctx.ids, id).length > 1) return true
    ctx.ids.touched.delete(id)
  }
  return false
}

/**
 * In the transaction of this page's own capture, after it: an element this capture made, or
 * gave an id, yields that id to the element that held it, and the references written in this
 * capture follow it. The page's DOM is written too (a capture is not patched back). True when
 * anything was renamed.
 */
export function resolveCaptured(ctx: BindingContext, txn: Y.Transaction, orderOf: (node: Node | undefined) => number | undefined): boolean {
  // Ids remote changes touched that wait for resolveIds (a gap): not this capture's to decide.
  const waiting = [...ctx.ids.touched]
  ctx.ids.touched.clear()
  const w = noteTransaction(ctx, txn)
  const me = txn.doc.clientID
  const before = txn.beforeState.get(me) ?? 0
  const madeNow = (t: Y.XmlElement): boolean => t._item?.id.client === me && t._item.id.clock >= before
  let wrote = false
  resolve(ctx, (t, key, v) => ((wrote = true), writeHere(ctx, t, key, v)), {
    newcomer: (h) => (h.l[0] === me && h.l[1] >= before) || h.types.some((t) => w.ids.has(t) && !madeNow(t)),
    wrote: w.refs,
    after: (r, h) => {
      const o = orderOf(ctx.mirror.nodeOf(r))
      const made = Math.min(...h.types.map((t) => orderOf(ctx.mirror.nodeOf(t)) ?? Infinity))
      return o === undefined || made === Infinity || o >= made
    },
  })
  for (const id of waiting) ctx.ids.touched.add(id)
  return wrote
}

/**
 * Writes a rename, as this page's own write: redo.ts does it again on a concurrent move's copy
 * (made before the mover saw it), so that a reference the mover carried follows too. `page`:
 * on the page's DOM too (a seed, a capture: not patched back); else the patcher renders it.
 */
export function writeHere(ctx: BindingContext, t: Y.XmlElement, key: string, v: string, page = true): void {
  t.setAttribute(key, v)
  noteAttr(ctx, t, key, v)
  const l = key === ID_KEY ? lineageOf(t) : undefined
  if (l !== undefined && stamp(l)[0] === t.doc?.clientID) ctx.ids.known.add(l) // renamed by this page: nothing to learn
  if (!page) return // indexed when its transaction's observers run
  if (key === ID_KEY) add(ctx.ids, ctx.ids.ids, v, t)
  else for (const id of referencedIds(key, v)) add(ctx.ids, ctx.ids.refs, id, t)
  const node = ctx.mirror.nodeOf(t)
  if (node !== undefined && ctx.mirror.typeOf(node) === t) trySetAttribute(node as Element, key, v, ignoredAttrs(node as Element, ctx.root))
}
