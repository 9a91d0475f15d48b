import * as Y from 'yjs'
import { listChange } from './txn-changes.js'

export type Delta = Array<{ insert?: unknown; retain?: number; delete?: number; attributes?: unknown }>

/**
 * One character of a plain text whose place is known: its id, and how many characters stand
 * before it in the text as the page shows it. Kept per text between transactions, so that the
 * next remote edit is found by walking from here (typing stays near where it was) instead of
 * from the start of the text.
 */
export interface TextMarker {
  client: number
  clock: number
  index: number
}

/** The markers of an island's texts, held weakly: a text the doc drops takes its marker with it. */
export class TextMarkers {
  private byText = new WeakMap<Y.Text, TextMarker>()
  get(text: Y.Text): TextMarker | undefined {
    return this.byText.get(text)
  }
  set(text: Y.Text, marker: TextMarker): void {
    this.byText.set(text, marker)
  }
  delete(text: Y.Text): void {
    this.byText.delete(text)
  }
  clear(): void {
    this.byText = new WeakMap()
  }
}

type Op = { retain: number } | { delete: number } | { insert: string }

/** A delta under construction, merged as Yjs merges its own (no trailing retain). */
class DeltaBuilder {
  readonly ops: Op[] = []
  private retain = 0

  keep(n: number): void {
    this.retain += n
  }

  edit(op: { delete: number } | { insert: string }): void {
    if (this.retain > 0) this.ops.push({ retain: this.retain })
    this.retain = 0
    const last = this.ops[this.ops.length - 1]
    if (last !== undefined && 'insert' in last && 'insert' in op) last.insert += op.insert
    else if (last !== undefined && 'delete' in last && 'delete' in op) last.delete += op.delete
    else this.ops.push(op)
  }
}

const isPlain = (item: Y.Item): boolean => item.content instanceof Y.ContentString || item.content instanceof Y.ContentDeleted

/**
 * A remote text event's delta, exactly as `event.delta` gives it for plain text. With a marker
 * for the text (see TextMarker) the cost is the distance from the marker to the changes;
 * without one, one cheap pass over the text's items (Yjs's own asks, per item, a map lookup and
 * a search). Anything but plain text: Yjs's delta. `markers` is brought up to date either way.
 */
export function textDelta(type: Y.Text, event: Y.YEvent<any>, markers?: TextMarkers): Delta {
  const txn = event.transaction
  const marker = markers?.get(type)
  if (marker !== undefined) {
    const delta = deltaFromMarker(type, txn, marker, markers!)
    if (delta !== null) return delta
    markers!.delete(type)
  }
  return deltaFromStart(type, event, markers)
}

/** One pass over the whole text; leaves a marker after the last change. */
function deltaFromStart(type: Y.Text, event: Y.YEvent<any>, markers: TextMarkers | undefined): Delta {
  const txn = event.transaction
  const out = new DeltaBuilder()
  const deleted = new Set(listChange(txn, type).deleted)
  let client = -1
  let before = 0
  let shown = 0 // characters before this item, after the transaction
  let mark: TextMarker | null = null
  let markNext = false
  for (let item = type._start; item !== null; item = item.right) {
    if (!isPlain(item)) {
      markers?.delete(type)
      return event.delta as Delta
    }
    if (item.id.client !== client) {
      client = item.id.client
      before = txn.beforeState.get(client) ?? 0
    }
    const added = item.id.clock >= before
    if (item.deleted) {
      if (deleted.has(item)) {
        out.edit({ delete: item.length })
        markNext = true
      }
      continue
    }
    if (added) out.edit({ insert: (item.content as Y.ContentString).str })
    else out.keep(item.length)
    if (added || markNext) mark = { client: item.id.client, clock: item.id.clock, index: shown }
    markNext = false
    shown += item.length
  }
  if (markers !== undefined && mark !== null) markers.set(type, mark)
  return out.ops
}

/**
 * The same delta, found from a marker: walks out from the marked character in both directions
 * until every item the transaction changed in this text is found, adding up the lengths of the
 * items it kept (a delta's retains). Null when the marker cannot be used (the caller then
 * walks from the start).
 */
