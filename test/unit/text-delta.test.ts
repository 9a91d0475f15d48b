import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { textDelta } from '../../src/binding/patch.js'
import { mulberry32 } from '../../src/bridge/memory.js'

// The binding computes a remote text event's delta itself (Yjs's own walks the whole text with a
// map lookup and a search per item). It must say exactly what Yjs's says.
describe('text deltas', () => {
  it('equal Yjs’s event.delta for random concurrent edits, applied in random batches', () => {
    for (let seed = 1; seed <= 200; seed++) {
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
      let checked = 0
      target.observe((event) => {
        expect(textDelta(target, event), `seed ${seed}`).toEqual(event.delta)
        checked++
      })
      for (let round = 0; round < 15; round++) {
        for (const [i, d] of docs.entries()) {
          const text = (d.getXmlFragment('island').get(0) as Y.XmlElement).get(0) as Y.XmlText
          for (let k = Math.floor(rand() * 4); k > 0; k--) {
            const len = text.length
            if (len > 0 && rand() < 0.45) text.delete(Math.floor(rand() * len), 1 + Math.floor(rand() * Math.min(5, len - 1)))
            else text.insert(Math.floor(rand() * (len + 1)), ['a', 'bc', 'def', '😀', '\n'][Math.floor(rand() * 5)]! + i)
          }
        }
        // Deliver some docs' changes to the receiver, in one update or several.
        const sources = docs.filter(() => rand() < 0.7)
        const updates = sources.map((d) => Y.encodeStateAsUpdate(d, Y.encodeStateVector(receiver)))
        if (rand() < 0.5) Y.applyUpdate(receiver, Y.mergeUpdates(updates.length ? updates : [new Uint8Array([0, 0])]))
        else for (const u of updates) Y.applyUpdate(receiver, u)
      }
      for (const d of docs) Y.applyUpdate(receiver, Y.encodeStateAsUpdate(d, Y.encodeStateVector(receiver)))
      expect(checked, `seed ${seed}: events seen`).toBeGreaterThan(3)
    }
  })
})
