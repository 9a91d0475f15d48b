import * as Y from 'yjs'
import type { BindingContext } from './context.js'
import type { YNode } from './mirror.js'
import { lineageOf, ORIGIN_KEY } from './moves.js'
import { textOfType, typeFromDom } from './build.js'
import { isSynced } from './filter.js'
import { isHighSurrogate, isLowSurrogate } from './text.js'

/**
 * Nothing lost to a concurrent move (issue 11). A move is a delete and a copy, so an edit made
 * while another page moves the node (or an ancestor) lands on the deleted original. Its author
 * notices, when the delete arrives with a live copy of the same lineage, and does the edit again
 * on the copy, under its own client id: an ordinary update that every peer merges.
 *
 * - An attribute this page wrote (or removed) and that still stood on the original when it died
 *   is written on the copy, if the copy still holds what it was made with for that key (nobody
 *   wrote it since the move).
 * - A child this page inserted into the original, and that the copy does not have, is inserted
 *   into the copy again (from this page's node, keeping its lineage), after the copy of its
 *   nearest left sibling.
 * - A node this page deleted (not moved) is remembered by lineage: a copy of it that arrives
 *   later (a concurrent move) is deleted again. The delete wins; nothing is resurrected.
 */
export class RedoState {
  /** Per type, per attribute key, the item this page's last write made (or removed) and the value. */
  readonly attrs = new WeakMap<YNode, Map<string, { client: number; clock: number; value: string | undefined }>>()
  /** Attribute writes of a type this page's capture just deleted, by its node: a copy of the node takes them over. */
  readonly carry = new WeakMap<Node, Map<string, { client: number; clock: number; value: string | undefined }>>()
  /** The old type of a node this page's capture is copying (a move), by the node. */
  readonly from = new WeakMap<Node, Y.XmlElement>()
  /** Per text, this page's recent edits, oldest first: the ids of what it inserted or deleted (with the text deleted). */
  readonly texts = new WeakMap<Y.XmlText, TextOp[]>()
  /** Edits that died with a node, by the node's lineage, until a live copy of it is known. */
  readonly lost = new Map<string, Lost[]>()
  /** Copies this page placed where they are by moving that very node (not copied along with an ancestor). */
  readonly placed = new WeakSet<YNode>()
  /** This page's moves of a child inside a node that died moved: to do again, in the page, once patched. */
  moves: Array<{ parent: Y.XmlElement; lineage: string; lefts: string[]; rights: string[] }> = []
}

interface TextOp {
  readonly insert: boolean
  /** Per character, its id (client, clock). */
  readonly ids: Array<[number, number]>
  /** What was deleted, one UTF-16 unit per id. */
  readonly text: string
}

const MAX_TEXT_OPS = 64
const MAX_DELETED = 20_000
const MAX_LOST = 512

type Lost =
  | { kind: 'attr'; key: string; value: string | undefined }
  | { kind: 'text'; chars: Array<{ id: string; ch: string | null; visible: boolean }>; ops: TextOp[] }
  | { kind: 'child'; node: Node; lineage: Map<Node, string>; lefts: string[]; rights: string[]; moved: boolean }

/** Capture wrote (or removed) attribute `key` on `type`: remember the item, to tell later whether it stood. */
export function noteAttr(ctx: BindingContext, type: Y.XmlElement, key: string, value: string | undefined): void {
  const item = type._map.get(key)
  if (item === undefined && value !== undefined) return
  let m = ctx.redo.attrs.get(type)
  if (m === undefined) ctx.redo.attrs.set(type, (m = new Map()))
  // A removal of a key the type never had stands while the key stays absent (client -1).
  m.set(key, { client: item?.id.client ?? -1, clock: item?.id.clock ?? -1, value })
}

/** Capture is about to delete `len` units of `type` at `index`: remember their ids and text. */
export function noteTextDelete(ctx: BindingContext, type: Y.XmlText, index: number, len: number): void {
  const ids: Array<[number, number]> = []
  let text = ''
  let at = 0
  for (let item = type._start; item !== null && at < index + len; item = item.right) {
    if (item.deleted || !(item.content instanceof Y.ContentString)) continue
    const str = item.content.str
    for (let k = 0; k < str.length; k++, at++) {
      if (at >= index && at < index + len) {
        ids.push([item.id.client, item.id.clock + k])
        text += str[k]
      }
    }
  }
  pushTextOp(ctx, type, { insert: false, ids, text })
}

