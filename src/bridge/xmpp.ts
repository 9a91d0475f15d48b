/**
 * The XMPP bridge: carries the channel's stanzas (see src/channel/channel.ts) over a real XMPP
 * server with @xmpp/client, over WebSocket (RFC 7395), in a MUC room or with one peer.
 *
 * Outgoing: each stanza the engine writes into #xmpp-outgoing is parsed, refused if it names a
 * sender or a foreign recipient, addressed to the session (`to`, `type`) and sent. Incoming: only
 * island messages and presence from the session reach #xmpp-incoming, as text.
 *
 * It forwards stanza text and never decodes payloads. It imports only @xmpp/client from outside
 * the project: a browser bundle stubs what that package needs from Node.
 */
import { client as defaultClientFactory, xml, type Element } from '@xmpp/client'
import { channelElement, readChannel, writeStanza, INCOMING_ID, OUTGOING_ID, type ChannelReader } from '../channel/channel.js'
import { NS_CLIENT, NS_ISLANDS_ANY } from '../protocol/ns.js'
import { parseXml, type XmlEl } from '../protocol/xml.js'
import { keepConnected, type BackoffOptions, type Keeper, type Timers } from './xmpp-connection.js'
import { bareJid, normalizeJid, peerSession, roomSession, type DropReason, type Session } from './xmpp-session.js'
import { useWebSocket, type WebSocketConstructor } from './xmpp-websocket.js'

export type { BackoffOptions, Timers } from './xmpp-connection.js'
export type { DropReason } from './xmpp-session.js'
export type { WebSocketConstructor } from './xmpp-websocket.js'

/** The part of an @xmpp/client connection the bridge uses; a fake can stand in for tests. */
export interface XmppClient {
  status: string
  jid: { toString(): string } | null
  socket?: unknown
  transports?: unknown[]
  reconnect?: { stop(): void }
  on(event: string, listener: (...args: any[]) => void): unknown
  removeListener(event: string, listener: (...args: any[]) => void): unknown
  start(): Promise<unknown>
  stop(): Promise<unknown>
  connect(service: string): Promise<unknown>
  open(options: { domain?: string; lang?: string }): Promise<unknown>
  disconnect(): Promise<unknown>
  send(element: Element): Promise<unknown>
}

