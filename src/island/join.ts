/**
 * The join handshake of one island, as a state machine with no DOM, no doc and no clock: it takes
 * what the page heard (presence, requests, answers, other traffic) and returns what to do. The
 * island (island.ts) carries the actions out: it owns the doc, the outbox and the timer.
 *
 * The rule (docs/PROTOCOL.md, "Joining"), chosen so that pages joining at the same moment are
 * synced within one round trip, with no timer:
 *
 * - A joining page asks with `ask="join"`, so everyone knows it is joining.
 * - Every message other than a join request comes from a synced page (a joining page sends only
 *   join requests), so each page knows which peers are synced without being told.
 * - A synced page answers a join request unless it knows a synced peer with a smaller id; it
 *   does so when the request arrives, or when it becomes synced itself, for the requests it
 *   holds. Two answers are harmless: the second merges as an update.
 * - A page that becomes synced from an answer always replies, so every page learns it is synced.
 * - A joining page that holds a join request from every other peer, and knows no synced peer,
 *   answers each of them and counts itself synced: every page present is new, and each merges
 *   what the others send.
 * - A joining page re-asks when a peer arrives: the newcomer missed the first request.
 * - No answer within the retry time (a peer that never answers: a viewer, a page without this
 *   island): ask everyone; none again: carry on alone and push the whole state.
 */

export type JoinState = 'joining' | 'synced'

export type JoinAction =
  /** Send step 1 (our state vector). `join`: we are joining; `all`: every synced peer answers. */
  | { do: 'ask'; join: boolean; all: boolean }
  /** Answer `to`: step 1 and step 2 against its state vector, marked for it. */
  | { do: 'answer'; to: string; stateVector: Uint8Array }
  /** Take the answer just received: merge it or adopt the session, then reply to `from`. */
  | { do: 'accept'; from: string | undefined; stateVector: Uint8Array; joined: boolean }
  /** Became synced (`alone`: nobody else was there to sync with). */
  | { do: 'synced'; alone: boolean }
  /** Send the whole state to everyone (a page that found nobody to answer it). */
  | { do: 'push' }
  /** Start the retry timer; `join.retry()` when it fires. */
  | { do: 'arm' }
  | { do: 'disarm' }

/** What kind of sync message arrived, as far as the handshake cares. */
export type JoinInput =
  | { kind: 'ask'; from: string; stateVector: Uint8Array; join: boolean; all: boolean }
  | { kind: 'answer'; from: string | undefined; forPeer: string; stateVector: Uint8Array }
  /** Any other sync message (update, reply, fill): its sender is synced. */
  | { kind: 'traffic'; from: string }

export interface JoinOptions {
  /** Whether this page answers others (a `receive`-mode island never does). */
  answers: boolean
  /** A `send`-mode island never adopts: it is synced on every hello and pushes its state. */
  presenter: boolean
}

export class JoinHandshake {
  state: JoinState = 'joining'
  /** Retries fired since the last hello: 0 in every join that took one round trip. */
  retries = 0
  private self: string | undefined
  private peers: ReadonlySet<string> = new Set()
  private helloed = false
  private armed = false
  /** Peers we know are synced: they sent something other than a join request. */
  private readonly syncedPeers = new Set<string>()
  /** Peers that asked to join and have not been heard from as synced since. */
  private readonly joinRequests = new Map<string, Uint8Array>()

  constructor(private readonly opts: JoinOptions) {}

  /** Our self-presence: (re)joined the session as `self`, with `peers` present. */
  hello(self: string | undefined, peers: ReadonlySet<string>): JoinAction[] {
    this.self = self
    this.peers = peers
    this.helloed = true
    this.retries = 0
    const out = this.disarm()
    if (this.opts.presenter) {
      out.push(...this.becomeSynced(peers.size === 0), { do: 'push' })
      return out
    }
    if (peers.size === 0) return [...out, ...this.becomeSynced(true)]
    if (this.state === 'synced') {
      // A rejoin: deletes do not show in state vectors, so hear from every side.
      out.push({ do: 'ask', join: false, all: true })
      return out
    }
    out.push({ do: 'ask', join: true, all: false }, ...this.arm())
    return [...out, ...this.decide()]
  }

