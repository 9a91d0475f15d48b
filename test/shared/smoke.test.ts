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
})
