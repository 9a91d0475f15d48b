// Which messages the XMPP bridge passes on from a room (src/bridge/xmpp-inbound.ts): island
// messages from its occupants, live; everything else dropped with its reason.
import { xml } from '@xmpp/client'
import { describe, expect, it } from 'vitest'
import { messageDrop } from '../../src/bridge/xmpp-inbound.js'
import { roomSession } from '../../src/bridge/xmpp-session.js'
import { NS_ISLANDS } from '../../src/protocol/ns.js'

const ROOM = 'r@rooms.example.test'
const island = () => xml('island', { xmlns: NS_ISLANDS, name: 'doc' }, 'AA==')
const delay = (from: string) => xml('delay', { xmlns: 'urn:xmpp:delay', from, stamp: '2026-01-01T00:00:00Z' })

describe('messageDrop', () => {
  const session = roomSession(ROOM, 'me')

  it('passes an island message from an occupant, and a resend delayed by anyone but the room', () => {
    expect(messageDrop(xml('message', { from: `${ROOM}/ann`, type: 'groupchat' }, island()), session)).toBeUndefined()
    expect(messageDrop(xml('message', { from: `${ROOM}/ann`, type: 'groupchat' }, island(), delay('ben@example.test')), session)).toBeUndefined()
  })

  it('drops room history, what is no island, strangers and the wrong type, each with its reason', () => {
    const drops = [
      xml('message', { from: `${ROOM}/ann`, type: 'groupchat' }, island(), delay(ROOM)),
      xml('message', { from: `${ROOM}/ann`, type: 'groupchat' }, xml('body', {}, 'hi')),
      xml('message', { from: 'x@example.test/r', type: 'groupchat' }, island()),
      xml('message', { from: `${ROOM}/ann`, type: 'chat' }, island()),
      xml('message', { from: `${ROOM}/me`, type: 'groupchat' }, island()),
    ].map((el) => messageDrop(el, session))
    expect(drops).toEqual([{ drop: 'replayed' }, { drop: 'not-island' }, { drop: 'stranger' }, { drop: 'wrong-type' }, { drop: 'reflected' }])
  })

  it('an error from the session is dropped and reported; one from elsewhere only dropped', () => {
    const error = xml('error', { type: 'cancel' }, xml('forbidden', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }))
    expect(messageDrop(xml('message', { from: ROOM.toUpperCase(), type: 'error' }, error), session)).toEqual({
      drop: 'error',
      error: `the session answered with an error: ${error.toString()}`,
    })
    expect(messageDrop(xml('message', { from: 'x@example.test', type: 'error' }, error), session)).toEqual({ drop: 'error' })
  })
})
