import { describe, expect, it } from 'vitest'
import { createPage, Network, tick } from '../helpers/pages.js'
import { ManualClock } from '../helpers/clock.js'
import { syncIslands, type Session } from '../../src/index.js'
import { canonicalDom } from '../../src/binding/canonical.js'
import { readChannel, writeStanza, type ChannelReader } from '../../src/channel/channel.js'
import { mulberry32 } from '../../src/bridge/memory.js'

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

/**
 * Pages that join at the same moment, through the whole engine: a small room that delivers the
 * presence in the order the test gives (each page hears the others before its self-presence),
 * then relays messages in rounds. The clock moves only past coalescing windows, far less than
 * `retryMs`, so a page that needed a retry would still be joining.
 */
class TogetherRoom {
  readonly clock = new ManualClock()
  readonly pages: Array<{ id: string; doc: Document; session: Session; incoming: Element }> = []
  private queue: Array<{ from: string; text: string }> = []
  private readers: ChannelReader[] = []

  constructor(htmls: string[], ids = htmls.map((_, i) => `room@muc/p${i}`)) {
    htmls.forEach((html, i) => {
      const doc = createPage(html)
      const session = syncIslands({ root: doc, clock: this.clock })
      const id = ids[i]!
      this.readers.push(readChannel(doc.getElementById('xmpp-outgoing')!, (text) => this.queue.push({ from: id, text })))
      this.pages.push({ id, doc, session, incoming: doc.getElementById('xmpp-incoming')! })
    })
  }

  /** Everyone hears everyone, each page its own presence last, the pages interleaved by `rand`. */
  async presenceTogether(rand: () => number): Promise<void> {
    const streams = this.pages.map((p) => [...this.pages.filter((q) => q !== p).map((q) => ({ to: p, of: q.id, self: false })).sort(() => rand() - 0.5), { to: p, of: p.id, self: true }])
    while (streams.some((s) => s.length)) {
      const live = streams.filter((s) => s.length)
      const e = live[Math.floor(rand() * live.length)]!.shift()!
      const x = e.self ? '<x xmlns="http://jabber.org/protocol/muc#user"><status code="110"/></x>' : ''
      writeStanza(e.to.incoming, `<presence xmlns="jabber:client" from="${e.of}">${x}</presence>`)
      if (rand() < 0.3) await this.round()
    }
  }

  /** One round: what the pages wrote goes to every other page, addressed; 20 ms pass. */
  async round(): Promise<number> {
    for (const p of this.pages) p.session.flush()
    await tick()
    const batch = this.queue
    this.queue = []
    for (const m of batch) {
      const addressed = m.text.replace('<message xmlns="jabber:client"', `<message xmlns="jabber:client" from="${m.from}"`)
      for (const p of this.pages) if (p.id !== m.from) writeStanza(p.incoming, addressed)
    }
    await tick()
    this.clock.advance(20)
    await tick()
    return batch.length
  }

  async quiet(maxRounds = 40): Promise<number> {
    let rounds = 0
    while (rounds < maxRounds && ((await this.round()) > 0 || this.queue.length > 0)) rounds++
    return rounds
  }

  stop(): void {
    for (const r of this.readers) r.stop()
    for (const p of this.pages) p.session.stop()
  }
}

describe('joining together: one round trip, no retry', () => {
  const island = (p: { session: Session }) => p.session.islands.get('main')!

  for (const [size, html] of [
    [2, 'same'],
    [3, 'same'],
    [4, 'same'],
    [5, 'same'],
    [2, 'different'],
    [4, 'different'],
  ] as const) {
    it(`${size} ${html} pages that join at the same moment are synced without a retry, and exchange edits`, async () => {
      for (let seed = 1; seed <= 6; seed++) {
        const htmls = Array.from({ length: size }, (_, i) => (html === 'same' ? PAGE : `<div data-sync-island="main"><p>page ${i}</p></div>`))
        const room = new TogetherRoom(htmls)
        await room.presenceTogether(mulberry32(seed))
        await room.quiet()
        const where = `seed ${seed}`
        // Well under retryMs (1500) has passed on the clock: nobody can have waited for a timer.
        expect(room.clock.now(), where).toBeLessThan(1000)
        for (const p of room.pages) {
          expect(island(p).state, `${p.id} synced, ${where}`).toBe('synced')
          expect(island(p).retries, `${p.id} retries, ${where}`).toBe(0)
        }
        // Every page's content, once, in one order on every page.
        const canon = room.pages.map((p) => canonicalDom(p.doc.querySelector('[data-sync-island]')!, island(p).policy))
        expect(new Set(canon).size, where).toBe(1)
        if (html === 'same') expect(canon[0]).toBe(canonicalDom(createPage(PAGE).querySelector('[data-sync-island]')!))
        else for (let i = 0; i < size; i++) expect(canon[0], where).toContain(`page ${i}`)
        // Edits both ways, at once.
        room.pages.forEach((p, i) => p.doc.querySelector('[data-sync-island]')!.appendChild(p.doc.createElement('hr')).setAttribute('title', `n${i}`))
        await room.quiet()
        const after = room.pages.map((p) => canonicalDom(p.doc.querySelector('[data-sync-island]')!, island(p).policy))
        expect(new Set(after).size, where).toBe(1)
        for (let i = 0; i < size; i++) expect(after[0], where).toContain(`title="n${i}"`)
        // Time passes: no timer was left to fire.
        room.clock.advance(10_000)
        await room.quiet()
        for (const p of room.pages) expect(island(p).retries, where).toBe(0)
        room.stop()
      }
    })
  }

  it('a joiner whose smallest-id peer is still joining does not wait either', async () => {
    // p1 is synced alone first; then p0 (the smallest id) and p2 join together.
    const room = new TogetherRoom([PAGE, PAGE, PAGE])
    const [p0, p1, p2] = room.pages as [(typeof room.pages)[0], (typeof room.pages)[0], (typeof room.pages)[0]]
    const presence = (to: typeof p0, of: string, self = false) =>
      writeStanza(to.incoming, `<presence xmlns="jabber:client" from="${of}">${self ? '<x xmlns="http://jabber.org/protocol/muc#user"><status code="110"/></x>' : ''}</presence>`)
    presence(p1, p1.id, true)
    await room.quiet()
    for (const [to, of] of [[p0, p1], [p2, p1], [p0, p2], [p2, p0], [p1, p0], [p1, p2]] as const) presence(to, of.id)
    presence(p0, p0.id, true)
    presence(p2, p2.id, true)
    await room.quiet()
    for (const p of room.pages) {
      expect(island(p).state).toBe('synced')
      expect(island(p).retries).toBe(0)
    }
    expect(room.clock.now()).toBeLessThan(1000)
    room.stop()
  })

  it('a join that gets no answer at all still falls back: ask everyone, then alone', async () => {
    // The other page has no island of this name: it never asks and never answers.
    const room = new TogetherRoom([PAGE, '<div data-sync-island="other"></div>'])
    await room.presenceTogether(mulberry32(1))
    await room.quiet()
    const joiner = island(room.pages[0]!)
    expect(joiner.state).toBe('joining')
    room.clock.advance(1500)
    await room.quiet()
    expect(joiner.retries).toBe(1)
    expect(joiner.state).toBe('joining')
    room.clock.advance(1500)
    await room.quiet()
    expect(joiner.retries).toBe(2)
    expect(joiner.state).toBe('synced')
    room.stop()
  })
})
