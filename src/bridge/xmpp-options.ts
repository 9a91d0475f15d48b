/**
 * What xmppBridge takes, what it reports, and what it drives: the XMPP bridge's contract, apart
 * from its wiring (xmpp.ts).
 */
import type { Client, Element } from '@xmpp/client'
import type { Bridge, BridgeErrorDetail } from './bridge.js'
import type { BackoffOptions, Timers } from './xmpp-connection.js'
import type { DropReason } from './xmpp-session.js'
import type { PageStanzaRefusal } from './page-stanza.js'
import type { WebSocketConstructor } from './xmpp-websocket.js'

/**
 * XEP-0198 stream management as @xmpp/client 0.14 keeps it (`client.streamManagement`). On a
 * resumed stream the client becomes online without an `online` event: `resumed` fires here
 * instead. `fail` fires once per sent stanza the server never acknowledged, when the stream
 * ends for good (resumption refused, or stopped).
 */
export interface StreamManagement {
  /** The stream's resumption id; empty when it cannot be resumed. */
  id: string
  /** Seconds the server keeps a dropped session for resumption (XEP-0198 `max`), if it said. */
  max?: string | number | null
  on(event: 'resumed' | 'fail', listener: (...args: any[]) => void): unknown
  removeListener(event: 'resumed' | 'fail', listener: (...args: any[]) => void): unknown
}

/**
 * The part of an @xmpp/client connection the bridge uses, as xmpp-client.d.ts declares it; a fake
 * can stand in for tests, so what it need not have is optional, and its listeners may return
 * anything (an EventEmitter returns itself, not a Client).
 */
export type XmppClient = Pick<Client, 'status' | 'jid' | 'start' | 'stop' | 'connect' | 'open' | 'disconnect' | 'send'> &
  Partial<Pick<Client, 'socket' | 'transports'>> & {
    reconnect?: Pick<Client['reconnect'], 'stop'>
    on(event: string, listener: (...args: any[]) => void): unknown
    removeListener(event: string, listener: (...args: any[]) => void): unknown
    /** Absent on a fake, or a client built without it: then no stream is ever resumed. */
    streamManagement?: StreamManagement
  }

export type AuthenticateFn = (
  authenticate: (credentials: { username?: string; password?: string }, mechanism: string, userAgent?: Element) => Promise<void>,
  mechanisms: string[],
  fast: unknown,
  entity: { isSecure(): boolean },
) => Promise<void>

/** What the bridge hands to a client factory (the options of @xmpp/client's `client()`). */
export interface XmppClientOptions {
  service: string
  domain: string
  resource?: string
  credentials: AuthenticateFn
  /** XEP-0388 user agent; given, so that @xmpp/client does not call crypto.randomUUID (see xmpp-login.ts). */
  userAgent: Element
}

export interface XmppBridgeOptions {
  /** `ws://` or `wss://` URL of the server's WebSocket endpoint. */
  service: string
  /** The XMPP domain to log in to; defaults to the domain of `jid`. Required for anonymous login. */
  domain?: string
  /** Account JID (`user@domain`) and password; both absent means SASL ANONYMOUS. */
  jid?: string
  password?: string
  resource?: string
  /** A MUC room JID (`room@rooms.domain`): the session is that room. */
  room?: string
  /** Nickname in the room (default: a random one). */
  nick?: string
  /** A JID for a one-to-one session (full, or bare to accept any of its resources). */
  peer?: string
  /** Message type with a peer (default `chat`). */
  peerMessageType?: 'chat' | 'normal'
  /** The page (default `globalThis.document`). */
  document?: Document
  /** WebSocket implementation when the global one is missing or unwanted (Node 20: `ws`). */
  WebSocket?: WebSocketConstructor
  /** An @xmpp/client connection, or a factory for one (default: @xmpp/client's `client`). */
  client?: XmppClient | ((options: XmppClientOptions) => XmppClient)
  /**
   * Largest stanza to send, addressed and serialized, in UTF-8 bytes (default 65,536: one browser
   * WebSocket message; a browser splits a larger one into frames, which RFC 7395 forbids and
   * Prosody closes the connection over). Room for the `<delay/>` @xmpp/client adds when it
   * resends is kept below it. The engine's stanzas are smaller (its maxStanzaBytes), so a bigger
   * one is refused with `too-large`, not sent, and the connection is kept.
   */
  maxStanzaBytes?: number
  /** Pause reading #xmpp-outgoing while the socket holds more than this many bytes (default 1 MiB). */
  highWaterMark?: number
  /** Resume once it holds at most this many (default highWaterMark / 4). */
  lowWaterMark?: number
  /** How often to look at the socket's buffer while paused, ms (default 20). */
  drainInterval?: number
  /** Bytes the socket has not sent yet (default: the WebSocket's `bufferedAmount`). */
  bufferedAmount?: () => number
  backoff?: BackoffOptions
  timers?: Timers
  random?: () => number
}