/** Capture inserted `len` units into `type`, as its items from clock `clock` on. */
export function noteTextInsert(ctx: BindingContext, type: Y.XmlText, client: number, clock: number, len: number): void {
  const ids: Array<[number, number]> = []
  for (let k = 0; k < len; k++) ids.push([client, clock + k])
  pushTextOp(ctx, type, { insert: true, ids, text: '' })
}

function pushTextOp(ctx: BindingContext, type: Y.XmlText, op: TextOp): void {
  let ops = ctx.redo.texts.get(type)
  if (ops === undefined) ctx.redo.texts.set(type, (ops = []))
  ops.push(op)
  if (ops.length > MAX_TEXT_OPS) ops.shift()
}

/**
 * Capture made `type`, a copy of a node it moved: this page's writes to the node's old type now
 * stand as the copy's attributes (the copy was made with them), so that they are done again if
 * this copy loses to another page's copy of the same node.
 */
export function carryAttrs(ctx: BindingContext, type: YNode): void {
  if (!(type instanceof Y.XmlElement)) return
  const node = ctx.mirror.nodeOf(type)
  if (node === undefined) return
  let m: Map<string, { client: number; clock: number; value: string | undefined }> | undefined
  // What the copy differs in from the old type was changed here in the same task as the move.
  const old = ctx.redo.from.get(node)
  if (old !== undefined) {
    ctx.redo.from.delete(node)
    const was = (key: string): unknown => old._map.get(key)?.content.getContent()[0]
    for (const [key, item] of type._map) {
      if (key.startsWith('#') || item.deleted) continue
      const v = item.content.getContent()[0]
      if (typeof v === 'string' && was(key) !== v) (m ??= new Map()).set(key, { client: item.id.client, clock: item.id.clock, value: v })
    }
    for (const [key, item] of old._map) {
      if (key.startsWith('#') || type._map.has(key)) continue
      // Live before this transaction (deleted now, with the old type, or by this page's removal).
      if (!item.deleted || Y.isDeleted(txnDeletes(type), item.id)) (m ??= new Map()).set(key, { client: -1, clock: -1, value: undefined })
    }
  }
  const log = ctx.redo.carry.get(node)
  if (log === undefined) {
    if (m) ctx.redo.attrs.set(type, m)
    return
  }
  ctx.redo.carry.delete(node)
  for (const [key, w] of log) {
    if (m?.has(key)) continue
    const item = type._map.get(key)
    const now = item === undefined || item.deleted ? undefined : (item.content.getContent()[0] as unknown)
    if (now !== w.value) continue
    ;(m ??= new Map()).set(key, { client: item?.id.client ?? -1, clock: item?.id.clock ?? -1, value: w.value })
  }
  if (m) ctx.redo.attrs.set(type, m)
}

/** The deletes of the transaction in progress on `type`'s doc. */
function txnDeletes(type: YNode): Y.Transaction['deleteSet'] {
  return (type.doc as unknown as { _transaction: Y.Transaction })._transaction.deleteSet
}

/** Capture (or a redo) inserted `type` where it is: if it is a copy, this page moved that node there. */
export function notePlaced(ctx: BindingContext, type: YNode): void {
  if (type._map.has(ORIGIN_KEY)) ctx.redo.placed.add(type)
}

/** Capture deleted (not moved) a node of lineage `lineage`. */
export function noteDeleted(ctx: BindingContext, lineage: string): void {
  const d = ctx.moves.deleted
  d.delete(lineage)
  d.add(lineage)
  if (d.size > MAX_DELETED) d.delete(d.values().next().value as string)
}

/**
 * Inside the observers of a transaction that is not this page's own capture: every type it
 * deleted that this page had edited, or inserted a child into, leaves what is needed to do
 * those edits again on a live copy (the deleted type's content is collected after the observers).
 */
export function collectLost(ctx: BindingContext, txn: Y.Transaction): void {
  const me = txn.doc.clientID
  const clients = txn.doc.store.clients
  for (const [client, ranges] of txn.deleteSet.clients) {
    const before = txn.beforeState.get(client) ?? 0
    const structs = clients.get(client)
    if (structs === undefined) continue
    for (const { clock, len } of ranges) {
      if (clock >= before) continue
      const end = Math.min(clock + len, before)
      for (let i = Y.findIndexSS(structs, clock); i < structs.length && structs[i]!.id.clock < end; i++) {
        const s = structs[i]!
        if (!(s instanceof Y.Item) || !(s.content instanceof Y.ContentType)) continue
        const t = s.content.type
        if (t instanceof Y.XmlElement) collectType(ctx, txn, t, me)
        else if (t instanceof Y.XmlText) collectText(ctx, txn, t)
      }
    }
  }
}

