/**
 * The join handshake of one island, as a state machine with no DOM, no doc and no clock: it takes
 * what the page heard (presence, requests, answers, other traffic) and returns what to do. The
 * island (island.ts) carries the actions out: it owns the doc, the outbox and the timer.
 *
 * The rule (docs/PROTOCOL.md, "Joining"), chosen so that pages joining at the same moment are
 * synced within one round trip, with no timer:
 *
 * - A joining page asks with `ask="join"`, so everyone knows it is joining.
 * - Answers, replies and updates come only from synced pages (a joining page sends only join
 *   requests), so each page knows which peers are synced and can answer without being told.
 * - A synced page answers a join request unless it knows a synced peer with a smaller id; it
 *   does so when the request arrives, when it becomes synced itself (for the requests it holds),
 *   or when the synced peer it left them to goes away. Two answers are harmless: the second
 *   merges as an update.
 * - A page that becomes synced from an answer always replies, so every page learns it is synced.
 * - A joining page that holds a join request from every other peer, and has heard from no synced
 *   one, answers each of them and counts itself synced: every page present is new. Such answers,
 *   and those of the pages that take them, say `merge`: the asker keeps its own content beside
 *   them instead of adopting them as the session's.
 * - A joining page re-asks when a peer arrives: the newcomer missed the first request.
 * - No answer within the retry time (a peer that never answers: a viewer, a page without this
 *   island): ask everyone; none again: carry on alone and push the whole state.
 */

export type JoinState = 'joining' | 'synced'

export type JoinAction =
  /** Send step 1 (our state vector). `join`: we are joining; `all`: every synced peer answers. */
  | { do: 'ask'; join: boolean; all: boolean }
  /** Answer `to`: step 1 and step 2 against its state vector, marked for it; `merge`: we are new too. */
  | { do: 'answer'; to: string; stateVector: Uint8Array; merge: boolean }
  /**
   * Take the answer just received, then reply to `from`. Joining: merge it (`merge`, or the doc
   * holds our seed) or adopt the session's doc; already synced: apply it as an update.
   */
  | { do: 'accept'; from: string | undefined; stateVector: Uint8Array; joined: boolean; merge: boolean }
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
  | { kind: 'answer'; from: string | undefined; forPeer: string; stateVector: Uint8Array; merge: boolean }
  /** Any other sync message (update, reply, fill): its sender is synced. */
  | { kind: 'traffic'; from: string }

export interface JoinOptions {
  /** Whether this page answers others (a `receive`-mode island never does). */
  answers: boolean
  /** A `send`-mode island never adopts: it is synced on every hello and pushes its state. */
  presenter: boolean
}

interface Request {
  stateVector: Uint8Array
  /** It came while we were joining: the asker joined together with us. */
  together: boolean
}

export class JoinHandshake {
  state: JoinState = 'joining'
  /** Retries fired since the last hello: 0 in every join that took one round trip. */
  retries = 0
  private self: string | undefined
  private peers: ReadonlySet<string> = new Set()
  private helloed = false
  private armed = false
  /** Our content is new (from pages that joined together), not a session's: answers to them say merge. */
  private fresh = false
  /** Heard from a synced peer while joining: the session has content; we wait for its answer. */
  private sessionSeen = false
  /** Peers we know are synced and answer: they sent answers, replies or updates. */
  private readonly syncedPeers = new Set<string>()
  /** Join requests not answered by us, from peers not heard from as synced since. */
  private readonly requests = new Map<string, Request>()

  constructor(private readonly opts: JoinOptions) {}

