import { channelElement, INCOMING_ID, isChannelElement, OUTGOING_ID, readChannel, type ChannelReader } from '../channel/channel.js'
import { DEFAULT_RENDER_LIMITS, type RenderFilter } from '../binding/context.js'
import { ATTR_ISLAND } from '../binding/filter.js'
import { SyncError, type SyncCondition } from '../protocol/errors.js'
import { decodeMessages } from '../protocol/messages.js'
import { Reassembler } from '../protocol/parts.js'
import { parseStanza } from '../protocol/stanza.js'
import { realClock, type Clock } from '../clock.js'
import { Island, type IslandHost } from './island.js'
import { PeerRates } from './rates.js'

/** Defaults of the outgoing bounds (docs/PROTOCOL.md, "Splitting"). */
export const DEFAULT_MAX_PART_CHARS = 60 * 1024
export const DEFAULT_MAX_STANZA_BYTES = 62 * 1024

export interface SessionOptions {
  /** Where islands are looked for, and watched for (default `document`). */
  root?: Document | Element
  /** Injectable time, for tests (default: the real one). */
  clock?: Clock
  /** Changes within this many ms merge into one stanza per island (default 17: at most 60 a second). */
  coalesceMs?: number
  /** No answer to a join request within this many ms: ask everyone, then carry on alone (default 1500). */
  retryMs?: number
  /** Largest base64 text per `<island/>` element; bigger payloads are split (default 60 KiB). */
  maxPartChars?: number
  /**
   * Largest stanza the engine writes, in UTF-8 bytes, envelope included; bigger ones are split
   * (default 62 KiB). A browser sends a WebSocket message of more than 64 KiB as several frames,
   * which RFC 7395 forbids and Prosody 0.12 answers by closing the connection; the 2 KiB left
   * are for what the bridge adds (`to`, `type`; docs/PROTOCOL.md, "Splitting").
   */
  maxStanzaBytes?: number
  /** Largest incoming stanza, in characters (default 128 KiB: parts are smaller). */
  maxStanzaChars?: number
  /** Largest payload once reassembled, in bytes (default 16 MiB). */
  maxPayloadBytes?: number
  /** Most parts of one payload (default 1024) and partial payloads held at once (default 16). */
  maxParts?: number
  maxPendingPayloads?: number
  /**
   * What of a remote update may be rendered, for every island. By default each island renders
   * through its own profile's policy (`data-sync-policy="svg|html|form"`, else chosen from the
   * island element): see src/policy.
   */
  allow?: RenderFilter
  /** Most nodes rendered per island (default 200,000) and deepest nesting (default 256). */
  maxNodes?: number
  maxDepth?: number
  /**
   * Island elements (updates) per second a peer may send, and its burst (defaults 300 and 600).
   * A peer over it is cut off with `rate-limited` until it leaves and joins again.
   */
  maxUpdatesPerSecond?: number
  maxUpdatesBurst?: number
  /** Bytes of updates an island holds waiting for missing ones (default 4 MiB). */
  maxPendingBytes?: number
}

export interface SyncErrorDetail {
  condition: SyncCondition
  message: string
  island: string | undefined
  peer: string | undefined
}

/**
 * The engine on one page: finds `[data-sync-island]` elements (and keeps finding them), runs one
 * Island each, reads `#xmpp-incoming` and routes what it reads. Events: `sync-error`,
 * `peer-join`, `peer-leave`, `synced`, each a CustomEvent here and on the island element(s).
 */
export class Session extends EventTarget {
  private readonly islandMap = new Map<string, Island>()
  private readonly peerSet = new Set<string>()
  private selfId: string | undefined
  private readonly doc: Document
  private readonly root: Document | Element
  private readonly host: IslandHost
  private readonly reader: ChannelReader
  private readonly discovery: MutationObserver
  private readonly reassembler: Reassembler
  private readonly rates: PeerRates
  private readonly maxStanzaChars: number
  private readonly createdChannels: HTMLElement[] = []
  private readonly reportedDuplicates = new WeakSet<Element>()
  private chunkSeq = 0
  private stopped = false
  private starting = true

