import * as Y from 'yjs'
import { domOf, type BindingContext } from './context.js'
import type { YNode } from './mirror.js'
import { domFromType, textOfType, trySetAttribute } from './build.js'
import { ignoredAttrs, isSynced } from './filter.js'
import { isInternalKey, removeAttributeFromKey } from './names.js'

/**
 * Y -> DOM. Patches only what the events say changed: children lists by identity (existing nodes
 * are kept, never recreated), attributes one by one, text by its delta through insertData and
 * deleteData, which move live ranges the way the DOM spec says, so a caret elsewhere stays put.
 */
export function patchFromEvents(ctx: BindingContext, events: ReadonlyArray<Y.YEvent<any>>): void {
  const lists = new Set<Y.XmlFragment | Y.XmlElement>()
  for (const event of events) {
    const target = event.target as Y.XmlFragment | YNode
    if (target instanceof Y.XmlText) patchText(ctx, target, event.delta)
    else {
      if (target instanceof Y.XmlElement) {
        const keys = (event as Y.YXmlEvent).attributesChanged
        if (keys.size) patchAttributes(ctx, target, keys)
      }
      // YXmlEvent marks child-list changes in a field its typings keep private.
      if ((event as unknown as { childListChanged: boolean }).childListChanged) lists.add(target)
    }
  }
  for (const list of lists) patchChildren(ctx, list)
}

export function patchRootAttributes(ctx: BindingContext, keys: Iterable<string>): void {
  const ignored = ignoredAttrs(ctx.root, ctx.root)
  for (const key of keys) {
    const v = ctx.rootAttrs.get(key)
    if (typeof v === 'string' && ctx.allow.attribute('#island', key, v)) trySetAttribute(ctx.root, key, v, ignored)
    else if (v === undefined) tryRemoveAttribute(ctx.root, key, ignored)
  }
}

function patchAttributes(ctx: BindingContext, type: Y.XmlElement, keys: Set<string>): void {
  const el = ctx.mirror.nodeOf(type) as Element | undefined
  if (!el) return
  const ignored = ignoredAttrs(el, ctx.root)
  for (const key of keys) {
    if (isInternalKey(key)) continue
    const v = type.getAttribute(key) as unknown
    if (typeof v === 'string' && ctx.allow.attribute(type.nodeName, key, v)) trySetAttribute(el, key, v, ignored)
    else tryRemoveAttribute(el, key, ignored)
  }
}

function tryRemoveAttribute(el: Element, key: string, ignored: Set<string> | null): void {
  if (ignored?.has(key) || key.startsWith('data-sync-')) return
  try {
    removeAttributeFromKey(el, key)
  } catch {
    // an attribute name the DOM refuses was never rendered
  }
}

type Delta = Array<{ insert?: unknown; retain?: number; delete?: number; attributes?: unknown }>

function patchText(ctx: BindingContext, type: Y.XmlText, delta: Delta): void {
  const node = ctx.mirror.nodeOf(type) as Text | undefined
  if (!node) return
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
function patchChildren(ctx: BindingContext, yParent: Y.XmlFragment | Y.XmlElement): void {
  const parent = domOf(ctx, yParent)
  if (!parent) return
  const wanted: Node[] = []
  for (const t of yParent.toArray()) {
    if (!(t instanceof Y.XmlElement || t instanceof Y.XmlText)) continue
    const n = ctx.mirror.nodeOf(t) ?? domFromType(ctx, t)
    if (n) wanted.push(n)
  }
  const keep = new Set(wanted)
  for (let c = parent.firstChild; c !== null; ) {
    const next = c.nextSibling
    if (isSynced(c) && !keep.has(c)) {
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

function nextSynced(n: Node | null): Node | null {
  while (n !== null && !isSynced(n)) n = n.nextSibling
  return n
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
