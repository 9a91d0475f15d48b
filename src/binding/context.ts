import type * as Y from 'yjs'
import type { Mirror, YNode } from './mirror.js'
import type { IdIndex } from './ids.js'
import type { MoveIndex } from './moves.js'
import type { RedoState } from './redo.js'
import type { TextMarkers } from './text-delta.js'

/** What capture (DOM -> Y) and patch (Y -> DOM) share for one island. */
export interface BindingContext {
  readonly root: Element
  readonly document: Document
  readonly fragment: Y.XmlFragment
  /** The island element's own attributes (minus authoring ones). */
  readonly rootAttrs: Y.Map<string>
  readonly mirror: Mirror
  readonly moves: MoveIndex
  /** What this page wrote, to do again on a copy if a concurrent move took the node away (redo.ts). */
  readonly redo: RedoState
  /** Every element seen with an id, and every reference to one: to keep ids unique (ids.ts). */
  readonly ids: IdIndex
  /** Where a recent edit of each text was: remote text deltas are found from there (text-delta.ts). */
  readonly texts: TextMarkers
  /** Whether an element, attribute or text may be rendered, and shared (the island's policy). */
  readonly allow: RenderFilter
  readonly limits: RenderLimits
  /** Told of every remote element, attribute or text not rendered, with the filter's reason when it gave one. */
  readonly refused: (what: 'element' | 'attribute' | 'text' | 'limit', name: string, why?: Refusal) => void
  /** Told after a remote update changed attributes of an element already on the page (island kinds). */
  readonly patched?: (el: Element, keys: readonly string[]) => void
  /**
   * Set once a limit kept a node off the page. Child lists are patched whole from then on, so
   * that what was left out is rendered once there is room again (an event names only the
   * children that changed).
   */
  limited: boolean
}

/**
 * What may be rendered. Keys as in names.ts; `parentKey` is the element it would go in (the
 * island element's own key for the island's children), `#island` for the island's own attributes.
 * Only `true` renders: `false` refuses, and so does a Refusal, which also says why (the
 * `not-allowed` event carries it). The reason comes with the answer (or from the filter's
 * `check*`, for a Policy) rather than being left on the filter for the engine to read after: a
 * plain `false` is never reported with an earlier call's reason.
 */
export interface RenderFilter {
  element(key: string, parentKey?: string): Verdict
  attribute(elementKey: string, attrKey: string, value: string): Verdict
  text(value: string, parentKey?: string): Verdict
}

/** A RenderFilter's answer: `true` renders; `false` or a Refusal does not. */
export type Verdict = boolean | Refusal

/** The reason in a filter's answer, if it gave one. */
export const reasonOf = (v: Verdict): Refusal | undefined => (typeof v === 'object' ? v : undefined)

/**
 * A filter that can also say why it refused (a Policy: `createPolicy`). Its `element`,
 * `attribute` and `text` answer booleans, which compose safely (`a.element(k) && b.element(k)`:
 * a Refusal, an object, would pass for a yes there); the engine asks `check*` only after a no.
 */
interface Explaining {
  checkElement?(key: string, parentKey?: string): Refusal | null
  checkAttribute?(elementKey: string, attrKey: string, value: string): Refusal | null
  checkText?(value: string, parentKey?: string): Refusal | null
}

/** `filter.element`, with the filter's reason when it refused and can give one. */
export function askElement(filter: RenderFilter, key: string, parentKey?: string): Verdict {
  const v = filter.element(key, parentKey)
  return v === false ? ((filter as Explaining).checkElement?.(key, parentKey) ?? false) : v
}

/** `filter.attribute`, with the filter's reason when it refused and can give one. */
export function askAttribute(filter: RenderFilter, elementKey: string, attrKey: string, value: string): Verdict {
  const v = filter.attribute(elementKey, attrKey, value)
  return v === false ? ((filter as Explaining).checkAttribute?.(elementKey, attrKey, value) ?? false) : v
}

/** `filter.text`, with the filter's reason when it refused and can give one. */
export function askText(filter: RenderFilter, value: string, parentKey?: string): Verdict {
  const v = filter.text(value, parentKey)
  return v === false ? ((filter as Explaining).checkText?.(value, parentKey) ?? false) : v
}

/** Why something was refused, in words for people and a code for programs. */
export type RefusalRule =
  | 'never' // an element or attribute no profile may allow (script, iframe, srcdoc, ...)
  | 'event-handler' // an on* attribute
  | 'not-allowed' // not in the island's profile
  | 'name' // a name the policy does not accept (prefixed, odd characters, internal)
  | 'context' // allowed, but not where it stands (HTML outside foreignObject)
  | 'url' // a URL with a scheme or target the profile does not allow
  | 'css' // CSS that fetches, runs or escapes the island
  | 'animation' // an animation of a link, a handler or styling, or to a URL
  | 'clobbering' // an id or name that shadows a document property or the channel
  | 'value' // a value the attribute may not take (input type=password, ...)
  | 'too-long' // over maxAttributeLength or maxTextLength

export interface Refusal {
  readonly node: 'element' | 'attribute' | 'text'
  /** The element key, the attribute key, or `#text`. */
  readonly name: string
  /** For an attribute or text: the element key it stands on, when known. */
  readonly element?: string
  readonly rule: RefusalRule
  readonly reason: string
}

export interface RenderLimits {
  /** Most nodes rendered in one island. */
  readonly maxNodes: number
  /** Deepest nesting rendered below the island element. */
  readonly maxDepth: number
}

export const DEFAULT_RENDER_LIMITS: RenderLimits = { maxNodes: 200_000, maxDepth: 256 }

export const allowAll: RenderFilter = { element: () => true, attribute: () => true, text: () => true }

/**
 * The key of the island element itself, for its own attributes: here, beside RenderFilter, so the
 * binding that passes it and the policies that read it agree. No element key starts with `#`.
 */
export const ISLAND_KEY = '#island'

/** The DOM parent for a Y parent, and back: the fragment stands for the island element. */
export const domOf = (ctx: BindingContext, type: Y.XmlFragment | YNode): Node | undefined =>
  type === ctx.fragment ? ctx.root : ctx.mirror.nodeOf(type as YNode)

export const typeOf = (ctx: BindingContext, node: Node): Y.XmlFragment | YNode | undefined =>
  node === ctx.root ? ctx.fragment : ctx.mirror.typeOf(node)
