// XEP-0198 stream management across network cuts, on a real Prosody with mod_smacks loaded and
// without it: the engine and the XMPP bridge on happy-dom pages, one page's link through a TCP
// proxy that cuts it (proxy.ts). With resumption nothing is lost and nobody rejoins; without it
// (or past the server's hibernation time) the page logs in afresh, rejoins and loses nothing
// either; a ghost (a hibernated session of a page that came back as someone else) is dropped.
// Timings are printed (the figures), never asserted: the machine is shared.
import WS from 'ws'
import { client as xmppClient } from '@xmpp/client'
import { HTMLElement as HappyHTMLElement } from 'happy-dom'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startProsody, type ProsodyInstance } from '../../scripts/prosody.mjs'
import { syncIslands, type Session, type SyncErrorDetail } from '../../index.js'
import { xmppBridge, type XmppBridge, type XmppClient, type XmppClientOptions } from '../../src/bridge/xmpp.js'
import { canonicalDom } from '../../src/binding/canonical.js'
import { islandMessages, islandStanza, makePage, payloadOf, presences, waitFor, type Page } from './support.js'
import { cuttableLink, type CuttableLink } from './proxy.js'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const BACKOFF = { minDelay: 50, maxDelay: 400 }
const USERS = ['ann', 'ben', 'cat'] as const
const password = (user: string): string => `${user}-pw`

/** Milliseconds, printed for the note (never asserted). */
const figures: Record<string, number> = {}
afterAll(() => {
  if (Object.keys(figures).length) console.log(`stream management figures (ms): ${JSON.stringify(figures)}`)
})

interface SyncedPage {
  page: Page
  session: Session
  bridge: XmppBridge
  errors: SyncErrorDetail[]
  /** Fresh logins (the client's `online`: a resumed stream has none). */
  logins: number
  /** Stanzas stream management reported as failed. */
  failed: number
  peerEvents: string[]
  island(): Element
}