function collectType(ctx: BindingContext, txn: Y.Transaction, type: Y.XmlElement, me: number): void {
  let found: Lost[] | undefined
  const attrs = ctx.redo.attrs.get(type)
  if (attrs !== undefined) {
    for (const [key, w] of attrs) {
      const item = type._map.get(key)
      // Still this page's write when the node died (no concurrent write won over it).
      if (w.client === -1) {
        // A removal carried over to a copy this page made: it stands while the key stays absent.
        if (item !== undefined && Y.isDeleted(txn.deleteSet, item.id)) continue
      } else if (item === undefined || item.id.client !== w.client || item.id.clock !== w.clock) continue
      ;(found ??= []).push({ kind: 'attr', key, value: w.value })
    }
  }
  const alive = (item: Y.Item): boolean => Y.isDeleted(txn.deleteSet, item.id) && item.id.clock < (txn.beforeState.get(item.id.client) ?? 0)
  for (let item = type._start; item !== null; item = item.right) {
    if (item.id.client !== me || !(item.content instanceof Y.ContentType) || !alive(item)) continue
    const child = item.content.type as YNode
    const node = ctx.mirror.nodeOf(child)
    const l = lineageOf(child)
    // The page's node for it (a node rebound since may still be named by its old type).
    if (node === undefined || l === undefined || ctx.mirror.typeOf(node) !== child) continue
    const lineage = new Map<Node, string>()
    lineageBelow(ctx, node, lineage)
    const lefts: string[] = []
    const rights: string[] = []
    for (let r = item.left; r !== null && lefts.length < 16; r = r.left) if (r.content instanceof Y.ContentType && alive(r)) pushLineage(lefts, r)
    for (let r = item.right; r !== null && rights.length < 16; r = r.right) if (r.content instanceof Y.ContentType && alive(r)) pushLineage(rights, r)
    // This page moved the child there (a copy of the child itself, not of an ancestor).
    const moved = ctx.redo.placed.has(child)
    ;(found ??= []).push({ kind: 'child', node, lineage, lefts, rights, moved })
  }
  if (found === undefined) return
  const l = lineageOf(type)
  if (l === undefined) return
  const list = ctx.redo.lost.get(l)
  if (list) list.push(...found)
  else ctx.redo.lost.set(l, found)
  if (ctx.redo.lost.size > MAX_LOST) ctx.redo.lost.delete(ctx.redo.lost.keys().next().value as string)
}

/** A text this page edited died: keep its characters (with what this page deleted) and the edits. */
function collectText(ctx: BindingContext, txn: Y.Transaction, type: Y.XmlText): void {
  const ops = ctx.redo.texts.get(type)
  const l = ops?.length ? lineageOf(type) : undefined
  if (ops === undefined || l === undefined) return
  const deletedText = new Map<string, string>()
  for (const op of ops) if (!op.insert) op.ids.forEach(([c, k], i) => deletedText.set(`${c}:${k}`, op.text[i]!))
  const chars: Array<{ id: string; ch: string | null; visible: boolean }> = []
  for (let item = type._start; item !== null; item = item.right) {
    const visible = Y.isDeleted(txn.deleteSet, item.id) && item.id.clock < (txn.beforeState.get(item.id.client) ?? 0)
    const str = item.content instanceof Y.ContentString ? item.content.str : null
    if (str === null && !(item.content instanceof Y.ContentDeleted)) continue
    for (let k = 0; k < item.length; k++) {
      const id = `${item.id.client}:${item.id.clock + k}`
      chars.push({ id, ch: str !== null ? str[k]! : (deletedText.get(id) ?? null), visible })
    }
  }
  const list = ctx.redo.lost.get(l)
  const e: Lost = { kind: 'text', chars, ops: [...ops] }
  if (list) list.push(e)
  else ctx.redo.lost.set(l, [e])
}

