import * as Y from 'yjs'
import { typeOf, type BindingContext } from './context.js'
import type { YNode } from './mirror.js'
import { lineageOf } from './moves.js'
import { ATTR_IGNORE, ATTR_ISLAND, AUTHORING_PREFIX, ignoredAttrs, isAttrKeyLocal } from './filter.js'
import { allowsAttribute, keyOf, sharedAttrs, sharedChildren, shares } from './gate.js'
import { typeFromDom, textOfType } from './build.js'
import { attrKey, isInternalKey } from './names.js'
import { diffText, type TextEdit } from './text.js'
import { shiftMarker } from './text-delta.js'
import { longestIncreasingSubsequence } from './lis.js'
import { carryAttrs, noteAttr, noteDeleted, notePlaced, noteTextDelete, noteTextInsert } from './redo.js'

/**
 * DOM -> Y. Mutation records are hints, not a script: they name the dirty nodes (parents whose
 * children changed, elements whose attributes changed, text whose data changed), and each dirty
 * node is reconciled against the doc. The result does not depend on how the browser grouped or
 * ordered the records. The caller runs this inside one transaction.
 */
export class Capture {
  private readonly parents = new Set<Node>()
  // Per parent, the nodes its childList records added or removed (null: too many to be worth it).
  private readonly touched = new Map<Node, Set<Node> | null>()
  // Parents a child of which gained or lost data-sync-ignore / data-sync-island: ask all again.
  private readonly recheck = new Set<Node>()
  // Elements whose attributes changed: the attributes the records name ("namespace local"), or
  // null for all of them (a change the records do not name, or an authoring attribute).
  private readonly elements = new Map<Element, Map<string, [ns: string | null, local: string]> | null>()
  // Every old value seen for a text node, in order: the data before each change.
  private readonly texts = new Map<Text, string[]>()
  // The order the records first named each node added, or whose attributes changed (ids.ts: a
  // reference made before an element was added cannot have meant that element).
  private seen = new Map<Node, number>()
  private last = new Map<Node, number>()

  constructor(private ctx: BindingContext) {}

  /** The binding adopted another doc: what was dirty is already in the old one. */
  setContext(ctx: BindingContext): void {
    this.ctx = ctx
  }

  get isEmpty(): boolean {
    return this.parents.size === 0 && this.elements.size === 0 && this.texts.size === 0
  }

  addRecords(records: readonly MutationRecord[]): void {
    for (const r of records) {
      if (r.type !== 'characterData') for (const n of r.type === 'childList' ? r.addedNodes : [r.target]) if (!this.seen.has(n)) this.seen.set(n, this.seen.size)
      if (r.type === 'childList') {
        this.parents.add(r.target)
        let nodes = this.touched.get(r.target)
        if (nodes === undefined) this.touched.set(r.target, (nodes = new Set()))
        if (nodes !== null) {
          for (const n of r.removedNodes) nodes.add(n)
          for (const n of r.addedNodes) nodes.add(n)
          if (nodes.size > MAX_TOUCHED) this.touched.set(r.target, null)
        }
      } else if (r.type === 'attributes') {
        const el = r.target as Element
        const name = r.attributeName!
        const named = this.elements.get(el)
        if (named === null) {
          // all of them already
        } else if (name.startsWith(AUTHORING_PREFIX)) this.elements.set(el, null)
        else if (named === undefined) this.elements.set(el, new Map([[`${r.attributeNamespace} ${name}`, [r.attributeNamespace, name]]]))
        else named.set(`${r.attributeNamespace} ${name}`, [r.attributeNamespace, name])
        // Adding or removing data-sync-ignore changes which children the parent shares.
        if ((r.attributeName === ATTR_IGNORE || r.attributeName === ATTR_ISLAND) && r.target.parentNode) {
          this.parents.add(r.target.parentNode)
          this.recheck.add(r.target.parentNode)
        }
      } else {
        let olds = this.texts.get(r.target as Text)
        if (!olds) this.texts.set(r.target as Text, (olds = []))
        if (r.oldValue !== null) olds.push(r.oldValue)
      }
    }
  }

  /** Marks elements whose attributes may have changed without a record (the SVG DOM). */
  addElements(elements: Iterable<Element>): void {
    for (const el of elements) this.elements.set(el, null)
  }

  /**
   * When this capture's records first named `node`, or the nearest ancestor they named (an
   * element added inside a group added): undefined for what they never named. For the records
   * the last flush wrote.
   */
  orderOf(node: Node | undefined): number | undefined {
    for (let n = node; n != null && n !== this.ctx.root; n = n.parentNode ?? undefined) {
      const o = this.last.get(n)
      if (o !== undefined) return o
    }
    return undefined
  }

