import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { fromBase64, toBase64 } from '../../src/protocol/base64.js'
import { parseXml } from '../../src/protocol/xml.js'
import { messageStanzas, parseStanza, utf8Length } from '../../src/protocol/stanza.js'
import { Reassembler } from '../../src/protocol/parts.js'
import { checkUpdate } from '../../src/protocol/check-update.js'
import { declaredGcs } from '../helpers/updates.js'
import { applyUpdateMessage, decodeMessages, encodeMessages, encodeUpdateSince, stateMessage, updateMessageSince, type UpdateMessage } from '../../src/protocol/messages.js'
import { SyncError } from '../../src/protocol/errors.js'
import { NS_ISLANDS } from '../../src/protocol/ns.js'
import { mulberry32 } from '../../src/bridge/memory.js'

const condition = (fn: () => unknown): string => {
  try {
    fn()
  } catch (err) {
    if (err instanceof SyncError) return err.condition
    throw err
  }
  return 'no error'
}

describe('base64', () => {
  it('round-trips any bytes, every length', () => {
    const rand = mulberry32(7)
    for (let n = 0; n < 300; n++) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(rand() * 256))
      const text = toBase64(bytes)
      expect(text).toBe(Buffer.from(bytes).toString('base64'))
      expect(fromBase64(text)).toEqual(bytes)
    }
  })
  it('ignores white space and refuses anything else outside the alphabet', () => {
    expect(fromBase64('QU\nJD\t')).toEqual(new TextEncoder().encode('ABC'))
    for (const bad of ['QUJ', 'QU=D', 'QUJ!', 'Q===', '====', 'QUJDé===']) expect(condition(() => fromBase64(bad)), bad).toBe('bad-base64')
  })
})

describe('XML', () => {
  it('refuses what XMPP refuses', () => {
    for (const bad of [
      '<!DOCTYPE x [<!ENTITY a "b">]><message/>',
      '<?xml version="1.0"?><message/>',
      '<message><?pi x?></message>',
      '<message><!-- c --></message>',
      '<message>&bogus;</message>',
      '<message><a></message>',
      '<message/><message/>',
      'text',
    ]) {
      expect(condition(() => parseXml(bad)), bad).toBe('malformed-xml')
    }
  })
  it('decodes predefined entities and character references, keeps strings as strings', () => {
    const el = parseXml('<a v="0012" w="&lt;&#65;&#x42;&amp;">&quot;x&apos;</a>')
    expect(el.attrs).toEqual({ v: '0012', w: '<AB&' })
    expect(el.children).toEqual(['"x\''])
  })
})

