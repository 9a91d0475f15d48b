import type { Clock } from '../clock.js'

/**
 * Updates per second per peer: a token bucket each, on the session's clock. A peer over its rate
 * is cut off (everything it sends is dropped) until it leaves and joins again, when the join
 * handshake brings back whatever it has: dropping only some of a peer's updates would leave its
 * later ones waiting forever for the dropped ones in Yjs's pending structs.
 */
export class PeerRates {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()
  private readonly cut = new Set<string>()

  constructor(
    private readonly clock: Clock,
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  /** Counts one stanza element from `peer`; false when the peer is (now) cut off. */
  admit(peer: string): boolean {
    if (this.cut.has(peer)) return false
    const now = this.clock.now()
    const b = this.buckets.get(peer) ?? { tokens: this.burst, at: now }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) * this.perSecond) / 1000)
    b.at = now
    this.buckets.set(peer, b)
    if (b.tokens < 1) {
      this.cut.add(peer)
      return false
    }
    b.tokens -= 1
    return true
  }

  isCut(peer: string): boolean {
    return this.cut.has(peer)
  }

  /** The peer left: it starts afresh if it comes back. */
  forget(peer: string): void {
    this.buckets.delete(peer)
    this.cut.delete(peer)
  }
}
