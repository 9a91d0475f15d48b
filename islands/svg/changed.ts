import type * as Y from 'yjs'
import type { KindHost } from '../../src/index.js'

export const SVG_NS = 'http://www.w3.org/2000/svg'

/**
 * The island's SVG elements whose attributes differ from the doc: what SVG DOM writes changed.
 * It runs on every tick of a drag, over the whole island (9.3 ms per tick on 2,000 shapes when
 * capture compared everything): a plain comparison of values finds the few that changed, and
 * only those go through capture, with the policy and the local-attribute rules.
 */
export function changedSvgElements(host: KindHost): Element[] {
  const { root } = host
  const changed: Element[] = []
  const walker = root.ownerDocument.createTreeWalker(root, 1 /* elements */)
  for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
    const el = n as Element
    if (el.namespaceURI !== SVG_NS) continue
    // Elements are bound to elements: a walker over elements meets no text.
    const type = host.typeOf(el) as Y.XmlElement | undefined
    if (type !== undefined && attributesDiffer(host, el, type)) changed.push(el)
  }
  // The island element's attributes live in a map of their own, not in a type: always compared.
  if (root.namespaceURI === SVG_NS) changed.push(root)
  return changed
}

/** Whether any attribute value of `el` differs from its type's (a cheap over-approximation). */
function attributesDiffer(host: KindHost, el: Element, type: Y.XmlElement): boolean {
  const attrs = el.attributes
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i]!
    const key = host.attributeKey(a)
    if (key !== null && type.getAttribute(key) !== a.value) return true
  }
  return false
}
