import { describe, expect, it } from 'vitest'
import { Network, type TestPeer } from '../helpers/pages.js'

// Issue 12, "Ids that collide": an app numbers its shapes with a per-page counter and finds them
// by id, so two people's shapes get one id. Both shapes stay, the island's ids are unique again
// (one keeps the id, the others are renamed in the doc, the same on every page), and references
// made with a renamed shape follow it.

const SVG = 'http://www.w3.org/2000/svg'
const XLINK = 'http://www.w3.org/1999/xlink'
const PAGE =
  '<svg data-sync-island="main" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 100">' +
  '<defs id="defs"></defs><g id="layer"><rect id="base" x="0" y="0" width="5" height="5"/></g></svg>'

const byId = (p: TestPeer, id: string): Element | null => p.doc.getElementById(id)
const layer = (p: TestPeer): Element => byId(p, 'layer')!

/** What the app does: a shape with its counter's id, appended to the layer. */
function draw(p: TestPeer, id: string, fill: string, tag = 'rect', parent: Element = layer(p)): Element {
  const el = p.doc.createElementNS(SVG, tag)
  el.setAttribute('id', id)
  el.setAttribute('fill', fill)
  el.setAttribute('x', '10')
  parent.appendChild(el)
  return el
}

/** Every page shows one island, with no id twice. */
function expectConverged(net: Network): void {
  const canon = net.canonical()
  for (let i = 1; i < canon.length; i++) expect(canon[i], `page ${i} differs from page 0`).toBe(canon[0])
  for (const p of net.peers) {
    const ids = Array.from(p.island().querySelectorAll('[id]'), (e) => e.id)
    expect(ids.length, `${p.id}: ids unique: ${ids}`).toBe(new Set(ids).size)
    expect(p.errors, `${p.id} saw errors`).toEqual([])
  }
}

/** The shapes of each fill, on a page, by id. */
function shapesByFill(p: TestPeer, fills: readonly string[]): Map<string, string> {
  const out = new Map<string, string>()
  for (const f of fills) {
    const els = Array.from(p.island().querySelectorAll(`[fill="${f}"]`))
    expect(els.length, `${p.id}: one ${f} shape`).toBe(1)
    out.set(f, els[0]!.id)
  }
  return out
}

/**
 * Each page finds every shape by its id, and can recolour, move and delete it; the others see it.
 * `fills` names the shapes (one fill each).
 */
async function expectUsable(net: Network, fills: readonly string[]): Promise<void> {
  const ids = shapesByFill(net.peers[0]!, fills)
  for (const p of net.peers) expect(shapesByFill(p, fills), p.id).toEqual(ids)
  const list = [...ids.values()]
  // Recolour each through getElementById, each from another page; then move one; then delete.
  list.forEach((id, i) => byId(net.peers[i % net.peers.length]!, id)!.setAttribute('stroke', `s${i}`))
  await net.settle()
  for (const p of net.peers) list.forEach((id, i) => expect(byId(p, id)!.getAttribute('stroke'), `${p.id}: ${id}`).toBe(`s${i}`))
  const mover = net.peers[net.peers.length - 1]!
  mover.island().appendChild(byId(mover, list[0]!)!)
  byId(net.peers[0]!, list[list.length - 1]!)!.setAttribute('x', '77')
  await net.settle()
  expectConverged(net)
  for (const p of net.peers) {
    expect(byId(p, list[0]!)!.parentNode, p.id).toBe(p.island())
    expect(byId(p, list[list.length - 1]!)!.getAttribute('x')).toBe('77')
  }
  for (const id of list) {
    byId(net.peers[1]!, id)!.remove()
    await net.settle()
    for (const p of net.peers) expect(byId(p, id), `${p.id}: ${id} deleted`).toBe(null)
  }
  expectConverged(net)
}

/** Fixes each page's Yjs client id (the lineage order that decides who keeps an id). */
function setClients(net: Network, ids: readonly number[]): void {
  net.peers.forEach((p, i) => (p.session.islands.get('main')!.doc.clientID = ids[i]!))
}

async function pages(n: number): Promise<Network> {
  const net = new Network()
  for (let i = 0; i < n; i++) net.join(PAGE)
  await net.settle()
  return net
}

/**
 * Pages `drawers` each draw `shape_1` (page i in fill `fills[i]`) before seeing each other's;
 * their updates then reach everyone in `order` (indexes of drawers), one at a time.
 */
