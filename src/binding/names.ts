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
// Marks an XHTML element whose local name has a colon that would read as a table prefix.
const HTML_MARK = 'html'
const ATTR_PREFIX: Record<string, string> = { [NS.xlink]: 'xlink', [NS.xml]: 'xml' }
const ATTR_NS: Record<string, string> = { xlink: NS.xlink, xml: NS.xml }

interface Named {
  namespaceURI: string | null
  localName: string
  prefix?: string | null
}

/**
 * `rect` in SVG is `svg:rect`; `p` in XHTML is `p`; anything else is `{uri}local`, or
 * `{uri}prefix:local` when the element has a prefix (kept as the page chose it).
 * The HTML parser makes XHTML elements with a colon in their local name (Word's `<o:p>`): they
 * are keyed by that name, with `html:` in front when the part before the colon is a table prefix.
 */
export function elementKey(el: Named): string {
  const ns = el.namespaceURI
  const local = el.localName
  if (ns === NS.xhtml) {
    const colon = local.indexOf(':')
    const head = colon > 0 ? local.slice(0, colon) : ''
    return head === HTML_MARK || ELEMENT_NS[head] ? `${HTML_MARK}:${local}` : local
  }
  const prefix = ns === null ? undefined : ELEMENT_PREFIX[ns]
  if (prefix) return `${prefix}:${local}`
  return `{${ns ?? ''}}${el.prefix ? `${el.prefix}:` : ''}${local}`
}

/** `name` is the qualified name for createElementNS, or an XHTML local name with a colon in it. */
export function parseElementKey(key: string): { ns: string | null; name: string } {
  if (key.startsWith('{')) {
    const end = key.indexOf('}')
    const ns = key.slice(1, end)
    return { ns: ns === '' ? null : ns, name: key.slice(end + 1) }
  }
  const colon = key.indexOf(':')
  if (colon > 0) {
    const head = key.slice(0, colon)
    if (head === HTML_MARK) return { ns: NS.xhtml, name: key.slice(colon + 1) }
    const ns = ELEMENT_NS[head]
    if (ns) return { ns, name: key.slice(colon + 1) }
  }
  return { ns: NS.xhtml, name: key }
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
  const { ns, name } = parseElementKey(key)
  if (ns === NS.xhtml && name.includes(':')) {
    // An XHTML local name with a colon: createElementNS would read a prefix into it (and make
    // `o:p` a paragraph), createElement keeps it whole.
    const el = doc.createElement(name)
    if (el.namespaceURI === NS.xhtml && el.localName === name) return el
  }
  return doc.createElementNS(ns, name)
}

export function setAttributeFromKey(el: Element, key: string, value: string): void {
  const { ns, qname } = parseAttrKey(key)
  if (ns === null) el.setAttribute(qname, value)
  else el.setAttributeNS(ns, qname.includes(':') ? qname : prefixed(el, ns, qname), value)
}

/**
 * Attribute keys name a namespace, not a prefix (two prefixes for one namespace are one
 * attribute): an attribute outside the table takes the prefix the element has in scope for its
 * namespace, so `x:a` on `<x:thing>` (both `urn:x`) comes back as `x:a`.
 */
function prefixed(el: Element, ns: string, local: string): string {
  const prefix = typeof el.lookupPrefix === 'function' ? el.lookupPrefix(ns) : null
  return prefix ? `${prefix}:${local}` : local
}

export function removeAttributeFromKey(el: Element, key: string): void {
  const { ns, qname } = parseAttrKey(key)
  if (ns === null) el.removeAttribute(qname)
  else el.removeAttributeNS(ns, qname.slice(qname.indexOf(':') + 1))
}
