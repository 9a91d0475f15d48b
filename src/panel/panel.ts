/**
 * The panel: a small window in the page's corner, in a shadow root of an element the engine
 * owns (`<xsi-panel>`, a child of <html> beside <body>, like the channel elements: outside every
 * island and never captured). It sets a run up (the island, what stays local, the room, the
 * connection), starts it (sync.ts), shows who is there, the connection and errors in words, and
 * stops it. The shadow root is open: it isolates styles, not secrets, and tests and assistive
 * tools can reach into it. Nothing here writes markup as a string (Trusted Types pages).
 */
import { cleanRoom, connectionOf, isLoopback, newRoom, roomFrom, ROOM_PARAM, shareLink, type SyncConfig } from './config.js'
import { ATTR_ISLAND } from './marks.js'
import { pickElement, type Picking } from './picker.js'
import { kindSelector, uniqueSelector, validSelector } from './selector.js'
import { adoptStyles } from './styles.js'
import { islandNameFor, SyncRun } from './sync.js'

export const PANEL_TAG = 'xsi-panel'

export interface PanelOptions {
  /** The run's settings; the form starts from them. `start: true` starts at once. */
  config: SyncConfig
  /** Show the setup form (default true); an embed that is configured already may hide it. */
  setup?: boolean
  /**
   * A site's embed (tag.ts): the reader may leave the session and join again, or start a private
   * room, and stays on the page; the panel only hides, it never closes.
   */
  embed?: boolean
  /** Called once everything is stopped and the panel is gone. */
  onClosed?: () => void
}

type Attrs = Record<string, string | boolean | undefined>

const KEPT_EVENTS = ['keydown', 'keyup', 'keypress', 'beforeinput', 'input', 'change', 'paste', 'copy', 'cut', 'pointerdown', 'pointerup', 'mousedown', 'mouseup', 'click', 'dblclick', 'contextmenu', 'wheel', 'touchstart', 'touchend']

export class Panel {
  readonly host: HTMLElement
  readonly root: ShadowRoot
  run: SyncRun | undefined
  private readonly doc: Document
  private readonly parts = new Map<string, HTMLElement>()
  private readonly config: SyncConfig
  private picking: Picking | undefined
  private readonly unlisten: Array<() => void> = []
  private closed = false

  constructor(
    doc: Document,
    private readonly options: PanelOptions,
  ) {
    this.doc = doc
    const config = (this.config = { ...options.config })
    config.room = roomFrom(config.room) ?? roomFrom(doc.location.hash.includes(`${ROOM_PARAM}=`) ? doc.location.hash : undefined) ?? newRoom()
    this.host = doc.createElement(PANEL_TAG)
    this.root = this.host.attachShadow({ mode: 'open' })
    adoptStyles(this.root)
    this.build()
    doc.documentElement.appendChild(this.host)
    this.renderSetup()
    if (config.start) this.start()
  }

  get visible(): boolean {
    return !this.host.hidden
  }

  toggle(): void {
    this.host.hidden = !this.host.hidden
    // A pick goes on only while one can see what is picked.
    if (this.host.hidden) this.picking?.cancel()
  }

  show(): void {
    this.host.hidden = false
  }

  // ---- Building (createElement only: no markup strings).

