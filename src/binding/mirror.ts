import type * as Y from 'yjs'

export type YNode = Y.XmlElement | Y.XmlText

/**
 * The identity map between DOM nodes and Yjs types, in both directions. Behind an interface so
 * the binding logic does not care what a "node" is beyond the DOM calls it makes.
 */
export interface Mirror {
  typeOf(node: Node): YNode | undefined
  nodeOf(type: YNode): Node | undefined
  bind(node: Node, type: YNode): void
  /** Forgets `type`, and its node's binding if that still points to `type` (a moved node may not). */
  unbindType(type: YNode): void
  readonly size: number
}

export function createMirror(): Mirror {
  const toType = new WeakMap<Node, YNode>()
  const toNode = new Map<YNode, Node>()
  return {
    typeOf: (node) => toType.get(node),
    nodeOf: (type) => toNode.get(type),
    bind(node, type) {
      toType.set(node, type)
      toNode.set(type, node)
    },
    unbindType(type) {
      const node = toNode.get(type)
      if (node !== undefined && toType.get(node) === type) toType.delete(node)
      toNode.delete(type)
    },
    get size() {
      return toNode.size
    },
  }
}
