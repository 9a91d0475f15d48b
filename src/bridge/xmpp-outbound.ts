/**
 * The XMPP bridge's outgoing path: each stanza the engine writes into #xmpp-outgoing is checked
 * (page-stanza.ts: island messages only, never addressed by the page), addressed to the session,
 * bounded in size (docs/PROTOCOL.md, "Splitting") and handed to the connection. One the connection
 * cannot take now, or failed to send, goes back to the front of #xmpp-outgoing, in its order.
 *
 * Backpressure (channel contract): stanzas the connection cannot take now stay in the DOM, where
 * the engine merges them; nothing queues inside the bridge.
 */
import { xml, type Element } from '@xmpp/client'
import { readChannel, type ChannelReader } from '../channel/channel.js'
import { NS_CLIENT } from '../protocol/ns.js'
import { utf8Length } from '../protocol/stanza.js'
import type { XmlEl } from '../protocol/xml.js'
import { checkPageStanza } from './page-stanza.js'
import type { Timers } from './xmpp-connection.js'
import type { XmppBridgeErrorDetail, XmppBridgeErrorReason, XmppBridgeStats, XmppClient } from './xmpp-options.js'
import type { Refusals } from './xmpp-refusals.js'
import type { Session } from './xmpp-session.js'

/**
 * What @xmpp/client appends to a message it resends from its XEP-0198 queue after a failed
 * resumption: `<delay from=OWN-JID stamp=.../>`. It writes that itself, past this bridge's check,
 * so the check leaves room for it.
 */
export const resendReserve = (ownJid: string): number =>
  utf8Length(`<delay xmlns="urn:xmpp:delay" from="${ownJid.replace(/[&<>"']/g, '&quot;')}" stamp="2026-12-04T10:00:00.000Z"/>`)

function toElement(el: XmlEl): Element {
  return xml(el.name, { ...el.attrs }, ...el.children.map((c) => (typeof c === 'string' ? c : toElement(c))))
}

/** A page stanza as it goes to the session. */
export function addressed(stanza: XmlEl, session: Pick<Session, 'target' | 'type'>): Element {
  // xmlns written here, as @xmpp/websocket would add it: the size checked is the size sent.
  const { xmlns: _ns, ...rest } = stanza.attrs
  return toElement({ ...stanza, attrs: { xmlns: NS_CLIENT, ...rest, to: session.target, type: session.type } })
}

/** Why a stanza of `bytes` is not sent (over `room`, or over what a server refused), or undefined. */
export function sizeRefusal(bytes: number, room: number, ceiling: number): string | undefined {
  if (bytes <= room && bytes <= ceiling) return undefined
  const why = bytes > ceiling ? `the server closed the stream over a larger one, and stanzas over ${ceiling} bytes are no longer sent` : `limit ${room} (one WebSocket message, less room for a resend's <delay/>)`
  return `stanza of ${bytes} bytes not sent: ${why}`
}

export interface OutboundOptions {
  doc: Document
  outgoing: HTMLElement
  xmpp: Pick<XmppClient, 'jid' | 'send'>
  session: Pick<Session, 'target' | 'type'>
  refusals: Pick<Refusals, 'ceiling' | 'sent' | 'named'>
  stats: Pick<XmppBridgeStats, 'sent' | 'refused'>
  timers: Timers
  /** In the session, on a connection that is online. */
  canSend(): boolean
  fail(reason: XmppBridgeErrorReason, message: string, extra?: Partial<XmppBridgeErrorDetail>): void
  /** Bytes the socket has not sent yet. */
  bufferedAmount(): number
  highWaterMark: number
  lowWaterMark: number
  drainInterval: number
  maxStanzaBytes: number
}

export interface Outbound {
  /** Reads #xmpp-outgoing (the first call starts reading) if the connection can take stanzas now. */
  resume(): void
  /** Leaves what the page writes in #xmpp-outgoing until resumed. */
  pause(): void
  /** Stream management's `fail`: a page stanza the server never acknowledged goes back. */
  failed(el: Element): void
  stop(): void
}

export function outbound(o: OutboundOptions): Outbound {
  const { doc, outgoing, xmpp, session, refusals, stats, timers } = o
  let reader: ChannelReader | undefined
  let drainTimer: unknown
  let stopped = false
  // The page's text of each island stanza handed to the connection, for stanza management's `fail`.
  const sentText = new WeakMap<Element, string>()
  // Stanzas whose send failed go back to the front of #xmpp-outgoing in their original order.
  let putBackAfter: ChildNode | null = null

  const putBack = (text: string): void => {
    const child = doc.createElement('div')
    child.textContent = text
    const before = putBackAfter ? putBackAfter.nextSibling : outgoing.firstChild
    outgoing.insertBefore(child, before)
    putBackAfter = child
  }

  const watchDrain = (): void => {
    if (drainTimer !== undefined || stopped) return
    drainTimer = timers.setTimeout(() => {
      drainTimer = undefined
      resume()
    }, o.drainInterval)
  }
  const resume = (): void => {
    if (!o.canSend()) return
    if (o.bufferedAmount() > o.lowWaterMark) return watchDrain()
    putBackAfter = null
    if (reader) return reader.resume()
    // The first drain runs inside readChannel, before `reader` exists to be paused.
    reader = readChannel(outgoing, onOutgoing)
    if (o.bufferedAmount() > o.highWaterMark) {
      reader.pause()
      watchDrain()
    }
  }

  function onOutgoing(text: string): void {
    const check = checkPageStanza(text)
    if (!check.ok) {
      stats.refused++
      return o.fail(check.reason, check.message, { stanza: text })
    }
    if (!o.canSend()) {
      reader?.pause()
      return putBack(text)
    }
    const el = addressed(check.stanza, session)
    const bytes = utf8Length(el.toString())
    const tooLarge = sizeRefusal(bytes, o.maxStanzaBytes - resendReserve(xmpp.jid?.toString() ?? ''), refusals.ceiling)
    if (tooLarge) {
      stats.refused++
      return o.fail('too-large', tooLarge, { stanza: text })
    }
    refusals.sent(text, bytes)
    stats.sent++
    sentText.set(el, text)
    xmpp.send(el).catch((err: unknown) => {
      stats.sent--
      reader?.pause()
      putBack(text)
      o.fail('send-failed', `send failed, kept for later: ${(err as Error)?.message ?? err}`, { stanza: text, error: err })
    })
    if (o.bufferedAmount() > o.highWaterMark) {
      reader?.pause()
      watchDrain()
    }
  }

  return {
    resume,
    pause: () => reader?.pause(),
    // Stanzas the server never acknowledged on a stream that cannot be resumed: lost unless sent
    // again. Back to #xmpp-outgoing, in their order, for the next session (a duplicate merges).
    failed(el) {
      const text = sentText.get(el)
      if (stopped || text === undefined) return
      sentText.delete(el)
      stats.sent--
      // The stanza a server closed the stream over: already reported, never sent again.
      if (refusals.named(text)) return
      reader?.pause()
      putBack(text)
    },
    stop() {
      stopped = true
      reader?.stop()
      if (drainTimer !== undefined) timers.clearTimeout(drainTimer)
    },
  }
}
