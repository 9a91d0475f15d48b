import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { declaredGcs } from '../helpers/updates.js'
import { Network, tick, type TestPeer } from '../helpers/pages.js'
import { createPolicy } from '../../src/policy/index.js'
import { writeStanza } from '../../src/channel/channel.js'
import { encodeMessages } from '../../src/protocol/messages.js'
import { messageStanzas } from '../../src/protocol/stanza.js'

const PAGE = '<div data-sync-island="main"><p>hello</p></div>'

function inject(peer: TestPeer, update: Uint8Array, from: string): void {
  const text = messageStanzas('main', encodeMessages([{ kind: 'update', update }]), { maxPartChars: 1 << 30, newChunkId: () => 'c' })[0]!
  writeStanza(peer.doc.getElementById('xmpp-incoming')!, text.replace('<message', `<message from="${from}"`))
}

/** An update from a forged client, appending a paragraph after `clock` earlier structs it never sends. */
function gappedUpdate(client: number, clock: number, text: string): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = client
  const filler = doc.getArray('filler')
  for (let i = 0; i < clock; i++) filler.push([i])
  const sv = Y.encodeStateVector(doc)
  doc.getArray('filler').push([text])
  return Y.encodeStateAsUpdate(doc, sv)
}

describe('limits', () => {
  it('an update declaring billions of structs in a few bytes is refused at once, before Yjs builds them', async () => {
    const net = new Network()
    const a = net.join(PAGE, 'a')
    const b = net.join(PAGE, 'b')
    await net.settle()
    const update = declaredGcs(2 ** 32 - 1)
    expect(update.length).toBeLessThan(30)
    const text = messageStanzas('main', encodeMessages([{ kind: 'update', update, v2: true }]), { maxPartChars: 1 << 30, newChunkId: () => 'c' })[0]!
    writeStanza(a.doc.getElementById('xmpp-incoming')!, text.replace('<message', '<message from="mallory"'))
    await tick()
    // Refused after reading a million of them (MAX_V2_STRUCTS; building them all would take
    // minutes: the test's timeout would fail it).
    expect(a.errors.map((e) => [e.condition, e.peer])).toEqual([['too-large', 'mallory']])
    b.island().querySelector('p')!.textContent = 'still works'
    await net.settle()
    expect(a.island().textContent).toBe('still works')
  })


  it('a peer over its rate of updates is cut off; the island keeps working for everyone else', async () => {
    const net = new Network({}, { maxUpdatesPerSecond: 10, maxUpdatesBurst: 20 })
    const a = net.join(PAGE, 'a')
    const b = net.join(PAGE, 'b')
    const c = net.join(PAGE, 'c')
    await net.settle()
    const p = b.island().querySelector('p')!
    for (let i = 0; i < 40; i++) {
      p.textContent = `flood ${i}`
      await net.step()
      net.clock.advance(20) // 50 a second, five times the limit
    }
    expect(a.errors.filter((e) => e.condition === 'rate-limited').map((e) => e.peer)).toEqual(['b'])
    const seen = a.island().textContent
    expect(seen).not.toBe('flood 39')
    c.island().querySelector('p')!.textContent = 'from c'
    await net.settle()
    expect(a.island().textContent).toBe('from c')
    // b leaves and joins again: admitted afresh, and the handshake brings its state.
    net.bus.partition(['b'])
    await net.settle()
    net.bus.heal()
    await net.settle()
    expect(new Set(net.canonical()).size).toBe(1)
  })

  it('updates that wait for missing ones are bounded, and the island still works', async () => {
    const net = new Network({}, { maxPendingBytes: 2000 })
    const a = net.join(PAGE, 'a')
    const b = net.join(PAGE, 'b')
    await net.settle()
    for (let i = 0; i < 30; i++) inject(a, gappedUpdate(4242, 1000 + i, 'x'.repeat(100)), 'mallory')
    await tick()
    const island = a.session.islands.get('main')!
    expect(a.errors.some((e) => e.condition === 'too-large' && e.peer === 'mallory')).toBe(true)
    const pending = island.doc.store.pendingStructs?.update.length ?? 0
    expect(pending).toBeLessThanOrEqual(2000)
    b.island().querySelector('p')!.textContent = 'still live'
    await net.settle()
    expect(a.island().textContent).toBe('still live')
  })
})

