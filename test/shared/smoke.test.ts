import { describe, expect, it } from 'vitest'
import { Network } from '../helpers/pages.js'

describe('two pages on a bus', () => {
  it('a late joiner adopts the session, and edits flow both ways', async () => {
    const net = new Network()
    const a = net.join('<div data-sync-island="main"><p>hello</p></div>')
    await net.settle()
    const b = net.join('<div data-sync-island="main"><p>stale</p></div>')
    await net.settle()
    expect(b.island().innerHTML).toBe('<p>hello</p>')
    a.island().querySelector('p')!.textContent = 'hello world'
    await net.settle()
    expect(b.island().innerHTML).toBe('<p>hello world</p>')
    const span = b.doc.createElement('span')
    span.setAttribute('class', 'x')
    span.textContent = 'from b'
    b.island().appendChild(span)
    await net.settle()
    expect(a.island().innerHTML).toBe('<p>hello world</p><span class="x">from b</span>')
    expect(a.errors).toEqual([])
    expect(b.errors).toEqual([])
  })

  it('identical pages joining keep their content once', async () => {
    const net = new Network()
    const html = '<div data-sync-island="main"><ul><li>one</li><li>two</li></ul></div>'
    net.join(html)
    net.join(html)
    net.join(html)
    await net.settle()
    const [a] = net.canonical()
    expect(net.canonical()).toEqual([a, a, a])
    expect(net.peers[0]!.island().querySelectorAll('li').length).toBe(2)
  })

  it('attribute changes named by the records: set, removed, refused, kept local, in a namespace', async () => {
    const net = new Network()
    const page = '<div data-sync-island="main"><a id="l" href="/a" title="t" data-sync-ignore-attrs="rel">x</a><svg><use id="u"/></svg></div>'
    const a = net.join(page)
    const b = net.join(page)
    await net.settle()
    const link = a.doc.getElementById('l')!
    link.setAttribute('href', '/b')
    link.removeAttribute('title')
    link.setAttribute('rel', 'local only')
    a.doc.getElementById('u')!.setAttributeNS('http://www.w3.org/1999/xlink', 'xlink:href', '#dot')
    await net.settle()
    const got = b.doc.getElementById('l')!
    expect([got.getAttribute('href'), got.hasAttribute('title'), got.hasAttribute('rel')]).toEqual(['/b', false, false])
    expect(b.doc.getElementById('u')!.getAttributeNS('http://www.w3.org/1999/xlink', 'href')).toBe('#dot')
    // A value the policy refuses is not sent, and the old one leaves the session too.
    link.setAttribute('href', 'javascript:alert(1)')
    a.doc.getElementById('u')!.removeAttributeNS('http://www.w3.org/1999/xlink', 'href')
    await net.settle()
    expect(got.hasAttribute('href')).toBe(false)
    expect(b.doc.getElementById('u')!.hasAttributeNS('http://www.w3.org/1999/xlink', 'href')).toBe(false)
    expect(a.session.islands.get('main')!.doc.getXmlFragment('island').toString()).not.toContain('javascript')
    expect(b.errors).toEqual([])
  })

  it('a node moved where the policy refuses it stays local, even when its new parent changed first', async () => {
    const net = new Network()
    const page = '<div data-sync-island="main"><svg><g id="g"><circle r="1"/></g></svg><p id="p">hi</p></div>'
    const a = net.join(page)
    const b = net.join(page)
    await net.settle()
    const g = a.doc.getElementById('g')!
    g.appendChild(a.doc.createElementNS('http://www.w3.org/2000/svg', 'rect'))
    g.appendChild(a.doc.getElementById('p')!) // HTML inside SVG outside foreignObject: refused
    await net.settle()
    expect(a.session.islands.get('main')!.doc.getXmlFragment('island').toString()).not.toContain('<p')
    expect(Array.from(b.doc.getElementById('g')!.children, (c) => c.localName)).toEqual(['circle', 'rect'])
    expect(b.errors).toEqual([])
  })

  it('an attribute set in a namespace without a prefix is captured (happy-dom names it otherwise)', async () => {
    const net = new Network()
    const page = '<div data-sync-island="main"><svg><use id="u"/></svg></div>'
    const a = net.join(page)
    const b = net.join(page)
    await net.settle()
    a.doc.getElementById('u')!.setAttributeNS('http://www.w3.org/1999/xlink', 'href', '#dot')
    await net.settle()
    expect(b.doc.getElementById('u')!.getAttributeNS('http://www.w3.org/1999/xlink', 'href')).toBe('#dot')
  })
})

