import type { BindingContext } from './context.js'
import { ISLAND_KEY } from './context.js'
import { ignoredAttrs, isSynced, syncedAttrs } from './filter.js'
import { elementKey } from './names.js'

/**
 * What this page shares of its own DOM: what is not local (filter.ts), and what the island's
 * policy would render on the other side. Unsafe content a page puts in its own island (an app
 * bug, a hostile script) stays local: it is never sent.
 */

/** The key an element's children are checked against: the island's own for its children. */
export const keyOf = (el: Element): string => elementKey(el)

export function sharedChildren(ctx: BindingContext, parent: Node): Node[] {
  const out: Node[] = []
  const parentKey = keyOf(parent as Element)
  for (let c = parent.firstChild; c !== null; c = c.nextSibling) if (shares(ctx, c, parentKey)) out.push(c)
  return out
}

export function shares(ctx: BindingContext, node: Node, parentKey: string): boolean {
  if (!isSynced(node)) return false
  return node.nodeType !== 1 || ctx.allow.element(elementKey(node as Element), parentKey)
}

/** The shared attributes of an element (the island element's own included), key -> value. */
export function sharedAttrs(ctx: BindingContext, el: Element): Map<string, string> {
  const attrs = syncedAttrs(el, ignoredAttrs(el, ctx.root))
  const key = el === ctx.root ? ISLAND_KEY : elementKey(el)
  for (const [k, v] of attrs) if (!ctx.allow.attribute(key, k, v)) attrs.delete(k)
  return attrs
}