/**
 * This page's text edits again on the copy. The copy was made from the text as the mover saw it:
 * some of the edits made here (by this page and by others) had not reached the mover. Which of
 * this page's edits had is read from an alignment of the copy's text with the dead text's
 * characters (the visible ones, and the ones this page deleted), matching characters of other
 * pages before this page's own insertions, since an insertion is what the mover may lack. Then:
 * - a character this page inserted that the alignment leaves unmatched (the mover lacked it) is
 *   inserted into the copy after the nearest matched character to its left;
 * - a character this page deleted that the alignment matches (the mover still had it) is
 *   deleted from the copy.
 * Other pages' edits are theirs to do again, each page doing only its own (so nothing is done
 * twice), as ordinary updates on the copy.
 */
function redoText(ctx: BindingContext, copy: Y.XmlText, e: Extract<Lost, { kind: 'text' }>): void {
  const inserted = new Set<string>()
  const deleted = new Set<string>()
  for (const op of e.ops) for (const [c, k] of op.ids) (op.insert ? inserted : deleted).add(`${c}:${k}`)
  // What the copy is aligned with: the visible characters and those this page deleted, in units
  // that never split a surrogate pair. Kind 1: this page inserted it; 2: this page deleted it.
  const chars = e.chars.filter((c) => c.ch !== null && (c.visible || deleted.has(c.id)))
  const kindOf = (c: (typeof chars)[number]): number => (!c.visible ? 2 : inserted.has(c.id) ? 1 : 0)
  const units: string[] = []
  const kinds: number[] = []
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    const next = chars[i + 1]
    const kind = kindOf(c)
    const pair = next !== undefined && isHighSurrogate(c.ch!.charCodeAt(0)) && isLowSurrogate(next.ch!.charCodeAt(0)) && kindOf(next) === kind
    units.push(pair ? c.ch! + next.ch! : c.ch!)
    kinds.push(kind)
    if (pair) i++
  }
  const copyUnits = Array.from(textOfType(copy)) // code points: a lone half stays one unit
  const offsets: number[] = []
  for (let j = 0, at = 0; j < copyUnits.length; at += copyUnits[j]!.length, j++) offsets.push(at)
  const match = align(units, kinds, copyUnits)
  if (match === null) return
  const deletes: Array<{ at: number; len: number }> = []
  const inserts: Array<{ at: number; text: string }> = []
  let left = 0 // the copy's offset just after the last matched unit so far
  for (let i = 0; i < units.length; i++) {
    const j = match[i]!
    if (j >= 0) {
      left = offsets[j]! + copyUnits[j]!.length
      if (kinds[i] === 2) deletes.push({ at: offsets[j]!, len: copyUnits[j]!.length })
    } else if (kinds[i] === 1) {
      const last = inserts[inserts.length - 1]
      if (last !== undefined && last.at === left) last.text += units[i]
      else inserts.push({ at: left, text: units[i]! })
    }
  }
  if (!deletes.length && !inserts.length) return
  // From the end of the copy's text to its start, so that every offset still means what it did
  // (at one offset, the delete of what is there before the insert in front of it).
  const edits = [...deletes.map((d) => ({ ...d, text: null as string | null })), ...inserts.map((x) => ({ ...x, len: 0 }))]
  edits.sort((a, b) => b.at - a.at || (a.text === null ? -1 : 1))
  const doc = copy.doc!
  for (const edit of edits) {
    if (edit.text === null) {
      noteTextDelete(ctx, copy, edit.at, edit.len)
      copy.delete(edit.at, edit.len)
    } else {
      const clock = Y.getState(doc.store, doc.clientID)
      copy.insert(edit.at, edit.text)
      noteTextInsert(ctx, copy, doc.clientID, clock, edit.text.length)
    }
  }
}


/** Past this many cells the alignment is not tried: this page's edits were too far apart. */
const MAX_ALIGN_CELLS = 4_000_000

/**
 * For each unit of `a`, the index of the unit of `b` it is aligned with, or -1: an alignment of
 * most weight, where matching a unit this page inserted (`mine` 1) weighs less
 * than matching any other, so that of two equal characters the older one is taken as the one the
 * mover saw. Null when the texts are too long apart to align.
 */
