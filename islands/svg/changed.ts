import type * as Y from 'yjs'
import type { KindHost } from '../../src/index.js'

export const SVG_NS = 'http://www.w3.org/2000/svg'

/**
 * The island's SVG elements whose attributes differ from the doc, over the whole island: what
 * SVG DOM writes changed when the kind cannot tell which elements were written (writes.ts). A
 * plain comparison of values finds the few that changed, and only those go through capture,
 * with the policy and the local-attribute rules.
 */
export function changedSvgElements(host: KindHost, compared?: (el: Element) => void): Element[] {
  const { root } = host
  const changed: Element[] = []
  const walker = root.ownerDocument.createTreeWalker(root, 1 /* elements */)
  for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
    const el = n as Element
    if (el.namespaceURI !== SVG_NS) continue
    compared?.(el)
    if (attributesDiffer(host, el)) changed.push(el)
  }
  // The island element's attributes live in a map of their own, not in a type: always compared.
  if (root.namespaceURI === SVG_NS) changed.push(root)
  return changed
}

/**
 * Whether any attribute value of `el` differs from its type's (a cheap over-approximation);
 * false for an element the doc does not hold (local, or not captured yet: its record will be).
 */
export function attributesDiffer(host: KindHost, el: Element): boolean {
  // Elements are bound to elements.
  const type = host.typeOf(el) as Y.XmlElement | undefined
  if (type === undefined) return false
  const attrs = el.attributes
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i]!
    const key = host.attributeKey(a)
    if (key !== null && type.getAttribute(key) !== a.value) return true
  }
  return false
}