  /** Writes every dirty node into the doc; call inside a transaction. */
  flush(): void {
    const created = new Set<YNode>()
    const lineage = new Map<Node, string>()
    const root = this.ctx.root
    // What each touched node was bound to before anything here rebinds it (a move rebinds it).
    const before = new Map<Node, YNode | undefined>()
    for (const nodes of this.touched.values()) for (const n of nodes ?? []) before.set(n, this.ctx.mirror.typeOf(n))
    for (const parent of this.parents) {
      if (parent !== root && !root.contains(parent)) continue
      const type = typeOf(this.ctx, parent)
      if (type instanceof Y.XmlText || type === undefined || created.has(type as YNode)) continue
      const nodes = this.recheck.has(parent) ? null : this.touched.get(parent)
      if (!nodes || !reconcileTouched(this.ctx, parent, type, nodes, before, created, lineage)) {
        reconcileChildren(this.ctx, parent, type, created, lineage, !this.recheck.has(parent))
      }
    }
    for (const [el, named] of this.elements) {
      if (el === root) reconcileRootAttrs(this.ctx)
      else {
        const type = this.ctx.mirror.typeOf(el)
        if (!(type instanceof Y.XmlElement) || created.has(type)) continue
        if (named === null) reconcileAttrs(this.ctx, el, type)
        else reconcileNamedAttrs(this.ctx, el, type, named.values())
      }
    }
    for (const [text, olds] of this.texts) {
      const type = this.ctx.mirror.typeOf(text)
      if (type instanceof Y.XmlText && !created.has(type)) reconcileText(this.ctx, text, type, olds)
    }
    // A node whose type was deleted and that no copy took up was deleted, not moved: remembered,
    // so that a copy another page makes of it at the same time (a move) is deleted again.
    for (const [node, l] of lineage) if (this.ctx.mirror.typeOf(node) === undefined) noteDeleted(this.ctx, l)
    this.parents.clear()
    this.touched.clear()
    this.recheck.clear()
    this.elements.clear()
    this.texts.clear()
    this.last = this.seen
    this.seen = new Map()
  }
}

/** Past this many nodes added or removed under one parent, the whole child list is compared. */
const MAX_TOUCHED = 32

/**
 * Makes the Y children of `parent` match its shared DOM children from what its records touched,
 * in O(change), when they only added and removed nodes here: the type of every touched node
 * that left is deleted, then every touched node now here and shared goes in right after its
 * nearest left sibling that has a type here (any order of insertion gives the DOM's order).
 * False, having changed nothing, when a touched node that had a type here is still here: it
 * moved within the list, or went out and back (a re-append that changes nothing). Then the
 * caller compares the lists, which keeps the longest run still in order and copies only the
 * rest: copying a node that did not move would drop a peer's concurrent edits inside it.
 */
function reconcileTouched(
  ctx: BindingContext,
  parent: Node,
  yParent: Y.XmlFragment | Y.XmlElement,
  touched: Set<Node>,
  before: Map<Node, YNode | undefined>,
  created: Set<YNode>,
  lineage: Map<Node, string>,
): boolean {
  const { mirror } = ctx
  const live = (t: YNode | undefined): t is YNode => t !== undefined && t.parent === yParent && t._item !== null && !t._item.deleted
  for (const n of touched) if (n.parentNode === parent && live(before.get(n))) return false
  for (const n of touched) {
    const t = before.get(n)
    if (!live(t) || created.has(t)) continue
    const i = childIndex(yParent, t)
    if (i < 0) continue
    unbindDeep(ctx, t, lineage)
    yParent.delete(i, 1)
  }
  const parentKey = keyOf(parent as Element)
  for (const n of touched) {
    if (n.parentNode !== parent || live(mirror.typeOf(n)) || !shares(ctx, n, parentKey)) continue
    let left: YNode | null = null
    for (let s = n.previousSibling; s !== null && left === null; s = s.previousSibling) {
      const st = mirror.typeOf(s)
      if (live(st)) left = st
    }
    const type = typeFromDom(ctx, n, created, lineage)
    yParent.insertAfter(left, [type])
    notePlaced(ctx, type)
    registerMoves(ctx, type)
  }
  return true
}

/** The index of a child type among its parent's live children (as in `toArray()`), or -1. */
export function childIndex(parent: Y.XmlFragment | Y.XmlElement, type: YNode): number {
  let i = 0
  for (let item = parent._start; item !== null; item = item.right) {
    if (item === type._item) return i
    if (!item.deleted && item.countable) i++
  }
  return -1
}

