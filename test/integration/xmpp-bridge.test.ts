// The XMPP bridge on a real Prosody: "pages" are happy-dom windows, each with its own bridge.
// There is no engine here: the tests write stanzas into #xmpp-outgoing and read #xmpp-incoming.
import WS from 'ws'
import { xml } from '@xmpp/client'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startProsody, type ProsodyInstance } from '../../scripts/prosody.mjs'
import { xmppBridge, type XmppBridge, type XmppBridgeErrorDetail, type XmppBridgeOptions } from '../../src/bridge/xmpp.js'
import { NS_ISLANDS } from '../../src/protocol/ns.js'
import {
  isSelfPresence,
  islandMessages,
  islandStanza,
  joinPresence,
  makePage,
  payloadOf,
  plainClient,
  presences,
  waitFor,
  type Page,
} from './support.js'

const USERS = ['alice', 'bob', 'carol', 'dave', 'eve'] as const
const password = (user: string): string => `${user}-secret`
const FAST_BACKOFF = { minDelay: 50, maxDelay: 400, attemptTimeout: 5000 }

interface Peer {
  page: Page
  bridge: XmppBridge
  errors: XmppBridgeErrorDetail[]
}

let prosody: ProsodyInstance
const cleanups: Array<() => Promise<void>> = []
let roomCounter = 0
const newRoom = (): string => `room${++roomCounter}-${Date.now().toString(36)}@${prosody.mucDomain}`

