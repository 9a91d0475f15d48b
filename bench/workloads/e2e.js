// Workload 5, the page side: end to end through the local Prosody, in Chromium pages. Engine
// pages hold the same SVG island and join one MUC room through the XMPP bridge; one edits a
// shape, the other sees it. Raw pages are plain @xmpp/client connections in another room that
// send messages of the same size. Times are `performance.timeOrigin + performance.now()`, which
// pages of one browser share, so one-way latencies are measured directly.
import { client, xml } from '@xmpp/client'
import { syncIslands, xmppBridge } from '../../index.ts'

const SVG = 'http://www.w3.org/2000/svg'
const now = () => performance.timeOrigin + performance.now()
const state = {}

const waitFor = async (cond, what, ms = 15000) => {
  const t = Date.now()
  while (!cond()) {
    if (Date.now() - t > ms) throw new Error(`e2e: timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/**
 * Records when frames carrying `marker` leave through a WebSocket and when they arrive: the
 * page's WebSocket is replaced by a subclass (@xmpp/websocket constructs the global one) whose
 * own message listener is added first, so it runs before the client's.
 */
const frames = { sent: [], got: [] }
function stampWebSocket(marker) {
  if (globalThis.__benchStamped) return
  globalThis.__benchStamped = true
  const Original = globalThis.WebSocket
  globalThis.WebSocket = class extends Original {
    constructor(...args) {
      super(...args)
      this.addEventListener('message', (e) => {
        if (typeof e.data === 'string' && e.data.includes(marker)) frames.got.push(now())
      })
    }
    send(data) {
      if (typeof data === 'string' && data.includes(marker)) frames.sent.push(now())
      return super.send(data)
    }
  }
}
const takeFrames = () => {
  const out = { sent: frames.sent.slice(), got: frames.got.slice() }
  frames.sent.length = 0
  frames.got.length = 0
  return out
}

/** Records the time of every element appended to a channel element, before the append. */
function stampAppends(el, into) {
  const append = el.appendChild
  el.appendChild = function (node) {
    into.push({ t: now(), text: node.textContent ?? '' })
    return append.call(this, node)
  }
}

export const e2e = {
  async engineJoin({ service, domain, room, nick }) {
    stampWebSocket('<island')
    const svg = document.createElementNS(SVG, 'svg')
    svg.setAttribute('data-sync-island', 'board')
    svg.setAttribute('width', '400')
    svg.setAttribute('height', '300')
    const rect = document.createElementNS(SVG, 'rect')
    for (const [k, v] of Object.entries({ id: 'r', x: '0', y: '10', width: '40', height: '30', fill: '#457b9d' })) rect.setAttribute(k, v)
    svg.appendChild(rect)
    document.body.appendChild(svg)
    const errors = []
    const session = syncIslands()
    session.addEventListener('sync-error', (e) => errors.push(e.detail))
    const bridge = xmppBridge({ service, domain, room, nick, document })
    bridge.addEventListener('error', (e) => errors.push(e.detail?.message))
    const written = []
    const received = []
    stampAppends(document.getElementById('xmpp-outgoing'), written)
    stampAppends(document.getElementById('xmpp-incoming'), received)
    const patched = []
    new MutationObserver((records) => {
      const t = now()
      for (const r of records) if (r.attributeName === 'x') patched.push({ t, x: rect.getAttribute('x') })
    }).observe(rect, { attributes: true })
    Object.assign(state, { session, bridge, rect, written, received, patched, errors })
    await waitFor(() => bridge.online && session.islands.get('board')?.state === 'synced', 'the engine page to sync')
    return { self: session.self }
  },

  peers() {
    return state.session.peers.size
  },

  /** Page A: `n` edits of the shape, `gapMs` apart (more than a coalescing window: one stanza each). */
  async engineEdits({ n, gapMs, start }) {
    state.written.length = 0
    takeFrames()
    const edits = []
    for (let i = 0; i < n; i++) {
      const x = String(start + i)
      edits.push({ x, t: now() })
      state.rect.setAttribute('x', x)
      await new Promise((r) => setTimeout(r, gapMs))
    }
    const stanzas = state.written.filter((w) => w.text.includes('<island'))
    return { edits, written: stanzas.map((w) => ({ t: w.t, chars: w.text.length })), frames: takeFrames().sent, errors: state.errors }
  },

  /** Page B: what arrived and when it was on screen. */
  engineCollect() {
    const received = state.received.filter((r) => r.text.includes('<island'))
    const out = { received: received.map((r) => ({ t: r.t, chars: r.text.length })), frames: takeFrames().got, patched: state.patched.slice(), errors: state.errors, x: state.rect.getAttribute('x') }
    state.received.length = 0
    state.patched.length = 0
    return out
  },

  async engineLeave() {
    state.session?.stop()
    await state.bridge?.close()
  },

  async rawJoin({ service, domain, room, nick }) {
    stampWebSocket('urn:xml-sync-islands:bench')
    const xmpp = client({ service, domain, credentials: (auth) => auth({}, 'ANONYMOUS') })
    xmpp.on('error', () => {})
    xmpp.reconnect?.stop?.()
    const got = []
    let joined = false
    xmpp.on('stanza', (el) => {
      const t = now()
      if (el.is('presence') && el.attrs.from === `${room}/${nick}`) joined = true
      if (el.is('message') && el.attrs.type === 'groupchat' && el.attrs.from !== `${room}/${nick}`) {
        const x = el.getChild('x', 'urn:xml-sync-islands:bench')
        if (x) got.push({ t, n: Number(x.attrs.n), chars: el.toString().length })
      }
    })
    await xmpp.start()
    await xmpp.send(xml('presence', { to: `${room}/${nick}` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })))
    await waitFor(() => joined, 'the raw client to join its room')
    Object.assign(state, { xmpp, got, room })
    return {}
  },

  /** Page C: `n` messages padded to `chars` characters as sent, `gapMs` apart. */
  async rawSend({ n, gapMs, chars, start }) {
    takeFrames()
    const sent = []
    for (let i = 0; i < n; i++) {
      const make = (pad) => xml('message', { to: state.room, type: 'groupchat' }, xml('x', { xmlns: 'urn:xml-sync-islands:bench', n: String(start + i) }, pad))
      const probe = make('').toString().length
      const el = make('A'.repeat(Math.max(0, chars - probe)))
      sent.push({ n: start + i, t: now(), chars: el.toString().length })
      state.xmpp.send(el)
      await new Promise((r) => setTimeout(r, gapMs))
    }
    return { sent, frames: takeFrames().sent }
  },

  rawCollect() {
    const out = { got: state.got.slice(), frames: takeFrames().got }
    state.got.length = 0
    return out
  },

  async rawLeave() {
    await state.xmpp?.stop().catch(() => {})
  },
}
