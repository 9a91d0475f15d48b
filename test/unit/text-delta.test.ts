import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { shiftMarker, textDelta, TextMarkers, type Delta } from '../../src/binding/text-delta.js'
import { mulberry32 } from '../../src/bridge/memory.js'

// Yjs turns a surrogate pair that an edit splits into U+FFFD on its side; a page's string keeps
// the halves. The page's text is compared where no pair was ever split.
const splitPair = (s: string): boolean => s.includes('\ufffd')

/** What a page does with a delta: its text node's data, edited in place. */
function applyTo(text: string, delta: Delta): string {
  let at = 0
  for (const d of delta) {
    if (d.retain !== undefined) at += d.retain
    else if (d.delete !== undefined) text = text.slice(0, at) + text.slice(at + d.delete)
    else {
      text = text.slice(0, at) + (d.insert as string) + text.slice(at)
      at += (d.insert as string).length
    }
  }
  return text
}

// The binding computes a remote text event's delta itself (Yjs's own walks the whole text with a
// map lookup and a search per item), from a marker near the last edit when it has one. It must
// say exactly what Yjs's says, whatever happened to the text in between: remote edits near and
// far, the receiver's own edits (which move the marker), merges and splits of Yjs's items.
describe('text deltas', () => {
  const run = (seed: number, opts: { markers: boolean; localEdits: boolean }): void => {
    const rand = mulberry32(seed)
    const docs = [new Y.Doc(), new Y.Doc(), new Y.Doc()]
    // One shared text node, made by the first doc.
    const p = new Y.XmlElement('p')
    docs[0]!.getXmlFragment('island').insert(0, [p])
    p.insert(0, [new Y.XmlText('hello world')])
    for (const d of docs.slice(1)) Y.applyUpdate(d, Y.encodeStateAsUpdate(docs[0]!))
    const receiver = new Y.Doc()
    Y.applyUpdate(receiver, Y.encodeStateAsUpdate(docs[0]!))
    const target = (receiver.getXmlFragment('island').get(0) as Y.XmlElement).get(0) as Y.XmlText
    const markers: TextMarkers | undefined = opts.markers ? new TextMarkers() : undefined
    let shown = target.toString()
    let checked = 0
    let local = false
    target.observe((event) => {
      if (local) return
      const delta = textDelta(target, event, markers)
      expect(delta, `seed ${seed}`).toEqual(event.delta)
      shown = applyTo(shown, delta)
      if (!splitPair(target.toString())) expect(shown, `seed ${seed}: the page's text`).toBe(target.toString())
      checked++
    })
    const editAt = (text: Y.XmlText, tag: string, near: number | null): { index: number; remove: number; insert: string } => {
      const len = text.length
      // Mostly near the last edit (typing), sometimes anywhere.
      const at = near !== null && rand() < 0.7 ? Math.max(0, Math.min(len, near + Math.floor(rand() * 7) - 3)) : Math.floor(rand() * (len + 1))
      if (len > 0 && rand() < 0.4) {
        const index = Math.min(at, len - 1)
        const remove = 1 + Math.floor(rand() * Math.min(5, len - index - 1))
        text.delete(index, remove)
        return { index, remove, insert: '' }
      }
      const insert = ['a', 'bc', 'def', '😀', '\n'][Math.floor(rand() * 5)]! + tag
      text.insert(at, insert)
      return { index: at, remove: 0, insert }
    }
    const near: Array<number | null> = [null, null, null, null]
    for (let round = 0; round < 25; round++) {
      for (const [i, d] of docs.entries()) {
        const text = (d.getXmlFragment('island').get(0) as Y.XmlElement).get(0) as Y.XmlText
        for (let k = Math.floor(rand() * 4); k > 0; k--) near[i] = editAt(text, String(i), near[i]!).index
      }
      if (opts.localEdits && rand() < 0.4) {
        // The receiver's own edit, captured as the binding does: its marker moves with it.
        local = true
        const e = editAt(target, 'L', near[3]!)
        local = false
        near[3] = e.index
        shown = applyTo(shown, e.remove ? [{ retain: e.index }, { delete: e.remove }] : [{ retain: e.index }, { insert: e.insert }])
        if (markers) shiftMarker(markers, target, e.index, e.remove, e.insert.length)
        for (const d of docs) Y.applyUpdate(d, Y.encodeStateAsUpdate(receiver, Y.encodeStateVector(d)))
      }
      // Deliver some docs' changes to the receiver, in one update or several.
      const sources = docs.filter(() => rand() < 0.7)
      const updates = sources.map((d) => Y.encodeStateAsUpdate(d, Y.encodeStateVector(receiver)))
      if (rand() < 0.5) Y.applyUpdate(receiver, Y.mergeUpdates(updates.length ? updates : [new Uint8Array([0, 0])]))
      else for (const u of updates) Y.applyUpdate(receiver, u)
    }
    for (const d of docs) Y.applyUpdate(receiver, Y.encodeStateAsUpdate(d, Y.encodeStateVector(receiver)))
    expect(checked, `seed ${seed}: events seen`).toBeGreaterThan(3)
    if (!splitPair(target.toString())) expect(shown, `seed ${seed}`).toBe(target.toString())
  }

  it('equal Yjs’s event.delta for random concurrent edits, applied in random batches', () => {
    for (let seed = 1; seed <= 150; seed++) run(seed, { markers: false, localEdits: false })
  })

  it('equal it when found from a marker, with the receiver editing too', () => {
    for (let seed = 1; seed <= 300; seed++) run(seed, { markers: true, localEdits: seed % 3 !== 0 })
  })
})
