import * as Y from 'yjs'
import { askText, domOf, ISLAND_KEY, reasonOf, type BindingContext } from './context.js'
import type { YNode } from './mirror.js'
import { depthOf, domFromType, textOfType, trySetAttribute } from './build.js'
import { allowsAttribute, allowsElement, attributeVerdict, keyOf } from './gate.js'
import { AUTHORING_PREFIX, ignoredAttrs, isAttrKeyLocal, isSynced, syncedAttrs } from './filter.js'
import { elementKey, isInternalKey, removeAttributeFromKey } from './names.js'
import { originOf } from './moves.js'
import { diffText } from './text.js'
import { listChange } from './txn-changes.js'
import { textDelta, type Delta } from './text-delta.js'

/**
 * Y -> DOM. Patches only what the events say changed: children lists by identity (existing nodes
 * are kept, never recreated), attributes one by one, text by its delta through insertData and
 * deleteData, which move live ranges the way the DOM spec says, so a caret elsewhere stays put.
 * A node another peer moved arrives as a deleted type and a copy that names it as its origin:
 * the node of the deleted type moves to where the copy is, so it keeps its identity here too.
 */
export function patchFromEvents(ctx: BindingContext, events: ReadonlyArray<Y.YEvent<any>>): void {
  // Each child list to patch, with the event that says how it changed, or null to compare it whole.
  const lists = new Map<Y.XmlFragment | Y.XmlElement, Y.YEvent<any> | null>()
  for (const event of events) {
    const target = event.target as Y.XmlFragment | YNode
    if (target instanceof Y.XmlText) {
      // A text the policy refused is not on the page; it may pass now (shorter): its parent
      // list is patched, which renders it if it does. One that grew past the policy leaves.
      if (!patchText(ctx, target, textDelta(target, event, ctx.texts)) && target.parent) lists.set(target.parent as Y.XmlElement | Y.XmlFragment, null)
    } else {
      if (target instanceof Y.XmlElement) {
        const keys = (event as Y.YXmlEvent).attributesChanged
        if (keys.size) patchAttributes(ctx, target, keys)
      }
      // YXmlEvent marks child-list changes in a field its typings keep private.
      if ((event as unknown as { childListChanged: boolean }).childListChanged && lists.get(target) !== null) lists.set(target, event)
    }
  }
  if (lists.size === 0) return
  const pool = movedAway(ctx, lists)
  for (const [list, event] of lists) {
    if (event === null || ctx.limited || !patchChanges(ctx, list, event, pool)) patchChildren(ctx, list, pool)
  }
}

/** Nodes this patch removes, by the lineage a copy of them would carry (for moves). */
type Pool = Map<string, Node>

/** Every node, at any depth, under the children whose types these lists lost. */
function movedAway(ctx: BindingContext, lists: Map<Y.XmlFragment | Y.XmlElement, Y.YEvent<any> | null>): Pool {
  const pool: Pool = new Map()
  const add = (node: Node): void => {
    const type = ctx.mirror.typeOf(node)
    if (type === undefined || type._item === null || !type._item.deleted) return
    const lineage = ctx.moves.lineageOfBound(type)
    if (lineage !== undefined) pool.set(lineage, node)
    for (let c = node.firstChild; c !== null; c = c.nextSibling) add(c)
  }
  for (const [list, event] of lists) {
    if (event !== null) {
      for (const item of listChange(event.transaction, list).deleted) {
        const node = item.content instanceof Y.ContentType ? ctx.mirror.nodeOf(item.content.type as YNode) : undefined
        if (node !== undefined) add(node)
      }
      continue
    }
    const parent = domOf(ctx, list)
    for (let c = parent?.firstChild ?? null; c !== null; c = c.nextSibling) add(c)
  }
  return pool
}

