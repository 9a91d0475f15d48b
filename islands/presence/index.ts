/**
 * Presence (`islands/presence`): who is in the session, where each points, what each has
 * focused or selected; one state per person, session-wide, carried as `<here/>` stanzas
 * (docs/PROTOCOL.md, "Presence states"). Never in an island's doc, never archived.
 *
 *   const here = presence(session, { name: 'Ann' })
 *   here.addEventListener('presence-join', (e) => list.add(e.detail.name))
 *
 * Uses only the engine's public surface (the session's events, its islands and the channel
 * elements) and its own kind (kind.ts) for the mirror.
 */
import type { Clock, Session, SyncErrorDetail } from '../../src/index.js'
import { hereElement, PRESENCE_LIMITS, readHere, validColor, validKey, validName, validValue, type PresenceFocus, type PresenceMark, type PresencePointer, type PresenceState } from '../../src/protocol/presence.js'
import { elementOf, focusRects, islandOf, pointerAt, pointerPoint, positionRef, type Point } from './anchor.js'
import { typeRef } from './ids.js'
import { typeOf } from './kind.js'
import { Layer, type Drawn, type DrawnPerson } from './layer.js'
import { defaultColor, defaultName, Roster, type Person } from './roster.js'
import { Sender } from './sender.js'

export { presenceKind } from './kind.js'
export type { Person } from './roster.js'
export type { PresenceState, PresencePointer, PresenceFocus, PresenceMark } from '../../src/protocol/presence.js'
export type { Drawn } from './layer.js'

// The namespace, as src/protocol/ns.ts has it (not imported: it is the one constant needed).
const NS = 'urn:xml-sync-islands:1'
const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
}

// A caret moving in a text field: Chromium fires selectionchange at the field, not the document.
const FIELD_EVENTS = ['selectionchange', 'select', 'input', 'keyup', 'pointerup'] as const

export interface PresenceOptions {
  /** This person's name (default: the bridge's nick, as peers derive it from the peer id). */
  name?: string
  /** `#rrggbb` (default: one derived from the peer id, the same on every page). */
  color?: string
  /** The page's own fields, sent with the state (keys `[a-z][a-z0-9-]*`, values text). */
  data?: Record<string, string>
  /** The session's clock, for tests (default real time). */
  clock?: Clock
  /** Draw the others in an overlay (default true). */
  layer?: boolean
  /** Follow this page's pointer, focus and selection (default true). */
  track?: boolean
  /** The session's document, when it is not this window's (`syncIslands({ root })` elsewhere). */
  document?: Document
}

/**
 * Presence on one page. Events (CustomEvents, `detail` a Person): `presence-join`,
 * `presence-change`, `presence-leave`. Refused states are `sync-error`s on the session.
 */
export class Presence extends EventTarget {
  private readonly doc: Document
  private readonly clock: Clock
  private readonly roster: Roster
  private readonly sender: Sender
  private readonly layer: Layer | null
  private name: string | undefined
  private color: string | undefined
  private data: Record<string, string> = {}
  private point: Point | null = null
  private target: Element | null = null
  private pointerDirty = false
  private pointer: PresencePointer | undefined
  private focus: PresenceFocus | undefined
  private marks: Element[] = []
  private away = false
  private written: Element | null = null
  private frame = 0
  private stopped = false
  /** Pointer states actually sent (for tests and the bench). */
  sent = 0