describe('stanzas', () => {
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251)
  it('carry a payload in a namespaced element with <no-store/> and no <body/>', () => {
    const [text] = messageStanzas('drawing', bytes.subarray(0, 10), { maxPartChars: 1000, newChunkId: () => 'c' })
    expect(text).toContain(`<island xmlns="${NS_ISLANDS}" name="drawing">`)
    expect(text).toContain('<no-store xmlns="urn:xmpp:hints"/>')
    expect(text).not.toContain('<body')
    expect(text).not.toMatch(/ (from|to|type)=/)
    const parsed = parseStanza(text!.replace('<message ', '<message from="room@muc/ann" '), 1e6)
    expect(parsed).toMatchObject({ kind: 'message', from: 'room@muc/ann', islands: [{ island: 'drawing', data: bytes.subarray(0, 10) }] })
  })
  it('split a large payload into parts that reassemble in any order, duplicates ignored', () => {
    const texts = messageStanzas('d', bytes, { maxPartChars: 100, newChunkId: () => 'k1' })
    expect(texts.length).toBe(Math.ceil(1000 / 75))
    const r = new Reassembler({ maxBytes: 5000, maxParts: 64, maxPending: 4 })
    const parts = texts.map((t) => parseStanza(t, 1e6)).flatMap((s) => (s.kind === 'message' ? s.islands : []))
    const order = [...parts].reverse()
    order.splice(3, 0, order[5]!)
    const results = order.map((p) => r.add('peer', p)).filter((x) => x !== null)
    expect(results).toEqual([bytes])
    expect(r.size).toBe(0)
  })
  it('keep every stanza, envelope included, within maxStanzaBytes in UTF-8, names and peers of any script', () => {
    const rng = mulberry32(7)
    const big = Uint8Array.from({ length: 300_000 }, () => Math.floor(rng() * 256))
    const utf8 = new TextEncoder()
    // Non-ASCII names cost 2 to 4 bytes a character: a character count would let the stanza overflow.
    for (const [name, forPeer] of [['d', undefined], ['Zeichnung-äöü-画板-🎨'.repeat(40), 'räume@muc.example/ünïcödé-🎨'.repeat(20)]] as const) {
      const maxStanzaBytes = 16 * 1024
      const texts = messageStanzas(name, big, { maxPartChars: 60 * 1024, maxStanzaBytes, forPeer, newChunkId: () => 'k3' })
      const sizes = texts.map((t) => utf8.encode(t).length)
      expect(Math.max(...sizes)).toBeLessThanOrEqual(maxStanzaBytes)
      // Not needlessly small either: parts fill the stanza to within one base64 quantum and a digit.
      expect(Math.max(...sizes)).toBeGreaterThan(maxStanzaBytes - 8)
      const r = new Reassembler({ maxBytes: 1e6, maxParts: 1024, maxPending: 4 })
      const islands = texts.map((t) => parseStanza(t, 1e6)).flatMap((s) => (s.kind === 'message' ? s.islands : []))
      expect(islands.every((el) => el.island === name && el.forPeer === forPeer)).toBe(true)
      expect(islands.map((el) => r.add('p', el)).filter((x) => x !== null)).toEqual([big])
    }
  })
  it('split on maxStanzaBytes alone when the base64 would fit one part', () => {
    const texts = messageStanzas('d', bytes, { maxPartChars: 1e6, maxStanzaBytes: 600, newChunkId: () => 'k4' })
    expect(texts.length).toBeGreaterThan(1)
    expect(Math.max(...texts.map((t) => t.length))).toBeLessThanOrEqual(600)
    const one = messageStanzas('d', bytes, { maxPartChars: 1e6, maxStanzaBytes: 2000, newChunkId: () => 'k5' })
    expect(one.length).toBe(1)
  })
  it('refuse, as too-large, an island whose envelope alone exceeds maxStanzaBytes', () => {
    expect(condition(() => messageStanzas('x'.repeat(2000), bytes, { maxPartChars: 1e6, maxStanzaBytes: 1000, newChunkId: () => 'k6' }))).toBe('too-large')
  })
  it('limits what reassembly holds', () => {
    const texts = messageStanzas('d', bytes, { maxPartChars: 100, newChunkId: () => 'k2' })
    const parts = texts.map((t) => parseStanza(t, 1e6)).flatMap((s) => (s.kind === 'message' ? s.islands : []))
    expect(condition(() => new Reassembler({ maxBytes: 5000, maxParts: 4, maxPending: 4 }).add('p', parts[0]!))).toBe('too-large')
    const small = new Reassembler({ maxBytes: 500, maxParts: 64, maxPending: 4 })
    expect(condition(() => parts.forEach((p) => small.add('p', p)))).toBe('too-large')
    expect(small.size).toBe(0)
    const few = new Reassembler({ maxBytes: 5000, maxParts: 64, maxPending: 2 })
    for (let i = 0; i < 10; i++) few.add(`p${i}`, parts[0]!)
    expect(few.size).toBe(2)
  })
  it('refuse another protocol version by name, and oversized stanzas', () => {
    const v2 = `<message from="a"><island xmlns="urn:xml-sync-islands:2" name="d">AA==</island></message>`
    expect(condition(() => parseStanza(v2, 1e6))).toBe('unsupported-version')
    expect(condition(() => parseStanza(v2, 10))).toBe('too-large')
  })
  it('recognise self-presence (XEP-0045 status 110)', () => {
    const self = '<presence from="r@m/me"><x xmlns="http://jabber.org/protocol/muc#user"><status code="110"/></x></presence>'
    expect(parseStanza(self, 1e6)).toEqual({ kind: 'presence', from: 'r@m/me', available: true, self: true })
    expect(parseStanza('<presence from="r@m/you" type="unavailable"/>', 1e6)).toEqual({ kind: 'presence', from: 'r@m/you', available: false, self: false })
  })
})

