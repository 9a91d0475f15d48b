import { SyncError } from '../protocol/errors.js'
import { parseXml, serializeXml } from '../protocol/xml.js'
import { NS_MUC_USER } from '../protocol/ns.js'

/**
 * The page never addresses a stanza: a bridge sets `from` (and `to`/`type` where its transport
 * has them) and refuses a stanza that tries to set them itself.
 */
export function addressStanza(text: string, from: string): string {
  const el = parseXml(text)
  if (el.attrs.from !== undefined || el.attrs.to !== undefined) {
    throw new SyncError('not-allowed', 'the page may not address a stanza (from/to are the bridge\'s)')
  }
  el.attrs.from = from
  return serializeXml(el)
}

/** A presence stanza as the engine reads it; `self` marks the page's own (XEP-0045 status 110). */
export function presenceStanza(from: string, opts: { available: boolean; self?: boolean }): string {
  const type = opts.available ? '' : ' type="unavailable"'
  const x = opts.self ? `<x xmlns="${NS_MUC_USER}"><status code="110"/></x>` : ''
  return `<presence xmlns="jabber:client" from="${from.replace(/[&<>"]/g, '')}"${type}>${x}</presence>`
}
