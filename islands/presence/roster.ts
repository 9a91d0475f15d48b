/**
 * Who else is here: the last state of each peer, gone when the peer says so (`type="gone"`),
 * when the bridge says it left (peer-leave), or when no state came for `expireMs` (2.5 s:
 * the heartbeat is 0.8 s, so two may be lost). Neither XMPP presence (a server with stream management keeps a
 * dropped session for minutes) nor y-protocols awareness's 30 s timeout is that quick.
 * States per peer are rate limited (a token bucket): a state replaces the last one whole, so
 * dropping some of a flood loses nothing that the next state does not bring.
 */
import type { Clock } from '../../src/index.js'
import type { PresenceState } from '../../src/protocol/presence.js'

export interface Person {
  /** The peer id, as the bridge names it. */
  readonly peer: string
  /** Validated, shown only as text; by default the peer's nick. */
  readonly name: string
  /** `#rrggbb`; by default one derived from the peer id. */
  readonly color: string
  /** The last state as received (pointer, focus, selection, data). */
  readonly state: PresenceState
  /** When the last state arrived (the session clock). */
  readonly at: number
}

export interface RosterEvents {
  join(p: Person): void
  change(p: Person): void
  leave(p: Person): void
  /** A peer over its rate: reported at most once a second per peer. */
  flood(peer: string): void
}

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#b07aa1', '#ff9da7', '#9c755f', '#d37295', '#1f77b4']

/** A colour for a peer that gave none: the same on every page. */
export function defaultColor(peer: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < peer.length; i++) h = Math.imul(h ^ peer.charCodeAt(i), 0x01000193)
  return PALETTE[(h >>> 0) % PALETTE.length]!
}

/** A name for a peer that gave none: its nick (the resource of a room JID), at most 64 characters. */
export const defaultName = (peer: string): string => (peer.includes('/') ? peer.slice(peer.indexOf('/') + 1) : peer).slice(0, 64) || '?'

export class Roster {
  private readonly people = new Map<string, { person: Person; timer: unknown }>()
  private readonly buckets = new Map<string, { tokens: number; at: number; warned: number }>()

  constructor(
    private readonly clock: Clock,
    private readonly events: RosterEvents,
    // 3 s, less what a timer may lag and a frame takes to draw: gone from the screen within 3 s.
    private readonly expireMs = 2500,
    private readonly perSecond = 30,
    private readonly burst = 40,
    // A hidden page's timers may run once a minute (Chromium's intensive throttling): its heartbeat too.
    private readonly awayExpireMs = 90_000,
  ) {}

  get all(): ReadonlyMap<string, Person> {
    return new Map([...this.people].map(([k, v]) => [k, v.person]))
  }

  get(peer: string): Person | undefined {
    return this.people.get(peer)?.person
  }

  /** A checked state from `peer`. */
  receive(peer: string, state: PresenceState): void {
    if (!this.admit(peer)) return
    if (state.gone) return this.remove(peer)
    const had = this.people.get(peer)
    if (had) this.clock.clearTimeout(had.timer)
    const person: Person = { peer, name: state.name ?? defaultName(peer), color: state.color ?? defaultColor(peer), state, at: this.clock.now() }
    const timer = this.clock.setTimeout(() => this.remove(peer), state.away ? this.awayExpireMs : this.expireMs)
    this.people.set(peer, { person, timer })
    if (had) this.events.change(person)
    else this.events.join(person)
  }

  /** The peer is gone (left, dropped, expired, or said so). */
  remove(peer: string): void {
    const had = this.people.get(peer)
    if (!had) return
    this.clock.clearTimeout(had.timer)
    this.people.delete(peer)
    this.events.leave(had.person)
  }

  /** Forgets everyone, without events (presence stopped). */
  clear(): void {
    for (const { timer } of this.people.values()) this.clock.clearTimeout(timer)
    this.people.clear()
    this.buckets.clear()
  }

  private admit(peer: string): boolean {
    const now = this.clock.now()
    const b = this.buckets.get(peer) ?? { tokens: this.burst, at: now, warned: -Infinity }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) * this.perSecond) / 1000)
    b.at = now
    this.buckets.set(peer, b)
    if (b.tokens >= 1) {
      b.tokens -= 1
      return true
    }
    if (now - b.warned >= 1000) {
      b.warned = now
      this.events.flood(peer)
    }
    return false
  }

  /** The peer left the session: its bucket goes too. */
  forget(peer: string): void {
    this.remove(peer)
    this.buckets.delete(peer)
  }
}
