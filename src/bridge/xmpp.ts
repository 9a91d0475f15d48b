/**
 * The XMPP bridge: carries the channel's stanzas (see src/channel/channel.ts) over a real XMPP
 * server with @xmpp/client, over WebSocket (RFC 7395), in a MUC room or with one peer.
 *
 * Outgoing: each stanza the engine writes into #xmpp-outgoing is checked (page-stanza.ts: island
 * messages only, never addressed by the page), addressed to the session (`to`, `type`) and sent
 * (xmpp-outbound.ts). Incoming: only island messages (xmpp-inbound.ts) and presence from the
 * session (xmpp-session.ts) reach #xmpp-incoming, as text.
 *
 * It forwards stanza text and never decodes payloads. It imports only @xmpp/client from outside
 * the project: a browser bundle stubs what that package needs from Node.
 */
import type { Element } from '@xmpp/client'
import { channelElement, writeStanza, INCOMING_ID, OUTGOING_ID } from '../channel/channel.js'
import { emitBridgeEvent } from './bridge.js'
import { keepConnected, type Keeper, type Timers } from './xmpp-connection.js'
import { loginClient, loginFailure } from './xmpp-login.js'
import { failedBridge } from './xmpp-failed.js'
import {
  emptyStats,
  loginDomain,
  MAX_STANZA_BYTES,
  optionsProblem,
  type XmppBridge,
  type XmppBridgeErrorDetail,
  type XmppBridgeErrorReason,
  type XmppBridgeOptions,
} from './xmpp-options.js'
import { sessionHold } from './xmpp-hold.js'
import { messageDrop } from './xmpp-inbound.js'
import { outbound } from './xmpp-outbound.js'
import { refusals, type DisconnectEvent } from './xmpp-refusals.js'
import { peerSession, roomSession, type DropReason, type Session } from './xmpp-session.js'

export type { BackoffOptions, Timers } from './xmpp-connection.js'
export type { DropReason } from './xmpp-session.js'
export type { WebSocketConstructor } from './xmpp-websocket.js'
export type * from './xmpp-options.js'

const HIGH_WATER = 1024 * 1024
const CLOSE_TIMEOUT_MS = 3000

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

const randomNick = (random: () => number): string => `peer-${Math.floor(random() * 0xffffffff).toString(36)}`

/**
 * Never throws: options that cannot work, and a connection that cannot even be made, are an
 * `error` event (reason `options` or `start`) on a bridge that does nothing else.
 */
export function xmppBridge(options: XmppBridgeOptions): XmppBridge {
  const timers = options.timers ?? realTimers
  const problem = optionsProblem(options)
  if (problem) return failedBridge({ reason: 'options', message: `xmppBridge: ${problem}` }, timers)
  try {
    return startBridge(options)
  } catch (error) {
    return failedBridge({ reason: 'start', message: `xmppBridge could not start: ${(error as Error)?.message ?? error}`, error }, timers)
  }
}

