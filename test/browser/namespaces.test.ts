import { describe, expect, it } from 'vitest'
import { Network } from '../helpers/pages.js'
import { nsWalk } from './support.js'
import { createPolicy } from '../../src/policy/index.js'

// The binding round-trips any namespace; what the page renders from peers is the policy's call,
// and the default html profile renders no unknown namespace. These pages trust a few more.
const TRUSTING = {
  allow: createPolicy({
    profile: 'html',
    namespaces: ['urn:x', 'urn:y'],
    elements: ['math:math', 'math:mi'],
  }),
}

// Yjs XML types carry no namespace: the binding's names do. In Chromium (whose HTML parser puts
// SVG in the SVG namespace and xlink:href / xml:space in theirs), every element and attribute
// must come out on the other pages with the same namespaceURI, prefix, localName and value.

const SVG = 'http://www.w3.org/2000/svg'
const XLINK = 'http://www.w3.org/1999/xlink'
const XML = 'http://www.w3.org/XML/1998/namespace'

const PAGE =
  '<div data-sync-island="main"><p>an <em>HTML</em> island with a drawing:</p>' +
  '<svg id="s" viewBox="0 0 10 10"><defs><rect id="dot" width="1" height="1"/></defs>' +
  '<use id="u" xlink:href="#dot" x="2"/><text id="t" xml:space="preserve">  two  spaces  </text></svg>' +
  '</div>'

