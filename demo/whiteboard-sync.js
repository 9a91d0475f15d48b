// Makes the whiteboard app (demo/whiteboard/, which knows nothing of syncing) a shared drawing,
// from outside, as a bookmarklet would: loaded into the app's page after the engine's script
// bundle (whiteboard-pair.js does both). Uses only the IIFE build's public API.
//
// What it marks, and why:
//   svg#wb-canvas          data-sync-island="whiteboard": the drawing is the island;
//                          data-sync-ignore-attrs="class": the app's classes are local state
//                          (`wb-selected` on the selected shapes);
//   #wb-canvas > .wb-ui    data-sync-ignore: the selection outlines and handles stay local.
// The room (the session's name) comes from the script element's data-room, else the page's
// ?room=, else "whiteboard".
/* global XmlSyncIslands */
;(async () => {
  'use strict'
  const asked = (document.currentScript && document.currentScript.dataset.room) || new URLSearchParams(location.search).get('room') || 'whiteboard'
  const room = asked.toLowerCase().replace(/[^a-z0-9_-]/g, '') || 'whiteboard'
  // For the pair page's captions and for tests: what this page's sync is doing.
  const status = { kind: 'starting', text: 'starting', errors: [], session: null, bridge: null }
  window.whiteboardSync = status

  if (typeof XmlSyncIslands === 'undefined') {
    status.text = 'the engine (dist/xml-sync-islands.iife.js) did not load: run `npm run build`'
    return
  }
  const svg = document.getElementById('wb-canvas')
  const overlay = svg && svg.querySelector(':scope > .wb-ui')
  if (!svg || !overlay) {
    status.text = 'no whiteboard on this page (svg#wb-canvas with a .wb-ui overlay)'
    return
  }
  overlay.setAttribute('data-sync-ignore', '')
  svg.setAttribute('data-sync-ignore-attrs', 'class')
  svg.setAttribute('data-sync-island', 'whiteboard')

  // XMPP through the demo server's Prosody when it has one, else tabs of this browser.
  let config = { bridge: 'broadcast', reason: 'the page got no /config.json' }
  try {
    const res = await fetch('/config.json', { cache: 'no-store' })
    if (res.ok) config = await res.json()
  } catch (err) {
    config.reason = `config.json: ${err.message}`
  }

  const { syncIslands, xmppBridge, broadcastBridge } = XmlSyncIslands
  const session = syncIslands()
  status.session = session
  session.addEventListener('sync-error', (e) => {
    const d = e.detail
    status.errors.push(`${d.condition}${d.peer ? ` from ${d.peer}` : ''}: ${d.message}`)
  })

  if (config.bridge === 'xmpp' && typeof xmppBridge === 'function') {
    const roomJid = `${room}@${config.mucDomain}`
    const bridge = xmppBridge({ service: config.websocketUrl, domain: config.anonDomain, room: roomJid })
    status.kind = 'xmpp'
    status.bridge = bridge
    status.text = `XMPP, room ${roomJid}: connecting`
    bridge.addEventListener('online', () => (status.text = `XMPP, room ${roomJid}: online`))
    bridge.addEventListener('offline', () => (status.text = `XMPP, room ${roomJid}: offline, reconnecting`))
    bridge.addEventListener('error', (e) => status.errors.push(`bridge ${e.detail.reason}: ${e.detail.message}`))
  } else {
    status.kind = 'broadcast'
    status.bridge = broadcastBridge({ session: `whiteboard-${room}` })
    status.text = `BroadcastChannel (tabs of this browser; no XMPP because ${config.reason || 'the server offers none'})`
  }
})()