  private h(tag: string, attrs: Attrs = {}, ...children: Array<Node | string>): HTMLElement {
    const el = this.doc.createElement(tag)
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === false) continue
      if (k === 'part') this.parts.set(v as string, el)
      el.setAttribute(k === 'part' ? 'data-part' : k, v === true ? '' : v)
    }
    el.append(...children)
    return el
  }

  part<T extends HTMLElement = HTMLElement>(name: string): T {
    return this.parts.get(name) as T
  }

  private field(label: string, name: string, attrs: Attrs = {}): HTMLElement {
    return this.h('label', {}, label, this.h('input', { part: name, name, autocomplete: 'off', spellcheck: 'false', ...attrs }))
  }

  private build(): void {
    const h = this.h.bind(this)
    const box = h(
      'div',
      { class: 'box', role: 'dialog', 'aria-label': 'XML Sync Islands' },
      h('header', {}, h('span', { class: 'dot', part: 'dot' }), h('b', {}, 'XML Sync Islands'), h('button', { class: 'quiet', part: 'hide', title: this.options.embed ? 'Hide' : 'Hide (run the bookmarklet again to show it)', 'aria-label': 'Hide' }, '\u2013')),
      h(
        'section',
        { part: 'setup', hidden: this.options.setup === false },
        h('label', {}, 'Island'),
        h('div', { class: 'value', part: 'island' }),
        h('div', { class: 'row' }, h('button', { part: 'pick-island' }, 'Pick an element'), h('button', { part: 'page-islands', hidden: true }, "Use the page's islands")),
        h('p', { class: 'hint', part: 'pick-hint', hidden: true }, 'Click an element. \u2191 widens to its parent, \u2193 narrows back, Esc cancels.'),
        this.field('Island name (the same on every page)', 'name'),
        h('label', {}, 'Keep local: elements (CSS selector inside the island)'),
        h('div', { class: 'row' }, h('input', { part: 'exclude', name: 'exclude', autocomplete: 'off', spellcheck: 'false' }), h('button', { part: 'pick-exclude' }, 'Pick')),
        this.field('Keep local: attributes', 'local', { placeholder: 'class style' }),
        this.field('Room, or a share link', 'room'),
        h('label', {}, 'Connection'),
        h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'connection', value: 'xmpp', part: 'via-xmpp' }), 'XMPP service'),
        h('input', { part: 'service', name: 'service', autocomplete: 'off', spellcheck: 'false', placeholder: 'wss://example.org/xmpp-websocket' }),
        h(
          'div',
          { part: 'account', hidden: true },
          h('label', { class: 'choice' }, h('input', { type: 'checkbox', part: 'use-account' }), 'Log in with an account (else anonymously)'),
          h('div', { part: 'credentials', hidden: true }, this.field('Account', 'jid', { placeholder: 'user@example.org' }), this.field('Password', 'password', { type: 'password' })),
        ),
        h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'connection', value: 'tabs', part: 'via-tabs' }), 'Tabs of this browser'),
        h('div', { class: 'row' }, h('button', { class: 'primary', part: 'start' }, 'Start')),
      ),
      h(
        'section',
        { part: 'running', hidden: true },
        h('div', { class: 'status', part: 'status' }),
        h('div', { part: 'islands' }),
        h('div', { part: 'peers' }),
        h('label', {}, 'Share link'),
        h('div', { class: 'row' }, h('input', { part: 'share', readonly: true }), h('button', { part: 'copy' }, 'Copy')),
        h('ul', { class: 'errors', part: 'errors' }),
      ),
      h('p', { class: 'hint', part: 'left', hidden: true }, 'You left the session: nothing you do here is shared, and nothing others do reaches this page.'),
      h(
        'div',
        { class: 'row', part: 'embed-actions', hidden: !this.options.embed },
        h('button', { part: 'leave' }, 'Leave the session'),
        h('button', { part: 'join', hidden: true }, 'Join again'),
        h('button', { part: 'private', title: 'A room of a secret name, shared only through its link' }, 'Start a private room'),
      ),
      h('p', { class: 'problem', part: 'problem', role: 'alert', hidden: true }),
      h('div', { class: 'row' }, h('button', { part: 'retry', hidden: true }, 'Change the settings'), h('button', { part: 'stop', hidden: !!this.options.embed }, 'Stop and close')),
    )
    this.root.append(box, h('div', { class: 'pick-box', part: 'pick-box', hidden: true }), h('div', { class: 'pick-label', part: 'pick-label', hidden: true }))

    // Input in the panel is not the page's: an editor's shortcuts (Backspace deletes the
    // selected shape) would act on keys typed in a field, seen as coming from the host element.
    const keep = (e: Event): void => e.stopPropagation()
    for (const type of KEPT_EVENTS) this.host.addEventListener(type, keep)
    this.unlisten.push(() => {
      for (const type of KEPT_EVENTS) this.host.removeEventListener(type, keep)
    })

    const on = (name: string, type: string, fn: (e: Event) => void): void => {
      const el = this.part(name)
      el.addEventListener(type, fn)
      this.unlisten.push(() => el.removeEventListener(type, fn))
    }
    on('hide', 'click', () => {
      if (!this.host.hidden) this.toggle()
    })
    on('stop', 'click', () => void this.close())
    on('leave', 'click', () => void this.leave())
    on('join', 'click', () => this.join())
    on('private', 'click', () => void this.privateRoom())
    on('start', 'click', () => this.start())
    on('retry', 'click', () => void this.backToSetup())
    on('pick-island', 'click', () => void this.pick('island'))
    on('pick-exclude', 'click', () => void this.pick('exclude'))
    on('page-islands', 'click', () => {
      delete this.config.island
      this.renderSetup()
    })
    on('copy', 'click', () => {
      const share = this.part<HTMLInputElement>('share')
      share.select()
      void this.doc.defaultView?.navigator.clipboard?.writeText(share.value).catch(() => undefined)
    })
    for (const name of ['name', 'exclude', 'local', 'room', 'service', 'jid', 'password']) on(name, 'input', () => this.readForm())
    for (const name of ['via-xmpp', 'via-tabs', 'use-account']) on(name, 'change', () => this.readForm())
  }

  // ---- Setup.

  private readForm(): void {
    const c = this.config
    const value = (name: string): string => this.part<HTMLInputElement>(name).value.trim()
    c.name = value('name') || undefined
    c.exclude = value('exclude') || undefined
    c.local = value('local') || undefined
    c.room = value('room')
    c.service = value('service') || undefined
    c.connection = this.part<HTMLInputElement>('via-tabs').checked ? 'tabs' : 'xmpp'
    const account = this.showAccount()
    c.jid = (account && value('jid')) || undefined
    c.password = (account && this.part<HTMLInputElement>('password').value) || undefined
  }

  /** The account fields, offered only where a password may travel; whether one is to be used. */
  private showAccount(): boolean {
    const offered = this.config.connection !== 'tabs' && secureService(this.config.service)
    this.part('account').hidden = !offered
    const used = offered && this.part<HTMLInputElement>('use-account').checked
    this.part('credentials').hidden = !used
    return used
  }

  private renderSetup(): void {
    const c = this.config
    const set = (name: string, v: string | undefined): void => {
      this.part<HTMLInputElement>(name).value = v ?? ''
    }
    const pageIslands = this.doc.querySelectorAll(`[${ATTR_ISLAND}]`).length
    this.part('island').textContent = c.island ?? (pageIslands ? `the page's ${pageIslands} island${pageIslands > 1 ? 's' : ''} ([${ATTR_ISLAND}])` : 'none yet: pick an element')
    this.part('page-islands').hidden = !(c.island && pageIslands)
    if (!c.name && c.island) {
      // One name for one element: a selector of several (a tag's data-islands) names each by itself.
      const found = this.doc.querySelectorAll(c.island)
      const el = found.length === 1 ? found[0]! : undefined
      if (el) c.name = el.getAttribute(ATTR_ISLAND) ?? islandNameFor(el)
    }
    set('name', c.name)
    set('exclude', c.exclude)
    set('local', c.local)
    set('room', c.room)
    set('service', c.service)
    set('jid', c.jid)
    const tabs = connectionOf(c) === 'tabs'
    this.part<HTMLInputElement>('via-tabs').checked = tabs
    this.part<HTMLInputElement>('via-xmpp').checked = !tabs
    if (c.jid) this.part<HTMLInputElement>('use-account').checked = true
    this.showAccount()
  }

  /** Picks the island, or an element to keep local (inside the island). */
  private async pick(what: 'island' | 'exclude'): Promise<void> {
    this.picking?.cancel()
    const island = this.config.island ? this.doc.querySelector(this.config.island) : null
    if (what === 'exclude' && !island && !this.doc.querySelector(`[${ATTR_ISLAND}]`)) return this.say('Pick the island first.')
    const within = what === 'exclude' ? (island ?? undefined) : undefined
    this.part('pick-hint').hidden = false
    // While picking, the panel fades and lets the pointer through: what it covers can be picked.
    const box = this.root.querySelector('.box')!
    box.classList.add('picking')
    this.host.setAttribute('data-picking', '')
    const picking = (this.picking = pickElement(this.doc, {
      skip: this.host,
      box: this.part('pick-box'),
      label: this.part('pick-label'),
      within,
      describe: (el) => (what === 'island' ? uniqueSelector(el) : kindSelector(el, within ?? el.closest(`[${ATTR_ISLAND}]`) ?? this.doc.documentElement)),
    }))
    const el = await picking.done
    if (this.picking === picking) this.picking = undefined
    this.part('pick-hint').hidden = true
    box.classList.remove('picking')
    this.host.removeAttribute('data-picking')
    if (!el || this.closed) return
    this.say(undefined)
    if (what === 'island') {
      this.config.island = uniqueSelector(el)
      this.config.name = el.getAttribute(ATTR_ISLAND) ?? islandNameFor(el)
    } else {
      const sel = kindSelector(el, within ?? el.closest(`[${ATTR_ISLAND}]`) ?? this.doc.documentElement)
      const list = (this.config.exclude ?? '').split(',').map((s) => s.trim()).filter(Boolean)
      if (!list.includes(sel)) list.push(sel)
      this.config.exclude = list.join(', ')
    }
    this.renderSetup()
  }

  private say(problem: string | undefined): void {
    const p = this.part('problem')
    p.textContent = problem ?? ''
    p.hidden = !problem
  }

  // ---- Running.

  /** Starts the run with the form's settings. */
  start(): void {
    if (this.run || this.closed) return
    this.picking?.cancel()
    const c = this.config
    c.room = roomFrom(c.room) ?? ''
    if (!c.room) return this.say('Give a room name (letters, digits, . _ -), or paste a share link.')
    if (!c.island && !this.doc.querySelector(`[${ATTR_ISLAND}]`)) return this.say('Pick the island first: this page has no [data-sync-island] element.')
    if (connectionOf(c) === 'xmpp' && !c.service) return this.say('Give the XMPP service (a ws:// or wss:// URL), or choose tabs of this browser.')
    for (const [what, sel] of [['island', c.island], ['exclude', c.exclude]] as const) {
      if (sel && !validSelector(this.doc, sel)) return this.say(`The ${what} selector is not valid CSS: ${sel}`)
    }
    this.say(undefined)
    const run = (this.run = new SyncRun(this.doc, { ...c, room: cleanRoom(c.room) }))
    this.part('setup').hidden = true
    this.part('running').hidden = false
    this.part<HTMLInputElement>('share').value = shareLink(this.doc.location, c.room)
    run.addEventListener('change', () => this.renderRun())
    this.renderRun()
  }

  private renderRun(): void {
    const run = this.run
    if (!run) return
    const s = run.state
    this.part('dot').setAttribute('data-state', s.connection)
    const words = { connecting: 'connecting\u2026', online: 'connected', offline: 'connection lost, reconnecting\u2026', failed: 'stopped by a problem', stopped: 'stopped' }[s.connection]
    this.part('status').textContent = `${words}: ${s.via}`
    this.part('islands').textContent = s.islands.length ? `Islands: ${s.islands.map((i) => `${i.name} (${i.state})`).join(', ')}` : ''
    const self = s.self ? `you are ${s.self.slice(s.self.indexOf('/') + 1)}` : ''
    this.part('peers').textContent = s.connection === 'online' ? (s.peers.length ? `Here: ${s.peers.join(', ')}; ${self}` : `Nobody else here yet; ${self}`) : ''
    const list = this.part('errors')
    list.replaceChildren(...s.errors.map((e) => this.h('li', {}, e)))
    this.say(s.problem)
    this.part('retry').hidden = s.connection !== 'failed'
  }

  /** Leaves the session (an embed): the run stops, the page stays as it is, the panel stays. */
  async leave(): Promise<void> {
    const run = this.run
    if (!run) return
    this.run = undefined
    await run.stop()
    if (this.closed) return
    this.part('dot').setAttribute('data-state', 'stopped')
    this.part('status').textContent = 'Not in a session.'
    for (const name of ['islands', 'peers']) this.part(name).textContent = ''
    this.part('left').hidden = false
    this.part('leave').hidden = true
    this.part('join').hidden = false
  }

  /** Joins the session again after leaving. */
  join(): void {
    if (this.run || this.closed) return
    this.part('left').hidden = true
    this.part('leave').hidden = false
    this.part('join').hidden = true
    this.start()
  }

  /**
   * Moves this reader to a new room of a secret name: the page's URL gets it in its hash (so the
   * address bar is the share link, and a reload stays there), and the share link says it.
   */
  async privateRoom(): Promise<void> {
    if (this.closed) return
    const room = newRoom(secureRandom(this.doc))
    const run = this.run
    this.run = undefined
    await run?.stop()
    if (this.closed) return
    this.config.room = room
    const view = this.doc.defaultView
    view?.history.replaceState(view.history.state, '', shareLink(this.doc.location, room))
    this.part('left').hidden = true
    this.part('leave').hidden = false
    this.part('join').hidden = true
    this.start()
  }

  /** After a run that failed: its state stays said until the settings change, then setup again. */
  private async backToSetup(): Promise<void> {
    const run = this.run
    if (!run) return
    await run.stop()
    if (this.run !== run || this.closed) return
    this.run = undefined
    this.part('retry').hidden = true
    this.part('dot').removeAttribute('data-state')
    this.part('running').hidden = true
    this.part('setup').hidden = this.options.setup === false
    this.say(undefined)
    this.renderSetup()
  }

  /** Stops the run and removes the panel: nothing of it is left on the page. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.picking?.cancel()
    await this.run?.stop()
    for (const off of this.unlisten.splice(0)) off()
    this.host.remove()
    this.options.onClosed?.()
  }
}

/** Random numbers from `crypto.getRandomValues` (there on plain-http pages too, unlike `crypto.subtle`). */
function secureRandom(doc: Document): () => number {
  const crypto = doc.defaultView?.crypto
  if (!crypto?.getRandomValues) return Math.random
  return () => crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32
}

/** Whether an account's password may travel to this service: wss://, or ws:// on the loopback. */
function secureService(service: string | undefined): boolean {
  if (!service) return false
  try {
    const url = new URL(service)
    return url.protocol === 'wss:' || (url.protocol === 'ws:' && isLoopback(url.hostname))
  } catch {
    return false
  }
}