describe.each([{ smacks: false }, { smacks: true }])('mod_smacks $smacks', ({ smacks }) => {
  let prosody: ProsodyInstance
  const cleanups: Array<() => Promise<void> | void> = []

  beforeAll(async () => {
    // morphdom (the engine's adoption patch) tests `x instanceof HTMLElement` against the global.
    ;(globalThis as { HTMLElement?: unknown }).HTMLElement ??= HappyHTMLElement
    prosody = await startProsody({ smacks, accounts: USERS.map((user) => ({ user, password: password(user) })) })
  })
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })
  afterAll(async () => {
    await prosody?.stop()
  })

  const throughLink = (server: ProsodyInstance, link: CuttableLink): string => server.websocketUrl.replace(`:${server.httpPort}/`, `:${link.port}/`)
  const newLink = async (server: ProsodyInstance): Promise<CuttableLink> => {
    const link = await cuttableLink(server.httpPort)
    cleanups.push(() => link.close())
    return link
  }

  function openPage(
    room: string,
    html: string,
    opts: { server?: ProsodyInstance; service?: string; user?: (typeof USERS)[number]; nick?: string } = {},
  ): SyncedPage {
    const server = opts.server ?? prosody
    const page = makePage()
    page.document.body.insertAdjacentHTML('afterbegin', html)
    const session = syncIslands({ root: page.document })
    const p: SyncedPage = {
      page,
      session,
      bridge: undefined as unknown as XmppBridge,
      errors: [],
      logins: 0,
      failed: 0,
      peerEvents: [],
      island: () => page.document.querySelector('[data-sync-island="main"]')!,
    }
    session.addEventListener('sync-error', (e) => p.errors.push((e as CustomEvent<SyncErrorDetail>).detail))
    for (const type of ['peer-join', 'peer-leave']) {
      session.addEventListener(type, (e) => p.peerEvents.push(`${type === 'peer-join' ? '+' : '-'}${(e as CustomEvent<{ peer: string }>).detail.peer}`))
    }
    p.bridge = xmppBridge({
      service: opts.service ?? server.websocketUrl,
      ...(opts.user ? { jid: `${opts.user}@${server.domain}`, password: password(opts.user) } : { domain: server.anonDomain }),
      room,
      ...(opts.nick && { nick: opts.nick }),
      document: page.document,
      WebSocket: WS,
      backoff: BACKOFF,
      client: (options: XmppClientOptions) => {
        const c = xmppClient(options) as unknown as XmppClient
        c.on('online', () => p.logins++)
        c.streamManagement?.on('fail', () => p.failed++)
        return c
      },
    })
    cleanups.push(() => page.close())
    cleanups.push(() => session.stop())
    cleanups.push(() => p.bridge.close())
    return p
  }

  const canon = (p: SyncedPage): string => canonicalDom(p.island(), p.session.islands.get('main')?.policy)
  const ids = (p: SyncedPage): string[] => Array.from(p.island().querySelectorAll('li'), (li) => li.id).sort()
  const add = (p: SyncedPage, id: string): void => {
    const li = p.page.document.createElement('li')
    li.id = id
    li.textContent = id
    p.island().querySelector('ul')!.appendChild(li)
  }
  const synced = (p: SyncedPage): boolean => p.session.islands.get('main')?.state === 'synced'
  const LIST = '<div data-sync-island="main"><ul></ul></div>'

  /** Both pages edit for `ms` while B's link is down; returns the ids written. */
  async function editWhileCut(a: SyncedPage, b: SyncedPage, link: CuttableLink, ms: number, tag: string): Promise<string[]> {
    const written: string[] = []
    // Written and sent just before the cut: not yet acknowledged (the client asks 250 ms later).
    add(b, `${tag}-b-last`)
    written.push(`${tag}-b-last`)
    await sleep(5)
    link.cut()
    await waitFor(() => !b.bridge.online, 'B to notice the cut')
    const started = Date.now()
    for (let i = 0; Date.now() - started < ms; i++) {
      for (const [p, who] of [[a, 'a'], [b, 'b']] as const) {
        add(p, `${tag}-${who}-${i}`)
        written.push(`${tag}-${who}-${i}`)
      }
      if (i % 3 === 0) a.island().querySelector('li')?.setAttribute('class', `a${i}`)
      await sleep(250)
    }
    return written
  }

  it('a 3 s cut while both pages edit: every edit on both pages, the peers list right throughout', async () => {
    const link = await newLink(prosody)
    const room = `cut3-${Date.now().toString(36)}@${prosody.mucDomain}`
    const a = openPage(room, LIST, { user: 'ann' })
    await waitFor(() => a.session.self, 'A to join')
    const b = openPage(room, LIST, { user: 'ben', service: throughLink(prosody, link) })
    await waitFor(() => a.session.peers.size === 1 && b.session.peers.size === 1 && synced(a) && synced(b), 'both synced')
    add(a, 'a-before')
    add(b, 'b-before')
    await waitFor(() => ids(a).length === 2 && canon(a) === canon(b), 'both before the cut')
    const [aSelf, bSelf] = [a.session.self!, b.session.self!]
    a.peerEvents.length = b.peerEvents.length = 0

    const written = await editWhileCut(a, b, link, 3000, 'cut')
    link.restore()
    const restored = performance.now()
    const expected = ['a-before', 'b-before', ...written].sort()
    await waitFor(() => ids(a).join() === expected.join() && ids(b).join() === expected.join() && canon(a) === canon(b), 'every edit on both pages', 30_000, 2)
    figures[`cut_3s_recovered_smacks_${smacks ? 'on' : 'off'}`] = Math.round(performance.now() - restored)
    await waitFor(() => b.bridge.online, 'B online')

    expect(a.session.peers).toEqual(new Set([b.session.self]))
    expect(b.session.peers).toEqual(new Set([aSelf]))
    expect([a, b].flatMap((p) => p.errors)).toEqual([])
    // A resent update is live traffic: none was taken for a replay.
    expect(a.bridge.stats.droppedBy.replayed + b.bridge.stats.droppedBy.replayed).toBe(0)
    if (smacks) {
      // Resumed: no fresh login, no rejoin (so no handshake), and nobody ever seemed to leave.
      expect(b.logins).toBe(1)
      expect(b.bridge.stats.resumptions).toBe(1)
      expect(b.bridge.stats.reconnects).toBe(0)
      expect(b.session.self).toBe(bSelf)
      expect(a.peerEvents).toEqual([])
      expect(b.peerEvents).toEqual([])
    } else {
      expect(b.logins).toBe(2)
      expect(b.bridge.stats.reconnects).toBe(1)
      // Told A left on the cut, and that it is back on the rejoin; A saw B go and come back.
      expect(b.peerEvents).toEqual([`-${aSelf}`, `+${aSelf}`])
      expect(a.peerEvents).toEqual([`-${bSelf}`, `+${b.session.self}`])
    }
  }, 60_000)

  it('a cut longer than the server keeps sessions: a fresh login and a rejoin, nothing lost', async () => {
    // A server of its own that forgets a dropped session after 1 s.
    const server = await startProsody({ smacks, smacksHibernation: 1, accounts: USERS.map((user) => ({ user, password: password(user) })) })
    cleanups.push(() => server.stop())
    const link = await newLink(server)
    const room = `long@${server.mucDomain}`
    const a = openPage(room, LIST, { server, user: 'ann' })
    await waitFor(() => a.session.self, 'A to join')
    const b = openPage(room, LIST, { server, user: 'ben', service: throughLink(server, link) })
    await waitFor(() => a.session.peers.size === 1 && b.session.peers.size === 1 && synced(a) && synced(b), 'both synced')
    const aSelf = a.session.self!

    const written = await editWhileCut(a, b, link, 3000, 'long')
    link.restore()
    const restored = performance.now()
    const expected = [...written].sort()
    await waitFor(() => ids(a).join() === expected.join() && ids(b).join() === expected.join() && canon(a) === canon(b), 'every edit on both pages', 30_000, 2)
    figures[`cut_past_hibernation_recovered_smacks_${smacks ? 'on' : 'off'}`] = Math.round(performance.now() - restored)
    await waitFor(() => b.bridge.online && a.session.peers.size === 1, 'B back in the room')
    expect(b.logins).toBe(2)
    expect(b.bridge.stats.resumptions).toBe(0)
    expect(b.bridge.stats.reconnects).toBe(1)
    expect(a.session.peers).toEqual(new Set([b.session.self]))
    expect(b.session.peers).toEqual(new Set([aSelf]))
    // Told everyone left (at the latest when the server's hibernation time ran out), then the rejoin.
    expect(b.peerEvents.slice(-2)).toEqual([`-${aSelf}`, `+${aSelf}`])
    expect([a, b].flatMap((p) => p.errors)).toEqual([])
  }, 60_000)

  it('an anonymous page that comes back as someone else leaves no ghost, and a joiner never waits for one', async () => {
    const link = await newLink(prosody)
    const room = `ghost-${Date.now().toString(36)}@${prosody.mucDomain}`
    // Nick `a` sorts first: a ghost of it would be the synced peer everyone leaves the answering to.
    const b = openPage(room, LIST, { nick: 'a', service: throughLink(prosody, link) })
    await waitFor(() => b.session.self, 'B to join')
    const a = openPage(room, LIST, { nick: 'b' })
    await waitFor(() => a.session.peers.size === 1 && b.session.peers.size === 1 && synced(a) && synced(b), 'both synced')
    add(b, 'b-before')
    await waitFor(() => ids(a).length === 1, 'B’s edit at A')
    const old = b.session.self!

    link.cut()
    await waitFor(() => !b.bridge.online, 'B to notice the cut')
    await sleep(1000)
    link.restore()
    // An anonymous login cannot be resumed (Prosody ties resumption to the account): B logs in
    // afresh, under another nick if its hibernated session still holds the old one.
    await waitFor(() => b.bridge.online && b.session.self !== undefined, 'B back', 20_000, 2)
    const back = performance.now()
    await waitFor(() => a.session.peers.size === 1 && a.session.peers.has(b.session.self!), 'A to list B’s new self alone', 20_000, 1)
    figures[`ghost_gone_after_rejoin_smacks_${smacks ? 'on' : 'off'}`] = Math.round(performance.now() - back)
    expect(b.logins).toBe(2)
    if (smacks) {
      expect(b.session.self).not.toBe(old)
      expect(a.bridge.stats.ghosts).toBe(1)
    }
    expect(b.session.peers).toEqual(new Set([a.session.self]))

    // A joiner is shown the room's occupants, the ghost among them when there is one.
    const started = performance.now()
    const c = openPage(room, '<div data-sync-island="main"><ul><li id="stale">stale</li></ul></div>', { nick: 'c' })
    await waitFor(() => synced(c) && ids(c).join() === 'b-before', 'C to adopt the room’s state', 20_000, 2)
    figures[`joiner_synced_smacks_${smacks ? 'on' : 'off'}`] = Math.round(performance.now() - started)
    expect(c.session.islands.get('main')!.retries).toBe(0)
    expect(c.session.peers).toEqual(new Set([a.session.self, b.session.self]))
    if (b.session.self !== old) expect(c.peerEvents).not.toContain(`+${old}`)
    expect([a, b, c].flatMap((p) => p.errors)).toEqual([])
  }, 60_000)

  it('a page that goes away (pagehide) closes its stream: the others see it leave at once', async () => {
    const room = `hide-${Date.now().toString(36)}@${prosody.mucDomain}`
    const a = openPage(room, LIST, { user: 'ann' })
    await waitFor(() => a.session.self, 'A to join')
    const b = openPage(room, LIST, { user: 'ben' })
    await waitFor(() => a.session.peers.size === 1 && synced(b), 'both in the room')
    const t0 = performance.now()
    b.page.window.dispatchEvent(new b.page.window.Event('pagehide'))
    await waitFor(() => a.session.peers.size === 0, 'A to see B leave', 5000, 1)
    figures[`pagehide_seen_leaving_smacks_${smacks ? 'on' : 'off'}`] = Math.round(performance.now() - t0)
    expect(b.bridge.online).toBe(false)
  })

  it('a page kept in the back/forward cache leaves the same way, and is back and synced when it is shown again', async () => {
    const room = `bfcache-${Date.now().toString(36)}@${prosody.mucDomain}`
    const a = openPage(room, LIST, { user: 'ann' })
    await waitFor(() => a.session.self, 'A to join')
    const b = openPage(room, LIST, { user: 'ben' })
    await waitFor(() => a.session.peers.size === 1 && synced(b), 'both in the room')
    const Transition = (type: string) => Object.assign(new b.page.window.Event(type), { persisted: true })
    b.page.window.dispatchEvent(Transition('pagehide'))
    await waitFor(() => a.session.peers.size === 0, 'A to see B leave', 5000, 1)
    // Meanwhile A edits; B, in the cache, is not there to see it.
    const li = a.page.document.createElement('li')
    li.id = 'while-away'
    a.island().querySelector('ul')!.appendChild(li)
    b.page.window.dispatchEvent(Transition('pageshow'))
    await waitFor(() => b.bridge.online && a.session.peers.size === 1, 'B back in the room', 10_000)
    await waitFor(() => b.page.document.getElementById('while-away'), 'A’s edit on B', 10_000)
    expect([a, b].flatMap((p) => p.errors)).toEqual([])
  })
})