export type XmppBridgeErrorReason =
  | PageStanzaRefusal // the page wrote a stanza no bridge may send (page-stanza.ts)
  | 'too-large' // over maxStanzaBytes, or as large as one a server refused: not sent
  | 'refused' // the server closed the stream over what it was sent (`condition` says how)
  | 'send-failed' // the connection refused the stanza (it went back into #xmpp-outgoing)
  | 'options' // the options cannot work (the bridge does nothing)
  | 'start' // making the connection threw (the bridge does nothing)
  | 'connection' // connecting or staying connected failed (retrying)
  | 'auth' // the server refused the credentials, or offers no way to log in (no more retries)
  | 'insecure-login' // a password login over an unencrypted link with no mechanism but PLAIN (no more retries)
  | 'session' // the room refused the join, or the session answered with an error

export type XmppBridgeErrorDetail = BridgeErrorDetail<XmppBridgeErrorReason> & {
  /** For `refused`: the stream error condition, or `ws-CODE` for a WebSocket close code. */
  condition?: string
}

export interface XmppBridgeStats {
  /** Stanzas taken from #xmpp-outgoing and handed to the connection. */
  sent: number
  /** Stanzas the page wrote that the bridge refused. */
  refused: number
  /** Island messages written into #xmpp-incoming. */
  received: number
  /** Presence stanzas written into #xmpp-incoming (the synthesized ones included). */
  presences: number
  /** Incoming stanzas not written, in total and by reason. */
  dropped: number
  droppedBy: Record<DropReason, number>
  /** Times the session was entered again after a loss (a fresh login and a rejoin). */
  reconnects: number
  /** Times a lost connection came back by XEP-0198 resumption: still in the session, nothing lost. */
  resumptions: number
  /** Peers dropped at once as ghosts: a successor named them as its predecessor (docs/PROTOCOL.md). */
  ghosts: number
}

/**
 * A Bridge (bridge.ts): `offline` means reconnecting; `error` carries an XmppBridgeErrorDetail.
 * `self` is the occupant JID in a room, the full JID with a peer.
 */
export interface XmppBridge extends Bridge {
  readonly stats: XmppBridgeStats
  /** True while the session is entered and stanzas flow. */
  readonly online: boolean
  /** This connection's own full JID (`user@domain/resource`), once logged in. */
  readonly jid: string | undefined
}

/**
 * One browser WebSocket message, the default of maxStanzaBytes. RFC 7395 §3.3.3 puts each stanza
 * in one message, unfragmented; Chromium sends a message of more than 65,536 bytes as several
 * frames (measured: 65,537 split), and Prosody 0.12's mod_websocket closes the connection on the
 * first non-final frame. Node's `ws` never splits, but the bound is the same there, so a page
 * behaves alike everywhere.
 */
export const MAX_STANZA_BYTES = 64 * 1024

export const emptyStats = (): XmppBridgeStats => ({
  sent: 0,
  refused: 0,
  received: 0,
  presences: 0,
  dropped: 0,
  droppedBy: { stranger: 0, reflected: 0, 'wrong-type': 0, 'not-island': 0, replayed: 0, ghost: 0, error: 0, other: 0 },
  reconnects: 0,
  resumptions: 0,
  ghosts: 0,
})

/**
 * Why these options cannot work, or undefined. A mistake here is reported as an `error` event
 * like any other failure to start: a page that only listens for events still hears of it.
 */
export function optionsProblem(options: XmppBridgeOptions): string | undefined {
  if (!/^wss?:\/\//i.test(options.service ?? '')) return `\`service\` must be a ws:// or wss:// URL, not ${JSON.stringify(options.service)}`
  if (!options.room === !options.peer) return 'give exactly one of `room` or `peer`'
  if ((options.jid === undefined) !== (options.password === undefined)) {
    return 'give `jid` and `password` together, or neither for anonymous login'
  }
  if (!(options.document ?? globalThis.document)) return 'no document'
  if (!loginDomain(options)) return '`domain` is required for anonymous login'
  return undefined
}

/** The domain to log in to: `domain`, else the domain of `jid`. */
export const loginDomain = (options: XmppBridgeOptions): string | undefined =>
  options.domain || options.jid?.split('@')[1]?.split('/')[0] || undefined