function align(a: readonly string[], mine: readonly number[], b: readonly string[]): number[] | null {
  const n = a.length
  const m = b.length
  const out = new Array<number>(n).fill(-1)
  let pre = 0
  while (pre < n && pre < m && mine[pre] === 0 && a[pre] === b[pre]) out[pre] = pre++
  let suf = 0
  while (suf < n - pre && suf < m - pre && mine[n - 1 - suf] === 0 && a[n - 1 - suf] === b[m - 1 - suf]) {
    out[n - 1 - suf] = m - 1 - suf
    suf++
  }
  const rows = n - pre - suf
  const cols = m - pre - suf
  if (rows === 0 || cols === 0) return out
  if ((rows + 1) * (cols + 1) > MAX_ALIGN_CELLS) return null
  const w = cols + 1
  const dp = new Int32Array((rows + 1) * w)
  for (let i = 1; i <= rows; i++) {
    const ch = a[pre + i - 1]
    const weight = mine[pre + i - 1] === 1 ? 1 : 2
    for (let j = 1; j <= cols; j++) {
      let best = Math.max(dp[(i - 1) * w + j]!, dp[i * w + j - 1]!)
      if (ch === b[pre + j - 1]) best = Math.max(best, dp[(i - 1) * w + j - 1]! + weight)
      dp[i * w + j] = best
    }
  }
  for (let i = rows, j = cols; i > 0 && j > 0; ) {
    const here = dp[i * w + j]!
    const weight = mine[pre + i - 1] === 1 ? 1 : 2
    if (a[pre + i - 1] === b[pre + j - 1] && here === dp[(i - 1) * w + j - 1]! + weight) {
      out[pre + i - 1] = pre + j - 1
      i--
      j--
    } else if (here === dp[(i - 1) * w + j]) i--
    else j--
  }
  return out
}

/**
 * Does again, in the page, this page's moves of a child inside a node that another page moved at
 * the same time: the child goes back after the sibling it was moved after (or before the one it
 * was moved before), as the page's own move, which capture then sends as any move. Call after the
 * remote update is patched; true if anything moved.
 */
export function moveAgain(ctx: BindingContext): boolean {
  const list = ctx.redo.moves
  if (!list.length) return false
  ctx.redo.moves = []
  let moved = false
  for (const m of list) {
    const child = ctx.moves.liveCopy(m.lineage)
    if (!live(m.parent) || child === undefined || child.parent !== m.parent) continue
    const parentNode = ctx.mirror.nodeOf(m.parent)
    const node = ctx.mirror.nodeOf(child)
    if (parentNode === undefined || node === undefined || node.parentNode !== parentNode) continue
    const kids = m.parent.toArray() as YNode[]
    const lineages = kids.map((k) => lineageOf(k))
    const at = kids.indexOf(child)
    const left = m.lefts.find((l) => l !== m.lineage && lineages.includes(l))
    const right = left === undefined ? m.rights.find((l) => l !== m.lineage && lineages.includes(l)) : undefined
    let ref: Node | null
    if (left !== undefined) {
      const i = lineages.indexOf(left)
      if (at === i + 1) continue
      const leftNode = ctx.mirror.nodeOf(kids[i]!)
      if (leftNode?.parentNode !== parentNode) continue
      ref = leftNode.nextSibling
    } else if (right !== undefined) {
      const i = lineages.indexOf(right)
      if (at === i - 1) continue
      const rightNode = ctx.mirror.nodeOf(kids[i]!)
      if (rightNode?.parentNode !== parentNode) continue
      ref = rightNode
    } else continue
    if (ref === node) continue
    parentNode.insertBefore(node, ref)
    moved = true
  }
  return moved
}

function pushLineage(out: string[], item: Y.Item): void {
  const l = lineageOf((item.content as Y.ContentType).type as YNode)
  if (l !== undefined) out.push(l)
}

function lineageBelow(ctx: BindingContext, node: Node, out: Map<Node, string>): void {
  const t = ctx.mirror.typeOf(node)
  if (t === undefined) return
  const l = lineageOf(t)
  if (l !== undefined) out.set(node, l)
  for (let c = node.firstChild; c !== null; c = c.nextSibling) lineageBelow(ctx, c, out)
}

const live = (t: YNode | null | undefined): t is YNode => t != null && t._item !== null && !t._item.deleted && !isUnderDeleted(t)

function isUnderDeleted(t: YNode): boolean {
  for (let p = t.parent; p !== null && p instanceof Y.AbstractType && p._item !== null; p = p.parent) if (p._item.deleted) return true
  return false
}

/** Whether there is anything to do again (call redo() inside a transaction if so). */
export function hasRedo(ctx: BindingContext): boolean {
  if (ctx.moves.doomed.length) return true
  for (const l of ctx.redo.lost.keys()) if (ctx.moves.liveCopy(l)) return true
  return false
}

