// The engine and the XMPP bridge together, through the real Prosody: islands on separate pages
// (happy-dom windows) converge, a late joiner adopts the room's state, and a rejoin after a
// server crash re-syncs edits made while apart.
import WS from 'ws'
import { HTMLElement as HappyHTMLElement } from 'happy-dom'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startProsody, type ProsodyInstance } from '../../scripts/prosody.mjs'
import { syncIslands, type Session, type SyncErrorDetail } from '../../index.js'
import { xmppBridge, type XmppBridge } from '../../src/bridge/xmpp.js'
import { islandStanza, makePage, waitFor, type Page } from './support.js'
import { cuttableLink } from './proxy.js'
import { canonicalDom } from '../../src/binding/canonical.js'
import { HTML_ISLAND, randomEdit, Rng, SVG_ISLAND } from '../helpers/random-edits.js'
import { toBase64 } from '../../src/protocol/base64.js'
import { encodeMessages } from '../../src/protocol/messages.js'

let prosody: ProsodyInstance
const cleanups: Array<() => Promise<void> | void> = []

beforeAll(async () => {
  // morphdom (the engine's adoption patch) tests `x instanceof HTMLElement` against the global,
  // which a browser page always has and this node environment lacks: its pages are windows.
  ;(globalThis as { HTMLElement?: unknown }).HTMLElement ??= HappyHTMLElement
  prosody = await startProsody()
})
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})
afterAll(async () => {
  await prosody?.stop()
})

interface SyncedPage {
  page: Page
  session: Session
  bridge: XmppBridge
  errors: SyncErrorDetail[]
  island(name?: string): Element
}

function openSyncedPage(
  room: string,
  html: string,
  server: ProsodyInstance = prosody,
  opts: { service?: string; peer?: string; jid?: string; resource?: string; password?: string } = {},
): SyncedPage {
  const page = makePage()
  page.document.body.insertAdjacentHTML('afterbegin', html)
  const session = syncIslands({ root: page.document })
  const errors: SyncErrorDetail[] = []
  session.addEventListener('sync-error', (e) => errors.push((e as CustomEvent<SyncErrorDetail>).detail))
  const bridge = xmppBridge({
    service: opts.service ?? server.websocketUrl,
    ...(opts.jid ? { jid: opts.jid, password: opts.password ?? '', resource: opts.resource ?? 'tab' } : { domain: server.anonDomain }),
    ...(opts.peer ? { peer: opts.peer } : { room }),
    document: page.document,
    WebSocket: WS,
    backoff: { minDelay: 50, maxDelay: 400 },
  })
  cleanups.push(() => page.close())
  cleanups.push(() => session.stop())
  cleanups.push(() => bridge.close())
  return { page, session, bridge, errors, island: (name = 'main') => page.document.querySelector(`[data-sync-island="${name}"]`)! }
}

const html = (p: SyncedPage): string => p.island().innerHTML

describe('islands through Prosody', () => {
  it('a late joiner adopts the room’s state, and edits flow both ways', async () => {
    const room = `engine-${Date.now().toString(36)}@${prosody.mucDomain}`
    const a = openSyncedPage(room, '<div data-sync-island="main"><p>hello</p></div>')
    await waitFor(() => a.session.self, 'A to know itself')
    const b = openSyncedPage(room, '<div data-sync-island="main"><p>stale</p></div>')
    await waitFor(() => html(b) === '<p>hello</p>', 'B to adopt A’s state')

    a.island().querySelector('p')!.textContent = 'hello world'
    await waitFor(() => html(b) === '<p>hello world</p>', 'A’s edit to reach B')
    const span = b.page.document.createElement('span')
    span.textContent = 'from b'
    b.island().appendChild(span)
    await waitFor(() => html(a) === '<p>hello world</p><span>from b</span>', 'B’s edit to reach A')

    const c = openSyncedPage(room, '<div data-sync-island="main"></div>')
    await waitFor(() => html(c) === html(a), 'C to adopt the state')
    expect([a, b, c].flatMap((p) => p.errors)).toEqual([])
  })

  it('converges after a server crash with both sides editing while apart', async () => {
    const server = await startProsody()
    cleanups.push(() => server.stop())
    const room = `crash@${server.mucDomain}`
    const a = openSyncedPage(room, '<div data-sync-island="main"><ul><li>one</li></ul></div>', server)
    await waitFor(() => a.session.self, 'A to know itself')
    const b = openSyncedPage(room, '<div data-sync-island="main"><ul><li>one</li></ul></div>', server)
    await waitFor(() => b.session.self && a.session.peers.size === 1, 'B to join')
    await waitFor(() => html(a) === html(b), 'both to agree')

    await server.kill()
    await waitFor(() => !a.bridge.online && !b.bridge.online, 'both to notice the crash')
    const li = (p: SyncedPage, text: string): void => {
      const el = p.page.document.createElement('li')
      el.textContent = text
      p.island().querySelector('ul')!.appendChild(el)
    }
    li(a, 'from a, offline')
    li(b, 'from b, offline')
    await server.restart()
    await waitFor(() => a.bridge.online && b.bridge.online, 'both to rejoin')
    await waitFor(() => html(a) === html(b) && html(a).includes('from a, offline') && html(a).includes('from b, offline'), 'both edits everywhere')
    expect(a.island().querySelectorAll('li')).toHaveLength(3)
  })
})