/**
 * Patches a child list from its event alone: each added child goes in just before the node of
 * its nearest rendered right sibling, each deleted child's node leaves. The cost is the change,
 * not the length of the list, which on a board of thousands of shapes is most of an apply. False
 * when the page does not look as the event expects (the caller then compares the list whole).
 */
function patchChanges(ctx: BindingContext, list: Y.XmlFragment | Y.XmlElement, event: Y.YEvent<any>, pool: Pool): boolean {
  const parent = domOf(ctx, list)
  if (!parent) return true
  const { mirror } = ctx
  const { added, deleted } = listChange(event.transaction, list)
  const typeOfItem = (item: Y.Item): YNode | null => {
    const t = item.content instanceof Y.ContentType ? item.content.type : null
    return t instanceof Y.XmlElement || t instanceof Y.XmlText ? t : null
  }
  // Made in the store's order (the order a peer created them in, for one peer's update), so
  // refusals and the node limit follow that order.
  const parentKey = keyOf(parent as Element)
  let depth = -1
  const placed: Array<[Y.Item, Node]> = []
  const unplaced = new Set<Node>()
  for (const item of added) {
    const t = typeOfItem(item)
    if (t === null) continue
    const n = mirror.nodeOf(t) ?? reuse(ctx, t, parent, pool) ?? domFromType(ctx, t, parentKey, depth < 0 ? (depth = depthOf(ctx, parent) + 1) : depth)
    if (n) {
      placed.push([item, n])
      unplaced.add(n)
    }
  }
  // Each new node goes just before the node of its nearest right sibling already in place (new
  // ones not yet placed are passed over): the nodes in place stay in the list's order whatever
  // order the new ones are taken in.
  for (const [item, n] of placed) {
    let anchor: Node | null = null
    for (let r = item.right; r !== null; r = r.right) {
      const rt = r.deleted ? null : typeOfItem(r)
      const rn = rt === null ? undefined : mirror.nodeOf(rt)
      if (rn === undefined || unplaced.has(rn)) continue
      if (rn.parentNode !== parent) return false
      anchor = rn
      break
    }
    if (n.parentNode !== parent || n.nextSibling !== anchor) parent.insertBefore(n, anchor)
    unplaced.delete(n)
  }
  for (const item of deleted) {
    const t = typeOfItem(item)
    const n = t === null ? undefined : mirror.nodeOf(t)
    if (n === undefined || n.parentNode !== parent) continue
    unbindDomDeep(ctx, n)
    parent.removeChild(n)
  }
  return true
}

/**
 * The pooled node of a copy's origin, moved over to the copy: rebound, its attributes, text and
 * children made the copy's (children reused the same way). Null when there is none, or it cannot
 * be the copy (another kind of node, or an ancestor of where the copy goes).
 */
function reuse(ctx: BindingContext, type: YNode, into: Node, pool: Pool): Node | null {
  const origin = originOf(type)
  const node = origin === undefined ? undefined : pool.get(origin)
  if (node === undefined || node.contains(into)) return null
  // The same kind of node, and one the island's policy would render (as domFromType asks).
  const parentKey = into === ctx.root ? keyOf(ctx.root) : keyOf(into as Element)
  if (type instanceof Y.XmlText ? node.nodeType !== 3 || ctx.allow.text(textOfType(type), parentKey) !== true : node.nodeType !== 1 || elementKey(node as Element) !== type.nodeName || !allowsElement(ctx, type.nodeName, parentKey)) return null
  pool.delete(origin!)
  // Attributes local to the page (data-sync-ignore-attrs here or on an ancestor, old place or new).
  const ignored = node.nodeType === 1 ? union(ignoredAttrs(node as Element, ctx.root), into.nodeType === 1 ? ignoredAttrs(into as Element, ctx.root) : null) : null
  // Claimed: out of its old place now, so that removing what is left there (an old ancestor,
  // deleted too) cannot unbind it again. The caller inserts it where the copy goes.
  node.parentNode?.removeChild(node)
  const old = ctx.mirror.typeOf(node)
  if (old !== undefined) {
    ctx.mirror.unbindType(old)
    ctx.moves.remove(old)
  }
  ctx.mirror.bind(node, type)
  ctx.moves.add(type)
  if (type instanceof Y.XmlText) {
    const text = node as Text
    const edit = diffText(text.data, textOfType(type))
    if (edit) {
      if (edit.remove) text.deleteData(edit.index, edit.remove)
      if (edit.insert) text.insertData(edit.index, edit.insert)
    }
    return node
  }
  const el = node as Element
  const want = type.getAttributes() as Record<string, unknown>
  for (const key of syncedAttrs(el, ignored).keys()) if (!(key in want)) tryRemoveAttribute(el, key, ignored)
  for (const [key, v] of Object.entries(want)) {
    if (isInternalKey(key)) continue
    if (typeof v === 'string' && allowsAttribute(ctx, type.nodeName, key, v)) trySetAttribute(el, key, v, ignored)
    else tryRemoveAttribute(el, key, ignored)
  }
  patchChildren(ctx, type, pool)
  return node
}

