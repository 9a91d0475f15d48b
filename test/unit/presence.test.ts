// Presence (islands/presence) through the whole engine on the in-memory bus, on the manual
// clock: how often states go out, how soon a person is gone, what a hostile state gets, and
// that nothing of presence enters an island's doc.
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import '../../presence.js' // registers the presence kind before any island starts
import { presence, type Presence } from '../../presence.js'
import { Network, type TestPeer } from '../helpers/pages.js'
import { writeStanza } from '../../src/channel/channel.js'
import { elementOf } from '../../islands/presence/anchor.js'

const PAGE = '<div data-sync-island="main"><p id="p1">hello world</p><p id="p2">second</p><ul><li>a</li><li>b</li><li>c</li></ul></div>'

function start(net: Network, peer: TestPeer, options: Parameters<typeof presence>[1] = {}): Presence {
  return presence(peer.session, { clock: net.clock, document: peer.doc, layer: false, track: false, ...options })
}

/** A stanza from `from`, written into the page's incoming channel as a bridge would. */
function inject(peer: TestPeer, from: string, here: string): void {
  writeStanza(peer.doc.getElementById('xmpp-incoming')!, `<message xmlns="jabber:client" from="${from}">${here}<no-store xmlns="urn:xmpp:hints"/></message>`)
}

/** Runs the network for `ms` of clock time (heartbeats never let it settle). */
async function run(net: Network, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 25) {
    for (const p of net.peers) p.session.flush()
    await net.step()
    net.clock.advance(25)
  }
}

async function pair(): Promise<{ net: Network; a: TestPeer; b: TestPeer; pa: Presence; pb: Presence }> {
  const net = new Network()
  const a = net.join(PAGE, 'room/ann')
  const b = net.join(PAGE, 'room/bob')
  await net.settle()
  const pa = start(net, a, { name: 'Ann', color: '#e15759' })
  const pb = start(net, b)
  await net.step()
  await net.step()
  return { net, a, b, pa, pb }
}