beforeAll(async () => {
  prosody = await startProsody({ accounts: USERS.map((user) => ({ user, password: password(user) })) })
})
afterEach(async () => {
  // Bridges first (they close their streams), then pages and plain clients.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})
afterAll(async () => {
  await prosody?.stop()
})

type PeerOptions = Partial<XmppBridgeOptions> & { user?: (typeof USERS)[number]; server?: ProsodyInstance }

function openPeer(opts: PeerOptions): Peer {
  const server = opts.server ?? prosody
  const { user, server: _server, ...rest } = opts
  const page = makePage()
  const bridge = xmppBridge({
    service: server.websocketUrl,
    document: page.document,
    WebSocket: WS,
    backoff: FAST_BACKOFF,
    ...(user ? { jid: `${user}@${server.domain}`, password: password(user) } : { domain: server.anonDomain }),
    ...rest,
  })
  const errors: XmppBridgeErrorDetail[] = []
  bridge.addEventListener('error', (e) => errors.push((e as CustomEvent<XmppBridgeErrorDetail>).detail))
  cleanups.push(() => page.close())
  cleanups.push(() => bridge.close())
  return { page, bridge, errors }
}

/** Opens bridges in one room and waits until every page has seen every other peer's presence. */
async function inRoom(room: string, specs: PeerOptions[]): Promise<Peer[]> {
  const peers = specs.map((spec, i) => openPeer({ room, nick: `p${i}`, ...spec }))
  await waitFor(() => peers.every((p) => p.bridge.online), 'every bridge to join the room')
  await waitFor(
    () => peers.every((p) => peers.every((q) => presences(p.page).some((el) => el.attrs.from === q.bridge.self && el.attrs.type === undefined))),
    'every page to see every presence',
  )
  return peers
}

/** The type and sender of the island messages waiting in a page's #xmpp-incoming. */
const islandsFrom = (page: Page, from: string | undefined) => islandMessages(page).filter((m) => m.attrs.from === from)

describe('xmppBridge in a MUC room', () => {
  it('delivers a stanza from A once to B and C, as groupchat from A, and never back to A', async () => {
    const [a, b, c] = await inRoom(newRoom(), [{ user: 'alice' }, { user: 'bob' }, {}])
    const t0 = performance.now()
    a!.page.send(islandStanza('doc', 'AAAA'))
    await waitFor(() => islandMessages(b!.page).length && islandMessages(c!.page).length, 'B and C to receive')
    console.info(`room delivery A -> B, C: ${(performance.now() - t0).toFixed(1)} ms`)
    expect(a!.page.outgoing.children).toHaveLength(0)

    // The room keeps order: once A has B's message, A's own reflected message has come and gone.
    b!.page.send(islandStanza('doc', 'BBBB'))
    await waitFor(() => islandMessages(a!.page).length && islandMessages(c!.page).length === 2, 'B’s marker to reach A and C')
    expect(islandMessages(a!.page).map(payloadOf)).toEqual(['BBBB'])
    expect(a!.bridge.stats.droppedBy.reflected).toBe(1)

    for (const p of [b!, c!]) {
      const fromA = islandsFrom(p.page, a!.bridge.self)
      expect(fromA).toHaveLength(1)
      expect(fromA[0]!.attrs.type).toBe('groupchat')
      expect(payloadOf(fromA[0]!)).toBe('AAAA')
    }
    expect(a!.bridge.stats.sent).toBe(1)
    expect(b!.bridge.stats.received).toBe(1)
    expect(c!.bridge.stats.received).toBe(2)
    // Anonymous login works like an account: C came in through SASL ANONYMOUS.
    expect(c!.bridge.jid).toContain(`@${prosody.anonDomain}/`)
  })

  it('passes presence through, with status 110 on the page’s own', async () => {
    const [a, b, c] = await inRoom(newRoom(), [{ user: 'alice' }, { user: 'bob' }, { user: 'carol' }])
    const own = presences(a!.page).filter(isSelfPresence)
    expect(own).toHaveLength(1)
    expect(own[0]!.attrs.from).toBe(a!.bridge.self)
    expect(a!.bridge.self).toMatch(/\/p0$/)
    // Others' presence carries no 110.
    expect(presences(a!.page).filter((p) => p.attrs.from === b!.bridge.self).every((p) => !isSelfPresence(p))).toBe(true)

    const cSelf = c!.bridge.self
    await c!.bridge.close()
    await waitFor(
      () => presences(a!.page).some((p) => p.attrs.from === cSelf && p.attrs.type === 'unavailable'),
      'A to hear that C left',
    )
    expect(b!.bridge.stats.presences).toBeGreaterThanOrEqual(4)
  })

  it('on close tells its own page the others are gone, so an engine that outlives it lists no one', async () => {
    const [a, b] = await inRoom(newRoom(), [{}, {}])
    const bSelf = b!.bridge.self
    await a!.bridge.close()
    const last = presences(a!.page).filter((p) => p.attrs.from === bSelf).at(-1)
    expect(last?.attrs.type).toBe('unavailable')
  })

  it('refuses stanzas that set `from`, `to` or `type`, are no message or are malformed', async () => {
    const room = newRoom()
    const [a, b] = await inRoom(room, [{ user: 'alice' }, { user: 'bob' }])
    a!.page.send(`<message xmlns="jabber:client" from="bob@${prosody.domain}"><island xmlns="${NS_ISLANDS}" name="doc">AA==</island></message>`)
    a!.page.send(`<message xmlns="jabber:client" to="other@${prosody.mucDomain}"><island xmlns="${NS_ISLANDS}" name="doc">AA==</island></message>`)
    // Even the session itself: addressing is the bridge's, whatever the page names.
    a!.page.send(`<message xmlns="jabber:client" to="${room}"><island xmlns="${NS_ISLANDS}" name="doc">AA==</island></message>`)
    a!.page.send(`<message xmlns="jabber:client" type="chat"><island xmlns="${NS_ISLANDS}" name="doc">AA==</island></message>`)
    a!.page.send(`<presence xmlns="jabber:client" type="unavailable"/>`)
    a!.page.send(`<message xmlns="jabber:client"><island xmlns="${NS_ISLANDS}" name="doc">AA==</message>`)
    a!.page.send(`<!DOCTYPE x><message xmlns="jabber:client"/>`)
    a!.page.send(islandStanza('doc', 'OK=='))
    await waitFor(() => islandMessages(b!.page).length, 'the good stanza to arrive')
    expect(a!.errors.map((e) => e.reason)).toEqual(['addressed', 'addressed', 'addressed', 'addressed', 'not-a-message', 'malformed', 'malformed'])
    expect(a!.errors.slice(0, 4).map((e) => e.message.match(/`(\w+)`/)![1])).toEqual(['from', 'to', 'to', 'type'])
    expect(a!.errors[0]!.stanza).toContain('from="bob@')
    expect(a!.bridge.stats.refused).toBe(7)
    expect(a!.bridge.stats.sent).toBe(1)
    expect(islandMessages(b!.page).map(payloadOf)).toEqual(['OK=='])
    // A is still in the room: the refused unavailable presence was never sent.
    expect(presences(b!.page).some((p) => p.attrs.from === a!.bridge.self && p.attrs.type === 'unavailable')).toBe(false)
  })

  it('sends no chat noise: a plain XMPP occupant gets no <body>, and no history', async () => {
    const room = newRoom()
    const [a] = await inRoom(room, [{ user: 'alice' }, { user: 'bob' }])
    for (const payload of ['AQ==', 'Ag==', 'Aw==']) a!.page.send(islandStanza('doc', payload))
    await waitFor(() => a!.bridge.stats.droppedBy.reflected === 3, 'A’s three stanzas to go round the room')

    // A chat client joining now gets no replay of what was said before it came (history off).
    const dave = await plainClient({ service: prosody.websocketUrl, domain: prosody.domain, user: 'dave', password: password('dave') })
    cleanups.push(() => dave.stop())
    await dave.xmpp.send(joinPresence(room, 'dave'))
    await waitFor(() => dave.stanzas.some((s) => s.name === 'presence' && s.attrs.from === `${room}/dave`), 'dave to join')
    a!.page.send(islandStanza('doc', 'BA=='))
    await waitFor(
      () => dave.stanzas.some((s) => s.name === 'message' && s.getChild('island', NS_ISLANDS)),
      'the plain client to receive the live stanza',
    )
    const messages = dave.stanzas.filter((s) => s.name === 'message')
    expect(messages.filter((m) => m.getChild('island', NS_ISLANDS)).map((m) => m.getChild('island', NS_ISLANDS)!.text())).toEqual(['BA=='])
    expect(messages.filter((m) => m.getChild('body'))).toEqual([])
    const island = messages.find((m) => m.getChild('island', NS_ISLANDS))!
    expect(island.getChild('no-store', 'urn:xmpp:hints')).toBeDefined()
  })

  it('drops island stanzas from a stranger outside the room, and private messages from inside it', async () => {
    const room = newRoom()
    const [a, b] = await inRoom(room, [{ user: 'alice', resource: 'target' }, { user: 'bob' }])
    const target = `alice@${prosody.domain}/target`
    expect(a!.bridge.jid).toBe(target)

    const eve = await plainClient({ service: prosody.websocketUrl, domain: prosody.domain, user: 'eve', password: password('eve') })
    cleanups.push(() => eve.stop())
    const island = (payload: string) => xml('island', { xmlns: NS_ISLANDS, name: 'doc' }, payload)
    await eve.xmpp.send(xml('message', { to: target, type: 'chat' }, island('RVZF')))
    await eve.xmpp.send(xml('message', { to: target, type: 'groupchat' }, island('RVZF')))
    await eve.xmpp.send(xml('message', { to: target }, island('RVZF')))
    // A room occupant that is no bridge, whispering to A instead of telling the whole room.
    const dave = await plainClient({ service: prosody.websocketUrl, domain: prosody.domain, user: 'dave', password: password('dave') })
    cleanups.push(() => dave.stop())
    await dave.xmpp.send(joinPresence(room, 'dave'))
    await waitFor(() => dave.stanzas.some((s) => s.name === 'presence' && s.attrs.from === `${room}/dave`), 'dave to join')
    await dave.xmpp.send(xml('message', { to: a!.bridge.self!, type: 'chat' }, island('REFW')))

    await waitFor(() => a!.bridge.stats.droppedBy.stranger >= 3 && a!.bridge.stats.droppedBy['wrong-type'] >= 1, 'A to drop them')
    expect(a!.bridge.stats.droppedBy.stranger).toBe(3)
    expect(a!.page.received().filter((t) => t.startsWith('<message'))).toEqual([])
    expect(a!.bridge.stats.received).toBe(0)
    // A stays in the session: the room still reaches it.
    b!.page.send(islandStanza('doc', 'T0s='))
    await waitFor(() => islandMessages(a!.page).length, 'B’s stanza to reach A')
  })
})

describe('xmppBridge joining', () => {
  it('takes another nick when its own is taken (a ghost of an earlier connection, or anyone)', async () => {
    const room = newRoom()
    const dave = await plainClient({ service: prosody.websocketUrl, domain: prosody.domain, user: 'dave', password: password('dave') })
    cleanups.push(() => dave.stop())
    await dave.xmpp.send(joinPresence(room, 'taken'))
    await waitFor(() => dave.stanzas.some((s) => s.name === 'presence' && s.attrs.from === `${room}/taken`), 'dave to join')
    const a = openPeer({ user: 'alice', room, nick: 'taken' })
    await waitFor(() => a.bridge.online, 'A to join under another nick')
    expect(a.bridge.self).toMatch(new RegExp(`^${room}/taken~[0-9a-f]+$`))
    expect(a.errors.map((e) => e.reason)).toEqual(['session'])
    expect(presences(a.page).filter(isSelfPresence).map((p) => p.attrs.from)).toEqual([a.bridge.self])
  })
})

describe('xmppBridge one to one', () => {
  it('exchanges island stanzas and presence with one peer', async () => {
    const aliceJid = `alice@${prosody.domain}/pa`
    const bobJid = `bob@${prosody.domain}/pb`
    const a = openPeer({ user: 'alice', resource: 'pa', peer: bobJid })
    const b = openPeer({ user: 'bob', resource: 'pb', peer: aliceJid })
    await waitFor(() => a.bridge.online && b.bridge.online, 'both online')
    // Whoever came first learns of the other when the other's directed presence arrives.
    await waitFor(
      () => presences(a.page).some((p) => p.attrs.from === bobJid) && presences(b.page).some((p) => p.attrs.from === aliceJid),
      'each to see the other’s presence',
    )
    // The synthesized self presence: status 110, from the page's own full JID.
    expect(presences(a.page).filter(isSelfPresence).map((p) => p.attrs.from)).toEqual([aliceJid])
    expect(a.bridge.self).toBe(aliceJid)

    a.page.send(islandStanza('doc', 'QUxJ'))
    await waitFor(() => islandMessages(b.page).length, 'B to receive')
    const [got] = islandMessages(b.page)
    expect(got!.attrs.from).toBe(aliceJid)
    expect(got!.attrs.type).toBe('chat')
    expect(payloadOf(got!)).toBe('QUxJ')
    b.page.send(islandStanza('doc', 'Qk9C'))
    await waitFor(() => islandMessages(a.page).length, 'A to receive')
    expect(islandMessages(a.page).map((m) => m.attrs.from)).toEqual([bobJid])

    // Someone else writing to A is not the peer.
    const carol = await plainClient({ service: prosody.websocketUrl, domain: prosody.domain, user: 'carol', password: password('carol') })
    cleanups.push(() => carol.stop())
    await carol.xmpp.send(xml('message', { to: aliceJid, type: 'chat' }, xml('island', { xmlns: NS_ISLANDS, name: 'doc' }, 'Q0FS')))
    await waitFor(() => a.bridge.stats.droppedBy.stranger >= 1, 'A to drop carol’s stanza')
    expect(islandMessages(a.page)).toHaveLength(1)

    await b.bridge.close()
    await waitFor(
      () => presences(a.page).some((p) => p.attrs.from === bobJid && p.attrs.type === 'unavailable'),
      'A to hear that B left',
    )
  })
})

/** Resolves with the time when the next child lands in a page's #xmpp-incoming. */
function nextIncoming(page: Page): Promise<number> {
  return new Promise((resolve) => {
    const observer = new page.window.MutationObserver(() => {
      observer.disconnect()
      resolve(performance.now())
    })
    observer.observe(page.incoming as never, { childList: true })
  })
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!

describe('xmppBridge sizes, latency and login', () => {
  it('carries a stanza that fits one browser WebSocket message, refuses a larger one before sending it, and stays connected', async () => {
    const [a, b] = await inRoom(newRoom(), [{ user: 'alice' }, { user: 'bob' }])
    // 64 KiB with to/type/xmlns, less room for a resend's <delay/>: 63 KiB of payload fits.
    const big = 'A'.repeat(63 * 1024)
    const t0 = performance.now()
    a!.page.send(islandStanza('doc', big))
    await waitFor(() => islandMessages(b!.page).length === 1, 'the 63 KiB stanza to arrive')
    console.info(`63 KiB stanza A -> B: ${(performance.now() - t0).toFixed(1)} ms`)
    expect(payloadOf(islandMessages(b!.page)[0]!)).toHaveLength(big.length)

    // Node's ws would send this in one frame and Prosody would take it; a browser would split
    // it and be cut off. The bridge refuses it alike everywhere.
    a!.page.send(islandStanza('doc', 'A'.repeat(64 * 1024)))
    a!.page.send(islandStanza('doc', 'QUZURVI='))
    await waitFor(() => islandMessages(b!.page).length === 2, 'the next stanza to arrive')
    expect(a!.errors.map((e) => e.reason)).toEqual(['too-large'])
    expect(a!.errors[0]!.message).toMatch(/stanza of \d+ bytes not sent/)
    expect(a!.bridge.stats.reconnects).toBe(0)
    expect(payloadOf(islandMessages(b!.page)[1]!)).toBe('QUZURVI=')
  })

  it('says so when the server closes the stream over a stanza, and does not loop sending it again', async () => {
    // Node's ws sends any message in one frame: with the bridge's bound raised past Prosody's
    // c2s_stanza_size_limit (256 KiB), Prosody itself refuses the stanza (policy-violation).
    const [a, b] = await inRoom(newRoom(), [{ user: 'alice', maxStanzaBytes: 1024 * 1024 }, { user: 'bob' }])
    // As the engine does on every rejoin: send the state again, a little different each time.
    let sends = 0
    const sendState = (): void => a!.page.send(islandStanza('doc', 'A'.repeat(300 * 1024 - 4 * ++sends)))
    a!.bridge.addEventListener('online', sendState)
    sendState()
    await waitFor(() => a!.errors.some((e) => e.reason === 'refused'), 'the refusal to be reported')
    await waitFor(() => a!.bridge.online && sends === 2, 'the rejoin, and the state written again')
    // Several backoff periods (50-400 ms): a loop would have shown by now.
    await new Promise((r) => setTimeout(r, 2000))
    expect(a!.errors.map((e) => e.reason)).toEqual(['refused', 'too-large'])
    expect(a!.errors[0]).toMatchObject({ condition: 'policy-violation' })
    expect(a!.errors[0]!.stanza).toHaveLength(300 * 1024 - 4 + islandStanza('doc', '').length)
    expect(a!.errors[1]!.message).toMatch(/no longer sent/)
    expect(a!.bridge.stats.reconnects).toBe(1)
    expect(sends).toBe(2)
    // The session is usable throughout: the next stanza arrives.
    a!.page.send(islandStanza('doc', 'QUZURVI='))
    await waitFor(() => islandMessages(b!.page).some((m) => payloadOf(m) === 'QUZURVI='), 'a stanza after the refusal')
    expect(islandMessages(b!.page).map(payloadOf)).toEqual(['QUZURVI='])
  })

  it('delivers 1 KiB room messages in a few milliseconds', async () => {
    const [a, b] = await inRoom(newRoom(), [{ user: 'alice' }, { user: 'bob' }])
    const payload = 'B'.repeat(1024)
    const times: number[] = []
    for (let i = 0; i < 50; i++) {
      const arrived = nextIncoming(b!.page)
      const t0 = performance.now()
      a!.page.send(islandStanza('doc', payload))
      times.push((await arrived) - t0)
    }
    times.sort((x, y) => x - y)
    console.info(`1 KiB through the room, A -> B: p50 ${percentile(times, 0.5).toFixed(2)} ms, p99 ${percentile(times, 0.99).toFixed(2)} ms`)
    expect(islandMessages(b!.page)).toHaveLength(50)
    expect(percentile(times, 0.5)).toBeLessThan(50)
  })

  it('logs in where crypto.randomUUID is missing, as on a plain-http page', async () => {
    const crypto = globalThis.crypto as { randomUUID?: unknown }
    expect(typeof crypto.randomUUID).toBe('function')
    // An own property that hides Crypto.prototype.randomUUID; deleting it brings that back.
    Object.defineProperty(crypto, 'randomUUID', { value: undefined, configurable: true })
    try {
      const [a, b] = await inRoom(newRoom(), [{}, {}])
      a!.page.send(islandStanza('doc', 'AQ=='))
      await waitFor(() => islandMessages(b!.page).length, 'the stanza to arrive')
      expect(a!.errors).toEqual([])
    } finally {
      delete crypto.randomUUID
    }
    expect(typeof crypto.randomUUID).toBe('function')
  })

  it('reports refused credentials once, and does not retry', async () => {
    const page = makePage()
    cleanups.push(() => page.close())
    const bridge = xmppBridge({
      service: prosody.websocketUrl,
      jid: `alice@${prosody.domain}`,
      password: 'wrong',
      room: newRoom(),
      document: page.document,
      WebSocket: WS,
      backoff: FAST_BACKOFF,
    })
    cleanups.push(() => bridge.close())
    const errors: XmppBridgeErrorDetail[] = []
    bridge.addEventListener('error', (e) => errors.push((e as CustomEvent<XmppBridgeErrorDetail>).detail))
    await waitFor(() => errors.length, 'the refusal')
    // Several backoff periods: a retry would have shown by now.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(errors.map((e) => e.reason)).toEqual(['auth'])
    expect(errors[0]!.message).toMatch(/not-authorized/)
    expect(bridge.online).toBe(false)
  })
})

/** A WebSocket whose connections the test can cut, and refuse, at will. */
function gatedWebSocket() {
  const state = { blocked: false, sockets: new Set<WS>() }
  class Gated extends WS {
    constructor(url: string, protocols?: string | string[]) {
      // Port 1 on loopback: connection refused, as from a server that is down.
      super(state.blocked ? 'ws://127.0.0.1:1/' : url, protocols)
      state.sockets.add(this)
      this.once('close', () => state.sockets.delete(this))
    }
  }
  return {
    Gated,
    cut() {
      state.blocked = true
      for (const socket of state.sockets) socket.terminate()
    },
    heal() {
      state.blocked = false
    },
  }
}

describe('xmppBridge backpressure', () => {
  it('leaves stanzas in #xmpp-outgoing while the connection is down, and sends them after the reconnect', async () => {
    // With stream management (PROSODY_SMACKS=1) the server holds A's session across the cut and
    // A resumes it: nobody leaves, nobody rejoins (docs/PROTOCOL.md, "Across a cut").
    const resumes = prosody.smacks
    const gate = gatedWebSocket()
    const [a, b] = await inRoom(newRoom(), [{ user: 'alice', WebSocket: gate.Gated }, { user: 'bob' }])
    const aSelf = a!.bridge.self
    let offline = 0
    a!.bridge.addEventListener('offline', () => offline++)
    gate.cut()
    await waitFor(() => !a!.bridge.online, 'A to notice the cut')
    expect(offline).toBe(1)
    for (const payload of ['MQ==', 'Mg==', 'Mw==']) a!.page.send(islandStanza('doc', payload))
    // Let several reconnects fail while the stanzas wait.
    await waitFor(() => a!.errors.filter((e) => e.reason === 'connection').length >= 3, 'failed reconnects')
    expect(a!.page.outgoing.children).toHaveLength(3)
    expect(a!.bridge.stats.sent).toBe(0)
    // B's side: without resumption the server saw A go; with it, A is held in the room.
    if (!resumes) await waitFor(() => presences(b!.page).some((p) => p.attrs.from === aSelf && p.attrs.type === 'unavailable'), 'B to see A leave')

    gate.heal()
    await waitFor(() => islandMessages(b!.page).length === 3, 'B to receive what waited', 10_000)
    expect(islandMessages(b!.page).map(payloadOf)).toEqual(['MQ==', 'Mg==', 'Mw=='])
    expect(a!.page.outgoing.children).toHaveLength(0)
    const aboutB = presences(a!.page).filter((p) => p.attrs.from === b!.bridge.self)
    if (resumes) {
      // Resumed: the same session, no rejoin and no word that B left. The server redelivers what
      // A had not acknowledged before the cut (XEP-0198 §5), which may be its self-presence.
      // Under load a resumption sometimes still ends in a fresh join (noted in issue 10): then A
      // was told B left and is told it is back. Either way nothing is lost and B is listed.
      expect(presences(a!.page).filter(isSelfPresence).length).toBeLessThanOrEqual(2)
      expect(a!.bridge.stats.resumptions).toBe(1)
      expect(aboutB.at(-1)?.attrs.type).toBeUndefined()
      if (aboutB.length === 1) expect(presences(b!.page).some((p) => p.attrs.from === aSelf && p.attrs.type === 'unavailable')).toBe(false)
      return
    }
    // The rejoin gave A a fresh self presence: the engine's cue to run the sync handshake again.
    expect(presences(a!.page).filter(isSelfPresence)).toHaveLength(2)
    expect(a!.bridge.stats.reconnects).toBe(1)
    // While A was away it was told B left; the rejoin tells it B is there.
    expect(aboutB.map((p) => p.attrs.type ?? 'available').slice(-2)).toEqual(['unavailable', 'available'])
  })

  it('stops reading #xmpp-outgoing while the socket is behind, and resumes when it drains', async () => {
    const buffer = { bytes: 0 }
    const [a, b] = await inRoom(newRoom(), [
      { user: 'alice', bufferedAmount: () => buffer.bytes, highWaterMark: 1000, lowWaterMark: 100, drainInterval: 5 },
      { user: 'bob' },
    ])
    buffer.bytes = 5000
    for (const payload of ['MQ==', 'Mg==', 'Mw==']) a!.page.send(islandStanza('doc', payload))
    await waitFor(() => islandMessages(b!.page).length === 1, 'the first stanza to go')
    // Still behind: the rest waits in the DOM, where the engine can merge it.
    await waitFor(() => a!.page.outgoing.children.length === 2, 'two stanzas to stay in the DOM')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(a!.page.outgoing.children).toHaveLength(2)
    buffer.bytes = 500 // under the high mark, still over the low one
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(a!.page.outgoing.children).toHaveLength(2)
    buffer.bytes = 0
    await waitFor(() => islandMessages(b!.page).length === 3, 'the rest to go')
    expect(islandMessages(b!.page).map(payloadOf)).toEqual(['MQ==', 'Mg==', 'Mw=='])
  })
})

describe('xmppBridge through a Prosody restart', () => {
  it('reconnects and rejoins by itself, and sends what was written meanwhile', async () => {
    const server = await startProsody({ accounts: USERS.map((user) => ({ user, password: password(user) })) })
    cleanups.push(() => server.stop())
    const room = `restart@${server.mucDomain}`
    const [a, b] = await inRoom(room, [
      { user: 'alice', server },
      { user: 'bob', server },
    ])
    await server.kill()
    await waitFor(() => !a!.bridge.online && !b!.bridge.online, 'both to notice the crash')
    a!.page.send(islandStanza('doc', 'RFVSSU5H')) // "DURING"
    const t0 = performance.now()
    await server.restart()
    await waitFor(() => a!.bridge.online && b!.bridge.online, 'both to rejoin', 10_000)
    console.info(`rejoined ${(performance.now() - t0).toFixed(0)} ms after the restart began`)
    // Sent once A was back in the room. It reaches whoever is in the room by then, which B may not
    // be yet: the engine's handshake on B's fresh self presence is what carries state across.
    await waitFor(() => a!.bridge.stats.sent === 1 && a!.page.outgoing.children.length === 0, 'the waiting stanza to go')
    for (const p of [a!, b!]) {
      expect(presences(p.page).filter(isSelfPresence)).toHaveLength(2)
      expect(p.bridge.stats.reconnects).toBe(1)
    }
    // On the loss each page was told the other left; the rejoin says the other is back.
    const lastAbout = (p: Page, jid: string | undefined) => presences(p).filter((el) => el.attrs.from === jid).at(-1)
    await waitFor(
      () => lastAbout(a!.page, b!.bridge.self)?.attrs.type === undefined && lastAbout(b!.page, a!.bridge.self)?.attrs.type === undefined,
      'each to see the other back in the room',
    )
    b!.page.send(islandStanza('doc', 'QUZURVI=')) // "AFTER"
    await waitFor(() => islandMessages(a!.page).length === 1, 'traffic after the restart')
    expect(islandMessages(a!.page)[0]!.attrs.from).toBe(b!.bridge.self)
  })
})
