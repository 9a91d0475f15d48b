import * as Y from 'yjs'
import { writeStanza } from '../channel/channel.js'
import { encodeMessages, updateMessageSince, type DeleteSet, type Message } from '../protocol/messages.js'
import { messageStanzas } from '../protocol/stanza.js'
import type { Clock } from '../clock.js'

export interface OutboxOptions {
  island: string
  channel: Element
  clock: Clock
  /** Changes within this many ms of the last stanza merge into the next one. */
  windowMs: number
  maxPartChars: number
  /** Largest stanza written, in UTF-8 bytes (see messageStanzas). */
  maxStanzaBytes: number
  newChunkId: () => string
  /** A payload that no stanza can carry (`too-large`): reported, and not written. */
  onError: (err: unknown) => void
}

/** How a handshake stanza is marked (docs/PROTOCOL.md, "Island messages"). */
export interface ControlOptions {
  askAll?: boolean
  joining?: boolean
  forPeer?: string
  merge?: boolean
}

interface Written {
  elements: Element[]
  since: ReadonlyMap<number, number>
  deletes: DeleteSet
}

/**
 * One island's way out to `#xmpp-outgoing`. Coalescing is by time, not by animation frames (they
 * stop in hidden tabs): the first change after a quiet spell goes out at once, what follows
 * within `windowMs` merges into one stanza. Backpressure is the channel's: while the bridge has
 * not read the last stanza, the next one replaces it, covering both; nothing piles up and nothing
 * is lost.
 */
export class Outbox {
  private since: ReadonlyMap<number, number> | null = null // the doc's state when the unsent changes began
  private deletes: DeleteSet[] = []
  private written: Written | null = null
  private readonly control = new Map<string, Element[]>()
  private timer: unknown = null
  /** While an island is joining, its changes wait: the handshake's answer will carry them. */
  hold = false

  constructor(
    private doc: Y.Doc,
    private readonly opts: OutboxOptions,
  ) {}

  /** A local transaction committed: schedule its changes. */
  add(txn: Y.Transaction): void {
    if (this.since === null) this.since = txn.beforeState
    this.deletes.push(txn.deleteSet)
    if (this.timer === null && !this.hold) {
      this.flush()
      this.openWindow()
    }
  }

  /** Sends handshake messages now; an unread earlier one of the same `slot` is replaced. */
  sendControl(slot: string, messages: Message[], opts: ControlOptions = {}): void {
    for (const el of this.control.get(slot) ?? []) if (el.parentNode === this.opts.channel) el.remove()
    // Slots are per peer: forget the ones the bridge has read, or peers that come and go would pile up.
    for (const [key, els] of this.control) if (els.every((el) => el.parentNode !== this.opts.channel)) this.control.delete(key)
    this.control.set(slot, this.write(encodeMessages(messages), opts))
  }

  /** Sends whatever is pending now. */
  flush(): void {
    if (this.since === null) return
    let since = this.since
    let deletes = Y.mergeDeleteSets(this.deletes)
    const prev = this.written
    if (prev && prev.elements.every((el) => el.parentNode === this.opts.channel)) {
      // The bridge has not read the last stanza: send one that covers both instead.
      for (const el of prev.elements) el.remove()
      since = prev.since
      deletes = Y.mergeDeleteSets([prev.deletes, deletes])
    }
    const elements = this.write(updateMessageSince(this.doc, since, deletes))
    this.written = elements.length ? { elements, since, deletes } : null
    this.since = null
    this.deletes = []
  }

  /** Forget pending changes (an answer carried them, or the island adopted another doc). */
  reset(doc: Y.Doc = this.doc): void {
    this.doc = doc
    this.since = null
    this.deletes = []
    this.written = null
  }

  stop(): void {
    if (this.timer !== null) this.opts.clock.clearTimeout(this.timer)
    this.timer = null
    this.flush()
  }

  private openWindow(): void {
    this.timer = this.opts.clock.setTimeout(() => {
      if (this.since === null) {
        this.timer = null // a quiet spell: the next change goes out at once
        return
      }
      this.flush()
      this.openWindow()
    }, this.opts.windowMs)
  }

  private write(payload: Uint8Array, opts: ControlOptions = {}): Element[] {
    let stanzas: string[]
    try {
      stanzas = messageStanzas(this.opts.island, payload, { ...opts, maxPartChars: this.opts.maxPartChars, maxStanzaBytes: this.opts.maxStanzaBytes, newChunkId: this.opts.newChunkId })
    } catch (err) {
      this.opts.onError(err)
      return []
    }
    return stanzas.map((s) => writeStanza(this.opts.channel, s))
  }
}
