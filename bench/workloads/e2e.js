// Workload 5, the page side: end to end through the local Prosody, in Chromium pages. Engine
// pages hold the same SVG island and join one MUC room through the XMPP bridge; one edits a
// shape, the other sees it. Raw pages are plain @xmpp/client connections in another room that
// send messages of the same size. Times are `performance.timeOrigin + performance.now()`, which
// pages of one browser share, so one-way latencies are measured directly.
import { client, xml } from '@xmpp/client'
import { syncIslands, xmppBridge } from '../../index.ts'
import { shapesFragment } from '../../test/fixtures/shapes.ts'

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

/**
 * Large changes (docs/PROTOCOL.md, "Splitting"): pages of their own, whose island `big` starts
 * as one rect. Every text frame the page sends is weighed in UTF-8, to report parts and sizes.
 */
const big = { sent: [] }
function weighFrames() {
  if (globalThis.__benchWeighed) return
  globalThis.__benchWeighed = true
  const utf8 = new TextEncoder()
  const send = WebSocket.prototype.send
  WebSocket.prototype.send = function (data) {
    if (typeof data === 'string' && data.includes('<island')) big.sent.push({ bytes: utf8.encode(data).length, part: /<island [^>]*\bpart="/.test(data.slice(0, 600)) })
    return send.call(this, data)
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

  /** A page of its own for large changes; `shapes` rects are added in one change once it is synced. */
  async bigJoin({ service, domain, room, nick, shapes = 0 }) {
    weighFrames()
    const svg = document.createElementNS(SVG, 'svg')
    svg.setAttribute('data-sync-island', 'big')
    svg.setAttribute('viewBox', '0 0 1000 1000')
    const rect = document.createElementNS(SVG, 'rect')
    rect.setAttribute('width', '10')
    rect.setAttribute('height', '10')
    svg.appendChild(rect)
    document.body.appendChild(svg)
    const errors = []
    const session = syncIslands()
    session.addEventListener('sync-error', (e) => errors.push(e.detail))
    const started = now()
    const bridge = xmppBridge({ service, domain, room, nick, document })
    let onlineAt
    bridge.addEventListener('online', () => (onlineAt ??= now()))
    bridge.addEventListener('error', (e) => errors.push(e.detail?.message))
    Object.assign(big, { session, bridge, svg, errors })
    await waitFor(() => bridge.online && session.islands.get('big')?.state === 'synced', 'the big page to sync', 60000)
    if (shapes) {
      svg.appendChild(shapesFragment(document, shapes, 'rect', 7))
      session.flush()
      // Alone, it still sends the change to the room: let that go out before anyone is timed.
      const outgoing = document.getElementById('xmpp-outgoing')
      await waitFor(() => outgoing.childElementCount === 0, 'the big page to send its shapes', 60000)
      await new Promise((r) => setTimeout(r, 500))
      big.sent.length = 0
    }
    return { started, onlineAt }
  },

  bigPeers() {
    return big.session.peers.size
  },

  /** Adds `n` shapes in one change; returns when. */
  bigAdd({ n, kind, seed }) {
    big.sent.length = 0
    const frag = shapesFragment(document, n, kind, seed)
    const t = now()
    big.svg.appendChild(frag)
    return { t }
  },

  /** Resolves when the island has `children` child elements, with the time it first did. */
  async bigArrived({ children, timeoutMs = 60000 }) {
    const svg = big.svg
    let at = svg.childElementCount >= children ? now() : undefined
    if (at === undefined) {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`e2e: ${svg.childElementCount} of ${children} shapes after ${timeoutMs} ms; errors ${JSON.stringify(big.errors.slice(0, 3))}`)), timeoutMs)
        new MutationObserver((_, obs) => {
          if (svg.childElementCount < children) return
          at = now()
          obs.disconnect()
          clearTimeout(timer)
          resolve()
        }).observe(svg, { childList: true })
      })
    }
    return { t: at, errors: big.errors, reconnects: big.bridge.stats.reconnects, markupChars: svg.outerHTML.length }
  },

  /** What this page sent since the last bigAdd (or since it started): island frames, parts, bytes. */
  bigSent() {
    const frames = big.sent
    return { frames: frames.length, parts: frames.filter((f) => f.part).length, bytes: frames.reduce((n, f) => n + f.bytes, 0), maxFrame: Math.max(0, ...frames.map((f) => f.bytes)), errors: big.errors, reconnects: big.bridge.stats.reconnects }
  },

  async bigLeave() {
    big.session?.stop()
    await big.bridge?.close()
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
