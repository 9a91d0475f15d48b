/**
 * Which incoming messages reach #xmpp-incoming: island messages from the session, live. The
 * session (xmpp-session.ts) says who counts; this says what of theirs is passed on.
 */
import type { Element } from '@xmpp/client'
import { NS_ISLANDS_ANY } from '../protocol/ns.js'
import { bareJid, type DropReason, type Session } from './xmpp-session.js'

/** XEP-0203: marks a stanza delivered later than it was sent (history, offline storage). */
const NS_DELAY = 'urn:xmpp:delay'

const hasIsland = (el: Element): boolean => el.getChildElements().some((c) => NS_ISLANDS_ANY.test(c.attrs.xmlns ?? ''))

/** Why a message is not passed on (and what to report, for an error from the session), or undefined. */
export function messageDrop(el: Element, session: Pick<Session, 'target' | 'acceptMessage' | 'isReplay'>): { drop: DropReason; error?: string } | undefined {
  const type = el.attrs.type
  if (type === 'error') {
    const fromSession = !!el.attrs.from && bareJid(el.attrs.from) === bareJid(session.target)
    return { drop: 'error', ...(fromSession && { error: `the session answered with an error: ${el.getChild('error')?.toString() ?? ''}` }) }
  }
  const refusal = session.acceptMessage(el.attrs.from, type)
  if (refusal) return { drop: refusal }
  if (!hasIsland(el)) return { drop: 'not-island' }
  // Room history or offline storage replaying old traffic (XEP-0203 delay): sync traffic is
  // live only (XEP-0334 no-store), and the handshake on joining brings the state anyway. A
  // XEP-0198 resend is delayed too, but live: dropping it would lose the update.
  const delay = el.getChild('delay', NS_DELAY)
  if (delay && session.isReplay(delay)) return { drop: 'replayed' }
  return undefined
}