/** Milliseconds, printed for the issue note and the bench (never asserted: the machine is shared). */
const figures: Record<string, number> = {}
afterAll(() => {
  if (Object.keys(figures).length) console.log(`join figures (ms): ${JSON.stringify(figures)}`)
})

describe('joins through Prosody: one round trip, no retry', () => {
  const islandOf = (p: SyncedPage) => p.session.islands.get('main')!

  for (const size of [2, 4]) {
    it(`${size} pages opened at the same moment are synced with no retry, and exchange edits`, async () => {
      const room = `together${size}-${Date.now().toString(36)}@${prosody.mucDomain}`
      const started = performance.now()
      const pages = Array.from({ length: size }, () => openSyncedPage(room, '<div data-sync-island="main"><ul><li>one</li></ul></div>'))
      await waitFor(() => pages.every((p) => islandOf(p).state === 'synced' && p.session.peers.size === size - 1), 'every page to be synced, with every peer listed')
      figures[`together_${size}_synced`] = Math.round(performance.now() - started)
      for (const p of pages) expect(islandOf(p).retries).toBe(0)
      pages.forEach((p, i) => {
        const li = p.page.document.createElement('li')
        li.textContent = `from ${i}`
        p.island().querySelector('ul')!.appendChild(li)
      })
      await waitFor(() => pages.every((p) => p.island().querySelectorAll('li').length === size + 1 && html(p) === html(pages[0]!)), 'every edit on every page')
      expect(pages.flatMap((p) => p.errors)).toEqual([])
    })
  }

  it('after a server restart, two editing pages are back and converged: restart to online, online to converged', async () => {
    const server = await startProsody()
    cleanups.push(() => server.stop())
    const room = `restart@${server.mucDomain}`
    const a = openSyncedPage(room, '<div data-sync-island="main"><ul><li>one</li></ul></div>', server)
    const b = openSyncedPage(room, '<div data-sync-island="main"><ul><li>one</li></ul></div>', server)
    await waitFor(() => a.session.peers.size === 1 && b.session.peers.size === 1 && islandOf(a).state === 'synced' && islandOf(b).state === 'synced', 'both to be synced')
    await server.kill()
    await waitFor(() => !a.bridge.online && !b.bridge.online, 'both to notice the crash')
    for (const [p, text] of [[a, 'from a, offline'], [b, 'from b, offline']] as const) {
      const li = p.page.document.createElement('li')
      li.textContent = text
      p.island().querySelector('ul')!.appendChild(li)
    }
    const restarted = performance.now()
    await server.restart()
    await waitFor(() => a.bridge.online && b.bridge.online, 'both bridges online', 20_000, 2)
    const online = performance.now()
    await waitFor(() => html(a) === html(b) && a.island().querySelectorAll('li').length === 3, 'both edits on both pages', 20_000, 2)
    const converged = performance.now()
    figures.restart_to_online = Math.round(online - restarted)
    figures.online_to_converged = Math.round(converged - online)
    for (const p of [a, b]) expect(islandOf(p).retries).toBe(0)
  })
})

