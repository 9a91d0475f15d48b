import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { Network, tick, type TestPeer } from '../helpers/pages.js'
import { writeStanza } from '../../src/channel/channel.js'
import { encodeMessages } from '../../src/protocol/messages.js'
import { messageStanzas } from '../../src/protocol/stanza.js'
import { toBase64 } from '../../src/protocol/base64.js'
import { canonicalDoc } from '../../src/binding/canonical.js'

const ISLAND = '<div data-sync-island="main"><p id="p">hello</p></div>'

/** Writes a stanza into a page's #xmpp-incoming, as a bridge would, from `from`. */
async function inject(peer: TestPeer, text: string, from = 'mallory'): Promise<void> {
  writeStanza(peer.doc.getElementById('xmpp-incoming')!, text.replace('<message', `<message from="${from}"`))
  await tick()
}

const updatePayload = (update: Uint8Array): Uint8Array => encodeMessages([{ kind: 'update', update }])
const stanzaFor = (island: string, payload: Uint8Array): string =>
  messageStanzas(island, payload, { maxPartChars: 1 << 30, newChunkId: () => 'c' })[0]!

/** A real update from another page's doc: appends a <p> to the island. */
function validUpdate(doc: Y.Doc, text: string): Uint8Array {
  const other = new Y.Doc()
  Y.applyUpdate(other, Y.encodeStateAsUpdate(doc))
  const p = new Y.XmlElement('p')
  p.insert(0, [new Y.XmlText(text)])
  const sv = Y.encodeStateVector(other)
  other.getXmlFragment('island').push([p])
  return Y.encodeStateAsUpdate(other, sv)
}

describe('bad input', () => {
  const truncated = (doc: Y.Doc): Uint8Array => {
    const u = validUpdate(doc, 'cut')
    return u.subarray(0, u.length - 3)
  }
  const cases: Array<[string, string, (doc: Y.Doc) => string]> = [
    ['malformed XML', 'malformed-xml', () => '<message><island xmlns="urn:xml-sync-islands:1" name="main">AAA</message>'],
    ['a DOCTYPE', 'malformed-xml', () => '<!DOCTYPE message [<!ENTITY x "y">]><message><island xmlns="urn:xml-sync-islands:1" name="main">&x;</island></message>'],
    ['a processing instruction', 'malformed-xml', () => '<message><?evil?><island xmlns="urn:xml-sync-islands:1" name="main">AA==</island></message>'],
    ['bad base64', 'bad-base64', () => '<message><island xmlns="urn:xml-sync-islands:1" name="main">!!!!</island></message>'],
    ['a truncated Yjs update', 'bad-update', (doc) => stanzaFor('main', updatePayload(truncated(doc)))],
    ['random bytes as an update', 'bad-update', () => stanzaFor('main', encodeMessages([{ kind: 'update', update: Uint8Array.from({ length: 64 }, (_, i) => (i * 97 + 13) % 256) }]))],
    ['random bytes as a payload', 'bad-update', () => stanzaFor('main', Uint8Array.from([0, 9, 200, 1, 2, 3]))],
    ['an unknown island', 'unknown-island', (doc) => stanzaFor('nope', updatePayload(validUpdate(doc, 'x')))],
    ['a payload over the size limit', 'too-large', (doc) => stanzaFor('main', updatePayload(validUpdate(doc, 'x'.repeat(5000))))],
    ['another protocol version', 'unsupported-version', () => `<message><island xmlns="urn:xml-sync-islands:9" name="main">${toBase64(new Uint8Array([1]))}</island></message>`],
  ]
  for (const [what, expected, make] of cases) {
    it(`${what}: a ${expected} error, nothing changed, later updates still apply`, async () => {
      const net = new Network({}, { maxPayloadBytes: 4096 })
      const a = net.join(ISLAND)
      await net.settle()
      const island = a.session.islands.get('main')!
      const domBefore = a.island().innerHTML
      const docBefore = canonicalDoc(island.doc)
      const svBefore = Y.encodeStateVector(island.doc)
      const seen: Array<{ condition: string; peer?: string }> = []
      a.island().addEventListener('sync-error', (e) => seen.push((e as CustomEvent).detail))

      await inject(a, make(island.doc))
      expect(a.errors.map((e) => e.condition)).toEqual([expected])
      if (expected !== 'malformed-xml') expect(a.errors[0]!.peer).toBe('mallory')
      if (!['malformed-xml', 'unknown-island'].includes(expected)) expect(seen.map((e) => e.condition)).toEqual([expected])
      expect(a.island().innerHTML).toBe(domBefore)
      expect(canonicalDoc(island.doc)).toBe(docBefore)
      expect(Y.encodeStateVector(island.doc)).toEqual(svBefore)
      expect(island.doc.store.pendingStructs).toBeNull()

      await inject(a, stanzaFor('main', updatePayload(validUpdate(island.doc, 'later'))))
      expect(a.island().innerHTML).toBe(`${domBefore}<p>later</p>`)
      expect(a.errors.length).toBe(1)
    })
  }
})
