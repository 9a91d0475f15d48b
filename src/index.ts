/**
 * XML Sync Islands: any part of any page, shared and live.
 * The public surface, and nothing else: see README.md and docs/PROTOCOL.md.
 */
export * from './core.js'
export { xmppBridge, type XmppBridge, type XmppBridgeOptions } from './bridge/xmpp.js'
