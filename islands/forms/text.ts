/**
 * A text field's live value as a Y.Text (the root type `t:KEY`, docs/PROTOCOL.md "Form fields"):
 * local edits go in as one minimal edit per input event, remote ones come out as a delta patched
 * with `setRangeText(..., 'preserve')`, which keeps the caret and the selection where they were
 * (setting `.value` would put the caret at the end).
 */
import * as Y from 'yjs'
import { diffText, type TextEdit } from '../../src/binding/text.js'

// The one edit from a field's old value to its new one: the binding's (common prefix and suffix,
// never splitting a surrogate pair), re-exported for the kind and its tests.
export { diffText, type TextEdit } from '../../src/binding/text.js'

const isChar = (item: Y.Item): boolean => !item.deleted && item.content instanceof Y.ContentString

/** The plain text (formatting and embeds, which no page writes here, left out). */
export function textString(text: Y.Text): string {
  let s = ''
  for (let item = text._start; item !== null; item = item.right) if (isChar(item)) s += (item.content as Y.ContentString).str
  return s
}

/** Whether the field's text was ever written: until then the field shows its default value. */
export const isLive = (text: Y.Text): boolean => text._start !== null

/**
 * Makes the text live with the field's default `value`, written under a client id that is a
 * hash of the field's key and that value: every page that does this for the same field and
 * default writes the same items, which merge as one (as the seed does, docs/PROTOCOL.md
 * "Joining"). So two pages that start typing into an untouched field at once both keep their
 * characters, and the default appears once.
 */
export function makeLive(doc: Y.Doc, text: Y.Text, key: string, value: string): void {
  if (isLive(text) || value === '') return
  const client = fnv1a(`${key}\u0000${value}`)
  // A hash taken already (another field's, in 2^32): then this page's own id, not shared.
  if (client === doc.clientID || Y.getState(doc.store, client) > 0) return void text.insert(0, value)
  const own = doc.clientID
  doc.clientID = client
  try {
    text.insert(0, value)
  } finally {
    doc.clientID = own
  }
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0 || 1
}

export type Op = { retain: number } | { delete: number } | { insert: string }

/**
 * The characters a page showed at one moment, by item id: kept while a field's remote edits are
 * held (an IME composition), so that the page's edit, made against what it showed, lands among
 * the characters it saw, and the held edits are patched in around it after.
 */
export class View {
  // Per client, sorted [start, end) clock ranges of the characters shown.
  private readonly ranges = new Map<number, number[]>()

  static of(text: Y.Text): View {
    const view = new View()
    const byClient = new Map<number, Array<[number, number]>>()
    for (let item = text._start; item !== null; item = item.right) {
      if (!isChar(item)) continue
      let list = byClient.get(item.id.client)
      if (!list) byClient.set(item.id.client, (list = []))
      list.push([item.id.clock, item.id.clock + item.length])
    }
    for (const [client, list] of byClient) view.ranges.set(client, list.sort((a, b) => a[0] - b[0]).flat())
    return view
  }

  /** Whether the item's characters were shown (an item is split, never merged, across a view: all or none). */
  has(item: Y.Item): boolean {
    const r = this.ranges.get(item.id.client)
    if (r === undefined) return false
    const c = item.id.clock
    let lo = 0
    let hi = r.length / 2 - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (r[mid * 2]! > c) hi = mid - 1
      else if (r[mid * 2 + 1]! <= c) lo = mid + 1
      else return true
    }
    return false
  }
}

/**
 * Applies `edit`, made by this page against what `view` showed, to the text as it stands now
 * (with the held remote edits in it): the deleted characters are those the page saw there (the
 * ones still standing), the insert goes right after the character the page saw before it. Then
 * returns the delta from what the page shows (the view with its own edit) to the text now.
 */
