/**
 * Presence on the wire: one `<here/>` element per message, the whole state of one person
 * (docs/PROTOCOL.md, "Presence states"). Pure: no DOM, no I/O. The reader is the receiving
 * side's check, so a hostile state never reaches a listener: names and colours are validated
 * here, and everything else is bounded. Imports nothing that pulls in the XML parser, so the
 * separate presence bundle can carry the writer.
 */
import { SyncError } from './errors.js'

/** `client:clock`: a Yjs item id (the first unit of a character or an element), as `#origin` writes it. */
export type ItemRef = string

/** Where a pointer is, anchored to content so that it lands on the same spot in any window. */
export type PresencePointer =
  /** Over text: the character (its Yjs id) and the point's place in that character's box. */
  | { island: string; at: 'text'; pos: ItemRef; fx: number; fy: number }
  /** Over SVG: the `<svg>` element (absent: the island element) and the point in its user units. */
  | { island: string; at: 'svg'; el?: ItemRef; x: number; y: number }
  /** Elsewhere: the element (absent: the island element) and the point's place in its box. */
  | { island: string; at: 'box'; el?: ItemRef; fx: number; fy: number }

/** A caret or selection in text: Yjs ids of characters, `+` after one meaning "just after it". */
export interface PresenceFocus {
  island: string
  /** The focused element (absent with a selection only). */
  el?: ItemRef
  anchor?: string
  head?: string
  /** In a text field (`<input>`, `<textarea>`): the selection as offsets in its value; the caret is at `end`. */
  start?: number
  end?: number
}

export interface PresenceMark {
  island: string
  el?: ItemRef
}

export interface PresenceState {
  /** The person left: drop them now (`type="gone"`; no other content). */
  gone?: boolean
  /**
   * The page is hidden (another tab, minimised): browsers then run its timers as seldom as once a
   * minute, so its heartbeat may be that slow, and receivers wait longer before expiring it.
   */
  away?: boolean
  name?: string
  color?: string
  pointer?: PresencePointer
  focus?: PresenceFocus
  /** What the person has selected (shapes, fields), as the page said (`presence.select`). */
  select: PresenceMark[]
  /** The page's own fields (`presence.set({ data })`): text only, bounded. */
  data: Record<string, string>
}

export const PRESENCE_LIMITS = { name: 64, islandName: 256, marks: 16, dataKeys: 16, dataValue: 256 } as const

// Control characters, bidi embeddings/overrides/isolates and line separators would let a name
// reorder or hide the text around it; they are refused rather than rendered.
const BAD_NAME = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/
const COLOR = /^#[0-9a-f]{6}$/
const REF = /^\d{1,10}:\d{1,15}$/
const POS = /^\d{1,10}:\d{1,15}\+?$/
const KEY = /^[a-z][a-z0-9-]{0,31}$/

/** Whether `name` may be shown: 1 to 64 characters, none of them control or bidi characters, not blank. */
export const validName = (name: string): boolean => name.length > 0 && name.length <= PRESENCE_LIMITS.name && !BAD_NAME.test(name) && name.trim() !== ''
/** A `<data/>` value: at most 256 characters, no control or bidi characters but tab and newline. */
export const validValue = (v: string): boolean => v.length <= PRESENCE_LIMITS.dataValue && !BAD_NAME.test(v.replace(/[\n\t]/g, ''))
/** A `<data/>` key. */
export const validKey = (k: string): boolean => KEY.test(k)
/** Colours are `#rrggbb`, lower case: nothing a style could be smuggled through. */
export const validColor = (color: string): boolean => COLOR.test(color)

/** What the reader needs of a parsed element (src/protocol/xml.ts's XmlEl). */
interface El {
  name: string
  attrs: Record<string, string>
  children: Array<El | string>
}

const refuse = (condition: 'bad-stanza' | 'not-allowed' | 'too-large', message: string, peer: string | undefined): never => {
  throw new SyncError(condition, `presence: ${message}`, { peer })
}

