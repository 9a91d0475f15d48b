/** Namespaces on the wire. The version is part of the URN: a peer refuses any other version. */

/** This project's own namespace (not `urn:xmpp:`, which belongs to the XSF registry). */
export const PROTOCOL_VERSION = 1
export const NS_ISLANDS = `urn:xml-sync-islands:${PROTOCOL_VERSION}`
/** Any version of our namespace, so a future version is recognised and refused by name. */
export const NS_ISLANDS_ANY = /^urn:xml-sync-islands:(\d+)$/
/** XEP-0334 Message Processing Hints: servers must not archive or replay sync traffic. */
export const NS_HINTS = 'urn:xmpp:hints'
/** RFC 6120 §4.8.3: the default namespace of client stanzas. */
export const NS_CLIENT = 'jabber:client'
/** XEP-0045 §7.2.2: status code 110 marks the presence that refers to the receiver itself. */
export const NS_MUC_USER = 'http://jabber.org/protocol/muc#user'
