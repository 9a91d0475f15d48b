import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { parseFull, parseSimple } from '../../src/protocol/xml.js'
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
