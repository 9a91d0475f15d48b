// The bookmarklet page: the link to drag to the bookmarks bar, with the XMPP service of this
// server (its /config.json), and a form that builds a ready one. Plain browser JavaScript.
/* global XmlSyncIslands */
;(async () => {
  'use strict'
  const $ = (id) => document.getElementById(id)
  if (typeof XmlSyncIslands === 'undefined' || !XmlSyncIslands.bookmarkletUrl) {
    $('where').textContent = 'dist/xml-sync-islands.bookmarklet.iife.js did not load: run `npm run build`'
    return
  }
  let config = {}
  try {
    const res = await fetch('/config.json', { cache: 'no-store' })
    if (res.ok) config = await res.json()
  } catch {
    // no XMPP: tabs of this browser
  }
  const src = new URL('/dist/xml-sync-islands.bookmarklet.iife.js', location.href).href
  const base =
    config.bridge === 'xmpp'
      ? { src, service: config.websocketUrl, domain: config.anonDomain, muc: config.mucDomain }
      : { src, connection: 'tabs' }
  $('bookmarklet').href = XmlSyncIslands.bookmarkletUrl(base)
  $('where').textContent = config.bridge === 'xmpp' ? `connects through ${config.websocketUrl}` : 'this server offers no XMPP: it syncs tabs of one browser'

  const form = $('builder')
  for (const key of ['service', 'domain', 'muc']) if (base[key]) form.elements[key].value = base[key]
  if (config.bridge !== 'xmpp') form.elements.connection.value = 'tabs'

  function build() {
    const out = { src }
    for (const key of ['connection', 'service', 'domain', 'muc', 'room', 'island', 'name', 'exclude', 'local']) {
      const value = form.elements[key].value.trim()
      if (value) out[key] = value
    }
    if (out.connection === 'tabs') for (const key of ['service', 'domain', 'muc']) delete out[key]
    if (form.elements.start.checked) out.start = true
    const url = XmlSyncIslands.bookmarkletUrl(out)
    $('ready').href = url
    $('ready-url').value = url
  }
  form.addEventListener('input', build)
  form.addEventListener('change', build)
  build()
})()
