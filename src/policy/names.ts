/**
 * What the DOM will make of a binding key, read conservatively.
 *
 * The binding turns a key into `createElementNS(ns, name)` (or `createElement(name)`) and
 * `setAttribute(name)` / `setAttributeNS(ns, qname)`. A qualified name with a colon may end up
 * with the part after the colon as its local name (`x:script` in XHTML is a script), or keep the
 * whole name, depending on the call. So the policy never decides on one reading: it looks at every
 * local name the DOM could give the node (`locals`), refuses when any of them is never allowed,
 * and allows only names without a colon (or keys listed verbatim by a custom profile).
 */

import { NS } from '../binding/names.js'
export { NS }

/** The element key prefixes of the binding's table (`html:` marks an XHTML name with a colon). */
const ELEMENT_PREFIX_NS: Record<string, string> = { svg: NS.svg, math: NS.math, html: NS.xhtml }
const ATTR_PREFIX_NS: Record<string, string> = { xlink: NS.xlink, xml: NS.xml }

export type NsKind = 'html' | 'svg' | 'math' | 'none' | 'other'

export function nsKind(ns: string | null): NsKind {
  if (ns === NS.xhtml) return 'html'
  if (ns === NS.svg) return 'svg'
  if (ns === NS.math) return 'math'
  return ns === null ? 'none' : 'other'
}

export interface ElementName {
  /** The key as the peer sent it. */
  readonly key: string
  /** The namespace the element is created in (null: none). */
  readonly ns: string | null
  readonly kind: NsKind
  /** The name given to the DOM (may hold a colon). */
  readonly name: string
  /** Every local name the DOM could give it: the whole name, and the part after a colon. */
  readonly locals: readonly string[]
  /**
   * The canonical key for allow-lists (`p`, `svg:rect`, `math:mi`, `{uri}local`, `{}local`), or
   * null for an XHTML, SVG, MathML or no-namespace name with a colon (a foreign namespace's
   * elements may carry a prefix of their own: `{uri}p:local` reads as `{uri}local`).
   */
  readonly canonical: string | null
}

/** Reads an element key the way the binding does: `{uri}name`, `svg:`/`math:`/`html:` prefixes, else XHTML. */
export function readElementKey(key: string): ElementName {
  let ns: string | null = NS.xhtml
  let name = key
  if (key.startsWith('{')) {
    const end = key.indexOf('}')
    const uri = end < 0 ? '' : key.slice(1, end)
    ns = uri === '' ? null : uri
    name = end < 0 ? key.slice(1) : key.slice(end + 1)
  } else {
    const colon = key.indexOf(':')
    const head = colon > 0 ? ELEMENT_PREFIX_NS[key.slice(0, colon)] : undefined
    if (head) {
      ns = head
      name = key.slice(colon + 1)
    }
  }
  const colon = name.indexOf(':')
  const locals = colon >= 0 ? [name, name.slice(colon + 1)] : [name]
  const kind = nsKind(ns)
  let canonical: string | null = null
  if (kind === 'other') canonical = `{${ns}}${locals[locals.length - 1]}` // a prefix of its own: kept, not read
  else if (colon < 0) {
    if (kind === 'html') canonical = name
    else if (kind === 'svg') canonical = `svg:${name}`
    else if (kind === 'math') canonical = `math:${name}`
    else canonical = `{}${name}`
  }
  return { key, ns, kind, name, locals, canonical }
}

export interface AttrName {
  readonly key: string
  readonly ns: string | null
  /** The name given to the DOM (a qualified name when namespaced). */
  readonly qname: string
  /** Every local name the DOM could give it, as given and lower-cased (HTML lower-cases names). */
  readonly locals: readonly string[]
  /**
   * The canonical key for allow-lists: `x` (lower-cased on XHTML elements, as setAttribute does
   * there), `xlink:href`, `xml:space`, `{uri}local`; null for a no-namespace name with a colon.
   */
  readonly canonical: string | null
}

/** Reads an attribute key the way the binding does: `{uri}qname`, `xlink:`/`xml:` prefixes, else no namespace. */
export function readAttrKey(key: string, element: ElementName | null): AttrName {
  let ns: string | null = null
  let qname = key
  if (key.startsWith('{')) {
    const end = key.indexOf('}')
    const uri = end < 0 ? '' : key.slice(1, end)
    ns = uri === '' ? null : uri
    qname = end < 0 ? key.slice(1) : key.slice(end + 1)
  } else {
    const colon = key.indexOf(':')
    const head = colon > 0 ? ATTR_PREFIX_NS[key.slice(0, colon)] : undefined
    if (head) ns = head
  }
  const colon = qname.indexOf(':')
  const local = colon >= 0 ? qname.slice(colon + 1) : qname
  const set = new Set([qname, local, qname.toLowerCase(), local.toLowerCase()])
  let canonical: string | null
  if (ns === null) {
    canonical = colon >= 0 ? null : element?.kind === 'html' ? qname.toLowerCase() : qname
  } else if (ns === NS.xlink) canonical = `xlink:${local}`
  else if (ns === NS.xml) canonical = `xml:${local}`
  else canonical = `{${ns}}${local}`
  return { key, ns, qname, locals: [...set], canonical }
}

/** Names the policy accepts at all: what XML and HTML both take as a plain name. */
export const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/