  constructor(
    readonly session: Session,
    options: PresenceOptions = {},
  ) {
    super()
    this.doc = options.document ?? [...session.islands.values()][0]?.element.ownerDocument ?? document
    this.clock = options.clock ?? realClock
    this.set({ name: options.name, color: options.color, data: options.data })
    this.roster = new Roster(this.clock, {
      join: (p) => this.emit('presence-join', p),
      change: (p) => this.emit('presence-change', p),
      leave: (p) => this.emit('presence-leave', p),
      flood: (peer) => this.refuse(peer),
    })
    this.sender = new Sender(this.clock, () => this.write(this.state()))
    this.layer = options.layer === false ? null : new Layer(this.doc)
    session.addEventListener('presence-state', this.onState)
    session.addEventListener('peer-join', this.onJoin)
    session.addEventListener('peer-leave', this.onLeave)
    if (options.track !== false) {
      this.doc.addEventListener('pointermove', this.onPointer, { capture: true, passive: true })
      this.doc.addEventListener('pointerdown', this.onPointer, { capture: true, passive: true })
      this.doc.documentElement.addEventListener('pointerleave', this.onPointerLeave)
      this.doc.addEventListener('selectionchange', this.onFocus)
      this.doc.addEventListener('focusin', this.onFocus)
      this.doc.addEventListener('focusout', this.onFocus)
      for (const type of FIELD_EVENTS) this.doc.addEventListener(type, this.onFocus, true)
      this.doc.defaultView?.addEventListener('pagehide', this.onPageHide)
      this.doc.defaultView?.addEventListener('pageshow', this.onPageShow)
      this.doc.addEventListener('scroll', this.onScroll, { capture: true, passive: true })
      this.doc.addEventListener('visibilitychange', this.onVisibility)
      this.away = this.doc.visibilityState === 'hidden'
    }
    this.sender.changed()
  }

  /** The others present, by peer id. */
  get people(): ReadonlyMap<string, Person> {
    return this.roster.all
  }

  /** This page's own name and colour, as the others show them. */
  get self(): { peer: string | undefined; name: string; color: string; data: Readonly<Record<string, string>> } {
    const peer = this.session.self
    return { peer, name: this.name ?? defaultName(peer ?? '?'), color: this.color ?? defaultColor(peer ?? '?'), data: this.data }
  }

  /**
   * Changes this person's name, colour or fields (undefined leaves one as it is; `data`
   * replaces the fields). Throws a RangeError for what no peer would accept.
   */
  set(change: { name?: string; color?: string; data?: Record<string, string> }): void {
    if (change.name !== undefined && !validName(change.name)) throw new RangeError('presence: a name is 1 to 64 characters, without control or bidi characters')
    if (change.color !== undefined && !validColor(change.color)) throw new RangeError('presence: a colour is #rrggbb (lower case)')
    if (change.data !== undefined) {
      const keys = Object.keys(change.data)
      if (keys.length > PRESENCE_LIMITS.dataKeys || keys.some((k) => !validKey(k) || !validValue(String(change.data![k])))) {
        throw new RangeError('presence: at most 16 fields, keys [a-z][a-z0-9-]*, values of at most 256 characters without control characters')
      }
    }
    if (change.name !== undefined) this.name = change.name
    if (change.color !== undefined) this.color = change.color
    if (change.data !== undefined) this.data = Object.fromEntries(Object.entries(change.data).map(([k, v]) => [k, String(v)]))
    this.sender?.changed()
  }

  /** What this person has selected (shapes, fields): highlighted on the others' screens. */
  select(elements: Iterable<Element>): void {
    this.marks = [...elements].slice(0, PRESENCE_LIMITS.marks)
    this.sender.changed()
  }

  /**
   * Points at a client point, over `target` if known (else the element there): the pointer's
   * own events do this; a page may too, for touch or a laser.
   */
  pointAt(x: number, y: number, target: Element | null = null): void {
    this.point = { x, y }
    this.target = target
    this.pointerDirty = true
    this.sender.changed()
  }

  /** Where a person is drawn on this page now, in client coordinates (what the layer shows). */
  where(peer: string): Drawn | undefined {
    const p = this.roster.get(peer)
    return p && this.locate(p)
  }