describe('presence', () => {
  it('each page lists the other, with its name and colour, or the nick and a derived colour', async () => {
    const { b, a, pa, pb } = await pair()
    expect([...pb.people.keys()]).toEqual(['room/ann'])
    expect(pb.people.get('room/ann')).toMatchObject({ name: 'Ann', color: '#e15759' })
    const bob = pa.people.get('room/bob')!
    expect(bob.name).toBe('bob')
    expect(bob.color).toMatch(/^#[0-9a-f]{6}$/)
    expect(pb.self).toMatchObject({ peer: b.id, name: 'bob', color: bob.color })
    expect(a.errors).toEqual([])
  })

  it('a fast pointer move sends at most 20 states a second, and the last position always arrives', async () => {
    const { net, a, pa, pb } = await pair()
    const items = [...a.island().querySelectorAll('li, p')]
    const arrivals: number[] = []
    pb.addEventListener('presence-change', () => arrivals.push(net.clock.now()))
    const sentBefore = pa.sent
    // 2 s at 200 moves a second (a mouse at 200 Hz), over a different element each time.
    for (let i = 0; i < 400; i++) {
      pa.pointAt(i, i, items[i % items.length]!)
      await net.step()
      net.clock.advance(5)
    }
    const last = items[399 % items.length]!
    pa.pointAt(1, 2, items[0]!)
    pa.pointAt(3, 4, last) // the last move, 0 ms after the one before
    for (let i = 0; i < 20; i++) {
      await net.step()
      net.clock.advance(10)
    }
    const sent = pa.sent - sentBefore
    expect(sent).toBeLessThanOrEqual(2 * 20 + 2)
    expect(sent).toBeGreaterThanOrEqual(2 * 20 - 2)
    // No second of arrivals holds more than 20 states.
    for (const t of arrivals) expect(arrivals.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(20)
    const pointer = pb.people.get('room/ann')!.state.pointer!
    expect(pointer).toMatchObject({ island: 'main', at: 'box' })
    // The element it names on the other page is the one the last move was over.
    if (pointer.at !== 'box') throw new Error('not a box pointer')
    expect(elementOf(net.peers[1]!.island(), pointer.el)?.outerHTML).toBe(last.outerHTML)
  })

  it('a heartbeat keeps a still person listed; one who stops sending is gone within 3 s', async () => {
    const { net, pa, pb } = await pair()
    for (let i = 0; i < 100; i++) {
      await net.step()
      net.clock.advance(100) // 10 s of nothing moving
    }
    expect(pb.people.has('room/ann')).toBe(true)
    // Ann's page freezes (a dropped link the server has not noticed): no more states, no presence.
    ;(pa as unknown as { sender: { stop(): void } }).sender.stop()
    const frozenAt = net.clock.now()
    let goneAt: number | undefined
    pb.addEventListener('presence-leave', () => (goneAt = net.clock.now()))
    for (let i = 0; i < 40; i++) {
      await net.step()
      net.clock.advance(100)
    }
    expect(pb.people.has('room/ann')).toBe(false)
    expect(goneAt! - frozenAt).toBeLessThanOrEqual(3000)
  })

  it('a person who stops, or whose peer leaves, is gone at once', async () => {
    const { net, pa, pb } = await pair()
    const c = net.join(PAGE, 'room/cat')
    await run(net, 2000)
    const pc = start(net, c)
    await net.step()
    await net.step()
    expect([...pb.people.keys()].sort()).toEqual(['room/ann', 'room/cat'])
    pa.stop()
    await net.step()
    expect([...pb.people.keys()]).toEqual(['room/cat'])
    net.bus.partition(['room/cat'])
    await net.step()
    expect([...pb.people.keys()]).toEqual([])
    pc.stop()
  })

  it('a late joiner gets everyone within a heartbeat', async () => {
    const { net, pa } = await pair()
    const c = net.join(PAGE, 'room/cat')
    const pc = start(net, c)
    for (let i = 0; i < 12; i++) {
      await net.step()
      net.clock.advance(100)
    }
    expect([...pc.people.keys()].sort()).toEqual(['room/ann', 'room/bob'])
    expect(pa.people.has('room/cat')).toBe(true)
  })

  it('hostile states are refused with typed errors; names are text; a flood is cut', async () => {
    const { net, b, pb } = await pair()
    const NS = 'xmlns="urn:xml-sync-islands:1"'
    const cases: Array<[string, string]> = [
      [`<here ${NS} color="red;background:url(//evil)"/>`, 'not-allowed'],
      [`<here ${NS} color="#E15759"/>`, 'not-allowed'],
      [`<here ${NS} name="&#8238;evil"/>`, 'not-allowed'],
      [`<here ${NS} name=""/>`, 'not-allowed'],
      [`<here ${NS} name="${'x'.repeat(65)}"/>`, 'not-allowed'],
      [`<here ${NS}><pointer island="main" at="box" fx="1e3" fy="0"/></here>`, 'bad-stanza'],
      [`<here ${NS}><pointer island="main" at="box" fx="Infinity" fy="0"/></here>`, 'bad-stanza'],
      [`<here ${NS}><pointer island="main" at="text" pos="javascript:1" fx="0" fy="0"/></here>`, 'bad-stanza'],
      [`<here ${NS}><pointer island="main" at="html" fx="0" fy="0"/></here>`, 'bad-stanza'],
      [`<here ${NS}><data key="x">${'y'.repeat(257)}</data></here>`, 'not-allowed'],
      [`<here ${NS}>${'<select island="main"/>'.repeat(17)}</here>`, 'too-large'],
      [`<here ${NS}><focus island="main" el="1:2" start="5" end="2"/></here>`, 'bad-stanza'],
      [`<here ${NS}><focus island="main" start="1" end="2"/></here>`, 'bad-stanza'],
      [`<here ${NS}><focus island="main" el="1:2" start="-1" end="2"/></here>`, 'bad-stanza'],
      [`<here ${NS} away="yes"/>`, 'bad-stanza'],
    ]
    for (const [here] of cases) inject(b, 'room/mal', here)
    await net.step()
    expect(b.errors.map((e) => e.condition)).toEqual(cases.map(([, c]) => c))
    expect(b.errors.every((e) => e.peer === 'room/mal')).toBe(true)
    expect(pb.people.has('room/mal')).toBe(false)

    // Markup in a name is a name: shown as text in the layer.
    b.errors.length = 0
    const layered = presence(b.session, { clock: net.clock, document: b.doc, track: false })
    inject(b, 'room/mal', `<here ${NS} name="&lt;img src=x onerror=alert(1)&gt;" color="#000000"><pointer island="main" at="box" fx="0.5" fy="0.5"/></here>`)
    await net.step()
    expect(layered.people.get('room/mal')!.name).toBe('<img src=x onerror=alert(1)>')
    ;(layered as unknown as { draw(): void }).draw()
    const shadow = b.doc.querySelector('[data-sync-presence-layer]')!.shadowRoot!
    expect(shadow.querySelector('img')).toBeNull()
    expect(shadow.querySelector('span')!.textContent).toBe('<img src=x onerror=alert(1)>')
    expect(b.errors).toEqual([])
    layered.stop()
    expect(b.doc.querySelector('[data-sync-presence-layer]')).toBeNull()

    // A flood: 500 states at once. Some pass (the burst), the rest are dropped, one error a second.
    for (let i = 0; i < 500; i++) inject(b, 'room/flood', `<here ${NS} name="f${i}"/>`)
    await net.step()
    expect(b.errors.map((e) => e.condition)).toEqual(['rate-limited'])
    expect(pb.people.get('room/flood')!.name).toBe('f39')
    net.clock.advance(1000)
    inject(b, 'room/flood', `<here ${NS} name="calm"/>`)
    await net.step()
    expect(pb.people.get('room/flood')!.name).toBe('calm')
  })

  it('nothing of presence enters an island doc', async () => {
    const { net, a, b, pa } = await pair()
    const docs = [a, b].map((p) => p.session.islands.get('main')!.doc)
    const before = docs.map((d) => Y.encodeStateAsUpdate(d))
    pa.set({ name: 'Ann again', data: { slide: '3' } })
    for (let i = 0; i < 50; i++) {
      pa.pointAt(i, i, a.island().querySelector('li')!)
      await net.step()
      net.clock.advance(20)
    }
    pa.select([a.island().querySelector('#p2')!])
    await run(net, 3000)
    expect(docs.map((d) => Y.encodeStateAsUpdate(d))).toEqual(before)
    expect(net.canonical()[0]).not.toContain('Ann')
    expect(net.peers[1]!.errors).toEqual([])
  })
})

describe('presence of a hidden page', () => {
  it('says it is away: peers keep it without heartbeats for 90 s, and show no pointer of it', async () => {
    const { net, a, pa, pb } = await pair()
    Object.defineProperty(a.doc, 'visibilityState', { value: 'visible', configurable: true })
    const tracked = presence(a.session, { clock: net.clock, document: a.doc, layer: false })
    pa.stop()
    tracked.pointAt(1, 1, a.island().querySelector('li')!)
    await run(net, 200)
    expect(pb.people.get('room/ann')!.state.pointer).toBeDefined()
    Object.defineProperty(a.doc, 'visibilityState', { value: 'hidden', configurable: true })
    a.doc.dispatchEvent(new Event('visibilitychange'))
    await run(net, 200)
    const ann = pb.people.get('room/ann')!
    expect(ann.state.away).toBe(true)
    expect(ann.state.pointer).toBeUndefined()
    // Its timers now run once a minute: no heartbeat for 60 s, and it is still here.
    ;(tracked as unknown as { sender: { stop(): void } }).sender.stop()
    await run(net, 60_000)
    expect(pb.people.has('room/ann')).toBe(true)
    await run(net, 31_000)
    expect(pb.people.has('room/ann')).toBe(false)
  })
})

describe('the presence grammar', () => {
  it('a state the writer writes is the state the reader reads', async () => {
    const { hereElement, readHere } = await import('../../src/protocol/presence.js')
    const { parseXml } = await import('../../src/protocol/xml.js')
    const state = {
      name: 'Ann <&> "quoted"',
      color: '#e15759',
      away: true,
      pointer: { island: 'deck & notes', at: 'box' as const, el: '12:34', fx: 0.1234, fy: 1 },
      focus: { island: 'form', el: '5:6', start: 1, end: 4 },
      select: [{ island: 'drawing', el: '7:8' }, { island: 'drawing' }],
      data: { slide: '3', note: 'a\nb <c>' },
    }
    const xml = hereElement('urn:xml-sync-islands:1', state)
    expect(readHere(parseXml(xml), 'p')).toEqual(state)
    expect(readHere(parseXml(hereElement('urn:xml-sync-islands:1', { gone: true, select: [], data: {} })), 'p')).toEqual({ gone: true, select: [], data: {} })
  })
})

describe('presence.set', () => {
  it('refuses what no peer would accept, and changes nothing then', async () => {
    const { pa } = await pair()
    const bads: Array<Parameters<typeof pa.set>[0]> = [{ name: '' }, { name: 'a\u202eb' }, { color: 'red' }, { color: '#E15759' }, { data: { Slide: '1' } }, { data: { slide: 'x'.repeat(257) } }, { data: { slide: 'a\u0007' } }]
    for (const bad of bads) {
      expect(() => pa.set(bad), JSON.stringify(bad)).toThrow(RangeError)
    }
    expect(pa.self).toMatchObject({ name: 'Ann', color: '#e15759', data: {} })
  })
})
