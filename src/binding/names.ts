/**
 * Yjs XML types carry no namespace, so names carry it: a fixed prefix table for the namespaces
 * pages use (XHTML is the default and has no prefix), Clark notation `{uri}local` for any other.
 */

export const NS = {
  xhtml: 'http://www.w3.org/1999/xhtml',
  svg: 'http://www.w3.org/2000/svg',
  math: 'http://www.w3.org/1998/Math/MathML',
  xlink: 'http://www.w3.org/1999/xlink',
  xml: 'http://www.w3.org/XML/1998/namespace',
  xmlns: 'http://www.w3.org/2000/xmlns/',
} as const

const ELEMENT_PREFIX: Record<string, string> = { [NS.svg]: 'svg', [NS.math]: 'math' }
const ELEMENT_NS: Record<string, string> = { svg: NS.svg, math: NS.math }
const ATTR_PREFIX: Record<string, string> = { [NS.xlink]: 'xlink', [NS.xml]: 'xml' }
const ATTR_NS: Record<string, string> = { xlink: NS.xlink, xml: NS.xml }

interface Named {
  namespaceURI: string | null
  localName: string
}

/** `rect` in SVG is `svg:rect`; `p` in XHTML is `p`; anything else is `{uri}local`. */
export function elementKey(el: Named): string {
  const ns = el.namespaceURI
  if (ns === NS.xhtml) return el.localName
  const prefix = ns === null ? undefined : ELEMENT_PREFIX[ns]
  return prefix ? `${prefix}:${el.localName}` : `{${ns ?? ''}}${el.localName}`
}

export function parseElementKey(key: string): { ns: string | null; local: string } {
  if (key.startsWith('{')) {
    const end = key.indexOf('}')
    const ns = key.slice(1, end)
    return { ns: ns === '' ? null : ns, local: key.slice(end + 1) }
  }
  const colon = key.indexOf(':')
  if (colon > 0) {
    const ns = ELEMENT_NS[key.slice(0, colon)]
    if (ns) return { ns, local: key.slice(colon + 1) }
  }
  return { ns: NS.xhtml, local: key }
}

/**
 * `x` stays `x`; `xlink:href` and `xml:space` keep their usual prefix; namespace declarations
 * are dropped (names carry the namespace); anything else, including a no-namespace name with a
 * colon in it, is `{uri}local`. Returns null for attributes that are not synced.
 */
export function attrKey(attr: Named & { name: string }): string | null {
  const ns = attr.namespaceURI
  if (ns === null) return attr.name.includes(':') || attr.name.startsWith('{') ? `{}${attr.name}` : attr.name
  if (ns === NS.xmlns) return null
  const prefix = ATTR_PREFIX[ns]
  return prefix ? `${prefix}:${attr.localName}` : `{${ns}}${attr.localName}`
}

export function parseAttrKey(key: string): { ns: string | null; qname: string } {
  if (key.startsWith('{')) {
    const end = key.indexOf('}')
    const ns = key.slice(1, end)
    return { ns: ns === '' ? null : ns, qname: key.slice(end + 1) }
  }
  const colon = key.indexOf(':')
  if (colon > 0) {
    const ns = ATTR_NS[key.slice(0, colon)]
    if (ns) return { ns, qname: key }
  }
  return { ns: null, qname: key }
}

/** Keys that the binding keeps for itself in a Y.XmlElement's attributes: never rendered. */
export const isInternalKey = (key: string): boolean => key.startsWith('#')

export function createElementFromKey(doc: Document, key: string): Element {
  const { ns, local } = parseElementKey(key)
  return doc.createElementNS(ns, local)
}

export function setAttributeFromKey(el: Element, key: string, value: string): void {
  const { ns, qname } = parseAttrKey(key)
  if (ns === null) el.setAttribute(qname, value)
  else el.setAttributeNS(ns, qname, value)
}

export function removeAttributeFromKey(el: Element, key: string): void {
  const { ns, qname } = parseAttrKey(key)
  if (ns === null) el.removeAttribute(qname)
  else el.removeAttributeNS(ns, qname.slice(qname.indexOf(':') + 1))
}