  constructor(options: SessionOptions = {}) {
    super()
    this.root = options.root ?? document
    this.doc = this.root.nodeType === 9 ? (this.root as Document) : this.root.ownerDocument!
    const outgoing = this.channel(OUTGOING_ID)
    const incoming = this.channel(INCOMING_ID)
    this.maxStanzaChars = options.maxStanzaChars ?? 128 * 1024
    this.reassembler = new Reassembler({
      maxBytes: options.maxPayloadBytes ?? 16 * 1024 * 1024,
      maxParts: options.maxParts ?? 1024,
      maxPending: options.maxPendingPayloads ?? 16,
    })
    const session = this
    const chunkPrefix = Math.random().toString(36).slice(2, 8)
    this.host = {
      outgoing,
      clock: options.clock ?? realClock,
      windowMs: options.coalesceMs ?? 17,
      retryMs: options.retryMs ?? 1500,
      maxPartChars: options.maxPartChars ?? DEFAULT_MAX_PART_CHARS,
      maxStanzaBytes: options.maxStanzaBytes ?? DEFAULT_MAX_STANZA_BYTES,
      maxBuffered: 1000,
      maxPendingBytes: options.maxPendingBytes ?? 4 * 1024 * 1024,
      allow: options.allow,
      renderLimits: options.maxNodes !== undefined || options.maxDepth !== undefined ? { maxNodes: options.maxNodes ?? DEFAULT_RENDER_LIMITS.maxNodes, maxDepth: options.maxDepth ?? DEFAULT_RENDER_LIMITS.maxDepth } : undefined,
      get self() {
        return session.selfId
      },
      peers: this.peerSet,
      newChunkId: () => `${chunkPrefix}${(this.chunkSeq++).toString(36)}`,
      emit: (type, island, detail) => this.fire(type, { island: island.name, ...detail }, [island.element]),
      error: (err) => this.error(err),
    }
    this.rates = new PeerRates(this.host.clock, options.maxUpdatesPerSecond ?? 300, options.maxUpdatesBurst ?? 600)
    const View = this.doc.defaultView
    const Observer = View?.MutationObserver ?? globalThis.MutationObserver
    this.discovery = new Observer((records) => {
      // An island's own edits and the channel's traffic are the busy cases, and never add or
      // remove an island elsewhere: rediscover only for the rest.
      if (records.some((r) => r.type === 'attributes' || !(this.insideIsland(r.target) || r.target === outgoing || r.target === incoming))) {
        if (records.some((r) => r.type === 'childList' && (r.target === this.doc || r.target === this.doc.documentElement))) this.watch()
        this.discover()
      }
    })
    this.watch()
    this.discover()
    this.reader = readChannel(incoming, (text) => this.onStanza(text))
    // Events raised while starting wait a microtask, so that listeners added right after
    // syncIslands() returns still hear them.
    queueMicrotask(() => {
      this.starting = false
    })
  }

  /** The running islands, by name. */
  get islands(): ReadonlyMap<string, Island> {
    return this.islandMap
  }

  /** The other peers present in the session (as the bridge names them). */
  get peers(): ReadonlySet<string> {
    return this.peerSet
  }

  /** This page's own peer id, once the bridge has said it. */
  get self(): string | undefined {
    return this.selfId
  }

  /** Stops every island; the page keeps its DOM as it stands, with no observer or listener left. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    this.discovery.disconnect()
    this.reader.stop()
    for (const island of this.islandMap.values()) island.stop()
    this.islandMap.clear()
    for (const el of this.createdChannels) if (!el.firstChild) el.remove()
  }

  /** Captures pending DOM changes of every island now. */
  flush(): void {
    for (const island of this.islandMap.values()) island.flush()
  }

  private channel(id: string): HTMLElement {
    const existing = this.doc.getElementById(id)
    if (existing) return existing
    const el = channelElement(this.doc, id)
    this.createdChannels.push(el)
    return el
  }

  /**
   * Watches where islands may appear. In a whole document: everything but the channel elements
   * (see channelElement), so its traffic costs no record: each child of the document element
   * (<head>, <body>) with its subtree, and the document and its element themselves, to follow
   * a new <body>.
   */
  private watch(): void {
    const all = { childList: true, subtree: true, attributes: true, attributeFilter: [ATTR_ISLAND] }
    const html = this.root === this.doc ? this.doc.documentElement : null
    if (html === null) return this.discovery.observe(this.root, all)
    this.discovery.observe(this.doc, { childList: true })
    this.discovery.observe(html, { childList: true, attributes: true, attributeFilter: [ATTR_ISLAND] })
    for (const child of Array.from(html.children)) if (!isChannelElement(child)) this.discovery.observe(child, all)
  }

  private insideIsland(node: Node): boolean {
    for (const island of this.islandMap.values()) if (island.element.contains(node)) return true
    return false
  }

