import { describe, expect, it } from 'vitest'
import { Network, type TestPeer } from '../helpers/pages.js'

// Remote updates patch the DOM in place: an app that holds a reference to an element (and has
// listeners on it) keeps a live element, whatever the other peers change around or inside it.

const PAGE =
  '<div data-sync-island="main">' +
  '<ul id="list"><li id="one">one</li><li id="two">two</li><li id="three">three</li></ul>' +
  '<p id="para">hello <b id="bold">world</b></p>' +
  '<svg id="s"><g id="g"><rect id="r" x="1" y="1" width="5" height="5"/></g></svg>' +
  '</div>'

async function twoPages(): Promise<{ net: Network; a: TestPeer; b: TestPeer }> {
  const net = new Network()
  const a = net.join(PAGE)
  const b = net.join(PAGE)
  await net.settle()
  return { net, a, b }
}

/** What the app on page A holds: elements, a text node, and listeners that count clicks. */
function holdReferences(a: TestPeer) {
  const els = ['list', 'one', 'two', 'three', 'para', 'bold', 's', 'g', 'r'].map((id) => a.doc.getElementById(id)!)
  const clicks = new Map<Element, number>()
  for (const el of els) el.addEventListener('click', () => clicks.set(el, (clicks.get(el) ?? 0) + 1))
  const text = a.doc.getElementById('para')!.firstChild as Text
  return {
    text,
    /** Every held element is still the one in the document, and its listener still fires. */
    expectAlive(ids = ['list', 'one', 'two', 'three', 'para', 'bold', 's', 'g', 'r']) {
      for (const el of els) {
        if (!ids.includes(el.id)) continue
        expect(a.doc.getElementById(el.id), `#${el.id} is the same node`).toBe(el)
        expect(el.isConnected).toBe(true)
        const before = clicks.get(el) ?? 0
        el.dispatchEvent(new MouseEvent('click'))
        expect(clicks.get(el), `#${el.id}'s listener`).toBe(before + 1)
      }
    },
  }
}

describe('remote patches keep element identity', () => {
  it('attribute changes: set, change, remove, namespaced', async () => {
    const { net, a, b } = await twoPages()
    const held = holdReferences(a)
    b.doc.getElementById('one')!.setAttribute('class', 'done')
    b.doc.getElementById('r')!.setAttribute('fill', 'red')
    b.doc.getElementById('r')!.setAttribute('x', '9')
    b.doc.getElementById('s')!.setAttributeNS('http://www.w3.org/1999/xlink', 'xlink:title', 't')
    await net.settle()
    expect(a.doc.getElementById('one')!.className).toBe('done')
    expect(a.doc.getElementById('r')!.getAttribute('fill')).toBe('red')
    held.expectAlive()
    b.doc.getElementById('one')!.removeAttribute('class')
    b.doc.getElementById('r')!.removeAttribute('fill')
    await net.settle()
    expect(a.doc.getElementById('one')!.hasAttribute('class')).toBe(false)
    held.expectAlive()
  })

  it('text changes keep the text node and its element', async () => {
    const { net, a, b } = await twoPages()
    const held = holdReferences(a)
    const bText = b.doc.getElementById('para')!.firstChild as Text
    bText.insertData(0, 'oh, ')
    bText.appendData('big ')
    await net.settle()
    expect(a.doc.getElementById('para')!.textContent).toBe('oh, hello big world')
    expect(a.doc.getElementById('para')!.firstChild, 'the same text node').toBe(held.text)
    bText.data = 'bye '
    await net.settle()
    expect(held.text.data).toBe('bye ')
    expect(a.doc.getElementById('para')!.firstChild).toBe(held.text)
    held.expectAlive()
  })

  it('child-list changes around and inside held elements', async () => {
    const { net, a, b } = await twoPages()
    const held = holdReferences(a)
    const list = b.doc.getElementById('list')!
    const zero = b.doc.createElement('li')
    zero.id = 'zero'
    zero.textContent = 'zero'
    list.insertBefore(zero, list.firstChild) // before held siblings
    b.doc.getElementById('two')!.remove() // between held siblings
    b.doc.getElementById('bold')!.append(' and more', b.doc.createElement('i')) // inside a held element
    const circle = b.doc.createElementNS('http://www.w3.org/2000/svg', 'circle')
    b.doc.getElementById('g')!.insertBefore(circle, b.doc.getElementById('r')) // before a held shape
    await net.settle()
    expect(a.doc.getElementById('list')!.textContent).toBe('zeroonethree')
    expect(a.doc.getElementById('bold')!.innerHTML).toBe('world and more<i></i>')
    expect(a.doc.getElementById('g')!.firstElementChild!.localName).toBe('circle')
    held.expectAlive(['list', 'one', 'three', 'para', 'bold', 's', 'g', 'r'])
    expect(held.text.isConnected).toBe(true)
    expect(net.canonical()[0]).toBe(net.canonical()[1])
  })

  it('a remote reorder of siblings keeps the nodes that stayed', async () => {
    const { net, a, b } = await twoPages()
    const held = holdReferences(a)
    const list = b.doc.getElementById('list')!
    list.insertBefore(b.doc.getElementById('three')!, b.doc.getElementById('one')) // three, one, two
    await net.settle()
    expect(Array.from(a.doc.getElementById('list')!.children, (e) => e.id)).toEqual(['three', 'one', 'two'])
    // `one` and `two` kept their order and stay untouched; `three` moved.
    held.expectAlive(['list', 'one', 'two', 'para', 'bold', 's', 'g', 'r'])
    expect(net.canonical()[0]).toBe(net.canonical()[1])
  })
})
