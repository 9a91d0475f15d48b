import { channelElement, INCOMING_ID, OUTGOING_ID, readChannel, writeStanza } from '../channel/channel.js'
import { emitBridgeEvent, type Bridge, type BridgeErrorDetail } from './bridge.js'
import { checkPageStanza, type PageStanzaRefusal } from './page-stanza.js'
import { addressStanza, presenceStanza } from './stanza-address.js'

/**
 * Tabs of one browser, no server: a BroadcastChannel per session name. Each tab has a random
 * peer id; presence is a hello/here exchange plus heartbeats, so a tab that crashed (no goodbye)
 * leaves after `timeoutMs`.
 */
export interface BroadcastBridgeOptions {
  /** The session: tabs with the same name share islands (default `default`). */
  session?: string
  document?: Document
  /** How long to wait for other tabs' answers before declaring presence (default 150 ms). */
  helloMs?: number
  heartbeatMs?: number
  timeoutMs?: number
}

type Packet =
  | { kind: 'hello' | 'here' | 'bye' | 'beat'; from: string }
  | { kind: 'stanza'; from: string; text: string }

/** Stanzas the page wrote that no bridge may send (page-stanza.ts), or `start`: no BroadcastChannel here. */
export type BroadcastBridgeErrorDetail = BridgeErrorDetail<PageStanzaRefusal | 'start'>

/** `online` once the other tabs had their time to answer; never `offline`: a tab cannot lose the others. */
export interface BroadcastBridge extends Bridge {
  /** This tab's peer id, also `self` (which is undefined until `online`). */
  readonly id: string
}

export function broadcastBridge(options: BroadcastBridgeOptions = {}): BroadcastBridge {
  const doc = options.document ?? document
  const heartbeatMs = options.heartbeatMs ?? 2000
  const timeoutMs = options.timeoutMs ?? 6000
  const id = `tab-${Math.random().toString(36).slice(2, 10)}`
  const incoming = channelElement(doc, INCOMING_ID)
  const outgoing = channelElement(doc, OUTGOING_ID)
  const events = new EventTarget()
  let bc: BroadcastChannel
  try {
    bc = new BroadcastChannel(`xml-sync-islands:${options.session ?? 'default'}`)
  } catch (err) {
    // Missing (an old browser, some embedded views) or refused (opaque origins): a bridge never
    // throws at the page; it says so once the caller has had a chance to listen.
    const message = `no BroadcastChannel here: ${(err as Error)?.message ?? err}`
    setTimeout(() => emitBridgeEvent(events, 'error', { reason: 'start', message } satisfies BroadcastBridgeErrorDetail), 0)
    return Object.defineProperties(events, {
      id: { value: id, enumerable: true },
      self: { get: () => undefined, enumerable: true },
      close: { value: async (): Promise<void> => undefined },
    }) as BroadcastBridge
  }
  const lastSeen = new Map<string, number>()
  const post = (p: Packet): void => bc.postMessage(p)
  let closed = false
  let online = false

  const seen = (peer: string): void => {
    if (!lastSeen.has(peer)) writeStanza(incoming, presenceStanza(peer, { available: true }))
    lastSeen.set(peer, Date.now())
  }
  const gone = (peer: string): void => {
    if (lastSeen.delete(peer)) writeStanza(incoming, presenceStanza(peer, { available: false }))
  }

  bc.onmessage = (e: MessageEvent<Packet>) => {
    const p = e.data
    if (closed || !p || typeof p.from !== 'string' || p.from === id) return
    if (p.kind === 'bye') return gone(p.from)
    seen(p.from)
    if (p.kind === 'hello') post({ kind: 'here', from: id })
    // Another tab's stanza is text; the engine parses and checks it like any other.
    else if (p.kind === 'stanza' && typeof p.text === 'string') writeStanza(incoming, p.text)
  }

  let reader: ReturnType<typeof readChannel> | null = null
  post({ kind: 'hello', from: id })
  const ready = setTimeout(() => {
    writeStanza(incoming, presenceStanza(id, { available: true, self: true }))
    online = true
    emitBridgeEvent(events, 'online', { self: id })
    reader = readChannel(outgoing, (text) => {
      const check = checkPageStanza(text)
      if (check.ok) return post({ kind: 'stanza', from: id, text: addressStanza(check.stanza, id) })
      const { reason, message } = check
      emitBridgeEvent(events, 'error', { reason, message, stanza: text } satisfies BroadcastBridgeErrorDetail)
    })
  }, options.helloMs ?? 150)

  const beat = setInterval(() => {
    post({ kind: 'beat', from: id })
    const now = Date.now()
    for (const [peer, t] of lastSeen) if (now - t > timeoutMs) gone(peer)
  }, heartbeatMs)

  const stop = (): void => {
    if (closed) return
    closed = true
    online = false
    clearTimeout(ready)
    clearInterval(beat)
    reader?.stop()
    post({ kind: 'bye', from: id })
    bc.close()
    // The engine may outlive this bridge (or take another): the peers it knew are gone for it.
    for (const peer of [...lastSeen.keys()]) gone(peer)
    doc.defaultView?.removeEventListener('pagehide', stop)
  }
  // A closing tab says goodbye, so the others need not wait for its heartbeats to stop.
  doc.defaultView?.addEventListener('pagehide', stop)
  return Object.defineProperties(events, {
    id: { value: id, enumerable: true },
    self: { get: () => (online ? id : undefined), enumerable: true },
    close: { value: async (): Promise<void> => stop() },
  }) as BroadcastBridge
}