function deltaFromMarker(type: Y.Text, txn: Y.Transaction, marker: TextMarker, markers: TextMarkers): Delta | null {
  const { added, deleted } = listChange(txn, type)
  const need = added.length + deleted.length
  if (need === 0) return []
  for (const item of added) if (!(item.content instanceof Y.ContentString)) return null
  const structs = txn.doc.store.clients.get(marker.client)
  const last = structs?.[structs.length - 1]
  if (structs === undefined || last === undefined || last.id.clock + last.length <= marker.clock) return null
  // The item holding the marked character now (Yjs may have merged or split the one it was in).
  const x0 = structs[Y.findIndexSS(structs, marker.clock)]
  if (!(x0 instanceof Y.Item) || x0.parent !== type || x0.parentSub !== null || !isPlain(x0)) return null
  const changed = new Set<Y.Item>(added)
  for (const d of deleted) changed.add(d)
  if (x0.deleted && !changed.has(x0)) return null
  const kept = (item: Y.Item): boolean => !item.deleted && item.id.clock < (txn.beforeState.get(item.id.client) ?? 0)

  // Offsets are counted in kept characters from x0's start; `left` is nearest first.
  const left: Array<[Y.Item, number]> = []
  const right: Array<[Y.Item, number]> = []
  let found = 0
  let keptLeft = 0
  let keptRight = 0
  let deletedLeft = 0
  let l: Y.Item | null = x0.left
  let r: Y.Item | null = x0
  while (found < need && (l !== null || r !== null)) {
    if (r !== null) {
      if (!isPlain(r)) return null
      if (changed.has(r)) {
        right.push([r, keptRight])
        found++
      } else if (kept(r)) keptRight += r.length
      r = r.right
    }
    if (l !== null && found < need) {
      if (!isPlain(l)) return null
      if (changed.has(l)) {
        left.push([l, -keptLeft])
        found++
        if (l.deleted) deletedLeft += l.length
      } else if (kept(l)) keptLeft += l.length
      l = l.left
    }
  }
  if (found < need) return null
  // Kept characters before x0: counted when the walk reached the start; otherwise the marker's
  // index (characters shown before x0 then) less what this transaction deleted to its left.
  const x0Start = marker.index - (marker.clock - x0.id.clock)
  const base = l === null ? keptLeft : x0Start - deletedLeft
  if (base < 0) return null

  const out = new DeltaBuilder()
  let at = 0
  let inserted = 0
  let mark: TextMarker | null = null
  let lastDeleted: Y.Item | null = null
  for (let i = left.length - 1; i >= -right.length; i--) {
    const [item, offset] = i >= 0 ? left[i]! : right[-1 - i]!
    const pos = base + offset
    if (pos < at) return null
    out.keep(pos - at)
    at = pos
    if (item.deleted) {
      out.edit({ delete: item.length })
      lastDeleted = item
    } else {
      out.edit({ insert: (item.content as Y.ContentString).str })
      mark = { client: item.id.client, clock: item.id.clock, index: pos + inserted }
      inserted += item.length
      lastDeleted = null
    }
  }
  // Deletions last: the marker goes on the first character shown after them. Only invisible
  // items stand between the last deletion and it, so its index is the kept characters before
  // that deletion plus what was inserted before it.
  if (lastDeleted !== null) {
    mark = null
    let y = lastDeleted.right
    while (y !== null && y.deleted) y = y.right
    if (y !== null && isPlain(y)) mark = { client: y.id.client, clock: y.id.clock, index: at + inserted }
  }
  if (mark === null) markers.delete(type)
  else markers.set(type, mark)
  return out.ops
}

/**
 * A local edit of a text moved its marker: `remove` characters at `index` replaced by `insert`
 * characters. A marker on a removed character is dropped.
 */
export function shiftMarker(markers: TextMarkers, type: Y.Text, index: number, remove: number, insert: number): void {
  const m = markers.get(type)
  if (m === undefined) return
  if (index + remove <= m.index) m.index += insert - remove
  else if (index <= m.index) markers.delete(type)
}