/**
 * Does again, on the live copies, what died with their originals (see RedoState). Call inside
 * one transaction whose origin the patcher applies to the page.
 */
export function redo(ctx: BindingContext, registerMoves: (t: YNode) => void): void {
  const doomed = ctx.moves.doomed
  ctx.moves.doomed = []
  for (const t of doomed) {
    if (!live(t)) continue
    const parent = t.parent as Y.XmlElement | Y.XmlFragment
    parent.delete(indexIn(parent, t), 1)
  }
  for (const [l, edits] of [...ctx.redo.lost]) {
    const copy = ctx.moves.liveCopy(l)
    if (copy === undefined) continue
    ctx.redo.lost.delete(l)
    if (!live(copy)) continue
    for (const e of edits) {
      if (e.kind === 'text') {
        if (copy instanceof Y.XmlText) redoText(ctx, copy, e)
      } else if (!(copy instanceof Y.XmlElement)) continue
      else if (e.kind === 'attr') redoAttr(ctx, copy, e.key, e.value)
      else redoChild(ctx, copy, e, registerMoves)
    }
  }
}

function redoAttr(ctx: BindingContext, copy: Y.XmlElement, key: string, value: string | undefined): void {
  const item = copy._map.get(key)
  // The copy still holds what it was made with for this key: nobody wrote it since the move.
  if (item !== undefined && (item.left !== null || item.deleted || item.id.client !== copy._item!.id.client)) return
  const now = item === undefined ? undefined : (copy.getAttribute(key) as string | undefined)
  // Already so (the mover saw the write, or the copy is this page's own, of its node): the copy's
  // value is now this page's write, to do again if this copy dies too.
  if (now === value) return noteAttr(ctx, copy, key, value)
  if (value === undefined) copy.removeAttribute(key)
  else copy.setAttribute(key, value)
  noteAttr(ctx, copy, key, value)
}

function redoChild(ctx: BindingContext, copy: Y.XmlElement, e: Extract<Lost, { kind: 'child' }>, registerMoves: (t: YNode) => void): void {
  const own = e.lineage.get(e.node)
  if (own === undefined) return
  const kids = copy.toArray() as YNode[]
  const lineages = kids.map((k) => lineageOf(k))
  if (lineages.includes(own)) {
    // The copy has it. If this page had moved it inside the node, the copy may hold it where it
    // was before that move (the mover had not seen it): moved again once the page is patched.
    if (e.moved) ctx.redo.moves.push({ parent: copy, lineage: own, lefts: e.lefts, rights: e.rights })
    return
  }
  if (ctx.moves.liveCopy(own)) return // it lives elsewhere (moved there meanwhile)
  if (ctx.mirror.typeOf(e.node) !== undefined) return // the node is bound again (reused for something else)
  let at = 0
  const left = e.lefts.find((l) => lineages.includes(l))
  if (left !== undefined) at = lineages.indexOf(left) + 1
  else {
    const right = e.rights.find((l) => lineages.includes(l))
    at = right !== undefined ? lineages.indexOf(right) : kids.length
  }
  // In the DOM under the copy's node first, so what it inherits there (ignored attributes) is read
  // as capture reads it; the patcher then puts it in its place.
  const parentNode = ctx.mirror.nodeOf(copy)
  if (parentNode === undefined) return
  parentNode.appendChild(e.node)
  prune(ctx, e.node, e.lineage)
  const type = typeFromDom(ctx, e.node, new Set(), e.lineage)
  copy.insert(at, [type])
  notePlaced(ctx, type)
  registerMoves(type)
}

/**
 * Takes out of a node to insert again every shared node below it that was not there, bound, when
 * it died: one with no type and no lineage would go in as a new node, a second of something that
 * lives (or died) elsewhere.
 */
function prune(ctx: BindingContext, node: Node, lineage: Map<Node, string>): void {
  for (let c = node.firstChild; c !== null; ) {
    const next = c.nextSibling
    if (isSynced(c)) {
      if (!lineage.has(c) && ctx.mirror.typeOf(c) === undefined) node.removeChild(c)
      else prune(ctx, c, lineage)
    }
    c = next
  }
}

function indexIn(parent: Y.XmlElement | Y.XmlFragment, type: YNode): number {
  let i = 0
  for (let item = parent._start; item !== null; item = item.right) {
    if (item === type._item) return i
    if (!item.deleted && item.countable) i++
  }
  return -1
}
