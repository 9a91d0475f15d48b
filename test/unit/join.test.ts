import { describe, expect, it } from 'vitest'
import { Network } from '../helpers/pages.js'

const PAGE = '<div data-sync-island="main"><h1>Title</h1><ul><li>one</li><li>two</li></ul></div>'

describe('joining', () => {
  it('identical pages joining at the same moment keep their content once', async () => {
    const net = new Network({ seed: 3, reorder: true })
    for (let i = 0; i < 4; i++) net.join(PAGE)
    await net.settle()
    expect(new Set(net.canonical()).size).toBe(1)
    for (const p of net.peers) expect(p.island().querySelectorAll('li').length).toBe(2)
  })

  it('an identical page joining later keeps its content once, and sees the edits made since', async () => {
    const net = new Network()
    const a = net.join(PAGE)
    await net.settle()
    a.island().querySelector('li')!.textContent = 'uno'
    await net.settle()
    const b = net.join(PAGE)
    await net.settle()
    expect(b.island().innerHTML).toBe('<h1>Title</h1><ul><li>uno</li><li>two</li></ul>')
  })

  it('a page with other content adopts the session with a minimal patch: what can stay, stays', async () => {
    const net = new Network()
    const a = net.join('<div data-sync-island="main"><p id="keep">same</p><p>session</p></div>')
    await net.settle()
    a.island().querySelector('p')!.setAttribute('class', 'edited')
    await net.settle()
    const b = net.join('<div data-sync-island="main"><p id="keep">same</p><p>stale</p><p>extra</p><!--local--></div>')
    const kept = b.island().querySelector('#keep')
    await net.settle()
    expect(b.island().innerHTML).toBe('<p id="keep" class="edited">same</p><p>session</p><!--local-->')
    expect(b.island().querySelector('#keep')).toBe(kept)
    // And it is live: edits flow from the adopted page too.
    b.island().querySelector('#keep')!.textContent = 'changed by b'
    await net.settle()
    expect(a.island().querySelector('#keep')!.textContent).toBe('changed by b')
  })

  it('pages with different content at the same moment end with one result, whatever the join order', async () => {
    const pages = ['<div data-sync-island="main"><p>A</p></div>', '<div data-sync-island="main"><p>B</p></div>', '<div data-sync-island="main"><p>C</p></div>']
    const results: string[] = []
    for (const order of [[0, 1, 2], [2, 1, 0], [1, 2, 0]]) {
      const net = new Network({ seed: 9, reorder: true })
      // All alone at first (each in its own partition), then together: nobody knew of the others.
      const peers = order.map((i) => net.join(pages[i]!, `p${i}`))
      await net.settle()
      expect(new Set(net.canonical()).size).toBe(1)
      results.push(net.canonical()[0]!)
      expect(peers.length).toBe(3)
    }
    // Joined one after the other, the first page's content wins: the first to be alone defines it.
    for (const r of results) expect(r).toMatch(/^<#island><p>"[ABC]"<\/p><\/#island>$/)
  })

  it('pages that each started alone and then meet merge all their content, in an order every page agrees on', async () => {
    const results: string[] = []
    for (const seed of [1, 2, 3]) {
      const net = new Network({ seed, reorder: true })
      net.join('<div data-sync-island="main"><p>A</p></div>', 'a')
      await net.settle()
      net.bus.partition(['a'])
      net.join('<div data-sync-island="main"><p>B</p></div>', 'b')
      await net.settle()
      net.bus.heal()
      await net.settle()
      expect(new Set(net.canonical()).size).toBe(1)
      results.push(net.canonical()[0]!)
    }
    expect(new Set(results).size).toBe(1)
    expect(results[0]).toContain('"A"')
    expect(results[0]).toContain('"B"')
  })

  it('a page alone is synced at once; a joiner is synced when answered', async () => {
    const net = new Network()
    const a = net.join(PAGE)
    const synced: Array<{ island: string; alone: boolean }> = []
    a.island().addEventListener('synced', (e) => synced.push((e as CustomEvent).detail))
    await net.settle()
    expect(synced).toEqual([{ island: 'main', alone: true }])
    const b = net.join(PAGE)
    const bSynced: boolean[] = []
    b.session.addEventListener('synced', (e) => bSynced.push((e as CustomEvent).detail.alone))
    await net.settle()
    expect(bSynced).toEqual([false])
  })
  it('a joiner is answered by one peer, the same one every peer would choose', async () => {
    const net = new Network()
    for (const id of ['d', 'b', 'c', 'a']) net.join(PAGE, id)
    await net.settle()
    const answers: string[] = []
    const queue = (net.bus as unknown as { queue: Array<{ from: string; to: string; text: string }> }).queue
    const deliver = net.bus.deliver.bind(net.bus)
    net.bus.deliver = (max?: number) => {
      for (const m of queue) if (m.text.includes(' for="e"') && m.to === 'e') answers.push(m.from)
      return deliver(max)
    }
    const e = net.join(PAGE, 'e')
    await net.settle()
    expect(answers).toEqual(['a'])
    expect(e.island().innerHTML).toBe(net.peers[0]!.island().innerHTML)
  })
})

describe('adoption', () => {
  it('binds the page’s nodes right when white space sits between them (found by the policy tests)', async () => {
    const net = new Network()
    const a = net.join('<svg data-sync-island="d" xmlns="http://www.w3.org/2000/svg">\n<g id="s"><rect x="1"/></g>\n</svg>')
    await net.settle()
    const b = net.join('<svg data-sync-island="d" xmlns="http://www.w3.org/2000/svg"><g id="s"></g></svg>')
    await net.settle()
    a.doc.getElementById('s')!.appendChild(a.doc.createElementNS('http://www.w3.org/2000/svg', 'rect'))
    await net.settle()
    expect(b.doc.getElementById('s')!.children.length).toBe(2)
    b.doc.getElementById('s')!.setAttribute('fill', 'red')
    await net.settle()
    expect(a.doc.getElementById('s')!.getAttribute('fill')).toBe('red')
    expect(net.canonical('d')[1]).toBe(net.canonical('d')[0])
  })
})
