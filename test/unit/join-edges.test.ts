// Join handshake edge cases found in review, through the whole engine (happy-dom), with a room
// whose delivery the test controls message by message (per sender and receiver, FIFO like a
// MUC): the session leaving mid-join, viewers, and pages that decide before hearing everyone.
import { describe, expect, it } from 'vitest'
import { createPage, tick } from '../helpers/pages.js'
import { ManualClock } from '../helpers/clock.js'
import { syncIslands, type Session } from '../../src/index.js'
import { canonicalDom } from '../../src/binding/canonical.js'
import { readChannel, writeStanza, type ChannelReader } from '../../src/channel/channel.js'
import { presenceStanza } from '../../src/bridge/stanza-address.js'

interface P {
  id: string
  doc: Document
  session: Session
  incoming: Element
  entered: boolean
}

class Room {
  readonly clock = new ManualClock()
  readonly pages = new Map<string, P>()
  /** `${from}>${to}` -> queued texts */
  readonly q = new Map<string, string[]>()
  readonly sent: Array<{ from: string; text: string }> = []
  private readers: ChannelReader[] = []

  add(id: string, html: string): P {
    const doc = createPage(html)
    const session = syncIslands({ root: doc, clock: this.clock })
    const p: P = { id, doc, session, incoming: doc.getElementById('xmpp-incoming')!, entered: false }
    this.readers.push(
      readChannel(doc.getElementById('xmpp-outgoing')!, (text) => {
        const addressed = text.replace('<message xmlns="jabber:client"', `<message xmlns="jabber:client" from="${id}"`)
        this.sent.push({ from: id, text: addressed })
        for (const o of this.pages.values()) if (o !== p && o.entered) this.queue(id, o.id).push(addressed)
      }),
    )
    this.pages.set(id, p)
    return p
  }
  queue(from: string, to: string): string[] {
    const k = `${from}>${to}`
    let a = this.q.get(k)
    if (!a) this.q.set(k, (a = []))
    return a
  }
  presence(to: string, of: string, available = true): void {
    const p = this.pages.get(to)!
    p.entered = true
    writeStanza(p.incoming, presenceStanza(of, { available, self: to === of }))
  }
  async settle(): Promise<void> {
    for (const p of this.pages.values()) p.session.flush()
    await tick()
    this.clock.advance(20)
    await tick()
  }
  /** Delivers what `from` sent to `to` so far (n messages, default all). */
  async deliver(from: string, to: string, n = Infinity): Promise<void> {
    await this.settle()
    const a = this.queue(from, to)
    const batch = a.splice(0, Math.min(n, a.length))
    for (const t of batch) writeStanza(this.pages.get(to)!.incoming, t)
    await this.settle()
  }
  async deliverAll(rounds = 40): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      await this.settle()
      let moved = false
      for (const [k, a] of this.q) {
        const to = k.split('>')[1]!
        if (!a.length || !this.pages.get(to)!.entered) continue
        moved = true
        const batch = a.splice(0)
        for (const t of batch) writeStanza(this.pages.get(to)!.incoming, t)
      }
      await this.settle()
      if (!moved) return
    }
  }
  leave(id: string): void {
    const p = this.pages.get(id)!
    p.entered = false
    for (const k of [...this.q.keys()]) if (k.startsWith(`${id}>`) || k.endsWith(`>${id}`)) this.q.delete(k)
    p.session.stop()
    for (const o of this.pages.values()) if (o.entered) writeStanza(o.incoming, presenceStanza(id, { available: false }))
  }
  island(id: string) {
    return this.pages.get(id)!.session.islands.get('main')!
  }
  canon(id: string): string {
    const p = this.pages.get(id)!
    return canonicalDom(p.doc.querySelector('[data-sync-island]')!, this.island(id).policy)
  }
  stop(): void {
    for (const r of this.readers) r.stop()
    for (const p of this.pages.values()) p.session.stop()
  }
}

const SESSION = '<div data-sync-island="main"><p>session</p></div>'
const TEMPLATE = '<div data-sync-island="main"><p>template</p></div>'