  /**
   * A peer arrived. What it sent may have come first (delivery order across senders is not
   * presence order): keep that, and answer a join request that waited for its sender to appear.
   * It missed our own request, though, and would wait for it; a synced peer we know of answers it
   * instead.
   */
  peerJoined(peer: string): JoinAction[] {
    if (!this.helloed) return []
    if (this.state === 'synced') {
      const stateVector = this.joinRequests.get(peer)
      if (stateVector === undefined || !this.opts.answers || this.knowsSmallerSynced(peer)) return []
      return [{ do: 'answer', to: peer, stateVector }]
    }
    if (!this.knowsSynced()) return [{ do: 'ask', join: true, all: this.retries > 0 }]
    return []
  }

  peerLeft(peer: string): JoinAction[] {
    this.syncedPeers.delete(peer)
    this.joinRequests.delete(peer)
    return this.decide()
  }

  receive(input: JoinInput): JoinAction[] {
    switch (input.kind) {
      case 'ask': {
        if (input.join) {
          this.syncedPeers.delete(input.from)
          this.joinRequests.set(input.from, input.stateVector)
        } else this.heardSynced(input.from)
        if (this.state === 'joining') return this.decide()
        if (!this.opts.answers) return []
        if (input.all || !this.knowsSmallerSynced(input.from)) return [{ do: 'answer', to: input.from, stateVector: input.stateVector }]
        return []
      }
      case 'answer': {
        if (input.from !== undefined) this.heardSynced(input.from)
        if (this.self !== undefined && input.forPeer !== this.self) return this.state === 'joining' ? this.decide() : []
        const joined = this.state === 'joining'
        const out: JoinAction[] = [...this.disarm(), { do: 'accept', from: input.from, stateVector: input.stateVector, joined }]
        if (joined) out.push(...this.becomeSynced(false))
        return out
      }
      case 'traffic':
        this.heardSynced(input.from)
        return []
    }
  }

  /** The retry timer fired. */
  retry(): JoinAction[] {
    this.armed = false
    if (this.state !== 'joining' || !this.helloed) return []
    if (this.retries++ === 0) return [{ do: 'ask', join: true, all: true }, ...this.arm()]
    // Nobody answered twice (nobody who answers is here): carry on alone, and tell everyone.
    return [...this.becomeSynced(true), { do: 'push' }]
  }

  private heardSynced(peer: string): void {
    this.syncedPeers.add(peer)
    this.joinRequests.delete(peer)
  }

  /** Every other peer asked to join and none is synced: all are new; answer them all. */
  private decide(): JoinAction[] {
    if (this.state !== 'joining' || !this.helloed || this.opts.presenter) return []
    for (const p of this.peers) if (this.syncedPeers.has(p) || !this.joinRequests.has(p)) return []
    return this.becomeSynced(this.peers.size === 0)
  }

  private becomeSynced(alone: boolean): JoinAction[] {
    const out = this.disarm()
    const joined = this.state === 'joining'
    this.state = 'synced'
    out.push({ do: 'synced', alone })
    // The requests that waited for us to be synced.
    if (joined && this.opts.answers) {
      for (const [peer, stateVector] of this.joinRequests) {
        if (!this.peers.has(peer) || this.knowsSmallerSynced(peer)) continue
        out.push({ do: 'answer', to: peer, stateVector })
      }
    }
    return out
  }

  private knowsSynced(): boolean {
    for (const p of this.syncedPeers) if (this.peers.has(p)) return true
    return false
  }

  /** Whether a synced peer with an id smaller than ours (the asker aside) is present: it answers. */
  private knowsSmallerSynced(asker: string): boolean {
    const self = this.self
    if (self === undefined) return false
    for (const p of this.syncedPeers) if (p !== asker && p < self && this.peers.has(p)) return true
    return false
  }

  private arm(): JoinAction[] {
    this.armed = true
    return [{ do: 'arm' }]
  }

  private disarm(): JoinAction[] {
    if (!this.armed) return []
    this.armed = false
    return [{ do: 'disarm' }]
  }
}