  /** Tells the others this person is gone, and stops: listeners, timers and the layer removed. */
  stop(): void {
    if (this.stopped) return
    this.write({ gone: true, select: [], data: {} })
    this.stopped = true
    this.sender.stop()
    this.roster.clear()
    const s = this.session
    s.removeEventListener('presence-state', this.onState)
    s.removeEventListener('peer-join', this.onJoin)
    s.removeEventListener('peer-leave', this.onLeave)
    this.doc.removeEventListener('pointermove', this.onPointer, true)
    this.doc.removeEventListener('pointerdown', this.onPointer, true)
    this.doc.documentElement.removeEventListener('pointerleave', this.onPointerLeave)
    this.doc.removeEventListener('selectionchange', this.onFocus)
    this.doc.removeEventListener('focusin', this.onFocus)
    this.doc.removeEventListener('focusout', this.onFocus)
    for (const type of FIELD_EVENTS) this.doc.removeEventListener(type, this.onFocus, true)
    this.doc.defaultView?.removeEventListener('pagehide', this.onPageHide)
    this.doc.defaultView?.removeEventListener('pageshow', this.onPageShow)
    this.doc.removeEventListener('scroll', this.onScroll, true)
    this.doc.removeEventListener('visibilitychange', this.onVisibility)
    if (this.frame) this.doc.defaultView?.cancelAnimationFrame(this.frame)
    this.layer?.remove()
  }

  /** This page's state as it goes out now. */
  state(): PresenceState {
    if (this.pointerDirty) {
      this.pointerDirty = false
      this.pointer = this.point ? pointerAt(this.doc, this.session.islands, this.point, this.target) : undefined
    }
    const select: PresenceMark[] = []
    for (const el of this.marks) {
      const where = islandOf(this.session.islands, el)
      if (!where) continue
      const ref = el === where.root ? undefined : typeRef(typeOf(where.root, el))
      if (el === where.root || ref !== undefined) select.push({ island: where.name, ...(ref && { el: ref }) })
    }
    return {
      ...(this.name !== undefined && { name: this.name }),
      ...(this.color !== undefined && { color: this.color }),
      ...(this.away && { away: true }),
      ...(this.pointer && !this.away && { pointer: this.pointer }),
      ...(this.focus && { focus: this.focus }),
      select,
      data: this.data,
    }
  }

  private write(state: PresenceState): void {
    if (this.stopped) return
    const out = this.doc.getElementById('xmpp-outgoing')
    if (!out) return
    // Unread (the bridge is behind or offline): the new state replaces it, whole.
    if (this.written?.parentNode === out) this.written.remove()
    const child = this.doc.createElement('div')
    child.textContent = `<message xmlns="jabber:client">${hereElement(NS, state)}<no-store xmlns="urn:xmpp:hints"/></message>`
    out.appendChild(child)
    this.written = child
    if (state.pointer) this.sent++
  }

  private locate(p: Person): Drawn {
    const islands = this.session.islands
    const s = p.state
    const pointer = s.pointer && pointerPoint(this.doc, islands, s.pointer)
    const focus = s.focus ? focusRects(this.doc, islands, s.focus, this.layer?.measure) : { range: [] }
    const select: DOMRect[] = []
    for (const m of s.select) {
      const root = islands.get(m.island)?.element
      const el = root && elementOf(root, m.el)
      if (el) select.push(el.getBoundingClientRect())
    }
    return { ...(pointer && { pointer }), ...focus, select }
  }

  private draw = (): void => {
    this.frame = 0
    if (this.stopped || !this.layer) return
    const drawn: DrawnPerson[] = []
    for (const p of this.roster.all.values()) {
      try {
        drawn.push({ peer: p.peer, name: p.name, color: p.color, laser: p.state.data.pointer === 'laser', ...this.locate(p) })
      } catch {
        // A state naming what this page cannot lay out (detached, not rendered) is drawn as nothing.
      }
    }
    this.layer.draw(drawn)
    // Content reflows and scrolls under the pointers: redraw every frame while anyone is here.
    if (drawn.length) this.frame = this.doc.defaultView?.requestAnimationFrame(this.draw) ?? 0
  }

  private redraw(): void {
    if (this.layer && !this.frame) this.frame = this.doc.defaultView?.requestAnimationFrame(this.draw) ?? 0
  }

  private emit(type: string, p: Person): void {
    this.redraw()
    this.dispatchEvent(new CustomEvent(type, { detail: p }))
  }

  private refuse(peer: string): void {
    this.report({ condition: 'rate-limited', message: 'presence: over its rate of states, some dropped', island: undefined, peer })
  }

