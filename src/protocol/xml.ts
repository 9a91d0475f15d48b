import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { SyncError } from './errors.js'

/** A parsed XML element: stanzas are small, so a plain tree is all the protocol needs. */
export interface XmlEl {
  name: string
  attrs: Record<string, string>
  children: Array<XmlEl | string>
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: false,
  // Keep every value a string: with parsing on, "0012" becomes 12 (DESIGN.md).
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Entities are decoded below, by a decoder that knows numeric references and refuses the rest.
  processEntities: false,
})

// RFC 6120 §11.1: no comments, processing instructions, DTDs or entity references but the five
// predefined ones (character references are fine). Prosody closes the stream on any of them.
const FORBIDDEN_MARKUP = /<\?|<!(?!\[CDATA\[)/
const ENTITY = /&(?:(lt|gt|amp|quot|apos)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));|&/g
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s
  return s.replace(ENTITY, (all, named: string | undefined, dec: string | undefined, hex: string | undefined) => {
    if (named) return PREDEFINED[named]!
    const code = dec !== undefined ? parseInt(dec, 10) : hex !== undefined ? parseInt(hex, 16) : -1
    if (code < 0) throw new SyncError('malformed-xml', 'undefined entity reference')
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || code === 0) {
      throw new SyncError('malformed-xml', `invalid character reference ${all}`)
    }
    return String.fromCodePoint(code)
  })
}

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> }

function toEl(node: Ordered): XmlEl | string | null {
  for (const key of Object.keys(node)) {
    if (key === ':@') continue
    if (key === '#text') return decodeEntities(String(node[key]))
    const attrs: Record<string, string> = {}
    for (const [k, v] of Object.entries(node[':@'] ?? {})) attrs[k] = decodeEntities(String(v))
    const children: Array<XmlEl | string> = []
    for (const child of (node[key] as Ordered[]) ?? []) {
      const c = toEl(child)
      if (c !== null) children.push(c)
    }
    return { name: key, attrs, children }
  }
  return null
}

/** Parses one XML document with a single root element; refuses anything XMPP would refuse. */
export function parseXml(text: string): XmlEl {
  if (FORBIDDEN_MARKUP.test(text)) {
    throw new SyncError('malformed-xml', 'DOCTYPE, comments and processing instructions are not allowed')
  }
  const valid = XMLValidator.validate(text)
  if (valid !== true) throw new SyncError('malformed-xml', valid.err.msg)
  let roots: Ordered[]
  try {
    roots = parser.parse(text) as Ordered[]
  } catch (err) {
    throw new SyncError('malformed-xml', String((err as Error).message ?? err))
  }
  const nodes = roots.map(toEl)
  const elements = nodes.filter((n): n is XmlEl => typeof n === 'object' && n !== null)
  if (elements.length !== 1 || nodes.some((n) => typeof n === 'string' && n.trim())) {
    throw new SyncError('malformed-xml', 'a stanza is exactly one root element')
  }
  return elements[0]!
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }
export const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!)

export function serializeXml(el: XmlEl): string {
  let out = `<${el.name}`
  for (const [k, v] of Object.entries(el.attrs)) out += ` ${k}="${escapeXml(v)}"`
  if (el.children.length === 0) return out + '/>'
  out += '>'
  for (const c of el.children) out += typeof c === 'string' ? escapeXml(c) : serializeXml(c)
  return out + `</${el.name}>`
}

export const textOf = (el: XmlEl): string => el.children.filter((c): c is string => typeof c === 'string').join('')
export const childElements = (el: XmlEl): XmlEl[] => el.children.filter((c): c is XmlEl => typeof c !== 'string')