describe('payloads', () => {
  it('round-trip y-protocols messages', () => {
    const doc = new Y.Doc()
    doc.getText('t').insert(0, 'hi')
    const msgs = [
      { kind: 'step1', stateVector: Y.encodeStateVector(doc) },
      { kind: 'step2', update: Y.encodeStateAsUpdate(doc) },
      { kind: 'update', update: Y.encodeStateAsUpdate(doc) },
    ] as const
    expect(decodeMessages(encodeMessages([...msgs]))).toEqual(msgs)
  })
  it('carry whole states v2-encoded, as sync types 3 and 4, and apply them as such', () => {
    const doc = new Y.Doc()
    const frag = doc.getXmlFragment('island')
    for (let i = 0; i < 200; i++) {
      const el = new Y.XmlElement('svg:rect')
      frag.insert(i, [el])
      for (const k of ['x', 'y', 'width', 'height', 'fill']) el.setAttribute(k, `${(i * 7) % 100}`)
    }
    const step2 = stateMessage('step2', doc)
    const update = stateMessage('update', doc)
    const payload = encodeMessages([step2, update])
    expect([...payload.subarray(0, 2)]).toEqual([0, 3])
    const decoded = decodeMessages(payload)
    expect(decoded).toEqual([step2, update])
    expect(step2.update.length).toBeLessThan(0.7 * Y.encodeStateAsUpdate(doc).length)
    const peer = new Y.Doc()
    applyUpdateMessage(peer, decoded[0] as UpdateMessage, null)
    expect(peer.getXmlFragment('island').toString()).toBe(frag.toString())
  })
  it('refuse an update cut at any point, whole', () => {
    const doc = new Y.Doc()
    const frag = doc.getXmlFragment('island')
    for (let i = 0; i < 20; i++) frag.insert(0, [new Y.XmlText(`text ${i}`)])
    frag.delete(3, 5)
    for (const payload of [encodeMessages([{ kind: 'update', update: Y.encodeStateAsUpdate(doc) }]), encodeMessages([stateMessage('step2', doc)])]) {
      for (let cut = 0; cut < payload.length; cut++) {
        expect(condition(() => decodeMessages(payload.subarray(0, cut))), `cut at ${cut}`).toBe('bad-update')
      }
    }
  })
  it('carry the result of a window of edits, not every overwritten value', () => {
    const doc = new Y.Doc()
    const el = new Y.XmlElement('svg:rect')
    doc.getXmlFragment('island').insert(0, [el])
    el.setAttribute('y', '1')
    const before = Y.encodeStateAsUpdate(doc)
    const start = new Map([[doc.clientID, Y.getState(doc.store, doc.clientID)]])
    const updates: Uint8Array[] = []
    const deletes: Array<ReturnType<typeof Y.createDeleteSet>> = []
    doc.on('update', (u: Uint8Array) => updates.push(u))
    doc.on('afterTransaction', (t: Y.Transaction) => deletes.push(t.deleteSet))
    for (let i = 0; i < 20; i++) el.setAttribute('x', `${i * 10}`)
    el.removeAttribute('y')
    const coalesced = encodeUpdateSince(doc, start, Y.mergeDeleteSets(deletes))
    expect(coalesced.length).toBeLessThan(Y.mergeUpdates(updates).length / 4)
    // It means the same: a peer that was at the window's start ends where this doc is.
    const peer = new Y.Doc()
    Y.applyUpdate(peer, before)
    Y.applyUpdate(peer, coalesced)
    const rect = peer.getXmlFragment('island').get(0) as Y.XmlElement
    expect(rect.getAttributes()).toEqual({ x: '190' })
    expect(Y.encodeStateVector(peer)).toEqual(Y.encodeStateVector(doc))
    expect(peer.store.pendingStructs).toBeNull()
  })
  it('write the same structs as Yjs does, for every client that moved since the window began', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rand = mulberry32(seed)
      const [a, b] = [new Y.Doc(), new Y.Doc()]
      const edit = (doc: Y.Doc) => {
        const frag = doc.getXmlFragment('island')
        const n = frag.length
        const r = rand()
        if (n > 0 && r < 0.25) frag.delete(Math.floor(rand() * n), 1)
        else if (n > 0 && r < 0.6) (frag.get(Math.floor(rand() * n)) as Y.XmlElement).setAttribute('x', `${Math.floor(rand() * 100)}`)
        else if (n > 0 && r < 0.8) {
          const el = frag.get(Math.floor(rand() * n)) as Y.XmlElement
          if (el.length === 0) el.insert(0, [new Y.XmlText('')])
          const text = el.get(0) as Y.XmlText
          text.insert(Math.floor(rand() * (text.length + 1)), 'ab')
        } else frag.insert(Math.floor(rand() * (n + 1)), [new Y.XmlElement('svg:rect')])
      }
      for (let i = 0; i < 30; i++) {
        edit(rand() < 0.5 ? a : b)
        if (rand() < 0.3) Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)))
      }
      const since = new Map([...a.store.clients.keys()].map((c) => [c, Y.getState(a.store, c)] as [number, number]))
      const atStart = Y.encodeStateAsUpdate(a)
      const deletes: Array<ReturnType<typeof Y.createDeleteSet>> = []
      a.on('afterTransaction', (t: Y.Transaction) => deletes.push(t.deleteSet))
      for (let i = 0; i < 10; i++) {
        edit(rand() < 0.7 ? a : b)
        if (rand() < 0.4) Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)))
      }
      const ours = encodeUpdateSince(a, since, Y.mergeDeleteSets(deletes))
      // The outbox's form: the same update framed as a sync message, from the same kept encoders.
      expect(updateMessageSince(a, since, Y.mergeDeleteSets(deletes)), `seed ${seed}`).toEqual(encodeMessages([{ kind: 'update', update: ours }]))
      const yjs = Y.encodeStateAsUpdate(a, Y.encodeStateVector(since))
      const yjsDeletes = Y.encodeStateAsUpdate(a, Y.encodeStateVector(a)).subarray(1)
      const structs = yjs.subarray(0, yjs.length - yjsDeletes.length)
      expect(ours.subarray(0, structs.length), `seed ${seed}`).toEqual(structs)
      // Applied after the window's start, it brings a peer to the same state.
      const peer = new Y.Doc()
      Y.applyUpdate(peer, atStart)
      Y.applyUpdate(peer, ours)
      expect(peer.getXmlFragment('island').toString(), `seed ${seed}`).toBe(a.getXmlFragment('island').toString())
      expect(Y.encodeStateVector(peer), `seed ${seed}`).toEqual(Y.encodeStateVector(a))
    }
  })
})