describe('who may edit', () => {
  it('receive mode applies the session, sends nothing, and puts back local edits', async () => {
    const net = new Network()
    const a = net.join(PAGE, 'a')
    const viewer = net.join(PAGE.replace('data-sync-island="main"', 'data-sync-island="main" data-sync-island-mode="receive"'), 'viewer')
    await net.settle()
    a.island().querySelector('p')!.textContent = 'from a'
    await net.settle()
    expect(viewer.island().textContent).toBe('from a')
    const before = net.bus.delivered
    const p = viewer.island().querySelector('p')!
    p.setAttribute('title', 'local')
    p.firstChild!.textContent = 'typed locally'
    viewer.island().appendChild(viewer.doc.createElement('hr'))
    await net.settle()
    expect(net.bus.delivered).toBe(before)
    expect(a.island().querySelector('p')!.hasAttribute('title')).toBe(false)
    expect(viewer.island().innerHTML).toBe(a.island().innerHTML)
    expect(viewer.island().querySelector('p')).toBe(p)
  })

  it('send mode sends its changes and applies none', async () => {
    const net = new Network()
    const presenter = net.join(PAGE.replace('data-sync-island="main"', 'data-sync-island="main" data-sync-island-mode="send"'), 'presenter')
    const b = net.join(PAGE, 'b')
    await net.settle()
    presenter.island().querySelector('p')!.textContent = 'slide 2'
    await net.settle()
    expect(b.island().textContent).toBe('slide 2')
    b.island().querySelector('p')!.textContent = 'heckle'
    await net.settle()
    expect(presenter.island().textContent).toBe('slide 2')
  })

  it('only the listed editors change an island: others read, and their own page puts back their edits', async () => {
    const html = '<div data-sync-island="main" data-sync-editors="a"><p>hello</p></div>'
    const net = new Network()
    const a = net.join(html, 'a')
    const b = net.join(html, 'b')
    await net.settle()
    const before = net.bus.delivered
    b.island().querySelector('p')!.textContent = 'b was here'
    await net.settle()
    expect(net.bus.delivered).toBe(before)
    expect(b.island().textContent).toBe('hello')
    a.island().querySelector('p')!.textContent = 'from a'
    await net.settle()
    expect(b.island().textContent).toBe('from a')
    const late = net.join(html, 'c')
    await net.settle()
    expect(late.island().textContent).toBe('from a')
  })

  it('a page that claims rights it lacks is refused by the others, once', async () => {
    const net = new Network()
    const a = net.join('<div data-sync-island="main" data-sync-editors="a"><p>hello</p></div>', 'a')
    const b = net.join('<div data-sync-island="main" data-sync-editors="a b"><p>hello</p></div>', 'b')
    await net.settle()
    b.island().querySelector('p')!.textContent = 'b was here'
    await net.settle()
    b.island().querySelector('p')!.textContent = 'b again'
    await net.settle()
    expect(a.island().textContent).toBe('hello')
    expect(a.errors.map((e) => [e.condition, e.peer])).toEqual([['not-allowed', 'b']])
  })
})

describe('render limits: over a limit is not rendered, an error says so, the island goes on', () => {
  const deep = (n: number): string => '<div>'.repeat(n) + 'deep' + '</div>'.repeat(n)
  const cases: Array<[string, Record<string, unknown>, (p: TestPeer) => void]> = [
    ['nodes per island', { maxNodes: 20 }, (p) => p.island().insertAdjacentHTML('beforeend', '<span>x</span>'.repeat(30))],
    ['depth', { maxDepth: 8 }, (p) => p.island().insertAdjacentHTML('beforeend', deep(12))],
    ['attribute value length', { allow: undefined, policyLimits: { maxAttributeLength: 100 } }, (p) => p.island().querySelector('p')!.setAttribute('title', 'x'.repeat(500))],
    ['text length', { policyLimits: { maxTextLength: 100 } }, (p) => p.island().querySelector('p')!.appendChild(p.doc.createTextNode('y'.repeat(500)))],
  ]
  for (const [what, opts, overdo] of cases) {
    it(what, async () => {
      const { policyLimits, ...session } = opts as { policyLimits?: object }
      const receiver = policyLimits ? { ...session, allow: createPolicy({ profile: 'html', ...policyLimits }) } : session
      // Only the receiver has the limit: the sender sends what its own policy allows.
      const net = new Network()
      const sender = net.join(PAGE, 'sender')
      const a = sender
      const b = net.joinWith(PAGE, 'receiver', receiver)
      await net.settle()
      overdo(a)
      await net.settle()
      expect(b.errors.map((e) => [e.condition, e.peer])).toContainEqual(['not-allowed', 'sender'])
      a.island().querySelector('p')!.id = 'still-live'
      await net.settle()
      expect(b.island().querySelector('#still-live')).not.toBeNull()
    })
  }
})

describe('what a limit left out comes back when there is room', () => {
  it('children refused for maxNodes are rendered once others leave', async () => {
    const net = new Network()
    const a = net.join('<div data-sync-island="main"></div>', 'sender')
    const b = net.joinWith('<div data-sync-island="main"></div>', 'receiver', { maxNodes: 20 })
    await net.settle()
    a.island().insertAdjacentHTML('beforeend', '<span>x</span>'.repeat(30))
    await net.settle()
    expect(b.island().querySelectorAll('span').length).toBeLessThan(30)
    for (const s of Array.from(a.island().querySelectorAll('span')).slice(0, 25)) s.remove()
    await net.settle()
    a.island().appendChild(a.doc.createElement('b'))
    await net.settle()
    expect(b.island().querySelectorAll('span').length).toBe(5)
    expect(b.island().querySelectorAll('b').length).toBe(1)
  })
})