  /** Refusals are the session's `sync-error`s, as every other refusal of what a peer sent. */
  private report(detail: SyncErrorDetail): void {
    this.session.dispatchEvent(new CustomEvent('sync-error', { detail }))
  }

  private readonly onState = (e: Event): void => {
    const { peer, element } = (e as CustomEvent<{ peer: string; element: Parameters<typeof readHere>[0] }>).detail
    if (peer === this.session.self) return
    let state: PresenceState
    try {
      state = readHere(element, peer)
    } catch (err) {
      const { condition = 'bad-stanza', message = String(err) } = err as { condition?: SyncErrorDetail['condition']; message?: string }
      return this.report({ condition, message, island: undefined, peer })
    }
    this.roster.receive(peer, state)
  }
  // A newcomer needs our state (the others have it).
  private readonly onJoin = (): void => this.sender.changed()
  private readonly onLeave = (e: Event): void => this.roster.forget((e as CustomEvent<{ peer: string }>).detail.peer)
  private readonly onPointer = (e: Event): void => {
    const p = e as PointerEvent
    this.pointAt(p.clientX, p.clientY, p.target instanceof Element ? p.target : null)
  }
  private readonly onPointerLeave = (): void => {
    this.point = null
    this.pointerDirty = true
    this.sender.changed()
  }
  private readonly onFocus = (): void => {
    const focus = this.readFocus()
    if (JSON.stringify(focus) === JSON.stringify(this.focus)) return
    this.focus = focus
    this.sender.changed()
  }
  // Leaving (or going into the back/forward cache): say so now; back from the cache: say we are here.
  private readonly onPageHide = (): void => this.write({ gone: true, select: [], data: {} })
  private readonly onPageShow = (e: Event): void => {
    if ((e as PageTransitionEvent).persisted) this.sender.changed()
  }
  // Hidden, the page's heartbeat may slow to once a minute: it says so (peers then wait longer), and points at nothing.
  private readonly onVisibility = (): void => {
    const away = this.doc.visibilityState === 'hidden'
    if (away === this.away) return
    this.away = away
    this.sender.changed()
  }
  // The page scrolled under a still pointer: it points at something else now.
  private readonly onScroll = (): void => {
    if (!this.point) return
    this.target = null
    this.pointerDirty = true
    this.sender.changed()
  }

  private readFocus(): PresenceFocus | undefined {
    const islands = this.session.islands
    const active = this.doc.activeElement
    const at = islandOf(islands, active)
    let focus: PresenceFocus | undefined
    if (at && active && active !== at.root) {
      const el = typeRef(typeOf(at.root, active))
      if (el) focus = { island: at.name, el }
      // A text field's caret and selection, as offsets in its value (never in a password field).
      const field = active as HTMLInputElement
      if (el && (active.localName === 'textarea' || (active.localName === 'input' && field.type !== 'password'))) {
        try {
          if (field.selectionStart !== null && field.selectionEnd !== null) focus = { island: at.name, el, start: field.selectionStart, end: field.selectionEnd }
        } catch {
          // An input type without a selection (number, email in some browsers): outlined only.
        }
      }
    }
    const sel = this.doc.getSelection?.()
    if (sel && sel.rangeCount && sel.anchorNode && sel.focusNode) {
      const where = islandOf(islands, sel.anchorNode)
      // A caret counts in an editable island only; a selection anywhere in one.
      const editable = (sel.anchorNode.parentElement as HTMLElement | null)?.isContentEditable
      if (where && islandOf(islands, sel.focusNode)?.root === where.root && (editable || !sel.isCollapsed)) {
        const anchor = positionRef(where.root, sel.anchorNode, sel.anchorOffset)
        const head = positionRef(where.root, sel.focusNode, sel.focusOffset)
        if (anchor && head) focus = { ...(focus?.island === where.name ? focus : { island: where.name }), anchor, head }
      }
    }
    return focus
  }
}

/** Starts presence on a session's page. */
export function presence(session: Session, options: PresenceOptions = {}): Presence {
  return new Presence(session, options)
}
