// The demo page: two islands, one session, and whichever bridge the server offers.
// Uses only the IIFE build's global, as a page that opts in with one script tag would.
/* global XmlSyncIslands */
;(async () => {
  'use strict'
  const $ = (id) => document.getElementById(id)
  const SVG_NS = 'http://www.w3.org/2000/svg'
  const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f']
  const params = new URLSearchParams(location.search)
  const room = (params.get('room') || 'demo').toLowerCase().replace(/[^a-z0-9_-]/g, '') || 'demo'

  function show(id, text, tone) {
    const el = $(id)
    el.textContent = text
    el.className = tone || ''
  }

  if (typeof XmlSyncIslands === 'undefined') {
    show('bridge', 'dist/xml-sync-islands.iife.js did not load: run `npm run build`', 'bad')
    return
  }
  const { syncIslands, xmppBridge, broadcastBridge } = XmlSyncIslands

  // ---- The bridge: XMPP through the server's Prosody when there is one, else same-browser tabs.
  let config = { bridge: 'broadcast', reason: 'the page got no /config.json' }
  try {
    const res = await fetch('config.json', { cache: 'no-store' })
    if (res.ok) config = await res.json()
  } catch (err) {
    config.reason = `config.json: ${err.message}`
  }

  const session = syncIslands()
  let bridge
  let bridgeText
  const shortPeer = (id) => (id.includes('/') ? id.slice(id.indexOf('/') + 1) : id)

  if (config.bridge === 'xmpp' && typeof xmppBridge === 'function') {
    const roomJid = `${room}@${config.mucDomain}`
    bridge = xmppBridge({ service: config.websocketUrl, domain: config.anonDomain, room: roomJid, nick: params.get('nick') || undefined })
    bridgeText = `XMPP through Prosody at ${config.websocketUrl}, room ${roomJid} (anonymous login)`
    show('bridge', `${bridgeText}: connecting…`, 'warn')
    bridge.addEventListener('online', () => show('bridge', `${bridgeText}: online as ${shortPeer(bridge.self || '')}`, 'ok'))
    bridge.addEventListener('offline', () => show('bridge', `${bridgeText}: offline, reconnecting…`, 'warn'))
    // Failing to start, to log in or to stay connected is about the bridge itself; a refused
    // stanza is one error among others.
    const BRIDGE_REASONS = ['options', 'start', 'connection', 'auth', 'insecure-login', 'session']
    bridge.addEventListener('error', (e) => {
      const d = e.detail || {}
      if (BRIDGE_REASONS.includes(d.reason)) show('bridge', `${bridgeText}: ${d.reason}: ${d.message}`, 'bad')
      else noteError(`bridge ${d.reason}: ${d.message}`)
    })
  } else {
    bridge = broadcastBridge({ session: room })
    bridgeText = `BroadcastChannel: syncs tabs of this browser only, no server. No XMPP because ${config.reason || 'the server offers none'}.`
    show('bridge', bridgeText, 'warn')
  }

  // ---- Status line.
  function renderPeers() {
    const others = [...session.peers].map(shortPeer)
    const me = session.self ? `you: ${shortPeer(session.self)}` : 'you: joining'
    show('peers', others.length ? `${others.length} other${others.length > 1 ? 's' : ''} here (${others.join(', ')}); ${me}` : `nobody else yet; ${me}`, others.length ? 'ok' : '')
  }
  function renderIslands() {
    const parts = [...session.islands.values()].map((i) => `${i.name}: ${i.state}`)
    show('islands', parts.join(', ') || 'none', parts.every((p) => p.endsWith('synced')) ? 'ok' : 'warn')
  }
  let errorCount = 0
  function noteError(text) {
    errorCount++
    show('errors', `${errorCount}: last ${text}`, 'bad')
  }
  session.addEventListener('peer-join', renderPeers)
  session.addEventListener('peer-leave', renderPeers)
  session.addEventListener('synced', renderIslands)
  session.addEventListener('sync-error', (e) => {
    const d = e.detail
    noteError(`${d.condition}${d.island ? ` in ${d.island}` : ''}${d.peer ? ` from ${shortPeer(d.peer)}` : ''}: ${d.message}`)
  })
  renderIslands()
  // Our own id arrives with the bridge's self-presence; it fires no event of its own.
  const selfPoll = setInterval(() => {
    renderPeers()
    if (session.self) clearInterval(selfPoll)
  }, 200)

  // ---- The drawing: select, drag (through the SVG DOM, like real editors), add, recolour, delete.
  const svg = $('drawing')
  const shapes = $('shapes')
  let selected = null
  let drag = null

  function select(el) {
    if (selected) selected.classList.remove('selected')
    selected = el && el.isConnected ? el : null
    if (selected) selected.classList.add('selected')
    $('recolour').disabled = $('delete').disabled = !selected
  }

  /** Pointer position in the drawing's user units. */
  function toSvg(e) {
    const pt = svg.createSVGPoint()
    pt.x = e.clientX
    pt.y = e.clientY
    return pt.matrixTransform(svg.getScreenCTM().inverse())
  }

  /** A translate as the shape's first transform item (added once, then moved). */
  function translateItem(el) {
    const list = el.transform.baseVal
    if (list.numberOfItems === 0 || list.getItem(0).type !== SVGTransform.SVG_TRANSFORM_TRANSLATE) {
      const t = svg.createSVGTransform()
      t.setTranslate(0, 0)
      list.insertItemBefore(t, 0)
    }
    return list.getItem(0)
  }

  svg.addEventListener('pointerdown', (e) => {
    const el = e.target.parentNode === shapes ? e.target : null
    select(el)
    if (!el || e.button !== 0) return
    e.preventDefault()
    const start = toSvg(e)
    if (el instanceof SVGRectElement) {
      drag = { el, start, x: el.x.baseVal.value, y: el.y.baseVal.value, kind: 'xy' }
    } else {
      const item = translateItem(el)
      drag = { el, start, x: item.matrix.e, y: item.matrix.f, kind: 'transform', item }
    }
    el.classList.add('dragging')
    svg.setPointerCapture(e.pointerId)
  })

  svg.addEventListener('pointermove', (e) => {
    if (!drag) return
    if (!drag.el.isConnected) return endDrag()
    const p = toSvg(e)
    const x = Math.round(drag.x + p.x - drag.start.x)
    const y = Math.round(drag.y + p.y - drag.start.y)
    if (drag.kind === 'xy') {
      drag.el.x.baseVal.value = x
      drag.el.y.baseVal.value = y
    } else {
      // A remote update may have replaced the transform list: take the live first item.
      translateItem(drag.el).setTranslate(x, y)
    }
  })

  function endDrag() {
    if (!drag) return
    drag.el.classList.remove('dragging')
    drag = null
  }
  svg.addEventListener('pointerup', endDrag)
  svg.addEventListener('pointercancel', endDrag)

  const rand = (min, max) => Math.round(min + Math.random() * (max - min))
  const otherColour = (current) => {
    const choices = PALETTE.filter((c) => c !== current)
    return choices[Math.floor(Math.random() * choices.length)]
  }

  $('add').addEventListener('click', () => {
    const kind = ['rect', 'circle', 'ellipse', 'polygon'][rand(0, 3)]
    const el = document.createElementNS(SVG_NS, kind)
    const cx = rand(70, 530)
    const cy = rand(70, 290)
    const attrs = {
      rect: { x: cx - 50, y: cy - 35, width: 100, height: 70, rx: 10 },
      circle: { cx, cy, r: rand(30, 50) },
      ellipse: { cx, cy, rx: rand(50, 70), ry: rand(25, 40) },
      polygon: { points: `${cx - 50},${cy + 40} ${cx},${cy - 45} ${cx + 50},${cy + 40}` },
    }[kind]
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v))
    el.setAttribute('fill', otherColour(null))
    shapes.appendChild(el)
    select(el)
  })

  $('recolour').addEventListener('click', () => {
    if (selected && selected.isConnected) selected.setAttribute('fill', otherColour(selected.getAttribute('fill')))
    else select(null)
  })

  $('delete').addEventListener('click', () => {
    if (selected && selected.isConnected) selected.remove()
    select(null)
  })

  // A peer may delete the selected shape.
  new MutationObserver(() => {
    if (selected && !selected.isConnected) select(null)
  }).observe(shapes, { childList: true })

  // For people poking around in the console, and for the end-to-end test.
  window.demo = { session, bridge, kind: config.bridge === 'xmpp' ? 'xmpp' : 'broadcast', config }
})()