describe('join edge cases', () => {
  it('the session leaves after answering one joiner: the other joiner takes the session from it, not its own stale page', async () => {
    const r = new Room()
    r.add('a', SESSION)
    r.presence('a', 'a') // a alone: defines the session
    await r.settle()
    expect(r.island('a').state).toBe('synced')
    r.add('b', TEMPLATE)
    r.add('c', TEMPLATE)
    // b and c enter together.
    r.presence('a', 'b')
    r.presence('a', 'c')
    r.presence('b', 'a')
    r.presence('b', 'c')
    r.presence('c', 'a')
    r.presence('c', 'b')
    r.presence('b', 'b')
    r.presence('c', 'c')
    await r.settle()
    await r.deliver('c', 'a') // a answers c
    await r.deliver('c', 'b') // b holds c's request
    await r.deliver('b', 'c') // c holds b's request
    await r.deliver('a', 'c') // c adopts the session, replies
    await r.deliver('a', 'b') // b sees a's answer to c: a is synced
    // a closes its tab before b's request reached it.
    r.leave('a')
    await r.deliverAll()
    for (const id of ['b', 'c']) expect(r.island(id).state).toBe('synced')
    // Both should show the session's content, as if a had answered b.
    expect(r.canon('b')).toBe(r.canon('c'))
    expect(r.canon('b')).not.toContain('template')
    r.stop()
  })

  it('the same, the first joiner’s reply seen before the session leaves: it answers the other, with no retry', async () => {
    const r = new Room()
    r.add('a', SESSION)
    r.presence('a', 'a')
    await r.settle()
    r.add('b', TEMPLATE)
    r.add('c', TEMPLATE)
    for (const [to, of] of [['a', 'b'], ['a', 'c'], ['b', 'a'], ['b', 'c'], ['c', 'a'], ['c', 'b'], ['b', 'b'], ['c', 'c']] as const) r.presence(to, of)
    await r.settle()
    await r.deliver('c', 'a')
    await r.deliver('c', 'b')
    await r.deliver('b', 'c')
    await r.deliver('a', 'c')
    await r.deliver('a', 'b')
    await r.deliver('c', 'b') // c's reply: c is synced
    r.leave('a')
    await r.deliverAll()
    expect(r.island('b').state, 'b synced with no timer').toBe('synced')
    expect(r.island('b').retries).toBe(0)
    r.stop()
  })

  it('a viewer joining together with an editor adopts what the editor has; it does not merge its own page', async () => {
    const r = new Room()
    r.add('a', '<div data-sync-island="main" data-sync-island-mode="receive"><p>viewer</p></div>')
    r.add('b', SESSION)
    for (const [to, of] of [['a', 'b'], ['b', 'a'], ['a', 'a'], ['b', 'b']] as const) r.presence(to, of)
    await r.deliverAll()
    expect(r.island('a').state).toBe('synced')
    expect(r.island('b').state).toBe('synced')
    expect(r.canon('b')).not.toContain('viewer')
    // The viewer should show what the session has (it adopts; old rule: a viewer always adopts).
    expect(r.canon('a')).toBe(r.canon('b'))
    r.stop()
  })

  it('a viewer with the smallest id that has asked (a rejoin) does not silence the real answerer', async () => {
    const r = new Room()
    r.add('a', '<div data-sync-island="main" data-sync-island-mode="receive"></div>')
    r.add('c', SESSION)
    r.presence('c', 'c')
    await r.settle()
    for (const [to, of] of [['c', 'a'], ['a', 'c'], ['a', 'a']] as const) r.presence(to, of)
    await r.deliverAll()
    expect(r.island('a').state).toBe('synced')
    // The viewer reconnects: a new self-presence, its rejoin ask="all" goes out.
    r.presence('a', 'a')
    await r.deliverAll()
    // b joins.
    r.add('b', TEMPLATE)
    for (const [to, of] of [['a', 'b'], ['c', 'b'], ['b', 'a'], ['b', 'c'], ['b', 'b']] as const) r.presence(to, of)
    await r.deliverAll()
    expect(r.island('b').state, 'b answered by c with no retry').toBe('synced')
    expect(r.island('b').retries).toBe(0)
    r.stop()
  })
})

describe('pages that join together answer each other for merging, not as the session', () => {
  it('a page decides before hearing a third: the second, still joining, keeps its content beside the first’s', async () => {
    const r = new Room()
    r.add('x', '<div data-sync-island="main"><p>X</p></div>')
    r.add('y', '<div data-sync-island="main"><p>Y</p></div>')
    r.add('z', '<div data-sync-island="main"><p>Z</p></div>')
    // x and y enter together; z right after (x has not heard z yet when it decides).
    r.presence('x', 'y')
    r.presence('y', 'x')
    r.presence('y', 'z')
    r.presence('z', 'x')
    r.presence('z', 'y')
    r.presence('x', 'x')
    r.presence('y', 'y')
    await r.settle()
    await r.deliver('y', 'x') // x holds y's request, the only peer it knows: rule 5, x answers y
    await r.deliver('x', 'y') // y: x's request, then x's answer, while z's request has not come
    r.presence('x', 'z')
    r.presence('z', 'z')
    await r.deliverAll()
    for (const id of ['x', 'y', 'z']) expect(r.island(id).state).toBe('synced')
    expect(new Set(['x', 'y', 'z'].map((id) => r.canon(id))).size).toBe(1)
    // x and y joined at the same moment: PROTOCOL rule 5 says different pages end with all of it.
    expect(r.canon('x')).toContain('"Y"')
    r.stop()
  })
})
