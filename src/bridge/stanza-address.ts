import { serializeXml, type XmlEl } from '../protocol/xml.js'
import { NS_MUC_USER } from '../protocol/ns.js'

/**
 * The text a bridge delivers for a page stanza that passed checkPageStanza (page-stanza.ts):
 * the same stanza, now saying who sent it.
 */
export function addressStanza(stanza: XmlEl, from: string): string {
  return serializeXml({ ...stanza, attrs: { ...stanza.attrs, from } })
}

/** A presence stanza as the engine reads it; `self` marks the page's own (XEP-0045 status 110). */
export function presenceStanza(from: string, opts: { available: boolean; self?: boolean }): string {
  const type = opts.available ? '' : ' type="unavailable"'
  const x = opts.self ? `<x xmlns="${NS_MUC_USER}"><status code="110"/></x>` : ''
  return `<presence xmlns="jabber:client" from="${from.replace(/[&<>"]/g, '')}"${type}>${x}</presence>`
}
