// The Bridge shape (src/bridge/bridge.ts) as the memory bus's pages and the BroadcastChannel
// bridge have it, and the one rule for what the page may write (src/bridge/page-stanza.ts),
// which both share with the XMPP bridge. No engine: the tests write #xmpp-outgoing and read
// #xmpp-incoming themselves.
import { describe, expect, it, vi } from 'vitest'
import { broadcastBridge, type Bridge, type BridgeErrorDetail } from '../../src/core.js'
import { memoryBus } from '../../src/testing.js'
import { INCOMING_ID, OUTGOING_ID, channelElement, writeStanza } from '../../src/channel/channel.js'
import { checkPageStanza } from '../../src/bridge/page-stanza.js'
import { NS_ISLANDS } from '../../src/protocol/ns.js'
import { createPage, tick } from '../helpers/pages.js'

const island = (attrs = ''): string => `<message xmlns="jabber:client"${attrs}><island xmlns="${NS_ISLANDS}" name="doc">AA==</island></message>`

/** Everything a bridge says, in order. */
function record(bridge: Bridge): string[] {
  const seen: string[] = []
  bridge.addEventListener('online', (e) => seen.push(`online ${(e as CustomEvent<{ self: string }>).detail.self}`))
  bridge.addEventListener('offline', () => seen.push('offline'))
  bridge.addEventListener('error', (e) => seen.push(`error ${(e as CustomEvent<BridgeErrorDetail>).detail.reason}`))
  return seen
}

const received = (doc: Document): string[] => Array.from(channelElement(doc, INCOMING_ID).children, (c) => c.textContent ?? '')

async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('what the page may write (checkPageStanza)', () => {
  it('accepts an unaddressed island message, with or without the jabber:client namespace', () => {
    expect(checkPageStanza(island()).ok).toBe(true)
    expect(checkPageStanza(`<message><island xmlns="${NS_ISLANDS}" name="doc">AA==</island></message>`).ok).toBe(true)
  })

  it('refuses `from`, `to` and `type`, presence, other namespaces and what is not XML, each with its reason', () => {
    const cases: Array<[string, string, RegExp]> = [
      [island(' from="a@b"'), 'addressed', /`from`/],
      [island(' to="room@rooms.b"'), 'addressed', /`to`/],
      [island(' type="groupchat"'), 'addressed', /`type`/],
      [island(' from="a@b" to="c@d"'), 'addressed', /`from`, `to`/],
      ['<presence xmlns="jabber:client"/>', 'not-a-message', /<presence\/>/],
      ['<message xmlns="jabber:server"/>', 'not-a-message', /<message\/>/],
      ['<message><island>', 'malformed', /not a stanza/],
      ['<!DOCTYPE x><message/>', 'malformed', /not a stanza/],
      ['', 'malformed', /not a stanza/],
    ]
    for (const [text, reason, message] of cases) {
      const check = checkPageStanza(text)
      expect(check, text).toMatchObject({ ok: false, reason })
      if (!check.ok) expect(check.message, text).toMatch(message)
    }
  })
})

describe('a memory bus page is a Bridge', () => {
  it('is online after connect, offline when cut off, online again when the cut heals, and closes', async () => {
    const bus = memoryBus()
    const a = bus.connect(createPage(''), 'a')
    const b = bus.connect(createPage(''), 'b')
    const seen = record(a)
    await tick()
    expect(a.self).toBe('a')
    bus.partition(['a'])
    bus.heal()
    expect(seen).toEqual(['online a', 'offline', 'online a'])
    const closing = a.close()
    expect(closing).toBeInstanceOf(Promise)
    await closing
    await a.close() // again: nothing happens
    expect(a.self).toBeUndefined()
    expect(received(b.document).at(-1)).toBe('<presence xmlns="jabber:client" from="a" type="unavailable"></presence>')
  })

  it('refuses what the page may not write with an error event, and delivers the rest from the page', async () => {
    const bus = memoryBus()
    const docA = createPage('')
    const outgoing = channelElement(docA, OUTGOING_ID)
    // Waiting before connect(): read at once, reported once a listener can hear it.
    writeStanza(outgoing, island(' to="someone@else"'))
    const a = bus.connect(docA, 'a')
    const b = bus.connect(createPage(''), 'b')
    const seen = record(a)
    const details: BridgeErrorDetail[] = []
    a.addEventListener('error', (e) => details.push((e as CustomEvent<BridgeErrorDetail>).detail))
    writeStanza(outgoing, '<presence xmlns="jabber:client"/>')
    writeStanza(outgoing, island())
    await tick()
    bus.deliver()
    expect(seen).toEqual(['online a', 'error addressed', 'error not-a-message'])
    expect(details[0]!.stanza).toContain('to="someone@else"')
    const messages = received(b.document).filter((t) => t.startsWith('<message'))
    expect(messages).toHaveLength(1)
    expect(messages[0]).toContain('from="a"')
    await a.close()
    await b.close()
  })
})

describe('the BroadcastChannel bridge is a Bridge', () => {
  it('goes online, carries a stanza from one tab to the other, refuses an addressed one, and closes', async () => {
    const session = `bridges-${Math.random().toString(36).slice(2)}`
    const docA = createPage('')
    const docB = createPage('')
    const a = broadcastBridge({ session, document: docA, helloMs: 20 })
    const b = broadcastBridge({ session, document: docB, helloMs: 20 })
    const seen = record(a)
    try {
      expect(a.self).toBeUndefined()
      await until(() => a.self !== undefined && b.self !== undefined, 'both tabs online')
      expect(a.self).toBe(a.id)
      const outgoing = channelElement(docA, OUTGOING_ID)
      writeStanza(outgoing, island(' from="b"'))
      writeStanza(outgoing, island())
      await until(() => received(docB).some((t) => t.startsWith('<message')), 'the stanza in the other tab')
      expect(received(docB).filter((t) => t.startsWith('<message'))).toEqual([expect.stringContaining(`from="${a.id}"`)])
      expect(seen).toEqual([`online ${a.id}`, 'error addressed'])
    } finally {
      await Promise.all([a.close(), b.close()])
    }
    expect(a.self).toBeUndefined()
  })

  it('on close tells its own page the other tabs are gone, so an engine that outlives it lists no one', async () => {
    const session = `bridges-${Math.random().toString(36).slice(2)}`
    const docA = createPage('')
    const docB = createPage('')
    const a = broadcastBridge({ session, document: docA, helloMs: 20 })
    const b = broadcastBridge({ session, document: docB, helloMs: 20 })
    try {
      await until(() => received(docA).some((t) => t.includes(`from="${b.id}"`) && !t.includes('unavailable')), 'a to hear b')
      await a.close()
      expect(received(docA).filter((t) => t.includes(`from="${b.id}"`)).at(-1)).toContain('type="unavailable"')
    } finally {
      await b.close()
    }
  })

  it('where there is no BroadcastChannel, says so in an error event instead of throwing', async () => {
    const real = globalThis.BroadcastChannel
    vi.stubGlobal('BroadcastChannel', undefined)
    try {
      const bridge = broadcastBridge({ document: createPage('') })
      const errors: string[] = []
      bridge.addEventListener('error', (e) => errors.push((e as CustomEvent<BridgeErrorDetail>).detail.reason))
      await until(() => errors.length > 0, 'the error')
      expect(errors).toEqual(['start'])
      expect(bridge.self).toBeUndefined()
      await bridge.close()
    } finally {
      vi.stubGlobal('BroadcastChannel', real)
    }
  })
})