function startBridge(options: XmppBridgeOptions): XmppBridge {
  const doc = (options.document ?? globalThis.document)!
  const domain = loginDomain(options)!
  const random = options.random ?? Math.random
  const timers = options.timers ?? realTimers
  const high = options.highWaterMark ?? HIGH_WATER

  const session: Session = options.room
    ? roomSession(options.room, options.nick ?? randomNick(random), random)
    : peerSession(options.peer!, options.peerMessageType)

  const outgoing = channelElement(doc, OUTGOING_ID)
  const incoming = channelElement(doc, INCOMING_ID)

  const xmpp = loginClient(options, domain, random)

  const bufferedAmount =
    options.bufferedAmount ??
    ((): number => (xmpp.socket as { socket?: { bufferedAmount?: number } } | null | undefined)?.socket?.bufferedAmount ?? 0)

  const events = new EventTarget()
  const stats = emptyStats()
  let closed = false
  let joined = false
  let everJoined = false
  let rejoinTimer: unknown
  const sm = xmpp.streamManagement
  // The page stanzas last handed to this connection, and a ceiling learned from servers that
  // closed the stream over a large one: nothing above it is sent, or the engine's rejoin, which
  // sends its state again, would be cut again, and again (docs/PROTOCOL.md, "Splitting").
  const refusal = refusals()

  const emit = (type: 'online' | 'offline' | 'error', detail: unknown): void => emitBridgeEvent(events, type, detail)
  const fail = (reason: XmppBridgeErrorReason, message: string, extra: Partial<XmppBridgeErrorDetail> = {}): void => {
    emit('error', { reason, message, ...extra } satisfies XmppBridgeErrorDetail)
  }
  const report = (detail: XmppBridgeErrorDetail | undefined): void => {
    if (detail) emit('error', detail)
  }
  const drop = (reason: DropReason): void => {
    stats.dropped++
    stats.droppedBy[reason]++
  }

  const canSend = (): boolean => joined && !closed && xmpp.status === 'online'
  const out = outbound({
    doc,
    outgoing,
    xmpp,
    session,
    refusals: refusal,
    stats,
    timers,
    canSend,
    fail,
    bufferedAmount,
    highWaterMark: high,
    lowWaterMark: options.lowWaterMark ?? Math.floor(high / 4),
    drainInterval: options.drainInterval ?? 20,
    maxStanzaBytes: options.maxStanzaBytes ?? MAX_STANZA_BYTES,
  })

  const writeIncoming = (text: string): void => {
    writeStanza(incoming, text)
  }

  const enterSession = (): void => {
    joined = true
    if (everJoined) stats.reconnects++
    everJoined = true
    emit('online', { self: session.self })
    out.resume()
  }

  // XEP-0198 (xmpp-hold.ts): while a lost stream may still be resumed, the session is held.
  const hold = sessionHold({
    timers,
    max: () => sm?.max,
    // The server no longer tells us about the others: say they are gone, until the rejoin says
    // who is still there.
    onLost() {
      for (const text of session.lost()) {
        stats.presences++
        writeIncoming(text)
      }
    },
  })

  const leaveSession = (mayResume = false): void => {
    const was = joined
    joined = false
    out.pause()
    hold.left(was, mayResume)
    if (was) emit('offline', {})
  }

  const sendAll = (stanzas: Element[]): void => {
    for (const s of stanzas) {
      xmpp.send(s).catch((err: unknown) => fail('connection', `could not send ${s.name}: ${(err as Error)?.message ?? err}`, { error: err }))
    }
  }

  const onOnline = (): void => {
    if (closed) return
    hold.loggedIn()
    const own = xmpp.jid?.toString() ?? ''
    sendAll(session.enter(own))
    const synthetic = session.entered(own)
    if (synthetic !== undefined) {
      stats.presences++
      writeIncoming(synthetic)
      enterSession()
    }
  }

  const onDisconnect = (event?: DisconnectEvent): void => {
    report(refusal.disconnected(event))
    // The client keeps the resumption id across a drop and clears it once resumption failed.
    leaveSession(!closed && !suspended && !!sm?.id)
  }

  // Resumed: still in the session, and the server resends whatever we missed, presences
  // included. The client sets itself online only after this event, hence the microtask.
  const onResumed = (): void =>
    queueMicrotask(() => {
      if (closed) return
      stats.resumptions++
      const next = hold.resumed()
      // Held past the server's `max`, and told the engine everyone left: join again, which a
      // room answers (even for an occupant) with its occupant list and a self-presence.
      if (next === 'rejoin') return sendAll(session.enter(xmpp.jid?.toString() ?? ''))
      // Not yet in before the drop: the join presence (resent if unacknowledged) is answered now.
      if (next === 'wait') return
      joined = true
      emit('online', { self: session.self })
      out.resume()
    })

  const onPresence = (el: Element): void => {
    const outcome = session.onPresence(el)
    if (outcome.error) fail('session', outcome.error, { stanza: el.toString() })
    for (const text of outcome.ghosts ?? []) {
      stats.ghosts++
      stats.presences++
      writeIncoming(text)
    }
    if (outcome.reply?.length) sendAll(outcome.reply)
    if (outcome.held) return
    if (!outcome.forward) return drop(outcome.drop ?? 'other')
    for (const text of outcome.before ?? []) {
      stats.presences++
      writeIncoming(text)
    }
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
    const dropped = messageDrop(el, session)
    if (!dropped) {
      stats.received++
      return writeIncoming(el.toString())
    }
    drop(dropped.drop)
    if (dropped.error) fail('session', dropped.error, { stanza: el.toString() })
  }

  const onStanza = (el: Element): void => {
    if (closed) return
    if (el.name === 'message') onMessage(el)
    else if (el.name === 'presence') onPresence(el)
    // iq: @xmpp/client answers pings and refuses the rest by itself.
  }

  const onClientError = (err: unknown): void => {
    // Connection failures are reported through keepConnected's onFailure; without a listener an
    // EventEmitter would throw. A stream error that refuses what was sent is reported here.
    report(refusal.streamError(err))
  }

  xmpp.on('online', onOnline)
  xmpp.on('disconnect', onDisconnect)
  xmpp.on('stanza', onStanza)
  xmpp.on('error', onClientError)
  sm?.on('resumed', onResumed)
  sm?.on('fail', out.failed)
  const connect = (): Keeper =>
    keepConnected(xmpp, {
      service: options.service,
      domain,
      timers,
      backoff: { random, ...options.backoff },
      onFailure: (error, fatal) => report(loginFailure(error, fatal)),
      urgent: () => hold.holding,
    })
  let keeper = connect()

  // A page that goes away closes its stream: with XEP-0198 a dropped one would hibernate, and
  // stay in the room as a ghost for minutes (docs/PROTOCOL.md, "Ghosts"). A page kept in the
  // back/forward cache (`persisted`) may come back: it leaves the same way, then logs in again on
  // `pageshow` and rejoins, as after any loss.
  const view = doc.defaultView
  let suspended = false
  const onPagehide = (e: Event): void => {
    if (!(e as PageTransitionEvent).persisted) return void close()
    if (closed || suspended) return
    suspended = true
    keeper.stop()
    leaveSession()
    void xmpp.stop().catch(() => undefined)
  }
  const onPageshow = (e: Event): void => {
    if (closed || !suspended || !(e as PageTransitionEvent).persisted) return
    suspended = false
    keeper = connect()
  }
  view?.addEventListener('pagehide', onPagehide)
  view?.addEventListener('pageshow', onPageshow)

  async function close(): Promise<void> {
    if (closed) return
    closed = true
    // The engine may outlive this bridge (or take another): the peers it knew are gone for it.
    for (const text of session.lost()) writeIncoming(text)
    joined = false
    keeper.stop()
    out.stop()
    if (rejoinTimer !== undefined) timers.clearTimeout(rejoinTimer)
    hold.stop()
    view?.removeEventListener('pagehide', onPagehide)
    view?.removeEventListener('pageshow', onPageshow)
    sm?.removeListener('resumed', onResumed)
    sm?.removeListener('fail', out.failed)
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