const BOTH_KINDS = HTML_ISLAND.replace('data-sync-island="main"', 'data-sync-island="text"') + SVG_ISLAND.replace('data-sync-island="main"', 'data-sync-island="drawing"')
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const canon = (p: SyncedPage, name: string): string => canonicalDom(p.island(name), p.session.islands.get(name)?.policy)
const converged = (peers: SyncedPage[], names: string[]): boolean =>
  names.every((n) => peers.every((p) => canon(p, n) === canon(peers[0]!, n)))

describe('every island kind, through Prosody', () => {
  it('three pages in a room edit HTML and SVG islands at random at once, and converge', async () => {
    const room = `random-${Date.now().toString(36)}@${prosody.mucDomain}`
    const peers = [0, 1, 2].map(() => openSyncedPage(room, BOTH_KINDS))
    await waitFor(() => peers.every((p) => p.session.peers.size === 2), 'all three to see each other')
    const rng = new Rng(20261125)
    let uid = 0
    const log: string[] = []
    for (let round = 0; round < 40; round++) {
      for (const p of peers) for (const name of ['text', 'drawing']) log.push(randomEdit(rng, p.island(name), () => `x${uid++}`))
      await sleep(rng.int(30))
    }
    await waitFor(() => converged(peers, ['text', 'drawing']), `convergence after ${log.length} edits (seed 20261125)`, 20_000)
    expect(peers.flatMap((p) => p.errors)).toEqual([])
  })

  it('two pages one to one (no room) sync both island kinds', async () => {
    await prosody.createAccount('ann', 'pw-ann')
    await prosody.createAccount('bob', 'pw-bob')
    const ann = openSyncedPage('', BOTH_KINDS, prosody, { jid: `ann@${prosody.domain}`, password: 'pw-ann', peer: `bob@${prosody.domain}/tab` })
    const bob = openSyncedPage('', BOTH_KINDS, prosody, { jid: `bob@${prosody.domain}`, password: 'pw-bob', peer: `ann@${prosody.domain}/tab` })
    await waitFor(() => ann.session.peers.size === 1 && bob.session.peers.size === 1, 'each to see the other')
    ann.island('drawing').querySelector('rect')!.setAttribute('fill', 'purple')
    bob.island('text').querySelector('li')!.textContent = 'edited by bob'
    await waitFor(
      () => bob.island('drawing').querySelector('rect')!.getAttribute('fill') === 'purple' && ann.island('text').querySelector('li')!.textContent === 'edited by bob',
      'edits both ways',
    )
    await waitFor(() => converged([ann, bob], ['text', 'drawing']), 'convergence')
  })
})