export type AuthenticateFn = (
  authenticate: (credentials: { username?: string; password?: string }, mechanism: string) => Promise<void>,
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
   * Largest stanza to send, in UTF-8 bytes (default: Prosody's c2s_stanza_size_limit, 256 KiB,
   * less a margin). The server closes the stream on a bigger one; the engine splits payloads
   * well below this, so a bigger stanza is a bug to report, not a reason to lose the connection.
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
  | 'malformed' // the page wrote something that is not one XML stanza
  | 'not-a-message' // the page wrote something other than a <message/>
  | 'too-large' // over maxStanzaBytes: the server would close the stream
  | 'from-set' // the page tried to choose the sender
  | 'foreign-to' // the page tried to address someone outside the session
  | 'send-failed' // the connection refused the stanza (it went back into #xmpp-outgoing)
  | 'connection' // connecting or staying connected failed (retrying)
  | 'auth' // the server refused the credentials (no more retries)
  | 'session' // the room refused the join, or the session answered with an error

export interface XmppBridgeErrorDetail {
  reason: XmppBridgeErrorReason
  message: string
  /** The refused stanza's text, when the error is about one. */
  stanza?: string
  error?: unknown
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
  /** Times the session was entered again after a loss. */
  reconnects: number
}

/**
 * Events: `online` (CustomEvent, detail `{ self }`: in the session, stanzas flow), `offline`
 * (the session is lost; reconnecting), `error` (CustomEvent<XmppBridgeErrorDetail>).
 */
export interface XmppBridge extends EventTarget {
  readonly stats: XmppBridgeStats
  /** True while the session is entered and stanzas flow. */
  readonly online: boolean
  /** This connection's JID in the session (occupant JID, or full JID with a peer). */
  readonly self: string | undefined
  /** This connection's own full JID (`user@domain/resource`), once logged in. */
  readonly jid: string | undefined
  /** Stops reading, stops reconnecting and closes the connection. Never rejects. */
  close(): Promise<void>
}

const HIGH_WATER = 1024 * 1024
const MAX_STANZA_BYTES = 256 * 1024 - 1024
const utf8 = new TextEncoder()
const CLOSE_TIMEOUT_MS = 3000

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/** PLAIN where the link is secure (TLS, or loopback: fast logins), else SCRAM-SHA-1. */
function authenticator(username: string | undefined, password: string | undefined): AuthenticateFn {
  return async (authenticate, mechanisms, _fast, entity) => {
    if (username === undefined) {
      if (!mechanisms.includes('ANONYMOUS')) throw new Error('xmppBridge: the server offers no anonymous login')
      return authenticate({}, 'ANONYMOUS')
    }
    const secure = entity.isSecure()
    const mechanism = secure && mechanisms.includes('PLAIN') ? 'PLAIN' : mechanisms.find((m) => m !== 'PLAIN' && m !== 'ANONYMOUS')
    if (!mechanism) throw new Error('xmppBridge: only PLAIN is offered, and the link is not secure')
    return authenticate({ username, password }, mechanism)
  }
}

function toElement(el: XmlEl): Element {
  return xml(el.name, { ...el.attrs }, ...el.children.map((c) => (typeof c === 'string' ? c : toElement(c))))
}

/** XEP-0203: marks a stanza delivered later than it was sent (history, offline storage). */
const NS_DELAY = 'urn:xmpp:delay'

const hasIsland = (el: Element): boolean => el.getChildElements().some((c) => NS_ISLANDS_ANY.test(c.attrs.xmlns ?? ''))

const randomNick = (random: () => number): string => `peer-${Math.floor(random() * 0xffffffff).toString(36)}`

export function xmppBridge(options: XmppBridgeOptions): XmppBridge {
  if (!options.room === !options.peer) throw new Error('xmppBridge: give exactly one of `room` or `peer`')
  if ((options.jid === undefined) !== (options.password === undefined)) {
    throw new Error('xmppBridge: give `jid` and `password` together, or neither for anonymous login')
  }
  const doc = options.document ?? globalThis.document
  if (!doc) throw new Error('xmppBridge: no document')
  const domain = options.domain ?? options.jid?.split('@')[1]?.split('/')[0]
  if (!domain) throw new Error('xmppBridge: `domain` is required for anonymous login')
  const username = options.jid?.split('@')[0]
  const random = options.random ?? Math.random
  const timers = options.timers ?? realTimers
  const high = options.highWaterMark ?? HIGH_WATER
  const low = options.lowWaterMark ?? Math.floor(high / 4)
  const drainInterval = options.drainInterval ?? 20
  const maxStanzaBytes = options.maxStanzaBytes ?? MAX_STANZA_BYTES

  const session: Session = options.room
    ? roomSession(options.room, options.nick ?? randomNick(random), random)
    : peerSession(options.peer!, options.peerMessageType)

  const outgoing = channelElement(doc, OUTGOING_ID)
  const incoming = channelElement(doc, INCOMING_ID)

  const clientOptions: XmppClientOptions = {
    service: options.service,
    domain,
    credentials: authenticator(username, options.password),
    ...(options.resource !== undefined && { resource: options.resource }),
  }
  const given = options.client
  const xmpp: XmppClient =
    typeof given === 'function' ? given(clientOptions) : (given ?? (defaultClientFactory(clientOptions) as unknown as XmppClient))
  if (options.WebSocket) useWebSocket(xmpp, options.WebSocket)

  const bufferedAmount =
    options.bufferedAmount ??
    ((): number => (xmpp.socket as { socket?: { bufferedAmount?: number } } | null | undefined)?.socket?.bufferedAmount ?? 0)

  const events = new EventTarget()
  const stats: XmppBridgeStats = {
    sent: 0,
    refused: 0,
    received: 0,
    presences: 0,
    dropped: 0,
    droppedBy: { stranger: 0, reflected: 0, 'wrong-type': 0, 'not-island': 0, replayed: 0, error: 0, other: 0 },
    reconnects: 0,
  }
  let closed = false
  let joined = false
  let everJoined = false
  let reader: ChannelReader | undefined
  let drainTimer: unknown
  let rejoinTimer: unknown
  // Stanzas whose send failed go back to the front of #xmpp-outgoing in their original order.
  let putBackAfter: ChildNode | null = null

  const emit = (type: string, detail: unknown): void => {
    events.dispatchEvent(new CustomEvent(type, { detail }))
  }
  const fail = (reason: XmppBridgeErrorReason, message: string, extra: Partial<XmppBridgeErrorDetail> = {}): void => {
    emit('error', { reason, message, ...extra } satisfies XmppBridgeErrorDetail)
  }
  const drop = (reason: DropReason): void => {
    stats.dropped++
    stats.droppedBy[reason]++
  }

  const canSend = (): boolean => joined && !closed && xmpp.status === 'online'

  const putBack = (text: string): void => {
    const child = doc.createElement('div')
    child.textContent = text
    const before = putBackAfter ? putBackAfter.nextSibling : outgoing.firstChild
    outgoing.insertBefore(child, before)
    putBackAfter = child
  }

  // Backpressure (channel contract): stanzas the connection cannot take now stay in the DOM,
  // where the engine merges them; nothing queues inside the bridge.
  const watchDrain = (): void => {
    if (drainTimer !== undefined || closed) return
    drainTimer = timers.setTimeout(() => {
      drainTimer = undefined
      resumeIfReady()
    }, drainInterval)
  }
  const resumeIfReady = (): void => {
    if (!canSend()) return
    if (bufferedAmount() > low) return watchDrain()
    putBackAfter = null
    if (reader) return reader.resume()
    // The first drain runs inside readChannel, before `reader` exists to be paused.
    reader = readChannel(outgoing, onOutgoing)
    if (bufferedAmount() > high) {
      reader.pause()
      watchDrain()
    }
  }

  function onOutgoing(text: string): void {
    let parsed: XmlEl
    try {
      parsed = parseXml(text)
    } catch (err) {
      stats.refused++
      return fail('malformed', `not a stanza: ${(err as Error).message}`, { stanza: text })
    }
    const ns = parsed.attrs.xmlns
    if (parsed.name !== 'message' || (ns !== undefined && ns !== NS_CLIENT)) {
      stats.refused++
      return fail('not-a-message', `the page may send only <message/>, not <${parsed.name}/>`, { stanza: text })
    }
    // The bridge, not the page, says who sends and to whom (channel contract).
    if (parsed.attrs.from !== undefined) {
      stats.refused++
      return fail('from-set', 'a stanza from the page must not set `from`', { stanza: text })
    }
    const to = parsed.attrs.to
    if (to !== undefined && normalizeJid(to) !== session.target) {
      stats.refused++
      return fail('foreign-to', `\`to\` ${to} is not this session's ${session.target}`, { stanza: text })
    }
    if (!canSend()) {
      reader?.pause()
      return putBack(text)
    }
    const attrs: Record<string, string> = { ...parsed.attrs, to: session.target, type: session.type }
    delete attrs.xmlns
    const el = toElement({ ...parsed, attrs })
    const serialized = el.toString()
    // Characters never exceed bytes in UTF-8, and bytes are at most 3 per UTF-16 unit.
    const bytes = serialized.length * 3 <= maxStanzaBytes ? serialized.length : utf8.encode(serialized).length
    if (bytes > maxStanzaBytes) {
      stats.refused++
      return fail('too-large', `stanza of ${bytes} bytes, limit ${maxStanzaBytes}`, { stanza: text })
    }
    stats.sent++
    xmpp.send(el).catch((err: unknown) => {
      stats.sent--
      reader?.pause()
      putBack(text)
      fail('send-failed', `send failed, kept for later: ${(err as Error)?.message ?? err}`, { stanza: text, error: err })
    })
    if (bufferedAmount() > high) {
      reader?.pause()
      watchDrain()
    }
  }

  const writeIncoming = (text: string): void => {
    writeStanza(incoming, text)
  }

  const enterSession = (): void => {
    joined = true
    if (everJoined) stats.reconnects++
    everJoined = true
    emit('online', { self: session.self })
    resumeIfReady()
  }

  const leaveSession = (): void => {
    const was = joined
    joined = false
    reader?.pause()
    // The server no longer tells us about the others: say they are gone, until the rejoin says
    // who is still there.
    for (const text of session.lost()) {
      stats.presences++
      writeIncoming(text)
    }
    if (was) emit('offline', {})
  }

  const sendAll = (stanzas: Element[]): void => {
    for (const s of stanzas) {
      xmpp.send(s).catch((err: unknown) => fail('connection', `could not send ${s.name}: ${(err as Error)?.message ?? err}`, { error: err }))
    }
  }

  const onOnline = (): void => {
    if (closed) return
    const own = xmpp.jid?.toString() ?? ''
    sendAll(session.enter(own))
    const synthetic = session.entered(own)
    if (synthetic !== undefined) {
      stats.presences++
      writeIncoming(synthetic)
      enterSession()
    }
  }

  const onDisconnect = (): void => {
    leaveSession()
  }

  const onPresence = (el: Element): void => {
    const outcome = session.onPresence(el)
    if (outcome.error) fail('session', outcome.error, { stanza: el.toString() })
    if (outcome.reply?.length) sendAll(outcome.reply)
    if (!outcome.forward) return drop(outcome.drop ?? 'other')
    stats.presences++
    writeIncoming(el.toString())
    if (outcome.joined && !joined) enterSession()
    if (outcome.left && joined) {
      leaveSession()
      // Kicked or the room went away: try to get back in, as after any other loss.
      rejoinTimer = timers.setTimeout(() => {
        rejoinTimer = undefined
        if (!closed && xmpp.status === 'online') sendAll(session.enter(xmpp.jid?.toString() ?? ''))
      }, options.backoff?.minDelay ?? 1000)
    }
  }

  const onMessage = (el: Element): void => {
    const type = el.attrs.type
    if (type === 'error') {
      drop('error')
      if (el.attrs.from && bareJid(el.attrs.from) === bareJid(session.target)) {
        fail('session', `the session answered with an error: ${el.getChild('error')?.toString() ?? ''}`, { stanza: el.toString() })
      }
      return
    }
    const refusal = session.acceptMessage(el.attrs.from, type)
    if (refusal) return drop(refusal)
    if (!hasIsland(el)) return drop('not-island')
    // Room history or offline storage replaying old traffic (XEP-0203 delay): sync traffic is
    // live only (XEP-0334 no-store), and the handshake on joining brings the state anyway.
    if (el.getChild('delay', NS_DELAY)) return drop('replayed')
    stats.received++
    writeIncoming(el.toString())
  }

  const onStanza = (el: Element): void => {
    if (closed) return
    if (el.name === 'message') onMessage(el)
    else if (el.name === 'presence') onPresence(el)
    // iq: @xmpp/client answers pings and refuses the rest by itself.
  }

  const onClientError = (): void => {
    // Reported through keepConnected's onFailure; without a listener an EventEmitter would throw.
  }

  xmpp.on('online', onOnline)
  xmpp.on('disconnect', onDisconnect)
  xmpp.on('stanza', onStanza)
  xmpp.on('error', onClientError)

  const keeper: Keeper = keepConnected(xmpp, {
    service: options.service,
    domain,
    timers,
    backoff: { random, ...options.backoff },
    onFailure(error, fatal) {
      const message = (error as Error)?.message ?? String(error)
      fail(fatal ? 'auth' : 'connection', fatal ? `login refused, not retrying: ${message}` : message, { error })
    },
  })

  async function close(): Promise<void> {
    if (closed) return
    closed = true
    joined = false
    keeper.stop()
    reader?.stop()
    if (drainTimer !== undefined) timers.clearTimeout(drainTimer)
    if (rejoinTimer !== undefined) timers.clearTimeout(rejoinTimer)
    xmpp.removeListener('online', onOnline)
    xmpp.removeListener('disconnect', onDisconnect)
    xmpp.removeListener('stanza', onStanza)
    let timeout: unknown
    await Promise.race([
      xmpp.stop().catch(() => undefined),
      new Promise<void>((resolve) => {
        timeout = timers.setTimeout(resolve, CLOSE_TIMEOUT_MS)
      }),
    ])
    timers.clearTimeout(timeout)
    // onClientError stays: late errors of a connection being torn down must not throw.
  }

  return Object.defineProperties(events, {
    stats: { value: stats, enumerable: true },
    online: { get: () => joined, enumerable: true },
    self: { get: () => session.self, enumerable: true },
    jid: { get: () => xmpp.jid?.toString(), enumerable: true },
    close: { value: close },
  }) as XmppBridge
}
