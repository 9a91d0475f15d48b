import type * as Y from 'yjs'
import { askAttribute, askElement, type BindingContext, type Verdict } from './context.js'
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

/**
 * The children of `parent` the page shares. Given `boundTo` (the parent's type), a child bound
 * to a child type of it is taken as shared without asking again (no attribute reads, no
 * policy): it passed under this very parent and its name cannot change; only `data-sync-ignore`
 * or `data-sync-island` appearing on it could change the answer, which the caller then asks for
 * in full. A child moved in from elsewhere is bound under its old parent: it is asked again.
 */
export function sharedChildren(ctx: BindingContext, parent: Node, boundTo: Y.AbstractType<any> | null = null): Node[] {
  const out: Node[] = []
  const parentKey = keyOf(parent as Element)
  const { mirror } = ctx
  for (let c = parent.firstChild; c !== null; c = c.nextSibling) {
    if ((boundTo !== null && mirror.typeOf(c)?.parent === boundTo) || shares(ctx, c, parentKey)) out.push(c)
  }
  return out
}

export function shares(ctx: BindingContext, node: Node, parentKey: string): boolean {
  if (!isSynced(node)) return false
  return node.nodeType !== 1 || allowed(ctx, elementKey(node as Element), parentKey, null) === true
}

/** The shared attributes of an element (the island element's own included), key -> value. */
export function sharedAttrs(ctx: BindingContext, el: Element, ignored: Set<string> | null = ignoredAttrs(el, ctx.root)): Map<string, string> {
  const attrs = syncedAttrs(el, ignored)
  const key = el === ctx.root ? ISLAND_KEY : elementKey(el)
  for (const [k, v] of attrs) if (allowed(ctx, key, k, v) !== true) attrs.delete(k)
  return attrs
}

/** The island's policy on an element under a parent (keys as in names.ts), memoized. */
export const allowsElement = (ctx: BindingContext, key: string, parentKey: string): boolean => allowed(ctx, key, parentKey, null) === true

/** The island's policy on an attribute value of an element, memoized. */
export const allowsAttribute = (ctx: BindingContext, key: string, name: string, value: string): boolean => allowed(ctx, key, name, value) === true

// Verdicts, for the callers that report a refusal: apart from allows* so that no `if (...)` can
// take a Refusal (an object, so truthy) for a yes.
/** As allowsElement, with the filter's refusal (its reason) when it gave one. */
export const elementVerdict = (ctx: BindingContext, key: string, parentKey: string): Verdict => allowed(ctx, key, parentKey, null)

/** As allowsAttribute, with the filter's refusal (its reason) when it gave one. */
export const attributeVerdict = (ctx: BindingContext, key: string, name: string, value: string): Verdict => allowed(ctx, key, name, value)

// Capture and patch ask the same questions again and again (every child of a parent on every
// change, every attribute of a dragged shape on every tick, the same few attribute values on
// thousands of shapes of a join): the policy's answers are pure, so keep them, in a bounded memo
// per filter. Only yeses are kept: refusals are the rare case, and asking again costs only
// that case. Long values are asked each time rather than kept.
const memos = new WeakMap<object, Set<string>>()
const MEMO_LIMIT = 50_000

function allowed(ctx: BindingContext, elementKey: string, nameOrParent: string, value: string | null): Verdict {
  if (value !== null && value.length > 64) return askAttribute(ctx.allow, elementKey, nameOrParent, value)
  let memo = memos.get(ctx.allow)
  if (!memo) memos.set(ctx.allow, (memo = new Set()))
  const q = value === null ? `e\u0000${elementKey}\u0000${nameOrParent}` : `a\u0000${elementKey}\u0000${nameOrParent}\u0000${value}`
  if (memo.has(q)) return true
  const answer = value === null ? askElement(ctx.allow, elementKey, nameOrParent) : askAttribute(ctx.allow, elementKey, nameOrParent, value)
  if (answer === true) {
    if (memo.size >= MEMO_LIMIT) memo.clear()
    memo.add(q)
  }
  return answer
}