describe('namespaces round-trip exactly in Chromium', () => {
  it('the HTML parser put them where the test expects (the premise)', () => {
    const net = new Network({}, TRUSTING)
    const a = net.join(PAGE)
    const use = a.doc.getElementById('u')!
    expect(a.doc.getElementById('s')!.namespaceURI).toBe(SVG)
    expect(use.getAttributeNodeNS(XLINK, 'href')?.name).toBe('xlink:href')
    expect(a.doc.getElementById('t')!.getAttributeNodeNS(XML, 'space')?.name).toBe('xml:space')
    a.session.stop()
  })

  it('page content: SVG in HTML, xlink:href, xml:space, to a page that joins later with other content', async () => {
    const net = new Network({}, TRUSTING)
    const a = net.join(PAGE)
    await net.settle()
    const b = net.join('<div data-sync-island="main"><p>something else</p></div>') // adopts A's island
    await net.settle()
    expect(nsWalk(b.island())).toBe(nsWalk(a.island()))
    const use = b.doc.getElementById('u')!
    expect(use.getAttributeNS(XLINK, 'href')).toBe('#dot')
    expect(use.hasAttribute('href'), 'not a plain href').toBe(false)
    expect(b.doc.getElementById('t')!.getAttributeNS(XML, 'space')).toBe('preserve')
    expect(b.errors).toEqual([])
  })

  it('elements and attributes made by script, in known and unknown namespaces, both ways', async () => {
    const net = new Network({}, TRUSTING)
    const a = net.join(PAGE)
    const b = net.join(PAGE)
    await net.settle()
    const doc = a.doc
    const svg = doc.getElementById('s')!
    // xlink:href set by script on a new <use>, and changed on an existing one.
    const use = doc.createElementNS(SVG, 'use')
    use.setAttributeNS(XLINK, 'xlink:href', '#dot')
    svg.appendChild(use)
    doc.getElementById('u')!.setAttributeNS(XLINK, 'xlink:href', '#other')
    doc.getElementById('t')!.setAttributeNS(XML, 'xml:space', 'default')
    // An element and an attribute in a namespace the binding has no prefix for.
    const thing = doc.createElementNS('urn:x', 'x:thing')
    thing.setAttributeNS('urn:x', 'x:a', '1')
    thing.setAttribute('plain', '2')
    thing.appendChild(doc.createElementNS('urn:x', 'x:part')).textContent = 'inside'
    a.island().appendChild(thing)
    // An unknown-namespace attribute on an HTML element and on an SVG element, and MathML.
    a.island().querySelector('em')!.setAttributeNS('urn:y', 'y:b', '3')
    svg.setAttributeNS('urn:x', 'x:c', '4')
    const math = doc.createElementNS('http://www.w3.org/1998/Math/MathML', 'math')
    math.appendChild(doc.createElementNS('http://www.w3.org/1998/Math/MathML', 'mi')).textContent = 'x'
    a.island().appendChild(math)
    await net.settle()
    expect(nsWalk(b.island())).toBe(nsWalk(a.island()))
    const got = b.island().lastElementChild!.previousElementSibling!
    expect([got.namespaceURI, got.prefix, got.localName]).toEqual(['urn:x', 'x', 'thing'])
    expect(got.getAttributeNodeNS('urn:x', 'a')?.name, 'the prefix in scope').toBe('x:a')
    expect(got.getAttributeNS('urn:x', 'a')).toBe('1')
    expect(b.doc.getElementById('u')!.getAttributeNodeNS(XLINK, 'href')?.name).toBe('xlink:href')
    expect(b.doc.getElementById('t')!.getAttributeNodeNS(XML, 'space')?.name).toBe('xml:space')
    expect(b.doc.getElementById('s')!.getAttributeNS('urn:x', 'c')).toBe('4')

    // And back: B's changes to them reach A in the same shape.
    got.setAttributeNS('urn:x', 'x:a', '5')
    got.removeAttribute('plain')
    b.doc.getElementById('u')!.removeAttributeNS(XLINK, 'href')
    await net.settle()
    expect(nsWalk(a.island())).toBe(nsWalk(b.island()))
    expect(thing.getAttributeNS('urn:x', 'a')).toBe('5')
    expect(a.doc.getElementById('u')!.hasAttributeNS(XLINK, 'href')).toBe(false)
  })

  it('XMLSerializer gives the same markup on both pages', async () => {
    const net = new Network({}, TRUSTING)
    const a = net.join(PAGE)
    await net.settle()
    const b = net.join('<div data-sync-island="main"></div>')
    await net.settle()
    const thing = a.doc.createElementNS('urn:x', 'x:thing')
    thing.setAttributeNS('urn:x', 'x:a', '1')
    a.doc.getElementById('s')!.appendChild(thing)
    await net.settle()
    const xml = (p: typeof a): string => new XMLSerializer().serializeToString(p.doc.getElementById('s')!)
    // Attribute order is not content (and a Yjs map keeps none): compare the markup re-parsed.
    const reparsed = (s: string): string => nsWalk(new DOMParser().parseFromString(s, 'image/svg+xml').documentElement)
    expect(reparsed(xml(b))).toBe(reparsed(xml(a)))
    expect(xml(b)).toContain('<x:thing xmlns:x="urn:x" x:a="1"/>')
    expect(xml(b)).toContain('xlink:href="#dot"')
    expect(xml(b)).toContain('xml:space="preserve"')
  })

  it('HTML names with a colon (Word’s <o:p>) stay HTML elements and no-namespace attributes', async () => {
    // The binding's names alone: the default policies refuse colon names (see test/unit/policy).
    const net = new Network({}, { allow: { element: () => true, attribute: () => true, text: () => true } })
    const a = net.join('<div data-sync-island="main"><p>text<o:p></o:p></p><span xml:lang="en" svg:x="1">hi</span></div>')
    await net.settle()
    const b = net.join('<div data-sync-island="main"></div>')
    await net.settle()
    const op = b.island().querySelector('p')!.lastElementChild!
    expect([op.namespaceURI, op.prefix, op.localName]).toEqual(['http://www.w3.org/1999/xhtml', null, 'o:p'])
    expect(nsWalk(b.island())).toBe(nsWalk(a.island()))
    expect(net.canonical()[1]).toBe(net.canonical()[0])
  })
})
