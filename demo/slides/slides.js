// The shared slideshow: an S5-style deck (plain HTML slides, keys and clicks to move) made shared
// with the engine and presence. The presenter's current slide travels in the presenter's presence
// state (data: slide, role, pointer, handover); viewers follow it unless they browse on their own;
// the presenter's pointer is drawn on everyone's screen as a laser dot. The deck island follows
// the presenter: `send` mode in the presenter's window (it edits, and applies nobody's edits),
// `receive` in every other (it applies the presenter's, and its own are put back); with nobody
// presenting, `receive` everywhere (read-only). Uses only the script bundles' globals.
/* global XmlSyncIslands */
;(async () => {
  'use strict'
  const $ = (id) => document.getElementById(id)
  const params = new URLSearchParams(location.search)
  const room = (params.get('room') || 'slides').toLowerCase().replace(/[^a-z0-9_-]/g, '') || 'slides'
  if (typeof XmlSyncIslands === 'undefined' || typeof XmlSyncIslands.presence !== 'function') {
    $('status').textContent = 'the script bundles did not load: run `npm run build`'
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

  const deck = $('deck')
  const slides = () => [...deck.children].filter((el) => el.localName === 'section')
  let current = 0
  let presenting = false
  let handoverTo = null
  let following = true

  const session = syncIslands()
  const here = presence(session, params.get('name') ? { name: params.get('name') } : {})
  const bridge =
    config.bridge === 'xmpp' && typeof xmppBridge === 'function'
      ? xmppBridge({ service: config.websocketUrl, domain: config.anonDomain, room: `${room}@${config.mucDomain}` })
      : broadcastBridge({ session: `slides-${room}` })

  /** The presenter's peer id: of those presenting, not one handing over to another presenter; the smallest id wins a tie. */
  function presenter() {
    const me = here.self.peer
    const claims = [...here.people.values()].filter((p) => p.state.data.role === 'presenter').map((p) => ({ peer: p.peer, to: p.state.data.handover }))
    if (presenting && me) claims.push({ peer: me, to: handoverTo || undefined })
    const live = claims.filter((c) => !claims.some((o) => o.peer === c.to))
    live.sort((a, b) => (a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0))
    return live[0] ? live[0].peer : null
  }
  const presenterSlide = (peer) => {
    const p = here.people.get(peer)
    const n = p ? parseInt(p.state.data.slide, 10) : NaN
    return Number.isFinite(n) ? n - 1 : null
  }
  const nameOf = (peer) => (peer === here.self.peer ? here.self.name : here.people.get(peer)?.name || '?')

  function publish() {
    const data = { slide: String(current + 1) }
    if (presenting) Object.assign(data, { role: 'presenter', pointer: 'laser' })
    if (presenting && handoverTo) data.handover = handoverTo
    here.set({ data })
  }

  function show(i) {
    const all = slides()
    current = Math.max(0, Math.min(all.length - 1, i))
    all.forEach((s, k) => {
      s.classList.toggle('current', k === current)
      s.setAttribute('aria-hidden', String(k !== current))
    })
    $('number').textContent = `${current + 1} / ${all.length}`
  }

  /** A move of this window's own (keys, buttons, clicks). */
  function go(i) {
    show(i)
    const lead = presenter()
    if (!presenting && lead && presenterSlide(lead) !== current) following = false
    publish()
    render()
  }

  /** What the others' states mean for this window: hand-overs, who leads, where to be. */
  function reconcile() {
    const me = here.self.peer
    for (const p of here.people.values()) {
      if (!presenting && me && p.state.data.role === 'presenter' && p.state.data.handover === me) {
        presenting = true // handed over to us
        following = true
      }
    }
    if (presenting && handoverTo && here.people.get(handoverTo)?.state.data.role === 'presenter') {
      presenting = false // they took it
      handoverTo = null
      following = true
    }
    if (presenting && handoverTo && !here.people.has(handoverTo)) handoverTo = null // they left before taking it
    const lead = presenter()
    if (presenting && lead !== me) presenting = false // someone with a smaller id pressed Present at the same time
    if (!presenting && following && lead) {
      const at = presenterSlide(lead)
      if (at !== null && at !== current) show(at)
    }
    publish()
    render()
  }

  /**
   * The deck island's mode follows the presenter. It is restarted (data-sync-island removed, then
   * put back with the new data-sync-island-mode and data-sync-editors) whenever the presenter
   * changes, on every window, its own mode changed or not: the restarted islands of windows
   * showing the same deck seed the same doc, so the new presenter's state merges with theirs as
   * the same content (else a receive-mode island adopts it). A presenter handing over gives up
   * `send` at once, so that only the new presenter answers the others. Every window's island
   * reports a not-allowed event for each other viewer's join request: harmless.
   */
  let deckFor = 'receive null' // the mode and presenter the deck island was started for
  function followWithDeck() {
    const lead = presenter()
    const mode = presenting && !handoverTo && lead === here.self.peer ? 'send' : 'receive'
    const key = `${mode} ${lead}`
    if (key === deckFor) return
    deckFor = key
    deck.removeAttribute('data-sync-island') // the session stops the island...
    deck.setAttribute('data-sync-island-mode', mode)
    // Only the presenter's edits are applied (nobody's with no presenter): the island being
    // replaced, which may still hear the new presenter's whole state before the session stops
    // it, refuses it (a not-allowed event) instead of showing the deck twice.
    deck.setAttribute('data-sync-editors', lead || '')
    // ... and starts it anew once its observer saw the removal (a microtask queued after it).
    queueMicrotask(() => deck.setAttribute('data-sync-island', 'deck'))
  }

  function render() {
    followWithDeck()
    const lead = presenter()
    $('status').textContent = lead ? (presenting ? 'you are presenting' : `${nameOf(lead)} is presenting${following ? '' : ' (you are browsing on your own)'}`) : 'nobody is presenting'
    $('present').hidden = presenting
    $('present').disabled = !!lead && !presenting
    $('handover-box').hidden = !presenting
    $('follow').hidden = presenting || !lead || following
    const select = $('handover-to')
    const wanted = [...here.people.values()].map((p) => [p.peer, p.name])
    if (select.options.length !== wanted.length || wanted.some(([peer, name], i) => select.options[i].value !== peer || select.options[i].text !== name)) {
      const keep = select.value
      select.replaceChildren(...wanted.map(([peer, name]) => new Option(name, peer))) // names as text
      if (wanted.some(([peer]) => peer === keep)) select.value = keep
    }
    $('handover').disabled = wanted.length === 0
  }

  $('prev').addEventListener('click', () => go(current - 1))
  $('next').addEventListener('click', () => go(current + 1))
  $('present').addEventListener('click', () => {
    presenting = true
    handoverTo = null
    publish()
    render()
  })
  $('stop-presenting').addEventListener('click', () => {
    presenting = false
    handoverTo = null
    following = true
    publish()
    render()
  })
  $('handover').addEventListener('click', () => {
    handoverTo = $('handover-to').value || null
    publish()
    render()
  })
  $('follow').addEventListener('click', () => {
    following = true
    reconcile()
  })
  deck.addEventListener('click', (e) => {
    if (e.target.closest('a, button, input, select, textarea, [contenteditable="true"]')) return
    go(current + 1)
  })
  document.addEventListener('keydown', (e) => {
    if (e.target.closest && e.target.closest('input, select, textarea, button, [contenteditable="true"]')) return
    if (e.altKey || e.ctrlKey || e.metaKey) return
    const to = { ArrowRight: current + 1, PageDown: current + 1, ' ': current + 1, ArrowLeft: current - 1, PageUp: current - 1, Home: 0, End: slides().length - 1 }[e.key]
    if (to === undefined) return
    e.preventDefault()
    go(to)
  })
  // The presenter may add or remove slides: keep one shown.
  new MutationObserver(() => show(current)).observe(deck, { childList: true })
  for (const type of ['presence-join', 'presence-change', 'presence-leave']) here.addEventListener(type, reconcile)

  show(0)
  publish()
  render()
  window.slides = {
    session,
    bridge,
    presence: here,
    state: () => ({ current, presenting, following, presenter: presenter(), handoverTo, deck: deck.getAttribute('data-sync-island-mode') }),
  }
})()
