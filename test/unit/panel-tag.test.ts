// The one tag's pure parts: what a script element's attributes ask for, the room derived from the
// page's URL (canonical link first), and the per-island policy list.
import { Window } from 'happy-dom'
import { describe, expect, it } from 'vitest'
import { hashName, pageRoom, pageUrl } from '../../src/panel/room.js'
import { tagConfig } from '../../src/panel/tag.js'
import { policyFor } from '../../src/panel/sync.js'

function page(url: string, head = ''): Document {
  const window = new Window({ url })
  const doc = window.document as unknown as Document
  doc.head.innerHTML = head
  return doc
}

const script = (doc: Document, attrs: Record<string, string>): Element => {
  const s = doc.createElement('script')
  for (const [k, v] of Object.entries(attrs)) s.setAttribute(k, v)
  doc.head.append(s)
  return s
}

describe('the derived room', () => {
  it('is the same for a URL with a query or a hash, and differs by path', () => {
    const a = page('http://news.example/a/story.html')
    const b = page('http://news.example/a/story.html?utm_source=mail#comments')
    const c = page('http://news.example/a/other.html')
    expect(pageUrl(b)).toBe('http://news.example/a/story.html')
    expect(pageRoom(a)).toBe(pageRoom(b))
    expect(pageRoom(a)).not.toBe(pageRoom(c))
    expect(pageRoom(a)).toMatch(/^page-[0-9a-z]{14}$/)
  })

  it('follows the canonical link (resolved, without its hash) when there is one', () => {
    const doc = page('http://m.news.example/amp/story?x=1', '<link rel="canonical" href="/a/story.html#top">')
    expect(pageUrl(doc)).toBe('http://m.news.example/a/story.html')
    expect(pageRoom(doc)).toBe(pageRoom(page('http://m.news.example/a/story.html')))
  })

  it('hashes deterministically, in 14 base-36 characters, with no crypto API', () => {
    expect(hashName('http://news.example/a')).toBe(hashName('http://news.example/a'))
    expect(hashName('http://news.example/a')).not.toBe(hashName('http://news.example/b'))
    expect(hashName('')).toMatch(/^[0-9a-z]{14}$/)
    expect(hashName('https://例え.テスト/ページ')).toMatch(/^[0-9a-z]{14}$/)
  })
})

describe('the tag', () => {
  it('asks for nothing without data-xmpp-service (a plain library, or the bookmarklet loading it)', () => {
    const doc = page('http://news.example/a')
    expect(tagConfig(script(doc, { src: '/x.js' }), doc)).toBeUndefined()
  })

  it('reads its attributes; a room JID names the MUC; a share link in the hash wins', () => {
    const doc = page('http://news.example/a')
    const s = script(doc, {
      src: 'http://news.example/x.js',
      'data-xmpp-service': 'wss://news.example/xmpp-websocket',
      'data-xmpp-domain': 'anon.news.example',
      'data-room': 'Lobby@rooms.news.example',
      'data-islands': '#fig',
      'data-local-attributes': 'class',
      'data-local-elements': '.ui',
      'data-policy': 'fig:svg',
      'data-panel': 'closed',
    })
    expect(tagConfig(s, doc)).toEqual({
      src: 'http://news.example/x.js',
      connection: 'xmpp',
      service: 'wss://news.example/xmpp-websocket',
      domain: 'anon.news.example',
      muc: 'rooms.news.example',
      room: 'lobby',
      island: '#fig',
      exclude: '.ui',
      local: 'class',
      policy: 'fig:svg',
      panel: 'closed',
      start: true,
    })
    const shared = page('http://news.example/a#xsi-room=xsi-secret1')
    expect(tagConfig(script(shared, { 'data-xmpp-service': 'wss://x/y', 'data-room': 'lobby' }), shared)!.room).toBe('xsi-secret1')
    const derived = page('http://news.example/a')
    expect(tagConfig(script(derived, { 'data-connection': 'tabs' }), derived)).toMatchObject({ connection: 'tabs', room: pageRoom(derived), panel: 'open' })
  })

  it('gives each island its profile: by name, else the bare one', () => {
    expect(policyFor('diagram:svg poll:form html', 'poll')).toBe('form')
    expect(policyFor('diagram:svg poll:form html', 'draft')).toBe('html')
    expect(policyFor('diagram:svg', 'draft')).toBeUndefined()
  })
})
