import type * as Y from 'yjs'
import type { Mirror, YNode } from './mirror.js'
import type { MoveIndex } from './moves.js'

/** What capture (DOM -> Y) and patch (Y -> DOM) share for one island. */
export interface BindingContext {
  readonly root: Element
  readonly document: Document
  readonly fragment: Y.XmlFragment
  /** The island element's own attributes (minus authoring ones). */
  readonly rootAttrs: Y.Map<string>
  readonly mirror: Mirror
  readonly moves: MoveIndex
  /** Whether a remote element or attribute may be rendered (the island's policy). */
  readonly allow: RenderFilter
}

export interface RenderFilter {
  element(key: string): boolean
  attribute(elementKey: string, attrKey: string, value: string): boolean
  text(value: string): boolean
}

export const allowAll: RenderFilter = { element: () => true, attribute: () => true, text: () => true }

/** The DOM parent for a Y parent, and back: the fragment stands for the island element. */
export const domOf = (ctx: BindingContext, type: Y.XmlFragment | YNode): Node | undefined =>
  type === ctx.fragment ? ctx.root : ctx.mirror.nodeOf(type as YNode)

export const typeOf = (ctx: BindingContext, node: Node): Y.XmlFragment | YNode | undefined =>
  node === ctx.root ? ctx.fragment : ctx.mirror.typeOf(node)