/**
 * Makes the Y children of `parent` match its shared DOM children. The children that kept their
 * relative order (the longest increasing subsequence) stay; the rest are deleted, and DOM nodes
 * without a type here are inserted as new types: a moved node becomes a copy that records its
 * lineage, and the DOM node itself is rebound to the copy, so the page keeps its identity.
 * Only the stretch between the longest common head and tail is diffed, so an append, a removal
 * or a move on a long list costs one pass of identity checks.
 */
function reconcileChildren(
  ctx: BindingContext,
  parent: Node,
  yParent: Y.XmlFragment | Y.XmlElement,
  created: Set<YNode>,
  lineage: Map<Node, string>,
  trustBound: boolean,
): void {
  const { mirror } = ctx
  const domKids = sharedChildren(ctx, parent, trustBound ? yParent : null)
  const yKids = yParent.toArray() as YNode[]
  let lo = 0
  while (lo < domKids.length && lo < yKids.length && mirror.typeOf(domKids[lo]!) === yKids[lo]) lo++
  if (lo === domKids.length && lo === yKids.length) return
  let dHi = domKids.length
  let yHi = yKids.length
  while (dHi > lo && yHi > lo && mirror.typeOf(domKids[dHi - 1]!) === yKids[yHi - 1]) {
    dHi--
    yHi--
  }

  // Between lo and the common tail: keep the longest run of Y children still in DOM order.
  const domIndex = new Map<Node, number>()
  for (let i = lo; i < dHi; i++) domIndex.set(domKids[i]!, i)
  const order: number[] = [] // DOM index of each Y child still here, in Y order
  const orderY: number[] = [] // and its Y index
  for (let i = lo; i < yHi; i++) {
    const t = yKids[i]!
    const n = mirror.nodeOf(t)
    const d = n === undefined || mirror.typeOf(n) !== t ? undefined : domIndex.get(n)
    if (d !== undefined) {
      order.push(d)
      orderY.push(i)
    }
  }
  const kept = new Set<YNode>(longestIncreasingSubsequence(order).map((k) => yKids[orderY[k]!]!))

  // Delete, from the end so indexes hold, every rendered child that is not kept. Children that
  // are not rendered here (the policy refused them) are left alone.
  // Decided before deleting: deleting unbinds, and an unbound child would look unrendered.
  const stays: boolean[] = []
  for (let i = lo; i < yHi; i++) stays.push(kept.has(yKids[i]!) || mirror.nodeOf(yKids[i]!) === undefined)
  for (let i = yHi - 1; i >= lo; ) {
    if (stays[i - lo]) {
      i--
      continue
    }
    let j = i
    while (j > lo && !stays[j - 1 - lo]) j--
    for (let k = j; k <= i; k++) unbindDeep(ctx, yKids[k]!, lineage)
    yParent.delete(j, i - j + 1)
    i = j - 1
  }

  // Insert the rest in runs, each just before the next kept child (after the head at first).
  const position = new Map<YNode, number>()
  let p = lo
  for (let i = lo; i < yHi; i++) if (stays[i - lo]) position.set(yKids[i]!, p++)
  let at = lo
  let inserted = 0
  let run: Node[] = []
  const insertRun = (): void => {
    if (run.length === 0) return
    const types = run.map((n) => typeFromDom(ctx, n, created, lineage))
    yParent.insert(at, types)
    for (const t of types) {
      notePlaced(ctx, t)
      registerMoves(ctx, t)
    }
    at += types.length
    inserted += types.length
    run = []
  }
  for (let i = lo; i < dHi; i++) {
    const n = domKids[i]!
    const t = mirror.typeOf(n)
    if (t !== undefined && kept.has(t)) {
      insertRun()
      at = position.get(t)! + inserted + 1
    } else run.push(n)
  }
  insertRun()
}

function reconcileAttrs(ctx: BindingContext, el: Element, type: Y.XmlElement): void {
  const ignored = ignoredAttrs(el, ctx.root)
  const want = sharedAttrs(ctx, el)
  const have = type.getAttributes() as Record<string, unknown>
  for (const [k, v] of want) if (have[k] !== v) setAttr(ctx, type, k, v)
  for (const k of Object.keys(have)) {
    if (!want.has(k) && !isInternalKey(k) && !isAttrKeyLocal(k, ignored)) setAttr(ctx, type, k, undefined)
  }
}