function union(a: Set<string> | null, b: Set<string> | null): Set<string> | null {
  return a === null ? b : b === null ? a : new Set([...a, ...b])
}

export function patchRootAttributes(ctx: BindingContext, keys: Iterable<string>): void {
  const ignored = ignoredAttrs(ctx.root, ctx.root)
  const patched: string[] = []
  for (const key of keys) {
    const v = ctx.rootAttrs.get(key)
    if (typeof v === 'string' && ctx.allow.attribute(ISLAND_KEY, key, v) === true) trySetAttribute(ctx.root, key, v, ignored)
    else if (v === undefined) tryRemoveAttribute(ctx.root, key, ignored)
    if (!isAttrKeyLocal(key, ignored)) patched.push(key)
  }
  if (patched.length && ctx.patched) ctx.patched(ctx.root, patched)
}

function patchAttributes(ctx: BindingContext, type: Y.XmlElement, keys: Set<string>): void {
  const el = ctx.mirror.nodeOf(type) as Element | undefined
  if (!el) return
  const ignored = ignoredAttrs(el, ctx.root)
  const patched: string[] = []
  for (const key of keys) {
    if (isInternalKey(key)) continue
    const v = type.getAttribute(key) as unknown
    const ok = typeof v === 'string' && attributeVerdict(ctx, type.nodeName, key, v)
    if (typeof v === 'string' && ok === true) trySetAttribute(el, key, v, ignored)
    else {
      if (typeof v === 'string') ctx.refused('attribute', key, reasonOf(ok))
      tryRemoveAttribute(el, key, ignored)
    }
    if (!isAttrKeyLocal(key, ignored)) patched.push(key)
  }
  if (patched.length && ctx.patched) ctx.patched(el, patched)
}

function tryRemoveAttribute(el: Element, key: string, ignored: Set<string> | null): void {
  if (ignored?.has(key) || key.startsWith(AUTHORING_PREFIX)) return
  try {
    removeAttributeFromKey(el, key)
  } catch {
    // an attribute name the DOM refuses was never rendered
  }
}

/** Applies a text delta; false when the text is not (or no longer) on the page. */
function patchText(ctx: BindingContext, type: Y.XmlText, delta: Delta): boolean {
  const node = ctx.mirror.nodeOf(type) as Text | undefined
  if (!node) return false
  applyDelta(ctx, type, node, delta)
  const parent = node.parentNode
  if (parent === null) return true
  const ok = askText(ctx.allow, node.data, keyOf(parent as Element))
  if (ok === true) return true
  ctx.refused('text', '#text', reasonOf(ok))
  unbindDomDeep(ctx, node)
  parent.removeChild(node)
  return true
}