describe('xmppBridge with mod_smacks, no engine', () => {
  let prosody: ProsodyInstance
  const cleanups: Array<() => Promise<void> | void> = []
  beforeAll(async () => {
    prosody = await startProsody({ smacks: true })
  })
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })
  afterAll(async () => {
    await prosody?.stop()
  })

  it('sends again what stream management reports as failed, once the session is back', async () => {
    const link = await cuttableLink(prosody.httpPort)
    cleanups.push(() => link.close())
    const room = `fail-${Date.now().toString(36)}@${prosody.mucDomain}`
    const open = (service: string, nick: string) => {
      const page = makePage()
      const failed: string[] = []
      const bridge = xmppBridge({
        service,
        domain: prosody.anonDomain,
        room,
        nick,
        document: page.document,
        WebSocket: WS,
        backoff: BACKOFF,
        client: (options: XmppClientOptions) => {
          const c = xmppClient(options) as unknown as XmppClient
          c.streamManagement?.on('fail', (el: { toString(): string }) => failed.push(el.toString()))
          return c
        },
      })
      cleanups.push(() => page.close())
      cleanups.push(() => bridge.close())
      return { page, bridge, failed }
    }
    const b = open(prosody.websocketUrl, 'b')
    const a = open(prosody.websocketUrl.replace(`:${prosody.httpPort}/`, `:${link.port}/`), 'a')
    await waitFor(() => a.bridge.online && b.bridge.online && presences(b.page).some((p) => p.attrs.from === a.bridge.self), 'both in the room')
    const old = a.bridge.self
    a.page.send(islandStanza('doc', 'VU5BQ0tFRA==')) // "UNACKED"
    // Delivered, and cut before the client asks for the server's acknowledgement (250 ms later).
    await waitFor(() => islandMessages(b.page).length === 1, 'B to receive it', 1000, 1)
    link.cut()
    await waitFor(() => !a.bridge.online, 'A to notice the cut')
    link.restore()
    // Anonymous: the resumption is refused, the unacknowledged stanza is reported failed.
    await waitFor(() => a.bridge.online && a.bridge.self !== old, 'A back as a new occupant', 20_000)
    await waitFor(() => islandMessages(b.page).length === 2, 'the failed stanza sent again', 5000)
    expect(a.failed.filter((s) => s.includes('VU5BQ0tFRA=='))).toHaveLength(1)
    const [first, again] = islandMessages(b.page)
    expect([payloadOf(first!), payloadOf(again!)]).toEqual(['VU5BQ0tFRA==', 'VU5BQ0tFRA=='])
    expect([first!.attrs.from, again!.attrs.from]).toEqual([old, a.bridge.self])
    expect(a.page.outgoing.children).toHaveLength(0)
    // B was told the old occupant is a ghost as soon as its successor named it.
    expect(b.bridge.stats.ghosts).toBe(1)
    const aboutOld = presences(b.page).filter((p) => p.attrs.from === old)
    expect(aboutOld.map((p) => p.attrs.type ?? 'available')).toEqual(['available', 'unavailable'])
  })
})
