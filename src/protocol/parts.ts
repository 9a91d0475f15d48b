import { SyncError } from './errors.js'
import type { IslandElement } from './stanza.js'

export interface ReassemblyLimits {
  /** Largest payload, in bytes, once reassembled. */
  maxBytes: number
  /** Most parts one payload may be split into. */
  maxParts: number
  /** Most payloads being reassembled at once (over all peers and islands). */
  maxPending: number
}

interface Pending {
  parts: Array<Uint8Array | undefined>
  received: number
  bytes: number
}

/**
 * Puts split payloads back together. Memory is bounded: by `maxPending` partial payloads of at
 * most `maxBytes` each; the oldest partial payload is dropped when a new one would exceed that.
 */
export class Reassembler {
  private readonly pending = new Map<string, Pending>()
  constructor(private readonly limits: ReassemblyLimits) {}

  /** The whole payload once every part arrived, else `null`. Throws `too-large`. */
  add(peer: string | undefined, el: IslandElement): Uint8Array | null {
    if (!el.chunk) {
      if (el.data.length > this.limits.maxBytes) throw tooLarge(el.data.length, this.limits.maxBytes, el, peer)
      return el.data
    }
    const { id, part, parts } = el.chunk
    if (parts > this.limits.maxParts) {
      throw new SyncError('too-large', `${parts} parts, limit ${this.limits.maxParts}`, { island: el.island, peer })
    }
    const key = `${peer ?? ''}\u0000${el.island}\u0000${id}`
    let p = this.pending.get(key)
    if (!p) {
      if (this.pending.size >= this.limits.maxPending) this.pending.delete(this.pending.keys().next().value!)
      p = { parts: new Array(parts), received: 0, bytes: 0 }
      this.pending.set(key, p)
    }
    if (p.parts.length !== parts) {
      this.pending.delete(key)
      throw new SyncError('bad-stanza', 'parts of one payload disagree on their count', { island: el.island, peer })
    }
    if (p.parts[part]) return null // a duplicate part
    p.bytes += el.data.length
    if (p.bytes > this.limits.maxBytes) {
      this.pending.delete(key)
      throw tooLarge(p.bytes, this.limits.maxBytes, el, peer)
    }
    p.parts[part] = el.data
    if (++p.received < parts) return null
    this.pending.delete(key)
    const out = new Uint8Array(p.bytes)
    let o = 0
    for (const d of p.parts) {
      out.set(d!, o)
      o += d!.length
    }
    return out
  }

  /** Forget partial payloads of a peer that left. */
  forgetPeer(peer: string): void {
    for (const key of this.pending.keys()) if (key.startsWith(`${peer}\u0000`)) this.pending.delete(key)
  }

  get size(): number {
    return this.pending.size
  }
}

const tooLarge = (n: number, limit: number, el: IslandElement, peer: string | undefined): SyncError =>
  new SyncError('too-large', `payload of ${n} bytes, limit ${limit}`, { island: el.island, peer })
