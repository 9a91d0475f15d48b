/**
 * Who the bridge talks to, and whom it listens to: a MUC room (XEP-0045) or one peer.
 *
 * The receiving side decides (README.md, "What a peer may do"): in a room only groupchat messages
 * from its occupants count, because the room delivers those identically to every occupant; with
 * a peer only that peer counts. Everything else is dropped with a reason the bridge counts.
 */
import { xml, type Element } from '@xmpp/client'
import { NS_CLIENT, NS_ISLANDS, NS_MUC_USER } from '../protocol/ns.js'

/** XEP-0045 §7.2: the element a join presence carries. */
export const NS_MUC = 'http://jabber.org/protocol/muc'

export type DropReason = 'stranger' | 'reflected' | 'wrong-type' | 'not-island' | 'replayed' | 'ghost' | 'error' | 'other'

/** How many ghosts a room session remembers (the oldest is forgotten first): bounded whatever peers claim. */
const MAX_GHOSTS = 64

export interface PresenceOutcome {
  /** Write the presence into #xmpp-incoming. */
  forward: boolean
  drop?: DropReason
  /** The presence says this connection is now in the session (room self-presence, status 110). */
  joined?: boolean
  /** The presence says this connection is out of the session (kicked, room destroyed). */
  left?: boolean
  /** Stanzas to send in answer (a directed presence back to a peer, a join under a new nick). */
  reply?: Element[]
  /** A refusal from the session (join refused). */
  error?: string
  /** Unavailable presences, as text, to write first: peers this presence says are ghosts. */
  ghosts?: string[]
  /** Presences to write before this one (the occupants a room listed while we were entering). */
  before?: string[]
  /** Not written yet, nor dropped: held until the self-presence (`before`). */
  held?: boolean
}

export interface Session {
  /** `to` of every outgoing stanza. */
  readonly target: string
  readonly type: 'groupchat' | 'chat' | 'normal'
  /** This connection's identity in the session (occupant JID in a room, full JID with a peer). */
  readonly self: string | undefined
  /** Stanzas to send each time the connection comes online. */
  enter(ownJid: string): Element[]
  /** Stanza text to write into #xmpp-incoming on entering, when the server sends none. */
  entered(ownJid: string): string | undefined
  /** `null` accepts the message (when it carries an island); otherwise why it is dropped. */
  acceptMessage(from: string | undefined, type: string | undefined): DropReason | null
  onPresence(el: Element): PresenceOutcome
  /**
   * Whether a message delayed with this XEP-0203 `<delay/>` replays stored traffic (room history,
   * offline storage) rather than delivering live traffic late (a XEP-0198 resend).
   */
  isReplay(delay: Element): boolean
  /** Unavailable presences, as text, for everyone this session saw, now that the link is lost. */
  lost(): string[]
}

/** Local part and domain fold case (nodeprep, nameprep); a resource does not. */
export function normalizeJid(jid: string): string {
  const slash = jid.indexOf('/')
  return slash < 0 ? jid.toLowerCase() : jid.slice(0, slash).toLowerCase() + jid.slice(slash)
}
export const bareJid = (jid: string): string => {
  const slash = jid.indexOf('/')
  return (slash < 0 ? jid : jid.slice(0, slash)).toLowerCase()
}
const resourceOf = (jid: string): string => {
  const slash = jid.indexOf('/')
  return slash < 0 ? '' : jid.slice(slash + 1)
}

const hasStatus = (el: Element, code: string): boolean =>
  el.getChildren('x', NS_MUC_USER).some((x) => x.getChildren('status').some((s) => s.attrs.code === code))

const unavailable = (from: string): string => xml('presence', { xmlns: NS_CLIENT, from, type: 'unavailable' }).toString()

function errorCondition(el: Element): string {
  const error = el.getChild('error')
  const condition = error?.getChildElements().find((c) => c.attrs.xmlns === 'urn:ietf:params:xml:ns:xmpp-stanzas')
  return condition?.name ?? 'unknown'
}