  /** Our self-presence: (re)joined the session as `self`, with `peers` present. */
  hello(self: string | undefined, peers: ReadonlySet<string>): JoinAction[] {
    this.self = self
    this.peers = peers
    this.helloed = true
    this.retries = 0
    this.sessionSeen = false
    const out = this.disarm()
    if (this.opts.presenter) {
      out.push(...this.becomeSynced(peers.size === 0, false), { do: 'push' })
      return out
    }
    if (peers.size === 0) return [...out, ...this.becomeSynced(true, false)]
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
   * Joining, we ask again: the newcomer missed our request, and may be the one to answer it.
   */
  peerJoined(peer: string): JoinAction[] {
    if (!this.helloed) return []
    if (this.state === 'joining') return [{ do: 'ask', join: true, all: this.retries > 0 }]
    return this.answerIfNext(peer)
  }

  peerLeft(peer: string): JoinAction[] {
    const wasSynced = this.syncedPeers.delete(peer)
    this.requests.delete(peer)
    if (!this.helloed || !wasSynced) return this.decide()
    if (this.state === 'synced') {
      // We may have left requests to the peer that went: answer those we are now next for.
      return [...this.requests.keys()].flatMap((p) => this.answerIfNext(p))
    }
    // The session we waited for may have gone with it: ask whoever is left.
    if (!this.knowsSynced()) return [{ do: 'ask', join: true, all: true }]
    return []
  }

  receive(input: JoinInput): JoinAction[] {
    switch (input.kind) {
      case 'ask': {
        if (input.join) {
          this.syncedPeers.delete(input.from)
          this.requests.set(input.from, { stateVector: input.stateVector, together: this.state === 'joining' })
        } else {
          // Synced, but maybe a viewer, which never answers: not counted as an answerer.
          this.requests.delete(input.from)
        }
        if (this.state === 'joining') return this.decide()
        if (!this.opts.answers) return []
        if (input.all) {
          this.requests.delete(input.from)
          return [{ do: 'answer', to: input.from, stateVector: input.stateVector, merge: false }]
        }
        return this.answerIfNext(input.from)
      }
      case 'answer': {
        if (input.from !== undefined) this.heardSynced(input.from)
        // Not ours (or we have not asked yet: before our self-presence, any answer is someone else's).
        if (!this.helloed || input.forPeer !== this.self) return this.decide()
        const joined = this.state === 'joining'
        const out: JoinAction[] = [...this.disarm(), { do: 'accept', from: input.from, stateVector: input.stateVector, joined, merge: input.merge }]
        if (joined) out.push(...this.becomeSynced(false, input.merge))
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
    return [...this.becomeSynced(true, false), { do: 'push' }]
  }

  private heardSynced(peer: string): void {
    if (this.state === 'joining' && this.peers.has(peer)) this.sessionSeen = true
    this.syncedPeers.add(peer)
    this.requests.delete(peer)
  }

  /**
   * Every other peer asked to join and none is synced: all are new; answer them all. Not for a
   * viewer (it answers nobody, so it adopts what the others make), nor once a session was heard.
   */
  private decide(): JoinAction[] {
    if (this.state !== 'joining' || !this.helloed || this.opts.presenter || !this.opts.answers || this.sessionSeen) return []
    for (const p of this.peers) if (this.syncedPeers.has(p) || !this.requests.has(p)) return []
    return this.becomeSynced(this.peers.size === 0, this.peers.size > 0)
  }

  /** `fresh`: what we hold is only the content of pages that joined together. */
  private becomeSynced(alone: boolean, fresh: boolean): JoinAction[] {
    const out = this.disarm()
    const joined = this.state === 'joining'
    this.state = 'synced'
    if (joined) this.fresh = fresh
    out.push({ do: 'synced', alone })
    // The requests that waited for us to be synced.
    if (joined) for (const peer of [...this.requests.keys()]) out.push(...this.answerIfNext(peer))
    return out
  }

  /** Answers `peer`'s held request if it is present and no smaller synced peer will. */
  private answerIfNext(peer: string): JoinAction[] {
    const request = this.requests.get(peer)
    if (request === undefined || this.state !== 'synced' || !this.opts.answers || !this.peers.has(peer) || this.knowsSmallerSynced(peer)) return []
    this.requests.delete(peer)
    return [{ do: 'answer', to: peer, stateVector: request.stateVector, merge: this.fresh && request.together }]
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
