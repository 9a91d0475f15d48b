// The XMPP bridge's outgoing path (src/bridge/xmpp-outbound.ts) with a fake connection: what is
// sent, how it is addressed and bounded, and where a stanza that cannot go waits.
import { xml, type Element } from '@xmpp/client'
import { describe, expect, it } from 'vitest'
import { channelElement, OUTGOING_ID, writeStanza } from '../../src/channel/channel.js'
import { NS_ISLANDS } from '../../src/protocol/ns.js'
import { parseXml } from '../../src/protocol/xml.js'
import { addressed, outbound, resendReserve, sizeRefusal } from '../../src/bridge/xmpp-outbound.js'
import { refusals } from '../../src/bridge/xmpp-refusals.js'
import { emptyStats, type XmppBridgeErrorDetail } from '../../src/bridge/xmpp-options.js'
import { createPage, tick } from '../helpers/pages.js'

const island = (n: number): string => `<message><island xmlns="${NS_ISLANDS}" name="doc">${'A'.repeat(4 * n)}</island></message>`
const room = { target: 'r@rooms.example.test', type: 'groupchat' as const }

describe('addressing and the size bound', () => {
  it('addresses a page stanza to the session, in jabber:client, keeping its other attributes', () => {
    const el = addressed(parseXml(`<message xmlns="jabber:client" id="m1"><island xmlns="${NS_ISLANDS}" name="doc">AA==</island></message>`), room)
    expect(el.toString()).toBe(`<message xmlns="jabber:client" id="m1" to="r@rooms.example.test" type="groupchat"><island xmlns="${NS_ISLANDS}" name="doc">AA==</island></message>`)
  })

  it('leaves room for the <delay/> a resend gets, escaping the JID as it will be', () => {
    expect(resendReserve('a@b/c')).toBe(`<delay xmlns="urn:xmpp:delay" from="a@b/c" stamp="2026-12-04T10:00:00.000Z"/>`.length)
    expect(resendReserve('a@b/"x"')).toBe(resendReserve('a@b/qxq') + 10)
    expect(resendReserve('a@b/é')).toBe(resendReserve('a@b/e') + 1)
  })

  it('refuses a stanza over the room left, or over the ceiling a refusal taught, saying which', () => {
    expect(sizeRefusal(1000, 1000, Infinity)).toBeUndefined()
    expect(sizeRefusal(1001, 1000, Infinity)).toBe("stanza of 1001 bytes not sent: limit 1000 (one WebSocket message, less room for a resend's <delay/>)")
    expect(sizeRefusal(600, 1000, 500)).toBe('stanza of 600 bytes not sent: the server closed the stream over a larger one, and stanzas over 500 bytes are no longer sent')
    expect(sizeRefusal(1200, 1000, 500)).toMatch(/stanzas over 500 bytes/)
  })
})

function setup(opts: { maxStanzaBytes?: number } = {}) {
  const doc = createPage('')
  const outgoing = channelElement(doc, OUTGOING_ID)
  const sent: Element[] = []
  const pending: Array<() => void> = []
  const state = { canSend: false, failNext: 0 }
  const xmpp = {
    jid: { toString: () => 'me@example.test/r' },
    send: (el: Element) => {
      sent.push(el)
      if (state.failNext > 0) {
        state.failNext--
        return Promise.reject(new Error('socket closed'))
      }
      return Promise.resolve()
    },
  }
  const errors: XmppBridgeErrorDetail[] = []
  const stats = emptyStats()
  const r = refusals()
  const out = outbound({
    doc,
    outgoing,
    xmpp,
    session: room,
    refusals: r,
    stats,
    timers: { setTimeout: (fn) => pending.push(fn), clearTimeout: () => undefined },
    canSend: () => state.canSend,
    fail: (reason, message, extra = {}) => errors.push({ reason, message, ...extra }),
    bufferedAmount: () => 0,
    highWaterMark: 1 << 20,
    lowWaterMark: 1 << 18,
    drainInterval: 20,
    maxStanzaBytes: opts.maxStanzaBytes ?? 64 * 1024,
  })
  const waiting = (): string[] => Array.from(outgoing.children, (c) => c.textContent ?? '')
  return { outgoing, out, sent, state, errors, stats, waiting, refusals: r }
}

describe('outbound', () => {
  it('leaves what the page writes in #xmpp-outgoing until the connection can take it, then sends it in order', async () => {
    const t = setup()
    writeStanza(t.outgoing, island(1))
    writeStanza(t.outgoing, island(2))
    t.out.resume()
    expect(t.waiting()).toHaveLength(2)
    t.state.canSend = true
    t.out.resume()
    expect(t.sent.map((e) => e.getChild('island')!.text().length)).toEqual([4, 8])
    expect(t.waiting()).toEqual([])
    expect(t.stats.sent).toBe(2)
  })

  it('puts stanzas whose send failed back at the front of #xmpp-outgoing, in their order', async () => {
    const t = setup()
    t.state.canSend = true
    t.out.resume()
    t.state.failNext = 2
    writeStanza(t.outgoing, island(1))
    writeStanza(t.outgoing, island(2))
    await tick()
    expect(t.sent).toHaveLength(2)
    // The engine wrote another meanwhile: the failed ones go before it.
    t.out.pause()
    writeStanza(t.outgoing, island(3))
    await tick()
    expect(t.waiting()).toEqual([island(1), island(2), island(3)])
    expect(t.errors.map((e) => e.reason)).toEqual(['send-failed', 'send-failed'])
    expect(t.stats.sent).toBe(0)
  })

  it('refuses what the page may not send and what is too large, and keeps reading', async () => {
    const t = setup({ maxStanzaBytes: 400 })
    t.state.canSend = true
    t.out.resume()
    writeStanza(t.outgoing, '<presence/>')
    writeStanza(t.outgoing, island(100))
    writeStanza(t.outgoing, island(1))
    await tick()
    expect(t.errors.map((e) => [e.reason, e.stanza])).toEqual([
      ['not-a-message', '<presence/>'],
      ['too-large', island(100)],
    ])
    expect(t.stats).toMatchObject({ refused: 2, sent: 1 })
    expect(t.sent).toHaveLength(1)
  })

  it('puts back a stanza stream management reports as failed, once, and ignores ones it never sent', async () => {
    const t = setup()
    t.state.canSend = true
    t.out.resume()
    writeStanza(t.outgoing, island(1))
    await tick()
    t.out.pause()
    t.out.failed(t.sent[0]!)
    t.out.failed(t.sent[0]!)
    t.out.failed(xml('presence'))
    expect(t.waiting()).toEqual([island(1)])
    expect(t.stats.sent).toBe(0)
  })
})