  private discover(): void {
    if (this.stopped) return
    const found = new Map<string, Element>()
    const candidates: Element[] = []
    if (this.root.nodeType === 1 && (this.root as Element).hasAttribute(ATTR_ISLAND)) candidates.push(this.root as Element)
    candidates.push(...Array.from(this.root.querySelectorAll(`[${ATTR_ISLAND}]`)))
    for (const el of candidates) {
      const name = el.getAttribute(ATTR_ISLAND) ?? ''
      const first = found.get(name)
      if (first && first !== el) {
        if (!this.reportedDuplicates.has(el)) {
          this.reportedDuplicates.add(el)
          this.error(new SyncError('duplicate-island', `two islands named "${name}" on this page`, { island: name }), el)
        }
        continue
      }
      found.set(name, el)
    }
    for (const [name, island] of this.islandMap) {
      if (found.get(name) !== island.element) {
        island.stop()
        this.islandMap.delete(name)
      }
    }
    for (const [name, el] of found) {
      if (this.islandMap.has(name)) continue
      const island = new Island(name, el, this.host)
      this.islandMap.set(name, island)
      island.start()
      if (this.selfId !== undefined) island.hello()
    }
  }

  private onStanza(text: string): void {
    if (this.stopped) return
    let stanza
    try {
      stanza = parseStanza(text, this.maxStanzaChars)
    } catch (err) {
      return this.error(err)
    }
    if (stanza.kind === 'presence') return this.onPresence(stanza.from, stanza.available, stanza.self)
    if (stanza.kind !== 'message') return
    const { from } = stanza
    // Presence states (docs/PROTOCOL.md, "Presence states"), parsed but unchecked: handed to
    // islands/presence, which checks them (readHere) and keeps who is here. No island's business.
    if (stanza.here && from !== undefined && from !== this.selfId) {
      for (const element of stanza.here) this.fire('presence-state', { peer: from, element }, [])
    }
    for (const el of stanza.islands) {
      if (from !== undefined && !this.admit(from, el.island)) return
      try {
        const island = this.islandMap.get(el.island)
        if (!island) throw new SyncError('unknown-island', `no island named "${el.island}" on this page`)
        const payload = this.reassembler.add(from, el)
        if (payload === null) continue
        island.receive(from, decodeMessages(payload), el)
      } catch (err) {
        if (err instanceof SyncError) {
          err.island ??= el.island
          err.peer ??= from
        }
        this.error(err)
      }
    }
  }

  private admit(peer: string, island: string): boolean {
    if (this.rates.isCut(peer)) return false
    if (this.rates.admit(peer)) return true
    this.reassembler.forgetPeer(peer)
    this.error(new SyncError('rate-limited', 'over its rate of updates: cut off until it joins again', { peer, island }))
    return false
  }

  private onPresence(from: string | undefined, available: boolean, self: boolean): void {
    if (from === undefined) return
    if (self) {
      if (!available) return
      this.selfId = from
      this.peerSet.delete(from)
      for (const island of this.islandMap.values()) island.hello()
      return
    }
    if (available && !this.peerSet.has(from)) {
      this.peerSet.add(from)
      for (const island of this.islandMap.values()) island.peerJoined(from)
      this.fire('peer-join', { peer: from }, this.islandElements())
    } else if (!available && this.peerSet.delete(from)) {
      this.reassembler.forgetPeer(from)
      this.rates.forget(from)
      for (const island of this.islandMap.values()) island.peerLeft(from)
      this.fire('peer-leave', { peer: from }, this.islandElements())
    }
  }

  private islandElements(): Element[] {
    return [...this.islandMap.values()].map((i) => i.element)
  }

  private error(err: unknown, element?: Element): void {
    const e = err instanceof SyncError ? err : new SyncError('internal', String((err as Error)?.message ?? err))
    const detail: SyncErrorDetail = { condition: e.condition, message: e.message, island: e.island, peer: e.peer }
    const el = element ?? (e.island !== undefined ? this.islandMap.get(e.island)?.element : undefined)
    this.fire('sync-error', detail, el ? [el] : [])
  }

  private fire(type: string, detail: object, elements: Element[]): void {
    if (this.starting) return queueMicrotask(() => this.fire(type, detail, elements))
    const View = this.doc.defaultView as (Window & typeof globalThis) | null
    const Custom = View?.CustomEvent ?? CustomEvent
    this.dispatchEvent(new CustomEvent(type, { detail }))
    for (const el of elements) el.dispatchEvent(new Custom(type, { detail, bubbles: true }))
  }
}

/** Starts syncing every island under `options.root` (default: the whole document). */
export function syncIslands(options: SessionOptions = {}): Session {
  return new Session(options)
}
