import { channelElement, INCOMING_ID, OUTGOING_ID, readChannel, writeStanza, type ChannelReader } from '../channel/channel.js'
import { emitBridgeEvent, type Bridge, type BridgeErrorDetail } from './bridge.js'
import { checkPageStanza, type PageStanzaRefusal } from './page-stanza.js'
import { addressStanza, presenceStanza } from './stanza-address.js'

/**
 * An in-memory bus between pages (documents) for tests: a broadcast medium like a MUC room, with
 * a seeded PRNG that reorders, duplicates and delays delivery, and partitions that heal. Nothing
 * moves until the test calls `deliver()`: the schedule is the test's, and replayable by seed.
 */
export interface MemoryBusOptions {
  seed?: number
  /** Probability that a delivery is duplicated (0..1). */
  duplicate?: number
  /** Deliver queued stanzas in random order rather than in order. */
  reorder?: boolean
}

/** The only errors: stanzas the page wrote that no bridge may send (page-stanza.ts). */
export type BusPeerErrorDetail = BridgeErrorDetail<PageStanzaRefusal>

/**
 * One page's bridge to the bus. `online` right after connect() (on the next microtask, so that
 * listeners added after connect() hear it) and again when a partition heals; `offline` when
 * partition() cuts it off.
 */
export interface BusPeer extends Bridge {
  readonly id: string
  readonly document: Document
}

interface Peer {
  id: string
  document: Document
  incoming: HTMLElement
  reader: ChannelReader
  cut: boolean
  events: EventTarget
}

export class MemoryBus {
  private readonly peers = new Map<string, Peer>()
  private queue: Array<{ from: string; to: string; text: string }> = []
  private readonly heldFor = new Set<string>()
  private rand: () => number
  delivered = 0

  constructor(private readonly opts: MemoryBusOptions = {}) {
    this.rand = mulberry32(opts.seed ?? 1)
  }

  /** Joins a page: it learns who is there, then itself (its self-presence starts its handshake). */
  connect(document: Document, id: string): BusPeer {
    const incoming = channelElement(document, INCOMING_ID)
    const outgoing = channelElement(document, OUTGOING_ID)
    const events = new EventTarget()
    const peer: Peer = { id, document, incoming, cut: false, reader: null!, events }
    for (const other of this.reachable(peer)) {
      writeStanza(incoming, presenceStanza(other.id, { available: true }))
      writeStanza(other.incoming, presenceStanza(id, { available: true }))
    }
    writeStanza(incoming, presenceStanza(id, { available: true, self: true }))
    this.peers.set(id, peer)
    let closed = false
    queueMicrotask(() => {
      if (!closed) emitBridgeEvent(events, 'online', { self: id })
    })
    peer.reader = readChannel(outgoing, (text) => this.send(peer, text))
    const close = async (): Promise<void> => {
      if (closed) return
      closed = true
      peer.reader.stop()
      this.peers.delete(id)
      for (const other of this.reachable(peer)) {
        writeStanza(other.incoming, presenceStanza(id, { available: false }))
        writeStanza(incoming, presenceStanza(other.id, { available: false })) // as every bridge does on close
      }
    }
    return Object.defineProperties(events, {
      id: { value: id, enumerable: true },
      document: { value: document, enumerable: true },
      self: { get: () => (closed ? undefined : id), enumerable: true },
      close: { value: close },
    }) as BusPeer
  }

  /** Cuts `ids` off from everyone else: stanzas across the cut are lost, presence says so. */
  partition(ids: string[]): void {
    const cut = new Set(ids)
    for (const p of this.peers.values()) {
      if (!cut.has(p.id) || p.cut) continue
      for (const other of this.reachable(p)) {
        if (cut.has(other.id)) continue
        writeStanza(other.incoming, presenceStanza(p.id, { available: false }))
        writeStanza(p.incoming, presenceStanza(other.id, { available: false }))
      }
    }
    for (const id of cut) {
      const p = this.peers.get(id)
      if (p && !p.cut) {
        p.cut = true
        emitBridgeEvent(p.events, 'offline')
      }
    }
    this.queue = this.queue.filter((m) => this.peers.get(m.from)?.cut === this.peers.get(m.to)?.cut)
  }

  /** Ends the partition: presence crosses again and the cut pages rejoin (as after a reconnect). */
  heal(): void {
    const cut = [...this.peers.values()].filter((p) => p.cut)
    const rest = [...this.peers.values()].filter((p) => !p.cut)
    for (const p of cut) p.cut = false
    for (const p of cut) {
      for (const other of rest) {
        writeStanza(other.incoming, presenceStanza(p.id, { available: true }))
        writeStanza(p.incoming, presenceStanza(other.id, { available: true }))
      }
    }
    for (const p of cut) {
      writeStanza(p.incoming, presenceStanza(p.id, { available: true, self: true }))
      emitBridgeEvent(p.events, 'online', { self: p.id })
    }
  }

  /** A bridge that is behind or offline: the page's stanzas wait unread in its #xmpp-outgoing. */
  pause(id: string): void {
    this.peers.get(id)?.reader.pause()
  }

  resume(id: string): void {
    this.peers.get(id)?.reader.resume()
  }

  /** Stanzas to `id` wait in the bus, delivered in their order once resumeIncoming() is called. */
  pauseIncoming(id: string): void {
    this.heldFor.add(id)
  }

  resumeIncoming(id: string): void {
    this.heldFor.delete(id)
  }

  /** Stanzas waiting that deliver() would deliver now (not those held for a page). */
  get pending(): number {
    return this.heldFor.size ? this.queue.filter((m) => !this.heldFor.has(m.to)).length : this.queue.length
  }

  /**
   * Delivers up to `max` queued stanzas (all by default): in random order when reordering, some
   * twice when duplicating. Returns how many it delivered.
   */
  deliver(max = Infinity): number {
    let n = 0
    while (this.queue.length && n < max) {
      let i: number
      if (this.heldFor.size) {
        const open = this.queue.flatMap((m, k) => (this.heldFor.has(m.to) ? [] : [k]))
        if (!open.length) break
        i = open[this.opts.reorder ? Math.floor(this.rand() * open.length) : 0]!
      } else i = this.opts.reorder ? Math.floor(this.rand() * this.queue.length) : 0
      const [m] = this.queue.splice(i, 1)
      const to = this.peers.get(m!.to)
      if (!to) continue
      writeStanza(to.incoming, m!.text)
      if (this.opts.duplicate && this.rand() < this.opts.duplicate) this.queue.push(m!)
      n++
      this.delivered++
    }
    return n
  }

  private send(from: Peer, text: string): void {
    const check = checkPageStanza(text)
    if (!check.ok) {
      const { reason, message } = check
      // Queued: connect() reads what waits in #xmpp-outgoing before its caller can listen.
      const detail: BusPeerErrorDetail = { reason, message, stanza: text }
      return queueMicrotask(() => emitBridgeEvent(from.events, 'error', detail))
    }
    const addressed = addressStanza(check.stanza, from.id)
    for (const to of this.reachable(from)) this.queue.push({ from: from.id, to: to.id, text: addressed })
  }

  private reachable(from: Peer): Peer[] {
    return [...this.peers.values()].filter((p) => p.id !== from.id && p.cut === from.cut)
  }
}

/** A small seeded PRNG (mulberry32): the same seed gives the same schedule. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function memoryBus(options?: MemoryBusOptions): MemoryBus {
  return new MemoryBus(options)
}