export function applyHeldEdit(doc: Y.Doc, text: Y.Text, view: View, edit: TextEdit | null): Op[] {
  let mine: { client: number; from: number; length: number } | null = null
  if (edit !== null) {
    let t0 = 0 // characters of the view passed
    let cur = 0 // characters shown now passed
    let at = edit.index === 0 ? 0 : -1
    const deletes: Array<[number, number]> = []
    const end = edit.index + edit.remove
    for (let item = text._start; item !== null; item = item.right) {
      const seen = view.has(item)
      const len = item.length
      const now = isChar(item)
      if (seen) {
        if (at < 0 && t0 + len >= edit.index) at = cur + (now ? edit.index - t0 : 0)
        if (now && t0 < end && t0 + len > edit.index) {
          const from = Math.max(edit.index, t0) - t0
          const to = Math.min(end, t0 + len) - t0
          deletes.push([cur + from, to - from])
        }
        t0 += len
      }
      if (now) cur += len
    }
    if (at < 0) at = cur
    for (let i = deletes.length - 1; i >= 0; i--) text.delete(deletes[i]![0], deletes[i]![1])
    if (edit.insert) mine = { client: doc.clientID, from: Y.getState(doc.store, doc.clientID), length: edit.insert.length }
    if (edit.insert) text.insert(at, edit.insert)
  }
  // What the page shows: the view, less what it deleted, plus what it inserted.
  const out = new DeltaOut()
  let t0 = 0
  for (let item = text._start; item !== null; item = item.right) {
    const now = isChar(item)
    const len = item.length
    if (view.has(item)) {
      let shown = len
      if (edit !== null) shown -= Math.max(0, Math.min(edit.index + edit.remove, t0 + len) - Math.max(edit.index, t0))
      t0 += len
      if (now) out.retain(len)
      else out.delete(shown)
    } else if (mine !== null && mine.client === item.id.client && item.id.clock >= mine.from && item.id.clock < mine.from + mine.length) {
      out.retain(len)
    } else if (now) out.insert((item.content as Y.ContentString).str)
  }
  return out.ops
}

class DeltaOut {
  readonly ops: Op[] = []
  private pending = 0
  retain(n: number): void {
    this.pending += n
  }
  delete(n: number): void {
    if (n <= 0) return
    this.flush()
    const last = this.ops[this.ops.length - 1]
    if (last !== undefined && 'delete' in last) last.delete += n
    else this.ops.push({ delete: n })
  }
  insert(s: string): void {
    this.flush()
    const last = this.ops[this.ops.length - 1]
    if (last !== undefined && 'insert' in last) last.insert += s
    else this.ops.push({ insert: s })
  }
  private flush(): void {
    if (this.pending > 0) this.ops.push({ retain: this.pending })
    this.pending = 0
  }
}

type TextControl = HTMLInputElement | HTMLTextAreaElement

/**
 * Patches a control with a delta through `setRangeText(..., 'preserve')`: the caret and the
 * selection move with the text around them (an insert at the caret goes after it). False when
 * the control cannot take it (no selection API, or a value the control sanitises differently).
 */
export function patchControl(el: TextControl, ops: readonly Op[]): boolean {
  let at = 0
  try {
    makeDirty(el)
    for (const op of ops) {
      if ('retain' in op) at += op.retain
      else if ('delete' in op) el.setRangeText('', at, at + op.delete, 'preserve')
      else {
        el.setRangeText(op.insert, at, at, 'preserve')
        at += op.insert.length
      }
    }
    return true
  } catch {
    return false
  }
}

/**
 * Chromium's `setRangeText` on a control nobody edited yet (its value still the default, its
 * dirty flag unset) edits an empty value: "The quick fox" with "See: " inserted at 0 becomes
 * "See: ". Writing the value back to itself sets the flag; the selection is put back.
 */
const edited = new WeakSet<TextControl>()

function makeDirty(el: TextControl): void {
  if (edited.has(el)) return
  edited.add(el)
  const value = el.value
  if (value !== el.defaultValue) return
  const { selectionStart, selectionEnd, selectionDirection } = el
  el.value = value
  if (selectionStart !== null && selectionEnd !== null) el.setSelectionRange(selectionStart, selectionEnd, selectionDirection ?? undefined)
}

/** Makes a control show `want` with one minimal edit (the caret kept outside it); false if it cannot. */
export function patchWhole(el: TextControl, want: string): void {
  const edit = diffText(el.value, want)
  if (edit === null) return
  if (!patchControl(el, [{ retain: edit.index }, { delete: edit.remove }, { insert: edit.insert }]) || el.value !== want) el.value = want
}