describe('faults', () => {
  it('one page loses its connection for 10 s while both edit: every edit ends on both pages', async () => {
    const link = await cuttableLink(prosody.httpPort)
    cleanups.push(() => link.close())
    const room = `drop-${Date.now().toString(36)}@${prosody.mucDomain}`
    const page = '<div data-sync-island="main"><ul></ul></div>'
    const a = openSyncedPage(room, page)
    await waitFor(() => a.session.self, 'A to join')
    const b = openSyncedPage(room, page, prosody, { service: prosody.websocketUrl.replace(`:${prosody.httpPort}/`, `:${link.port}/`) })
    await waitFor(() => a.session.peers.size === 1 && b.session.peers.size === 1, 'both to see each other')
    const add = (p: SyncedPage, id: string): void => {
      const li = p.page.document.createElement('li')
      li.id = id
      li.textContent = id
      p.island().querySelector('ul')!.appendChild(li)
    }
    add(a, 'a-before')
    add(b, 'b-before')
    await waitFor(() => converged([a, b], ['main']) && a.island().querySelectorAll('li').length === 2, 'both before the fault')

    link.cut()
    await waitFor(() => !b.bridge.online, 'B to notice')
    const started = Date.now()
    let i = 0
    while (Date.now() - started < 10_000) {
      add(a, `a-during-${i}`)
      add(b, `b-during-${i}`)
      if (i % 3 === 0) a.island().querySelector('li')!.setAttribute('class', `a${i}`)
      i++
      await sleep(500)
    }
    link.restore()
    await waitFor(() => b.bridge.online, 'B to reconnect by itself', 20_000)
    await waitFor(() => converged([a, b], ['main']), 'both to converge', 20_000)
    const ids = Array.from(a.island().querySelectorAll('li'), (li) => li.id).sort()
    const expected = ['a-before', 'b-before', ...Array.from({ length: i }, (_, k) => [`a-during-${k}`, `b-during-${k}`]).flat()].sort()
    expect(ids).toEqual(expected)
    expect(b.bridge.stats.reconnects).toBeGreaterThan(0)
  }, 60_000)

  it('a hostile occupant sending malformed, oversized and misdirected payloads breaks nothing for the others', async () => {
    // A server that lets stanzas of 256 KiB through (Prosody's default; the site's config of
    // docs/DEPLOY.md stops them at 64 KiB itself, next test): the receivers must refuse.
    const server = await startProsody({ stanzaSizeLimit: 256 * 1024 })
    cleanups.push(() => server.stop())
    const room = `hostile-${Date.now().toString(36)}@${server.mucDomain}`
    const page = '<div data-sync-island="main"><p>ok</p></div>'
    const a = openSyncedPage(room, page, server)
    await waitFor(() => a.session.self, 'A to join')
    const b = openSyncedPage(room, page, server)
    await waitFor(() => b.session.peers.size === 1, 'B to join')
    // The hostile page has a bridge but no engine: it writes whatever it likes into its channel.
    const evil = makePage()
    // Its bridge's bound raised past one browser WebSocket message (Node's ws never splits one),
    // so that it can send a stanza over the receivers' maxStanzaChars.
    const evilBridge = xmppBridge({ service: server.websocketUrl, domain: server.anonDomain, room, nick: 'mallory', document: evil.document, WebSocket: WS, maxStanzaBytes: 250 * 1024 })
    cleanups.push(() => evil.close())
    cleanups.push(() => evilBridge.close())
    await waitFor(() => a.session.peers.size === 2, 'mallory to be in the room')
    const garbage = toBase64(encodeMessages([{ kind: 'update', update: Uint8Array.from({ length: 40 }, (_, k) => (k * 31) % 256) }]))
    evil.send(islandStanza('main', '!!!not base64!!!'))
    evil.send(islandStanza('main', garbage))
    evil.send(islandStanza('elsewhere', garbage))
    evil.send(islandStanza('main', 'A'.repeat(200_000)))
    await waitFor(() => a.errors.length >= 4 && b.errors.length >= 4, 'both to refuse all four')
    for (const p of [a, b]) {
      expect(p.errors.map((e) => e.condition).sort()).toEqual(['bad-base64', 'bad-update', 'too-large', 'unknown-island'])
      expect(p.errors.map((e) => e.peer), JSON.stringify(p.errors)).toEqual(Array(4).fill(`${room}/mallory`))
    }
    a.island().querySelector('p')!.textContent = 'still fine'
    await waitFor(() => b.island().textContent === 'still fine', 'the session to go on')
  })

  it("the site's config stops an oversized stanza at the server: the sender's stream is closed, the others see nothing of it", async () => {
    const room = `hostile-site-${Date.now().toString(36)}@${prosody.mucDomain}`
    const page = '<div data-sync-island="main"><p>ok</p></div>'
    const a = openSyncedPage(room, page)
    await waitFor(() => a.session.self, 'A to join')
    const evil = makePage()
    const evilBridge = xmppBridge({ service: prosody.websocketUrl, domain: prosody.anonDomain, room, nick: 'mallory', document: evil.document, WebSocket: WS, maxStanzaBytes: 250 * 1024 })
    const refusals: string[] = []
    evilBridge.addEventListener('error', (e) => refusals.push((e as CustomEvent).detail.reason))
    cleanups.push(() => evil.close())
    cleanups.push(() => evilBridge.close())
    await waitFor(() => a.session.peers.size === 1, 'mallory to be in the room')
    evil.send(islandStanza('main', 'A'.repeat(200_000)))
    await waitFor(() => refusals.includes('refused'), "mallory's bridge to be told")
    await new Promise((r) => setTimeout(r, 300))
    expect(a.errors).toEqual([])
    a.island().querySelector('p')!.textContent = 'still fine'
  })
})
