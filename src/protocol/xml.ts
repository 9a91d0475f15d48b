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
  // Keep every value a string: with parsing on, "0012" becomes 12.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Entities are decoded below, by a decoder that knows numeric references and refuses the rest.
  processEntities: false,
})

// A start tag's attributes, as both strict paths read them: ASCII names, double-quoted values.
const ATTR_LIST = '(?:\\s+[A-Za-z_][\\w.:-]*\\s*=\\s*"[^"<]*")*'

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
  return parseIslandMessage(text) ?? parseSimple(text) ?? parseFull(text)
}

// Nearly every stanza is one island message: `<message …><island …>base64</island>`, maybe a
// `<no-store …/>`, `</message>`, with nothing between the tags. That shape is read with one
// match here, as parseSimple would read it (same names, attributes and entity rules; tested
// equal); anything else goes on to parseSimple. A third of an update's parse time, measured.
const ATTRS = `(${ATTR_LIST})\\s*`
const ISLAND_MESSAGE = new RegExp(`^<message${ATTRS}><island${ATTRS}>([^<&]*)</island\\s*>(?:<no-store${ATTRS}/>)?</message\\s*>$`)

export function parseIslandMessage(text: string): XmlEl | null {
  const m = ISLAND_MESSAGE.exec(text)
  if (m === null) return null
  const message = attrsOf(m[1]!)
  const island = attrsOf(m[2]!)
  const noStore = m[4] === undefined ? undefined : attrsOf(m[4])
  if (message === null || island === null || noStore === null) return null
  const children: XmlEl[] = [{ name: 'island', attrs: island, children: m[3] ? [m[3]] : [] }]
  if (noStore !== undefined) children.push({ name: 'no-store', attrs: noStore, children: [] })
  return { name: 'message', attrs: message, children }
}

/** The attributes of a start tag (as OPEN's second group), or null for a repeated name. */
function attrsOf(s: string): Record<string, string> | null {
  const attrs: Record<string, string> = {}
  ATTR.lastIndex = 0
  for (let a = ATTR.exec(s); a !== null; a = ATTR.exec(s)) {
    if (Object.prototype.hasOwnProperty.call(attrs, a[1]!)) return null
    attrs[a[1]!] = decodeEntities(a[2]!)
  }
  return attrs
}

// The stanzas peers exchange use a small part of XML: ASCII names, double-quoted attributes,
// text and the predefined or character references. That part is read here in one strict pass
// (every tag matched, no duplicate attribute), about ten times cheaper than validating and
// parsing with fast-xml-parser, which reads everything else and decides what this pass declines.
const OPEN = new RegExp(`<([A-Za-z_][\\w.:-]*)(${ATTR_LIST})\\s*(/?)>`, 'y')
const ATTR = /\s+([A-Za-z_][\w.:-]*)\s*=\s*"([^"<]*)"/y
const CLOSE = /<\/([A-Za-z_][\w.:-]*)\s*>/y
const TEXT = /[^<]+/y
const SPACE = /^[ \t\r\n]*$/

export function parseSimple(text: string): XmlEl | null {
  const stack: XmlEl[] = []
  let root: XmlEl | null = null
  let at = 0
  while (at < text.length) {
    if (text.charCodeAt(at) !== 60 /* < */) {
      TEXT.lastIndex = at
      const m = TEXT.exec(text)!
      if (stack.length) stack[stack.length - 1]!.children.push(decodeEntities(m[0]))
      else if (!SPACE.test(m[0])) return null
      at = TEXT.lastIndex
      continue
    }
    if (text.charCodeAt(at + 1) === 47 /* / */) {
      CLOSE.lastIndex = at
      const m = CLOSE.exec(text)
      if (!m || stack.pop()?.name !== m[1]) return null
      at = CLOSE.lastIndex
      continue
    }
    OPEN.lastIndex = at
    const m = OPEN.exec(text)
    if (!m || (stack.length === 0 && root !== null)) return null
    const attrs = attrsOf(m[2]!)
    if (attrs === null) return null
    const el: XmlEl = { name: m[1]!, attrs, children: [] }
    if (stack.length) stack[stack.length - 1]!.children.push(el)
    else root = el
    if (!m[3]) stack.push(el)
    at = OPEN.lastIndex
  }
  return stack.length === 0 ? root : null
}

export function parseFull(text: string): XmlEl {
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
