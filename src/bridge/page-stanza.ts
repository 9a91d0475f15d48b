/**
 * What a bridge accepts from the page's #xmpp-outgoing: the same rule for every bridge, so that
 * a page behaves the same whichever one carries it (docs/PROTOCOL.md, "Channel").
 *
 * The page sends island messages only: presence is the bridge's to make, from what its
 * transport knows. And the page never addresses a stanza: `from`, `to` and `type` are the
 * bridge's to set, to the session it is in. A page that could choose them could speak as
 * another peer, or reach someone outside the session.
 */
import { NS_CLIENT } from '../protocol/ns.js'
import { parseXml, type XmlEl } from '../protocol/xml.js'

export type PageStanzaRefusal =
  | 'malformed' // not one well-formed XML element
  | 'not-a-message' // well-formed, but not a jabber:client <message/>
  | 'addressed' // sets `from`, `to` or `type`

export type PageStanzaCheck =
  | { ok: true; stanza: XmlEl }
  | { ok: false; reason: PageStanzaRefusal; message: string }

/** Attributes only a bridge may set. */
export const BRIDGE_ATTRIBUTES = ['from', 'to', 'type'] as const

export function checkPageStanza(text: string): PageStanzaCheck {
  let stanza: XmlEl
  try {
    stanza = parseXml(text)
  } catch (err) {
    return { ok: false, reason: 'malformed', message: `not a stanza: ${(err as Error).message}` }
  }
  const ns = stanza.attrs.xmlns
  if (stanza.name !== 'message' || (ns !== undefined && ns !== NS_CLIENT)) {
    return { ok: false, reason: 'not-a-message', message: `the page may send only <message/>, not <${stanza.name}/>` }
  }
  const set = BRIDGE_ATTRIBUTES.filter((name) => stanza.attrs[name] !== undefined)
  if (set.length) {
    return { ok: false, reason: 'addressed', message: `the page may not set ${set.map((n) => `\`${n}\``).join(', ')}: the bridge addresses stanzas` }
  }
  return { ok: true, stanza }
}
