import * as Y from 'yjs'
import { askText, reasonOf, type BindingContext, type Verdict } from './context.js'
import { attributeVerdict, elementVerdict, keyOf, sharedAttrs, shares } from './gate.js'
import type { YNode } from './mirror.js'
import { GEN_KEY, lineageOf, ORIGIN_KEY } from './moves.js'
import { ignoredAttrs, ignoredBelow, isAttrKeyLocal } from './filter.js'
import { createElementFromKey, isInternalKey, setAttributeFromKey } from './names.js'

const TEXT = 3

/**
 * A preliminary Y type tree copying a DOM subtree, binding every node it copies. Attributes are
 * written in sorted order so that equal content always gives equal Yjs items (Binding.seedFromDom
 * writes a page's initial content under a hash of it, seedClientId in canonical.ts).
 * A node that had a type before (it moved) records that type's lineage, at any depth: a shape
 * inside a moved group may be moved elsewhere by another peer at the same time.
 */
export function typeFromDom(ctx: BindingContext, node: Node, created: Set<YNode>, lineage?: Map<Node, string>, parentIgnored?: Set<string> | null): YNode {
  const previous = ctx.mirror.typeOf(node)
  const origin = lineage?.get(node) ?? (previous ? lineageOf(previous) : undefined)
  // A copy made while the node is still bound to its old type (its new parent reconciled before
  // its old one): this page's writes to the old type go over to the copy (redo.ts).
  const written = previous instanceof Y.XmlElement ? ctx.redo.attrs.get(previous) : undefined
  if (written !== undefined) ctx.redo.carry.set(node, written)
  if (previous instanceof Y.XmlElement) ctx.redo.from.set(node, previous)
  let type: YNode
  if (node.nodeType === TEXT) {
    const text = new Y.XmlText()
    const data = (node as Text).data
    if (data) text.insert(0, data)
    type = text
  } else {
    const el = node as Element
    const key = keyOf(el)
    const y = new Y.XmlElement(key)
    // Attributes kept local here: from the parent's when building a subtree (one walk up to the
    // island per subtree, not per node: deep nesting made that quadratic).
    const ignored = parentIgnored === undefined ? ignoredAttrs(el, ctx.root) : ignoredBelow(el, parentIgnored, ctx.root)
    const attrs = [...sharedAttrs(ctx, el, ignored)].sort(byKey)
    for (const [k, v] of attrs) y.setAttribute(k, v)
    const kids: YNode[] = []
    for (let c = el.firstChild; c !== null; c = c.nextSibling) if (shares(ctx, c, key)) kids.push(typeFromDom(ctx, c, created, lineage, ignored))
    if (kids.length) y.insert(0, kids)
    type = y
  }
  if (origin !== undefined) {
    type.setAttribute(ORIGIN_KEY, origin)
    // One generation more than the type it was copied from (moves.ts).
    const gen = 1 + (previous !== undefined ? ctx.moves.genOf(previous) : (ctx.moves.priorGen.get(node) ?? 0))
    if (gen > 1) type.setAttribute(GEN_KEY, String(gen))
  }
  ctx.mirror.bind(node, type)
  created.add(type)
  return type
}

const byKey = (a: [string, string], b: [string, string]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)

/** The text a Y.XmlText holds (formatting and embeds, which this binding never writes, ignored). */
export function textOfType(type: Y.XmlText): string {
  // The plain text of the live items: what toDelta() would give, without building a delta.
  let s = ''
  for (let item = type._start; item !== null; item = item.right) {
    if (!item.deleted && item.content instanceof Y.ContentString) s += item.content.str
  }
  return s
}

/**
 * A DOM subtree for a Y type, binding every node it creates, or null when the island's policy
 * does not render that element (the type stays in the doc; it is simply not shown).
 */
export function domFromType(ctx: BindingContext, type: YNode, parentKey: string, depth: number): Node | null {
  if (ctx.mirror.size >= ctx.limits.maxNodes || depth > ctx.limits.maxDepth) {
    ctx.limited = true
    ctx.refused('limit', ctx.mirror.size >= ctx.limits.maxNodes ? `more than ${ctx.limits.maxNodes} nodes` : `deeper than ${ctx.limits.maxDepth}`)
    return null
  }
  let node: Node
  if (type instanceof Y.XmlText) {
    const text = textOfType(type)
    const ok = askText(ctx.allow, text, parentKey)
    if (ok !== true) return refuse(ctx, 'text', '#text', ok)
    node = ctx.document.createTextNode(text)
  } else {
    const key = type.nodeName
    const ok = elementVerdict(ctx, key, parentKey)
    if (ok !== true) return refuse(ctx, 'element', key, ok)
    let el: Element
    try {
      el = createElementFromKey(ctx.document, key)
    } catch {
      return null // a name the DOM refuses (from a hostile or buggy peer): not renderable
    }
    const attrs = type.getAttributes() as Record<string, unknown>
    for (const k of Object.keys(attrs).sort()) {
      const v = attrs[k]
      if (isInternalKey(k) || typeof v !== 'string') continue
      const ok = attributeVerdict(ctx, key, k, v)
      if (ok === true) trySetAttribute(el, k, v)
      else refuse(ctx, 'attribute', k, ok)
    }
    for (const child of type.toArray()) {
      if (child instanceof Y.XmlElement || child instanceof Y.XmlText) {
        const c = domFromType(ctx, child, key, depth + 1)
        if (c) el.appendChild(c)
      }
    }
    node = el
  }
  ctx.mirror.bind(node, type)
  ctx.moves.add(type)
  return node
}

function refuse(ctx: BindingContext, what: 'element' | 'attribute' | 'text', name: string, why: Verdict): null {
  ctx.refused(what, name, reasonOf(why))
  return null
}

/** How deep a node stands below the island element (its children are at depth 1). */
export function depthOf(ctx: BindingContext, node: Node): number {
  let d = 0
  for (let n: Node | null = node; n !== null && n !== ctx.root; n = n.parentNode) d++
  return d
}

/** Renders one attribute unless it is local on this element; false when the DOM refuses it. */
export function trySetAttribute(el: Element, key: string, value: string, ignored: Set<string> | null = null): boolean {
  if (isAttrKeyLocal(key, ignored)) return false
  try {
    setAttributeFromKey(el, key, value)
    return true
  } catch {
    return false // an invalid attribute name: nothing to render
  }
}
