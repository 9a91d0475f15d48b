// Shared by the integration tests: bounded waiting, "pages" (happy-dom windows) and plain XMPP
// clients that are not bridges (an ordinary chat client, a stranger).
import { Window } from 'happy-dom'
import WebSocket from 'ws'
import { client, xml, type Client, type Element } from '@xmpp/client'
import { useWebSocket } from '../../src/bridge/xmpp-websocket.js'
import { INCOMING_ID, OUTGOING_ID, channelElement } from '../../src/channel/channel.js'
import { NS_HINTS, NS_ISLANDS, NS_MUC_USER } from '../../src/protocol/ns.js'
import { childElements, parseXml, textOf, type XmlEl } from '../../src/protocol/xml.js'

/** Polls until `check` returns something truthy; fails with `what` after `timeout` ms. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeout = 10_000, interval = 10): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value) return value as NonNullable<T>
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((resolve) => setTimeout(resolve, interval))
  }
}

/** A page: its own window and document, with the two channel elements. */
export interface Page {
  window: Window
  document: Document
  outgoing: HTMLElement
  incoming: HTMLElement
  /** Writes a stanza into #xmpp-outgoing, as the engine would. */
  send(stanza: string): void
  /** Texts of the stanzas waiting in #xmpp-incoming (left there when no engine reads them). */
  received(): string[]
  close(): Promise<void>
}

export function makePage(): Page {
  const window = new Window({ url: 'http://localhost/' })
  const document = window.document as unknown as Document
  const outgoing = channelElement(document, OUTGOING_ID)
  const incoming = channelElement(document, INCOMING_ID)
  return {
    window,
    document,
    outgoing,
    incoming,
    send(stanza) {
      const child = document.createElement('div')
      child.textContent = stanza
      outgoing.appendChild(child)
    },
    received: () => Array.from(incoming.children, (c) => c.textContent ?? ''),
    close: () => window.happyDOM.close(),
  }
}

/** An island message as the engine writes it: no from, to or type. */
export const islandStanza = (name: string, payload: string): string =>
  `<message xmlns="jabber:client"><island xmlns="${NS_ISLANDS}" name="${name}">${payload}</island><no-store xmlns="${NS_HINTS}"/></message>`

/** Parses a stanza text taken from #xmpp-incoming, for assertions. */
export const parseStanzaText = (text: string): XmlEl => parseXml(text)

const islandOf = (el: XmlEl): XmlEl | undefined => childElements(el).find((c) => c.name === 'island' && c.attrs.xmlns === NS_ISLANDS)

/** The island messages waiting in a page's #xmpp-incoming. */
export const islandMessages = (page: Page): XmlEl[] =>
  page.received().map(parseStanzaText).filter((el) => el.name === 'message' && islandOf(el) !== undefined)

/** The payload text of an island message. */
export const payloadOf = (el: XmlEl): string => textOf(islandOf(el)!)

export const presences = (page: Page): XmlEl[] => page.received().map(parseStanzaText).filter((el) => el.name === 'presence')

/** XEP-0045 status 110: the presence is about the receiver itself. */
export const isSelfPresence = (el: XmlEl): boolean =>
  childElements(el).some((x) => x.name === 'x' && x.attrs.xmlns === NS_MUC_USER && childElements(x).some((c) => c.name === 'status' && c.attrs.code === '110'))

/** An ordinary XMPP client (no bridge): PLAIN on loopback, or anonymous without a user. */
export async function plainClient(opts: { service: string; domain: string; user?: string; password?: string; resource?: string }): Promise<{
  xmpp: Client
  stanzas: Element[]
  stop(): Promise<void>
}> {
  const xmpp = client({
    service: opts.service,
    domain: opts.domain,
    ...(opts.resource && { resource: opts.resource }),
    credentials: (authenticate) =>
      opts.user ? authenticate({ username: opts.user, password: opts.password ?? '' }, 'PLAIN') : authenticate({}, 'ANONYMOUS'),
  })
  useWebSocket(xmpp, WebSocket)
  xmpp.reconnect.stop()
  xmpp.on('error', () => undefined)
  const stanzas: Element[] = []
  xmpp.on('stanza', (el: Element) => stanzas.push(el))
  await xmpp.start()
  return {
    xmpp,
    stanzas,
    async stop() {
      await xmpp.stop().catch(() => undefined)
    },
  }
}

export const joinPresence = (roomJid: string, nick: string): Element =>
  xml('presence', { to: `${roomJid}/${nick}` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' }))