export function roomSession(room: string, nick: string, random: () => number = Math.random): Session {
  const roomJid = bareJid(room)
  let currentNick = nick
  let self: string | undefined
  const occupants = new Set<string>()
  // Our occupant JID before the link was lost: a session hibernated by XEP-0198, or not yet timed
  // out, may keep it in the room for minutes after we come back as someone else.
  let predecessor: string | undefined
  // Occupants named as a predecessor (ours or another successor's): their presence is not passed on.
  const ghosts = new Set<string>()
  // While we enter, the room lists its occupants before our self-presence, in no set order: a
  // successor may come after the ghost it names. They are held until the self-presence, so the
  // engine never lists a ghost, even for a moment (docs/PROTOCOL.md, "Ghosts").
  const listed = new Map<string, string>()
  const markGhost = (jid: string): void => {
    ghosts.delete(jid)
    ghosts.add(jid)
    if (ghosts.size > MAX_GHOSTS) ghosts.delete(ghosts.values().next().value!)
  }

  const joinPresence = (): Element =>
    xml(
      'presence',
      { to: `${roomJid}/${currentNick}` },
      // No history, whatever the room's configuration: sync traffic must never be replayed.
      xml('x', { xmlns: NS_MUC }, xml('history', { maxstanzas: '0' })),
      // The room keeps this presence and shows it to every later joiner too (docs/PROTOCOL.md, "Ghosts").
      ...(predecessor ? [xml('replaces', { xmlns: NS_ISLANDS, peer: predecessor })] : []),
    )

  /** The predecessor a successor's presence names, if it can be one: another occupant of this room. */
  const namedPredecessor = (el: Element, from: string): string | undefined => {
    const peer = el.getChild('replaces', NS_ISLANDS)?.attrs.peer
    if (!peer) return undefined
    const jid = normalizeJid(peer)
    return bareJid(jid) === roomJid && resourceOf(jid) && jid !== from ? jid : undefined
  }

  return {
    target: roomJid,
    type: 'groupchat',
    get self() {
      return self
    },
    enter() {
      self = undefined
      listed.clear()
      if (predecessor) markGhost(predecessor)
      return [joinPresence()]
    },
    entered: () => undefined,
    acceptMessage(from, type) {
      if (!from || bareJid(from) !== roomJid) return 'stranger'
      // The room itself speaking (subject, configuration notices): never island traffic.
      if (!resourceOf(from)) return 'other'
      // The room reflects our own messages back to us (XEP-0045 §7.4).
      if (normalizeJid(from) === (self ?? `${roomJid}/${currentNick}`)) return 'reflected'
      if (type !== 'groupchat') return 'wrong-type'
      return null
    },
    onPresence(el) {
      const from = el.attrs.from
      if (!from || bareJid(from) !== roomJid || !resourceOf(from)) return { forward: false, drop: 'stranger' }
      const type = el.attrs.type
      if (type === 'error') {
        const condition = errorCondition(el)
        // A ghost of our previous connection (or someone else) may hold the nick: take another.
        if (condition === 'conflict' && self === undefined) {
          currentNick = `${nick}~${Math.floor(random() * 0xffff).toString(16)}`
          return { forward: false, drop: 'error', reply: [joinPresence()], error: `nick conflict, joining as ${currentNick}` }
        }
        return { forward: false, drop: 'error', error: `room refused the join: ${condition}` }
      }
      if (type !== undefined && type !== 'unavailable') return { forward: false, drop: 'wrong-type' }
      const jid = normalizeJid(from)
      if (hasStatus(el, '110')) {
        if (type === 'unavailable') {
          self = undefined
          return { forward: true, left: !hasStatus(el, '303') }
        }
        self = jid
        currentNick = resourceOf(jid)
        // Back under the old name (the predecessor was gone): that name is us, no ghost.
        ghosts.delete(jid)
        // Named once: the room keeps this join presence for everyone who comes later.
        predecessor = undefined
        const before = [...listed.values()]
        for (const occupant of listed.keys()) occupants.add(occupant)
        listed.clear()
        return { forward: true, joined: true, before }
      }
      if (type === 'unavailable') {
        if (listed.delete(jid)) return { forward: false, held: true } // gone before we were in: never shown
        occupants.delete(jid)
        // The ghost's session ended at last; the engine was told long ago, once more is harmless.
        ghosts.delete(jid)
        return { forward: true }
      }
      if (ghosts.has(jid)) return { forward: false, drop: 'ghost' }
      const ghost = namedPredecessor(el, jid)
      const out: PresenceOutcome = { forward: true }
      if (ghost) {
        markGhost(ghost)
        listed.delete(ghost)
        if (occupants.delete(ghost)) out.ghosts = [unavailable(ghost)]
      }
      if (self === undefined) {
        listed.set(jid, el.toString())
        return { forward: false, held: true, ...(out.ghosts && { ghosts: out.ghosts }) }
      }
      occupants.add(jid)
      return out
    },
    isReplay: (delay) => normalizeJid(delay.attrs.from ?? '') === roomJid,
    lost() {
      predecessor = self ?? predecessor
      self = undefined
      listed.clear()
      const out = [...occupants].map(unavailable)
      occupants.clear()
      return out
    },
  }
}

export function peerSession(peer: string, type: 'chat' | 'normal' = 'chat'): Session {
  const target = normalizeJid(peer)
  // A bare peer JID accepts any of its resources; a full one only itself.
  const matches = (from: string | undefined): boolean =>
    !!from && (resourceOf(target) ? normalizeJid(from) === target : bareJid(from) === target)
  let self: string | undefined
  const present = new Set<string>()

  return {
    target,
    type,
    get self() {
      return self
    },
    // Directed presence (RFC 6121 §4.6): the peer learns we are here, and the server tells it
    // when we are gone.
    enter: () => [xml('presence', { to: target })],
    entered(ownJid) {
      self = normalizeJid(ownJid)
      // No room sends a status 110 here: make the same "this is me, (re)joined" for the engine.
      return xml('presence', { xmlns: NS_CLIENT, from: ownJid }, xml('x', { xmlns: NS_MUC_USER }, xml('status', { code: '110' }))).toString()
    },
    acceptMessage(from, msgType) {
      if (!matches(from)) return 'stranger'
      if (msgType !== undefined && msgType !== 'chat' && msgType !== 'normal') return 'wrong-type'
      return null
    },
    onPresence(el) {
      const from = el.attrs.from
      if (!matches(from)) return { forward: false, drop: 'stranger' }
      const jid = normalizeJid(from!)
      const presenceType = el.attrs.type
      if (presenceType === 'unavailable') {
        present.delete(jid)
        return { forward: true }
      }
      // An error is the server saying the peer is not there (yet): its own presence will come.
      if (presenceType === 'error') return { forward: false, drop: 'error' }
      if (presenceType !== undefined) return { forward: false, drop: 'wrong-type' }
      const isNew = !present.has(jid)
      present.add(jid)
      // A peer that arrived after our directed presence has not seen it: answer once.
      return { forward: true, reply: isNew ? [xml('presence', { to: jid })] : [] }
    },
    // Offline storage stamps the server's domain; so does ejabberd on a XEP-0198 resend, with the
    // text `Resent`. A resend by the peer's client names the peer, one by Prosody names us.
    isReplay: (delay) => !(delay.attrs.from ?? '').includes('@') && delay.text().trim() !== 'Resent',
    lost() {
      const out = [...present].map(unavailable)
      present.clear()
      return out
    },
  }
}
