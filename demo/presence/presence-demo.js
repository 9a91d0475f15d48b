// The presence demo: three islands (a drawing, notes, a form) and presence on top, with a list
// of who is here drawn by the page itself from presence's events. Uses only the two script
// bundles' globals, as a page that opts in with script tags would.
/* global XmlSyncIslands */
;(async () => {
  'use strict'
  const $ = (id) => document.getElementById(id)
  const params = new URLSearchParams(location.search)
  const room = (params.get('room') || 'presence').toLowerCase().replace(/[^a-z0-9_-]/g, '') || 'presence'
  if (typeof XmlSyncIslands === 'undefined' || typeof XmlSyncIslands.presence !== 'function') {
    $('bridge').textContent = 'the script bundles did not load: run `npm run build`'
    return
  }
  const { syncIslands, xmppBridge, broadcastBridge, presence } = XmlSyncIslands

  let config = { bridge: 'broadcast', reason: 'the page got no /config.json' }
  try {
    const res = await fetch('/config.json', { cache: 'no-store' })
    if (res.ok) config = await res.json()
  } catch (err) {
    config.reason = `config.json: ${err.message}`
  }

  const session = syncIslands()
  const here = presence(session, params.get('name') ? { name: params.get('name') } : {})
  let bridge
  if (config.bridge === 'xmpp' && typeof xmppBridge === 'function') {
    bridge = xmppBridge({ service: config.websocketUrl, domain: config.anonDomain, room: `${room}@${config.mucDomain}`, nick: params.get('nick') || undefined })
    $('bridge').textContent = 'XMPP: connecting'
    bridge.addEventListener('online', () => ($('bridge').textContent = 'XMPP: online'))
    bridge.addEventListener('offline', () => ($('bridge').textContent = 'XMPP: offline, reconnecting'))
  } else {
    bridge = broadcastBridge({ session: `presence-${room}` })
    $('bridge').textContent = `BroadcastChannel (${config.reason})`
  }

  // The page's own list: names are set as text, colours as a checked #rrggbb.
  function renderPeople() {
    const list = $('people')
    list.textContent = ''
    const people = [...here.people.values()]
    if (!people.length) list.textContent = 'nobody else yet'
    people.forEach((p, i) => {
      const span = document.createElement('span')
      span.textContent = p.name
      span.style.color = p.color
      if (i) list.append(', ')
      list.append(span)
    })
    $('me').textContent = here.self.name
  }
  for (const type of ['presence-join', 'presence-leave', 'presence-change']) here.addEventListener(type, renderPeople)
  setInterval(renderPeople, 1000)

  $('name').addEventListener('change', () => {
    try {
      here.set({ name: $('name').value })
    } catch (err) {
      $('name').setCustomValidity(err.message)
      $('name').reportValidity()
    }
  })

  // A shape clicked is this person's selection: outlined on the others' screens.
  const drawing = $('drawing')
  drawing.addEventListener('click', (e) => {
    const shape = e.target !== drawing && e.target !== drawing.firstElementChild ? e.target : null
    here.select(shape ? [shape] : [])
  })

  window.presenceDemo = { session, bridge, presence: here, kind: config.bridge }
})()