describe('the structs a payload may declare', () => {
  it('are counted over the whole payload, not per message', () => {
    const one = encodeMessages([{ kind: 'update', update: declaredGcs(1000), v2: true }])
    expect(() => decodeMessages(one, 1500)).not.toThrow()
    const many = encodeMessages(Array.from({ length: 200 }, () => ({ kind: 'update' as const, update: declaredGcs(1000), v2: true })))
    expect(condition(() => decodeMessages(many, 100_000))).toBe('too-large')
    expect(() => decodeMessages(many, 200_000)).not.toThrow()
  })

  it('take in the whole state of a shape dragged by two attributes for a long time', () => {
    // Each tick sets x and y: the overwritten values alternate by key, so Yjs merges none of
    // them, and v2's columns pack them into a few bytes each.
    const doc = new Y.Doc()
    const texts = Array.from({ length: 6 }, () => new Y.XmlElement('svg:text'))
    doc.getXmlFragment('island').insert(0, texts)
    for (let tick = 0; tick < 4500; tick++) {
      doc.transact(() => {
        const t = texts[tick % texts.length]!
        t.setAttribute('x', String(tick))
        t.setAttribute('y', String(tick + 1))
      })
    }
    const m = stateMessage('step2', doc)
    expect(m.v2).toBe(true)
    const structs = checkUpdate(m.update, true)
    expect(structs / m.update.length, 'structs per byte').toBeGreaterThan(8)
    const [got] = decodeMessages(encodeMessages([m]))
    const peer = new Y.Doc()
    applyUpdateMessage(peer, got as UpdateMessage, null)
    expect(peer.getXmlFragment('island').toString()).toBe(doc.getXmlFragment('island').toString())
  })

  it('a whole state over the v2 budget goes as v1, which every receiver takes', () => {
    const doc = new Y.Doc()
    const rect = new Y.XmlElement('svg:rect')
    doc.getXmlFragment('island').insert(0, [rect])
    for (let i = 0; i < 3000; i++) doc.transact(() => rect.setAttribute(i % 2 ? 'x' : 'y', String(i)))
    const v2 = stateMessage('step2', doc)
    const budget = checkUpdate(v2.update, true) - 1
    const m = stateMessage('step2', doc, undefined, budget)
    expect(m.v2).toBeFalsy()
    expect(() => decodeMessages(encodeMessages([m]), budget)).not.toThrow()
    expect(condition(() => decodeMessages(encodeMessages([v2]), budget))).toBe('too-large')
  })
})

describe('utf8Length', () => {
  it('counts what TextEncoder writes, lone surrogates included', () => {
    const utf8 = new TextEncoder()
    for (const s of ['', 'abc', 'äöü', '画板', '🎨x🎨', '\ud800', 'a\udc00b', '\ud83c\u0041', 'é'.repeat(1000) + '🎨']) {
      expect(utf8Length(s)).toBe(utf8.encode(s).length)
    }
  })
})
