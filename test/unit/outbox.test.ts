import { describe, expect, it } from 'vitest'
import { Network, tick } from '../helpers/pages.js'

const SVG = '<svg data-sync-island="main" xmlns="http://www.w3.org/2000/svg"><rect id="r" x="0" y="0" width="5" height="5"/></svg>'

describe('coalescing, by time (a manual clock: no animation frames, so hidden tabs too)', () => {
  it('a drag of 200 changes a second sends at most 60 stanzas a second, and the final position arrives', async () => {
    const net = new Network()
    const a = net.join(SVG)
    const b = net.join(SVG)
    await net.settle()
    const rect = a.island().querySelector('rect')!
    const before = net.bus.delivered
    const arrivals: string[] = []
    for (let i = 1; i <= 200; i++) {
      rect.setAttribute('x', String(i))
      await tick()
      net.bus.deliver()
      await tick()
      arrivals.push(b.island().querySelector('rect')!.getAttribute('x')!)
      net.clock.advance(5) // 200 changes a second
    }
    const duringTheSecond = net.bus.delivered - before
    await net.settle()
    expect(duringTheSecond).toBeGreaterThan(30) // it streams, it does not wait for the end
    expect(duringTheSecond).toBeLessThanOrEqual(60)
    expect(b.island().querySelector('rect')!.getAttribute('x')).toBe('200')
    expect(arrivals[0]).toBe('1') // the first change after a quiet spell goes out at once
  })

  it('a change after a quiet spell is sent at once, without waiting for the clock', async () => {
    const net = new Network()
    const a = net.join(SVG)
    const b = net.join(SVG)
    await net.settle()
    a.island().querySelector('rect')!.setAttribute('fill', 'red')
    await net.step()
    expect(b.island().querySelector('rect')!.getAttribute('fill')).toBe('red')
  })

  it('one observer callback gives one stanza, however many changes it holds', async () => {
    const net = new Network()
    const a = net.join(SVG)
    net.join(SVG)
    await net.settle()
    const before = net.bus.delivered
    const rect = a.island().querySelector('rect')!
    rect.setAttribute('x', '1')
    rect.setAttribute('y', '2')
    a.island().appendChild(a.doc.createElementNS('http://www.w3.org/2000/svg', 'circle'))
    rect.remove()
    await net.step()
    expect(net.bus.delivered - before).toBe(1)
  })
})

describe('backpressure through the channel', () => {
  it('while the bridge reads nothing, an island keeps one pending stanza, and nothing is lost', async () => {
    const net = new Network()
    const a = net.join(SVG)
    const b = net.join(SVG)
    await net.settle()
    net.bus.pause(a.id)
    const rect = a.island().querySelector('rect')!
    for (let i = 1; i <= 100; i++) {
      rect.setAttribute('x', String(i))
      if (i % 10 === 0) a.island().appendChild(a.doc.createElementNS('http://www.w3.org/2000/svg', 'circle'))
      await tick()
      net.clock.advance(7)
      await tick()
    }
    expect(a.doc.getElementById('xmpp-outgoing')!.children.length).toBe(1)
    net.bus.resume(a.id)
    await net.settle()
    expect(net.canonical()[1]).toBe(net.canonical()[0])
    expect(b.island().querySelectorAll('circle').length).toBe(10)
    expect(b.island().querySelector('rect')!.getAttribute('x')).toBe('100')
  })
})
