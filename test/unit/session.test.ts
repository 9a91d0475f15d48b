import { describe, expect, it } from 'vitest'
import { Network, tick } from '../helpers/pages.js'

describe('the session', () => {
  it('picks up islands added later, and stops islands removed from the page', async () => {
    const net = new Network()
    const a = net.join('<div data-sync-island="one"><p>1</p></div>')
    const b = net.join('<div data-sync-island="one"><p>1</p></div>')
    await net.settle()
    for (const p of [a, b]) p.doc.body.insertAdjacentHTML('beforeend', '<section data-sync-island="two"><p>2</p></section>')
    await net.settle()
    expect(a.session.islands.has('two')).toBe(true)
    a.island('two').querySelector('p')!.textContent = 'two, edited'
    await net.settle()
    expect(b.island('two').textContent).toBe('two, edited')

    const removed = a.island('one')
    removed.remove()
    await net.settle()
    expect(a.session.islands.has('one')).toBe(false)
    const before = net.bus.delivered
    removed.querySelector('p')!.textContent = 'detached'
    await net.settle()
    expect(net.bus.delivered).toBe(before)
    expect(b.island('one').textContent).toBe('1')
  })

  it('two islands with one name are an error event, not a silent merge', async () => {
    const net = new Network()
    const a = net.join('<div data-sync-island="x"><p>first</p></div><div data-sync-island="x" id="second"><p>second</p></div>')
    await net.settle()
    expect(a.errors.map((e) => [e.condition, e.island])).toEqual([['duplicate-island', 'x']])
    expect(a.session.islands.get('x')!.element.id).toBe('')
  })

  it('stop() leaves the page as it stands, with no observer or listener left', async () => {
    const net = new Network()
    const a = net.join('<div data-sync-island="main"><p>hello</p></div>')
    const b = net.join('<div data-sync-island="main"><p>hello</p></div>')
    await net.settle()
    a.island().querySelector('p')!.textContent = 'bye'
    a.session.stop()
    await net.settle()
    expect(b.island().textContent).toBe('bye') // what was pending went out
    const html = a.island().outerHTML
    const before = net.bus.delivered
    a.island().querySelector('p')!.textContent = 'after stop'
    a.island().appendChild(a.doc.createElement('hr'))
    a.doc.body.insertAdjacentHTML('beforeend', '<div data-sync-island="late"></div>')
    await net.settle()
    expect(net.bus.delivered).toBe(before)
    expect(b.island().textContent).toBe('bye')
    expect(html).toContain('bye')
    // Remote changes no longer reach it.
    b.island().querySelector('p')!.textContent = 'from b'
    await net.settle()
    expect(a.island().textContent).toBe('after stop')
  })

  it('data-sync-ignore keeps a subtree local; data-sync-ignore-attrs keeps attributes local', async () => {
    const html = '<div data-sync-island="main" data-sync-ignore-attrs="class"><p class="sel">shared</p><aside data-sync-ignore>local</aside></div>'
    const net = new Network()
    const a = net.join(html)
    const b = net.join(html.replace('local', 'other local'))
    await net.settle()
    a.island().querySelector('aside')!.textContent = 'still local'
    a.island().querySelector('p')!.className = 'hover'
    a.island().querySelector('p')!.setAttribute('title', 'shared title')
    await net.settle()
    expect(b.island().querySelector('aside')!.textContent).toBe('other local')
    expect(b.island().querySelector('p')!.className).toBe('sel')
    expect(b.island().querySelector('p')!.getAttribute('title')).toBe('shared title')
  })

  it('a node put back where it was is not copied: a peer\'s concurrent edit inside it survives', async () => {
    const html = '<div data-sync-island="main"><p>one</p><p>two</p></div>'
    const net = new Network()
    const a = net.join(html)
    const b = net.join(html)
    await net.settle()
    const fragment = a.session.islands.get('main')!.doc.getXmlFragment('island')
    const second = fragment.get(1)
    ;(b.island().querySelectorAll('p')[1]!.firstChild as Text).data = 'two!'
    a.island().appendChild(a.island().lastChild!) // out and back in: the order is what it was
    await net.settle()
    expect(fragment.get(1)).toBe(second)
    expect(a.island().textContent).toBe('onetwo!')
    expect(b.island().textContent).toBe('onetwo!')
  })

  it('keeps the attributes an ancestor names local in a subtree added later, at every depth', async () => {
    const html = '<div data-sync-island="main"><section data-sync-ignore-attrs="class"><p>x</p></section></div>'
    const net = new Network()
    const a = net.join(html)
    const b = net.join(html)
    await net.settle()
    const doc = a.island().ownerDocument
    const outer = doc.createElement('div')
    outer.className = 'sel'
    outer.title = 'kept'
    outer.innerHTML = '<p class="hover" title="t" lang="en" data-sync-ignore-attrs="title"><b class="x" title="u" dir="rtl">deep</b></p>'
    a.island().querySelector('section')!.appendChild(outer)
    await net.settle()
    const got = b.island().querySelector('section > div')!
    expect(got.outerHTML).toBe('<div title="kept"><p lang="en"><b dir="rtl">deep</b></p></div>')
  })

  it('tells who comes and goes, on the session and on each island element', async () => {
    const net = new Network()
    const a = net.join('<div data-sync-island="main"></div>')
    const seen: string[] = []
    a.session.addEventListener('peer-join', (e) => seen.push(`join ${(e as CustomEvent).detail.peer}`))
    a.island().addEventListener('peer-leave', (e) => seen.push(`leave ${(e as CustomEvent).detail.peer} (island)`))
    await net.settle()
    const b = net.join('<div data-sync-island="main"></div>', 'bob')
    await net.settle()
    net.bus.partition(['bob'])
    await tick()
    expect(seen).toEqual(['join bob', 'leave bob (island)'])
    expect([...a.session.peers]).toEqual([])
    expect(b.session.self).toBe('bob')
  })

  it('an island nested in another is its own island, left out of the outer one', async () => {
    const html = '<div data-sync-island="outer"><p>o</p><div data-sync-island="inner"><p>i</p></div></div>'
    const net = new Network()
    const a = net.join(html)
    const b = net.join(html)
    await net.settle()
    a.island('inner').querySelector('p')!.textContent = 'inner edit'
    await net.settle()
    expect(b.island('inner').textContent).toBe('inner edit')
    expect(b.session.islands.get('outer')!.doc.getXmlFragment('island').toString()).not.toContain('inner')
  })
})