async function concurrent(
  n: number,
  fills: readonly string[],
  order: readonly number[],
  extra?: (p: TestPeer, i: number) => void,
  clients?: readonly number[],
): Promise<Network> {
  const net = await pages(n)
  if (clients) setClients(net, clients)
  const drawers = fills.map((_, i) => net.peers[i]!)
  for (const p of drawers) net.bus.pause(p.id)
  drawers.forEach((p, i) => {
    draw(p, 'shape_1', fills[i]!)
    extra?.(p, i)
  })
  await net.settle()
  for (const i of order) {
    net.bus.resume(drawers[i]!.id)
    await net.settle()
  }
  return net
}

describe('ids that collide', () => {
  for (const n of [2, 3]) {
    for (const order of [
      [0, 1],
      [1, 0],
    ]) {
      it(`two pages draw shape_1 at once, ${n} pages, delivered ${order}`, async () => {
        const net = await concurrent(n, ['red', 'blue'], order)
        expectConverged(net)
        const ids = shapesByFill(net.peers[0]!, ['red', 'blue'])
        expect([...ids.values()]).toContain('shape_1')
        const other = [...ids.values()].find((id) => id !== 'shape_1')!
        expect(other).toMatch(/^shape_1-[0-9a-z]+-[0-9a-z]+$/)
        for (const p of net.peers) expect(byId(p, 'shape_1')!.getAttribute('fill')).toBe(byId(net.peers[0]!, 'shape_1')!.getAttribute('fill'))
        await expectUsable(net, ['red', 'blue'])
      })
    }
  }

  for (const order of [
    [0, 1, 2],
    [2, 1, 0],
    [1, 2, 0],
  ]) {
    it(`three pages draw shape_1 at once, delivered ${order}`, async () => {
      const net = await concurrent(3, ['red', 'blue', 'green'], order)
      expectConverged(net)
      const ids = [...shapesByFill(net.peers[0]!, ['red', 'blue', 'green']).values()]
      expect(ids.filter((id) => id === 'shape_1')).toHaveLength(1)
      await expectUsable(net, ['red', 'blue', 'green'])
    })
  }

  it("a page's counter did not see the other's shape: the new one yields, at once", async () => {
    const net = await pages(2)
    const [a, b] = net.peers as [TestPeer, TestPeer]
    draw(a, 'shape_1', 'red')
    await net.settle()
    const mine = draw(b, 'shape_1', 'blue')
    b.session.flush()
    // Renamed in the very capture that sent it: no page ever holds two shape_1.
    expect(mine.id).toMatch(/^shape_1-/)
    expect(byId(b, 'shape_1')!.getAttribute('fill')).toBe('red')
    await net.settle()
    expectConverged(net)
    expect(byId(a, 'shape_1')!.getAttribute('fill')).toBe('red')
    expect(byId(a, mine.id)!.getAttribute('fill')).toBe('blue')
    await expectUsable(net, ['red', 'blue'])
  })

  it('an element given an id another holds yields it', async () => {
    const net = await pages(2)
    const [a, b] = net.peers as [TestPeer, TestPeer]
    draw(a, 'shape_1', 'red')
    draw(a, 'shape_2', 'blue')
    await net.settle()
    byId(b, 'shape_2')!.setAttribute('id', 'shape_1')
    await net.settle()
    expectConverged(net)
    expect(byId(a, 'shape_1')!.getAttribute('fill')).toBe('red')
    await expectUsable(net, ['red', 'blue'])
  })

  for (const clients of [[100, 200], [200, 100]]) {
    it(`references made with a renamed shape follow it (use href, url(#gradient)), clients ${clients}`, async () => {
      const net = await concurrent(2, ['red', 'blue'], [0, 1], (p, i) => {
        const grad = p.doc.createElementNS(SVG, 'linearGradient')
        grad.setAttribute('id', 'grad_1')
        grad.setAttribute('gradientUnits', i ? 'userSpaceOnUse' : 'objectBoundingBox')
        byId(p, 'defs')!.appendChild(grad)
        const use = p.doc.createElementNS(SVG, 'use')
        use.setAttribute('href', '#shape_1')
        use.setAttribute('class', `use${i}`)
        layer(p).appendChild(use)
        const old = p.doc.createElementNS(SVG, 'use')
        old.setAttributeNS(XLINK, 'xlink:href', '#shape_1')
        old.setAttribute('class', `old${i}`)
        layer(p).appendChild(old)
        const filled = p.doc.createElementNS(SVG, 'circle')
        filled.setAttribute('class', `filled${i}`)
        filled.setAttribute('fill', 'url(#grad_1)')
        filled.setAttribute('style', "stroke: url('#grad_1'); opacity: 0.5")
        layer(p).appendChild(filled)
      }, clients)
      expectConverged(net)
      const p = net.peers[0]!
      for (const i of [0, 1]) {
        const shape = p.island().querySelector(`[fill="${i ? 'blue' : 'red'}"]`)!
        const grad = p.island().querySelector(`linearGradient[gradientUnits="${i ? 'userSpaceOnUse' : 'objectBoundingBox'}"]`)!
        expect(p.island().querySelector(`.use${i}`)!.getAttribute('href')).toBe(`#${shape.id}`)
        expect(p.island().querySelector(`.old${i}`)!.getAttributeNS(XLINK, 'href')).toBe(`#${shape.id}`)
        const filled = p.island().querySelector(`.filled${i}`)!
        expect(filled.getAttribute('fill')).toBe(`url(#${grad.id})`)
        expect(filled.getAttribute('style')).toBe(`stroke: url('#${grad.id}'); opacity: 0.5`)
      }
      expect(p.island().querySelectorAll('#grad_1')).toHaveLength(1)
      // The keeper's references stay.
      const keeper = clients[0]! < clients[1]! ? 0 : 1
      expect(p.island().querySelector(`.use${keeper}`)!.getAttribute('href')).toBe('#shape_1')
      expect(p.island().querySelector(`.filled${keeper}`)!.getAttribute('fill')).toBe('url(#grad_1)')
    })
  }

  for (const first of ['move', 'rename'] as const) {
    it(`the loser moved by its author at the same time as another page renames it, the ${first} seen first`, async () => {
      const net = await pages(3)
      const [a, b, c] = net.peers as [TestPeer, TestPeer, TestPeer]
      setClients(net, [100, 200, 300]) // a's shape keeps the id
      net.bus.pause(a.id)
      net.bus.pause(b.id)
      draw(a, 'shape_1', 'red')
      draw(b, 'shape_1', 'blue')
      await net.settle()
      net.bus.resume(b.id)
      await net.settle() // a and c hold b's shape; a renamed it (a's update waits)
      if (first === 'rename') net.bus.pause(b.id)
      // b, not having seen a's shape, brings its own to the front: a copy, with the old id.
      b.island().appendChild(b.island().querySelector('[fill="blue"]')!)
      await net.settle()
      net.bus.resume(a.id)
      await net.settle()
      net.bus.resume(b.id)
      await net.settle()
      expectConverged(net)
      expect(byId(c, 'shape_1')!.getAttribute('fill')).toBe('red')
      expect(c.island().lastElementChild!.getAttribute('fill')).toBe('blue')
      await expectUsable(net, ['red', 'blue'])
    })
  }

  it('the keeper and the loser both moved by a third page that had not seen the rename', async () => {
    const net = await pages(3)
    const [a, b, c] = net.peers as [TestPeer, TestPeer, TestPeer]
    setClients(net, [200, 100, 300]) // b's shape keeps the id
    net.bus.pause(a.id)
    net.bus.pause(b.id)
    draw(a, 'shape_1', 'red')
    draw(b, 'shape_1', 'blue')
    await net.settle()
    net.bus.resume(a.id)
    await net.settle() // c holds a's shape only
    net.bus.pause(c.id)
    net.bus.resume(b.id)
    await net.settle() // c now holds both, renamed a's; a and b renamed it too
    for (const el of Array.from(c.island().querySelectorAll('[fill]'))) c.island().insertBefore(el, c.island().firstChild)
    net.bus.resume(c.id)
    await net.settle()
    expectConverged(net)
    expect(byId(a, 'shape_1')!.getAttribute('fill')).toBe('blue')
    await expectUsable(net, ['red', 'blue'])
  })

  for (const victim of ['loser', 'keeper'] as const) {
    it(`the ${victim} deleted by a page that had not seen the collision`, async () => {
      const net = await pages(3)
      const [a, b, c] = net.peers as [TestPeer, TestPeer, TestPeer]
      setClients(net, [100, 200, 300]) // a's red keeps the id, b's blue is renamed
      net.bus.pause(a.id)
      net.bus.pause(b.id)
      draw(a, 'shape_1', 'red')
      draw(b, 'shape_1', 'blue')
      await net.settle()
      // c sees only the victim's page, and deletes the victim; the other page's update (with its
      // rename, made on seeing the victim) reaches c after.
      const [seen, unseen] = victim === 'loser' ? [b, a] : [a, b]
      net.bus.resume(seen.id)
      await net.settle()
      c.island().querySelector(`[fill="${victim === 'loser' ? 'blue' : 'red'}"]`)!.remove()
      await net.settle()
      net.bus.resume(unseen.id)
      await net.settle()
      expectConverged(net)
      const left = Array.from(a.island().querySelectorAll('[fill="red"], [fill="blue"]'), (e) => e.getAttribute('fill'))
      expect(left).toEqual([victim === 'loser' ? 'red' : 'blue'])
      if (victim === 'loser') expect(byId(a, 'shape_1')!.getAttribute('fill')).toBe('red')
    })
  }

  it("a reference its author made before it saw the other shape, sent after the rename, follows", async () => {
    const net = await pages(3)
    const [a, b, c] = net.peers as [TestPeer, TestPeer, TestPeer]
    setClients(net, [100, 200, 300]) // a's shape keeps the id
    net.bus.pause(a.id)
    net.bus.pause(b.id)
    draw(a, 'shape_1', 'red')
    draw(b, 'shape_1', 'blue')
    await net.settle()
    net.bus.resume(b.id)
    await net.settle() // a and c rename b's shape; a's update (its shape, the rename) waits
    net.bus.pause(b.id)
    // b, still seeing only its own shape_1, makes a use of it, in a later task.
    const use = b.doc.createElementNS(SVG, 'use')
    use.setAttribute('href', '#shape_1')
    use.setAttribute('class', 'mine')
    layer(b).appendChild(use)
    await net.settle()
    net.bus.resume(a.id) // b gets a's shape and the rename at once: it never sees two shape_1
    await net.settle()
    net.bus.resume(b.id)
    await net.settle()
    expectConverged(net)
    for (const p of [a, b, c]) {
      const blue = p.island().querySelector('[fill="blue"]')!
      expect(blue.id, p.id).not.toBe('shape_1')
      expect(p.island().querySelector('.mine')!.getAttribute('href'), p.id).toBe(`#${blue.id}`)
    }
    // A use b makes of shape_1 now, having seen the rename, means a's shape, and stays so.
    const later = b.doc.createElementNS(SVG, 'use')
    later.setAttribute('href', '#shape_1')
    later.setAttribute('class', 'later')
    layer(b).appendChild(later)
    await net.settle()
    expectConverged(net)
    for (const p of [a, b, c]) expect(p.island().querySelector('.later')!.getAttribute('href')).toBe('#shape_1')
  })

  it('a late joiner gets the renamed drawing', async () => {
    const net = await concurrent(2, ['red', 'blue'], [1, 0])
    const late = net.join(PAGE)
    await net.settle()
    expectConverged(net)
    expect(shapesByFill(late, ['red', 'blue'])).toEqual(shapesByFill(net.peers[0]!, ['red', 'blue']))
    await expectUsable(net, ['red', 'blue'])
  })

  it('the app draws shape_1 again later: the same rule', async () => {
    const net = await concurrent(2, ['red', 'blue'], [0, 1])
    const [a] = net.peers as [TestPeer, TestPeer]
    const third = draw(a, 'shape_1', 'green')
    await net.settle()
    expect(third.id).toMatch(/^shape_1-/)
    expectConverged(net)
    await expectUsable(net, ['red', 'blue', 'green'])
  })

  it('a page whose own content repeats an id: renamed at the seed, equal on equal pages', async () => {
    const twice = PAGE.replace('</g>', '<circle id="dup" r="1" fill="red"/><circle id="dup" r="2" fill="blue"/></g>')
    const net = new Network()
    net.join(twice)
    net.join(twice)
    await net.settle()
    expectConverged(net)
    expect(byId(net.peers[0]!, 'dup')!.getAttribute('r')).toBe('1')
    await expectUsable(net, ['red', 'blue'])
  })
})
