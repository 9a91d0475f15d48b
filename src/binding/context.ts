import type * as Y from 'yjs'
import type { Mirror, YNode } from './mirror.js'
import type { MoveIndex } from './moves.js'
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
  /** Where a recent edit of each text was: remote text deltas are found from there (text-delta.ts). */
  readonly texts: TextMarkers
  /** Whether an element, attribute or text may be rendered, and shared (the island's policy). */
  readonly allow: RenderFilter
  readonly limits: RenderLimits
  /** Told of every remote element, attribute or text not rendered, right after the filter said no. */
  readonly refused: (what: 'element' | 'attribute' | 'text' | 'limit', name: string) => void
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
 */
export interface RenderFilter {
  element(key: string, parentKey?: string): boolean
  attribute(elementKey: string, attrKey: string, value: string): boolean
  text(value: string, parentKey?: string): boolean
}

export interface RenderLimits {
  /** Most nodes rendered in one island. */
  readonly maxNodes: number
  /** Deepest nesting rendered below the island element. */
  readonly maxDepth: number
}

export const DEFAULT_RENDER_LIMITS: RenderLimits = { maxNodes: 200_000, maxDepth: 256 }

export const allowAll: RenderFilter = { element: () => true, attribute: () => true, text: () => true }

/** The key of the island element itself, for its own attributes. */
export const ISLAND_KEY = '#island'

/** The DOM parent for a Y parent, and back: the fragment stands for the island element. */
export const domOf = (ctx: BindingContext, type: Y.XmlFragment | YNode): Node | undefined =>
  type === ctx.fragment ? ctx.root : ctx.mirror.nodeOf(type as YNode)

export const typeOf = (ctx: BindingContext, node: Node): Y.XmlFragment | YNode | undefined =>
  node === ctx.root ? ctx.fragment : ctx.mirror.typeOf(node)