/** As reconcileAttrs, for the attributes the records name (the drag of a shape names one per tick). */
function reconcileNamedAttrs(ctx: BindingContext, el: Element, type: Y.XmlElement, named: Iterable<[ns: string | null, local: string]>): void {
  const ignored = ignoredAttrs(el, ctx.root)
  const elKey = keyOf(el)
  for (const [ns, local] of named) {
    const attr = el.getAttributeNodeNS(ns, local)
    // Gone, or named otherwise: a record names an attribute by its namespace and local name,
    // but happy-dom gives the name it was set with and no namespace. Look at them all.
    if (attr === null) return reconcileAttrs(ctx, el, type)
    if (ignored?.has(attr.name)) continue
    const key = attrKey(attr)
    if (key === null || isInternalKey(key) || isAttrKeyLocal(key, ignored)) continue
    if (allowsAttribute(ctx, elKey, key, attr.value)) {
      if (type.getAttribute(key) !== attr.value) setAttr(ctx, type, key, attr.value)
    } else if (type.getAttribute(key) !== undefined) setAttr(ctx, type, key, undefined) // the page's own unsafe value stays local
  }
}

/** Writes (or, for undefined, removes) one attribute, noting the write for redo.ts. */
function setAttr(ctx: BindingContext, type: Y.XmlElement, key: string, value: string | undefined): void {
  if (value === undefined) type.removeAttribute(key)
  else type.setAttribute(key, value)
  noteAttr(ctx, type, key, value)
}

function reconcileRootAttrs(ctx: BindingContext): void {
  const want = sharedAttrs(ctx, ctx.root)
  const map = ctx.rootAttrs
  for (const [k, v] of want) if (map.get(k) !== v) map.set(k, v)
  for (const k of Array.from(map.keys())) if (!want.has(k)) map.delete(k)
}

/**
 * Replays a text node's changes since the last capture as one minimal edit per change: each
 * record's old value is the data just before that change, so consecutive values differ by one
 * edit. One diff from the first value to the last would merge edits far apart (an insert at the
 * start and one at the end of the same task) into a replacement of everything between them,
 * which moves every remote caret and garbles concurrent typing there.
 */
function reconcileText(ctx: BindingContext, text: Text, type: Y.XmlText, olds: readonly string[]): void {
  // The data before the first change is the doc's text (capture and patch keep them equal), so
  // the doc is read back only when the lengths say otherwise.
  const start = olds.length > 0 && olds[0]!.length === type.length ? olds[0]! : textOfType(type)
  let edits: TextEdit[] = []
  let before = start
  for (const after of olds.length > 256 ? [text.data] : [...olds, text.data]) {
    const edit = diffText(before, after)
    if (edit) edits.push(edit)
    before = after
  }
  // A step that leaves a lone surrogate half would put it into the doc (and onto the wire as
  // U+FFFD): then one edit from the doc's text to the final one, which is what the page shows.
  if (edits.length > 1 && edits.some((e) => hasLoneSurrogate(e.insert))) {
    const edit = diffText(start, text.data)
    edits = edit ? [edit] : []
  }
  const doc = type.doc!
  for (const edit of edits) {
    if (edit.remove) {
      noteTextDelete(ctx, type, edit.index, edit.remove)
      type.delete(edit.index, edit.remove)
    }
    if (edit.insert) {
      const clock = Y.getState(doc.store, doc.clientID)
      type.insert(edit.index, edit.insert)
      noteTextInsert(ctx, type, doc.clientID, clock, edit.insert.length)
    }
    shiftMarker(ctx.texts, type, edit.index, edit.remove, edit.insert.length)
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const hasLoneSurrogate = (s: string): boolean => LONE_SURROGATE.test(s)

/**
 * Forgets the bindings of a type's subtree, before it is deleted (deleted types hide their
 * children), remembering the lineage of every node that may reappear elsewhere as a move.
 */
function unbindDeep(ctx: BindingContext, type: YNode, lineage: Map<Node, string>): void {
  const node = ctx.mirror.nodeOf(type)
  if (node !== undefined && ctx.mirror.typeOf(node) === type) {
    const l = lineageOf(type)
    if (l !== undefined) lineage.set(node, l)
    ctx.moves.priorGen.set(node, ctx.moves.genOf(type))
  }
  const log = node === undefined || ctx.mirror.typeOf(node) !== type || !(type instanceof Y.XmlElement) ? undefined : ctx.redo.attrs.get(type)
  if (log !== undefined) ctx.redo.carry.set(node!, log)
  if (node !== undefined && ctx.mirror.typeOf(node) === type && type instanceof Y.XmlElement) ctx.redo.from.set(node, type)
  ctx.mirror.unbindType(type)
  ctx.moves.remove(type)
  if (type instanceof Y.XmlElement) for (const c of type.toArray()) unbindDeep(ctx, c as YNode, lineage)
}

/** Indexes every copy in a freshly inserted subtree by its lineage. */
export function registerMoves(ctx: BindingContext, type: YNode): void {
  ctx.moves.add(type)
  carryAttrs(ctx, type)
  if (type instanceof Y.XmlElement) for (const c of type.toArray()) registerMoves(ctx, c as YNode)
}

