// The panel's pure parts: rooms from names and share links, share links that keep the page's
// own hash, the selectors a pick turns into, and the bookmarklet's URL.
import { describe, expect, it } from 'vitest'
import { cleanRoom, newRoom, roomFrom, roomJid, shareLink } from '../../src/panel/config.js'
import { kindSelector, uniqueSelector } from '../../src/panel/selector.js'
import { bookmarkletSource, bookmarkletUrl } from '../../src/panel/bookmarklet.js'

describe('rooms', () => {
  it('takes a name, or the room of a share link, cleaned for a MUC room JID', () => {
    expect(roomFrom('Team Drawing!')).toBe('teamdrawing')
    expect(roomFrom('https://app.example/draw?x=1#tab=2&xsi-room=abc-1&more')).toBe('abc-1')
    expect(roomFrom('#xsi-room=R%C3%A9union')).toBe('runion')
    expect(roomFrom('https://app.example/no-room-here')).toBeUndefined()
    expect(roomFrom('')).toBeUndefined()
    expect(cleanRoom('  A.b_c-D ')).toBe('a.b_c-d')
    expect(roomJid('abc', 'rooms.example')).toBe('abc@rooms.example')
    expect(roomJid('abc@elsewhere', 'rooms.example')).toBe('abc@elsewhere')
    expect(newRoom()).toMatch(/^xsi-[a-z0-9]{12}$/)
  })

  it('makes a share link that keeps the page and its hash, with the room in it once', () => {
    expect(shareLink({ href: 'http://a.test/p?q=1', hash: '' }, 'r1')).toBe('http://a.test/p?q=1#xsi-room=r1')
    expect(shareLink({ href: 'http://a.test/p#view=2', hash: '#view=2' }, 'r1')).toBe('http://a.test/p#view=2&xsi-room=r1')
    expect(shareLink({ href: 'http://a.test/p#xsi-room=old&v', hash: '#xsi-room=old&v' }, 'new')).toBe('http://a.test/p#v&xsi-room=new')
  })
})

describe('selectors of picked elements', () => {
  it('names an element by a unique id, else by its path; look-alikes by tag and classes', () => {
    document.body.innerHTML = '<main><svg id="d"><rect class="a b"></rect><g class="ui"><rect class="outline"></rect></g></svg><div class="x"></div><div class="x"><span></span></div></main>'
    expect(uniqueSelector(document.querySelector('#d')!)).toBe('#d')
    const second = document.querySelectorAll('div.x')[1]!
    expect(document.querySelectorAll(uniqueSelector(second))).toHaveLength(1)
    expect(document.querySelector(uniqueSelector(second))).toBe(second)
    const span = second.querySelector('span')!
    expect(document.querySelector(uniqueSelector(span))).toBe(span)
    const svg = document.querySelector('#d')!
    expect(kindSelector(svg.querySelector('.outline')!, svg)).toBe('rect.outline')
    expect(kindSelector(svg.querySelector('g')!, svg)).toBe('g.ui')
  })
})

describe('the bookmarklet URL', () => {
  it('carries its config, escapes what a javascript: URL would decode or cut, and evaluates to nothing', () => {
    const config = { src: 'https://x.test/b.js', room: 'r#1 50%', exclude: '.a > b' }
    const url = bookmarkletUrl(config)
    expect(url.startsWith('javascript:')).toBe(true)
    expect(url).not.toMatch(/[\s#"<>`]/)
    expect(decodeURIComponent(url.slice('javascript:'.length))).toBe(`${bookmarkletSource(config)};void 0`)
    expect(bookmarkletSource(config)).toContain(JSON.stringify(config))
    // The loader parses as a script.
    expect(() => new Function(bookmarkletSource(config))).not.toThrow()
  })
})
