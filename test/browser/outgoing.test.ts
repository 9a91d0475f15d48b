import { describe, expect, it } from 'vitest'
import { Network, type TestPeer } from '../helpers/pages.js'
import { outgoingCounter, tick } from './support.js'

// What goes out: one stanza for everything one task changed (Chromium delivers all of a task's
// records to one observer callback, however it groups them), and nothing for what came in.

const PAGE =
  '<div data-sync-island="main"><ul id="list"><li id="one">one</li><li id="two">two</li></ul>' +
  '<p id="p">text</p><svg id="s"><rect id="r" x="1"/></svg></div>'

async function pages(n: number): Promise<{ net: Network; pages: TestPeer[] }> {
  const net = new Network()
  const ps = Array.from({ length: n }, () => net.join(PAGE))
  await net.settle()
  return { net, pages: ps }
}

describe('echo: a remote update produces nothing outgoing on the page that receives it', () => {
  it('attributes, text, child lists, SVG and namespaced attributes, applied remotely, are not sent back', async () => {
    const { net, pages: [a, b, c] } = await pages(3)
    const fromB = outgoingCounter(b!)
    const fromC = outgoingCounter(c!)
    const fromA = outgoingCounter(a!)
    const before = net.bus.delivered
    const doc = a!.doc
    doc.getElementById('one')!.setAttribute('class', 'x')
    ;(doc.getElementById('p')!.firstChild as Text).appendData(' more')
    doc.getElementById('list')!.append(doc.createElement('li'), 'loose text')
    doc.getElementById('two')!.remove()
    doc.getElementById('r')!.setAttributeNS('http://www.w3.org/1999/xlink', 'xlink:title', 't')
    await net.settle()
    expect(b!.island().innerHTML).toBe(a!.island().innerHTML)
    expect(fromA.count).toBe(1)
    expect([fromB.count, fromC.count]).toEqual([0, 0])
    expect(net.bus.delivered - before, 'A’s one update, to B and to C').toBe(2)
  })

  it('a remote update applied while the receiver has its own pending change sends only that change', async () => {
    const { net, pages: [a, b] } = await pages(2)
    const fromB = outgoingCounter(b!)
    a!.doc.getElementById('one')!.textContent = 'uno'
    await tick()
    net.bus.deliver() // A's update is now in B's #xmpp-incoming
    b!.doc.getElementById('r')!.setAttribute('x', '9') // B's own change, not yet observed
    await net.settle()
    expect(fromB.count, 'B sends its own change, once, and nothing of A’s').toBe(1)
    expect(a!.doc.getElementById('r')!.getAttribute('x')).toBe('9')
    expect(b!.doc.getElementById('one')!.textContent).toBe('uno')
  })

  it('an SVG rescan right after a remote update sends nothing', async () => {
    const { net, pages: [a, b] } = await pages(2)
    const fromB = outgoingCounter(b!)
    a!.doc.getElementById('r')!.setAttribute('transform', 'rotate(45)')
    await net.settle()
    b!.session.islands.get('main')!.rescan()
    b!.doc.body.dispatchEvent(new PointerEvent('pointerup', { bubbles: true }))
    await net.settle()
    expect(fromB.count).toBe(0)
  })
})

describe('one observer callback, one update', () => {
  it('many DOM changes in one task go out as exactly one stanza', async () => {
    const { net, pages: [a, b] } = await pages(2)
    const fromA = outgoingCounter(a!)
    const before = net.bus.delivered
    const doc = a!.doc
    const list = doc.getElementById('list')!
    // Chromium groups these in ways happy-dom does not: one record for append(x, y), fragments
    // and innerHTML; replaceChild as one record with both lists.
    list.append(doc.createElement('li'), doc.createElement('li'))
    const frag = doc.createDocumentFragment()
    frag.append(doc.createElement('li'), 'a text')
    list.appendChild(frag)
    list.replaceChild(doc.createElement('li'), doc.getElementById('one')!)
    doc.getElementById('p')!.innerHTML = '<b>bold</b> and <i>italic</i>'
    doc.getElementById('r')!.setAttribute('x', '5')
    doc.getElementById('r')!.setAttribute('y', '6')
    doc.getElementById('s')!.appendChild(doc.createElementNS('http://www.w3.org/2000/svg', 'circle'))
    await tick()
    expect(fromA.count, 'one stanza as soon as the callback ran').toBe(1)
    await net.settle()
    expect(fromA.count, 'and nothing more after').toBe(1)
    expect(net.bus.delivered - before).toBe(1)
    expect(net.canonical()[1]).toBe(net.canonical()[0])
  })

  it('one callback is one Yjs transaction', async () => {
    const { pages: [a] } = await pages(2)
    const island = a!.session.islands.get('main')!
    let transactions = 0
    island.doc.on('afterTransaction', () => transactions++)
    const doc = a!.doc
    doc.getElementById('list')!.append(doc.createElement('li'), doc.createElement('li'))
    doc.getElementById('r')!.setAttribute('x', '7')
    ;(doc.getElementById('p')!.firstChild as Text).insertData(0, '>')
    await tick()
    expect(transactions).toBe(1)
  })
})