function applyDelta(ctx: BindingContext, type: Y.XmlText, node: Text, delta: Delta): void {
  let at = 0
  for (const d of delta) {
    if (d.retain !== undefined) at += d.retain
    else if (d.delete !== undefined) node.deleteData(at, d.delete)
    else if (typeof d.insert === 'string') {
      node.insertData(at, d.insert)
      at += d.insert.length
    } else {
      // Embeds or formatting, which this binding never writes: render the plain text whole.
      node.data = textOfType(type)
      return
    }
  }
}

/** Makes the shared DOM children of a parent the rendered Y children, in order, by identity. */
function patchChildren(ctx: BindingContext, yParent: Y.XmlFragment | Y.XmlElement, pool: Pool): void {
  const parent = domOf(ctx, yParent)
  if (!parent) return
  const wanted: Node[] = []
  const parentKey = keyOf(parent as Element)
  let depth = -1
  for (const t of yParent.toArray()) {
    if (!(t instanceof Y.XmlElement || t instanceof Y.XmlText)) continue
    const n = ctx.mirror.nodeOf(t) ?? reuse(ctx, t, parent, pool) ?? domFromType(ctx, t, parentKey, depth < 0 ? (depth = depthOf(ctx, parent) + 1) : depth)
    if (n) wanted.push(n)
  }
  // A bound node is a shared one (capture unbinds a node that stops being shared before any
  // remote patch runs): ask the DOM only about the others.
  const synced = (n: Node): boolean => ctx.mirror.typeOf(n) !== undefined || isSynced(n)
  const nextSynced = (n: Node | null): Node | null => {
    while (n !== null && !synced(n)) n = n.nextSibling
    return n
  }
  const keep = new Set(wanted)
  for (let c = parent.firstChild; c !== null; ) {
    const next = c.nextSibling
    if (!keep.has(c) && synced(c)) {
      unbindDomDeep(ctx, c)
      parent.removeChild(c)
    }
    c = next
  }
  let cursor = nextSynced(parent.firstChild)
  for (const n of wanted) {
    if (n === cursor) cursor = nextSynced(cursor.nextSibling)
    else parent.insertBefore(n, cursor)
  }
}

/**
 * A read-only island: puts back what the page itself changed, from the doc, so the page shows
 * the session and nothing else. Removed nodes are still bound, so they go back where they were.
 */
export function revertRecords(ctx: BindingContext, records: readonly MutationRecord[]): void {
  const lists = new Set<Y.XmlFragment | Y.XmlElement>()
  const elements = new Set<Element>()
  for (const r of records) {
    if (r.type === 'childList') {
      const t = r.target === ctx.root ? ctx.fragment : ctx.mirror.typeOf(r.target)
      if (t !== undefined && !(t instanceof Y.XmlText)) lists.add(t)
    } else if (r.type === 'attributes') elements.add(r.target as Element)
    else {
      const t = ctx.mirror.typeOf(r.target)
      const text = r.target as Text
      if (t instanceof Y.XmlText && text.data !== textOfType(t)) text.data = textOfType(t)
    }
  }
  for (const list of lists) patchChildren(ctx, list, new Map())
  for (const el of elements) {
    const local = syncedAttrs(el, ignoredAttrs(el, ctx.root)).keys()
    if (el === ctx.root) patchRootAttributes(ctx, new Set([...local, ...ctx.rootAttrs.keys()]))
    else {
      const t = ctx.mirror.typeOf(el)
      if (t instanceof Y.XmlElement) patchAttributes(ctx, t, new Set([...local, ...Object.keys(t.getAttributes())]))
    }
  }
}

/** Forgets the bindings of a removed DOM subtree. */
export function unbindDomDeep(ctx: BindingContext, node: Node): void {
  const type = ctx.mirror.typeOf(node)
  if (type) {
    ctx.mirror.unbindType(type)
    ctx.moves.remove(type)
  }
  for (let c = node.firstChild; c !== null; c = c.nextSibling) unbindDomDeep(ctx, c)
}
