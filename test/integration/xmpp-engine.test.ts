// The engine and the XMPP bridge together, through the real Prosody: islands on separate pages
// (happy-dom windows) converge, a late joiner adopts the room's state, and a rejoin after a
// server crash re-syncs edits made while apart.
import WS from 'ws'
import { HTMLElement as HappyHTMLElement } from 'happy-dom'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startProsody, type ProsodyInstance } from '../../scripts/prosody.mjs'
import { syncIslands, type Session, type SyncErrorDetail } from '../../src/index.js'
import { xmppBridge, type XmppBridge } from '../../src/bridge/xmpp.js'
import { makePage, waitFor, type Page } from './support.js'

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
  island(): Element
}

function openSyncedPage(room: string, html: string, server: ProsodyInstance = prosody): SyncedPage {
  const page = makePage()
  page.document.body.insertAdjacentHTML('afterbegin', html)
  const session = syncIslands({ root: page.document })
  const errors: SyncErrorDetail[] = []
  session.addEventListener('sync-error', (e) => errors.push((e as CustomEvent<SyncErrorDetail>).detail))
  const bridge = xmppBridge({
    service: server.websocketUrl,
    domain: server.anonDomain,
    room,
    document: page.document,
    WebSocket: WS,
    backoff: { minDelay: 50, maxDelay: 400 },
  })
  cleanups.push(() => page.close())
  cleanups.push(() => session.stop())
  cleanups.push(() => bridge.close())
  return { page, session, bridge, errors, island: () => page.document.querySelector('[data-sync-island="main"]')! }
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