/** Reads and checks one `<here/>` (already known to be in our namespace). Throws SyncError. */
export function readHere(el: El, peer: string | undefined): PresenceState {
  const a = el.attrs
  const state: PresenceState = { select: [], data: {} }
  if (a.type === 'gone') return { ...state, gone: true }
  if (a.type !== undefined) refuse('bad-stanza', `unknown type "${a.type}"`, peer)
  if (a.away !== undefined) {
    if (a.away !== 'true') refuse('bad-stanza', 'away="true" or nothing', peer)
    state.away = true
  }
  if (a.name !== undefined) {
    if (!validName(a.name)) refuse('not-allowed', 'a name of 1 to 64 characters, without control or bidi characters', peer)
    state.name = a.name
  }
  if (a.color !== undefined) {
    if (!validColor(a.color)) refuse('not-allowed', 'a colour is #rrggbb', peer)
    state.color = a.color
  }
  for (const c of el.children) {
    if (typeof c === 'string') continue
    const x = c.attrs
    if (c.name === 'data') {
      if (Object.keys(state.data).length >= PRESENCE_LIMITS.dataKeys) refuse('too-large', `more than ${PRESENCE_LIMITS.dataKeys} <data/>`, peer)
      const key = x.key ?? ''
      const value = c.children.filter((t): t is string => typeof t === 'string').join('')
      if (!KEY.test(key) || Object.prototype.hasOwnProperty.call(state.data, key)) refuse('bad-stanza', 'a <data/> key is [a-z][a-z0-9-]*, once', peer)
      if (!validValue(value)) refuse('not-allowed', 'a <data/> value is at most 256 characters of text', peer)
      state.data[key] = value
      continue
    }
    const island = x.island
    if (island === undefined || island.length === 0 || island.length > PRESENCE_LIMITS.islandName) refuse('bad-stanza', `<${c.name}/> names its island`, peer)
    const el = ref(x.el, peer)
    if (c.name === 'pointer') {
      if (state.pointer) refuse('bad-stanza', 'one <pointer/>', peer)
      if (x.at === 'text') {
        if (x.pos === undefined || !REF.test(x.pos)) refuse('bad-stanza', 'a text pointer has pos="client:clock"', peer)
        state.pointer = { island: island!, at: 'text', pos: x.pos!, fx: fraction(x.fx, peer), fy: fraction(x.fy, peer) }
      } else if (x.at === 'svg') {
        state.pointer = { island: island!, at: 'svg', ...(el && { el }), x: coordinate(x.x, peer), y: coordinate(x.y, peer) }
      } else if (x.at === 'box') {
        state.pointer = { island: island!, at: 'box', ...(el && { el }), fx: fraction(x.fx, peer), fy: fraction(x.fy, peer) }
      } else refuse('bad-stanza', 'a pointer is at="text|svg|box"', peer)
    } else if (c.name === 'focus') {
      if (state.focus) refuse('bad-stanza', 'one <focus/>', peer)
      const focus: PresenceFocus = { island: island!, ...(el && { el }) }
      for (const k of ['anchor', 'head'] as const) {
        if (x[k] === undefined) continue
        if (!POS.test(x[k]!)) refuse('bad-stanza', `${k}="client:clock[+]"`, peer)
        focus[k] = x[k]
      }
      if (x.start !== undefined || x.end !== undefined) {
        const start = offset(x.start, peer)
        const end = offset(x.end, peer)
        if (!el || start > end) refuse('bad-stanza', 'start <= end, in a focused field', peer)
        Object.assign(focus, { start, end })
      }
      state.focus = focus
    } else if (c.name === 'select') {
      if (state.select.length >= PRESENCE_LIMITS.marks) refuse('too-large', `more than ${PRESENCE_LIMITS.marks} <select/>`, peer)
      state.select.push({ island: island!, ...(el && { el }) })
    }
    // Other children are ignored: later versions may add some.
  }
  return state
}

function ref(v: string | undefined, peer: string | undefined): ItemRef | undefined {
  if (v === undefined) return undefined
  if (!REF.test(v)) refuse('bad-stanza', 'el="client:clock"', peer)
  return v
}

function number(v: string | undefined, peer: string | undefined): number {
  // A decimal number, nothing JavaScript's Number() reads besides (hex, Infinity, blank).
  if (v === undefined || !/^-?\d{1,12}(\.\d{1,6})?$/.test(v)) refuse('bad-stanza', 'numbers are decimals', peer)
  return Number(v)
}
const fraction = (v: string | undefined, peer: string | undefined): number => {
  const n = number(v, peer)
  if (n < 0 || n > 1) refuse('bad-stanza', 'a fraction is within 0..1', peer)
  return n
}
const coordinate = number
const offset = (v: string | undefined, peer: string | undefined): number => {
  if (v === undefined || !/^\d{1,8}$/.test(v)) refuse('bad-stanza', 'an offset is a whole number', peer)
  return Number(v)
}

// The writer. The page writes only what its own reader accepts (presence.set validates first).

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
const num = (n: number, digits: number): string => String(Math.round(n * 10 ** digits) / 10 ** digits)
const attr = (name: string, v: string | undefined): string => (v === undefined ? '' : ` ${name}="${esc(v)}"`)

/** The `<here/>` element of a state, in our namespace. */
export function hereElement(ns: string, s: PresenceState): string {
  if (s.gone) return `<here xmlns="${ns}" type="gone"/>`
  let out = `<here xmlns="${ns}"${attr('name', s.name)}${attr('color', s.color)}${s.away ? ' away="true"' : ''}>`
  const p = s.pointer
  if (p) {
    out += `<pointer island="${esc(p.island)}" at="${p.at}"`
    if (p.at === 'text') out += ` pos="${p.pos}" fx="${num(p.fx, 3)}" fy="${num(p.fy, 3)}"/>`
    else if (p.at === 'svg') out += `${attr('el', p.el)} x="${num(p.x, 2)}" y="${num(p.y, 2)}"/>`
    else out += `${attr('el', p.el)} fx="${num(p.fx, 4)}" fy="${num(p.fy, 4)}"/>`
  }
  const f = s.focus
  if (f) {
    const field = f.start !== undefined && f.end !== undefined ? ` start="${f.start}" end="${f.end}"` : ''
    out += `<focus island="${esc(f.island)}"${attr('el', f.el)}${attr('anchor', f.anchor)}${attr('head', f.head)}${field}/>`
  }
  for (const m of s.select) out += `<select island="${esc(m.island)}"${attr('el', m.el)}/>`
  for (const [k, v] of Object.entries(s.data)) out += `<data key="${k}">${esc(v)}</data>`
  return out + '</here>'
}
