import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { parseFull, parseIslandMessage, parseSimple } from '../../src/protocol/xml.js'
import { SyncError } from '../../src/protocol/errors.js'

// The fast path must never accept what the full parser refuses, nor read anything differently.
const token = fc.constantFrom(
  '<message', '<island', '<x', ' xmlns="jabber:client"', ' from="a&amp;b"', ' name="main"', " to='x'", ' a="1"', ' a="2"', '>', '/>',
  '</message>', '</island>', '</x>', 'QUJD', '&lt;', '&#65;', '&bogus;', ' ', '\n', '<', '&', '"', '<![CDATA[x]]>', ']]>', '=',
)
const doc = fc.array(token, { maxLength: 14 }).map((ts) => ts.join(''))
const wellFormed = fc.constantFrom(
  '<message xmlns="jabber:client" from="r@m/a"><island xmlns="urn:xml-sync-islands:1" name="d">AAAA</island><no-store xmlns="urn:xmpp:hints"/></message>',
  '<presence from="x"><x xmlns="http://jabber.org/protocol/muc#user"><status code="110"/></x></presence>',
  '<a b="&lt;&#x41;">t&amp;<c/>u</a>',
)

function full(text: string): unknown {
  try {
    return parseFull(text)
  } catch (err) {
    if (err instanceof SyncError) return 'refused'
    throw err
  }
}

describe('the fast XML path agrees with fast-xml-parser', () => {
  it('on generated documents (seeded)', () => {
    fc.assert(
      fc.property(fc.oneof(doc, wellFormed), (text) => {
        let simple: unknown
        try {
          simple = parseSimple(text)
        } catch (err) {
          if (!(err instanceof SyncError)) throw err
          simple = 'refused'
        }
        if (simple !== null) expect(simple).toEqual(full(text))
      }),
      { seed: 20261125, numRuns: 5000 },
    )
  })
  it('reads the stanzas the engine writes', () => {
    const text = '<message xmlns="jabber:client" from="r@m/a&amp;b"><island xmlns="urn:xml-sync-islands:1" name="d" for="x">AAAA</island><no-store xmlns="urn:xmpp:hints"/></message>'
    expect(parseSimple(text)).toEqual(parseFull(text))
    expect(parseSimple(text)).not.toBeNull()
  })
})

// The one-match path for island messages must read them exactly as parseSimple does, and leave
// everything else to it.
const islandToken = fc.constantFrom(
  '<message', '<island', '<no-store', ' xmlns="jabber:client"', ' from="r@m/a&amp;b"', ' name="main"', ' a="1"', ' a="2"', ' xmlns="urn:xmpp:hints"',
  '>', '/>', ' >', '</island>', '</island >', '</message>', '</no-store>', 'QUJD', 'AA==', '&lt;', '&#65;', ' ', '\n', '<', '&', '"', "'", '=',
)
const islandDoc = fc.array(islandToken, { maxLength: 16 }).map((ts) => ts.join(''))
const islandShaped = fc
  .tuple(
    fc.array(fc.constantFrom(' xmlns="jabber:client"', ' from="a&amp;b"', ' type="groupchat"', ' to="x"', " id='q'", ' a="1"', ' a="1"', '  b = "2"'), { maxLength: 4 }),
    fc.array(fc.constantFrom(' xmlns="urn:xml-sync-islands:1"', ' name="d"', ' for="p&#x41;"', ' chunk="c"', ' name="e"'), { maxLength: 4 }),
    fc.constantFrom('', 'AAAA', 'QUJD\nRA==', 'a&amp;b', 'x<y'),
    fc.constantFrom('', '<no-store xmlns="urn:xmpp:hints"/>', '<no-store/>', '<no-store a="1" a="2"/>', '<no-store></no-store>', ' '),
    fc.constantFrom('', ' ', '\n'),
  )
  .map(([m, i, text, tail, space]) => `<message${m.join('')}><island${i.join('')}>${text}</island>${tail}</message>${space}`)

describe('the island-message path agrees with parseSimple', () => {
  it('on generated documents (seeded)', () => {
    let read = 0
    fc.assert(
      fc.property(fc.oneof(islandDoc, islandShaped, wellFormed), (text) => {
        const fast = parseIslandMessage(text)
        if (fast !== null) {
          read++
          expect(fast).toEqual(parseSimple(text))
        }
      }),
      { seed: 20261130, numRuns: 5000 },
    )
    expect(read, 'documents the island-message path read').toBeGreaterThan(500)
  })
  it('reads the stanzas the engine writes, and what bridges make of them', () => {
    for (const text of [
      '<message xmlns="jabber:client"><island xmlns="urn:xml-sync-islands:1" name="d">AAAA</island><no-store xmlns="urn:xmpp:hints"/></message>',
      '<message from="room@muc/a" xmlns="jabber:client" type="groupchat" to="me@x/r" id="1"><island xmlns="urn:xml-sync-islands:1" name="d" for="x&amp;y">AAAA</island><no-store xmlns="urn:xmpp:hints"/></message>',
      '<message from="a"><island name="d"></island></message>',
    ]) {
      expect(parseIslandMessage(text)).not.toBeNull()
      expect(parseIslandMessage(text)).toEqual(parseSimple(text))
    }
  })
})
