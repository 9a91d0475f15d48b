import { describe, expect, it } from 'vitest'
import { Network, type TestPeer } from '../helpers/pages.js'

const PAGE = '<div data-sync-island="main"><p>hello</p></div>'
const names = (p: TestPeer): string[] =>
  [...p.session.islands.get('main')!.awareness.getStates().values()].map((s) => (s as { name?: string }).name ?? '?').sort()

describe('awareness (y-protocols) per island', () => {
  it('states reach everyone, late joiners too, and go when their page leaves or stops', async () => {
    const net = new Network()
    const a = net.join(PAGE, 'a')
    const b = net.join(PAGE, 'b')
    await net.settle()
    a.session.islands.get('main')!.awareness.setLocalState({ name: 'ann' })
    b.session.islands.get('main')!.awareness.setLocalState({ name: 'bob' })
    await net.settle()
    expect(names(a)).toEqual(['ann', 'bob'])
    expect(names(b)).toEqual(['ann', 'bob'])

    const c = net.join(PAGE, 'c')
    await net.settle()
    expect(names(c)).toEqual(['ann', 'bob'])

    net.bus.partition(['b'])
    await net.settle()
    expect(names(a)).toEqual(['ann'])

    a.session.stop()
    await net.settle()
    expect(names(c)).toEqual([])
  })

  it('a malformed awareness update is refused with bad-update', async () => {
    const net = new Network()
    const a = net.join(PAGE, 'a')
    await net.settle()
    const { encodeMessages } = await import('../../src/protocol/messages.js')
    const { messageStanzas } = await import('../../src/protocol/stanza.js')
    const { writeStanza } = await import('../../src/channel/channel.js')
    const bad = messageStanzas('main', encodeMessages([{ kind: 'awareness', update: new Uint8Array([1, 5, 1, 3, 0x7b, 0x7b, 0x7b]) }]), { maxPartChars: 1e6, newChunkId: () => 'c' })[0]!
    writeStanza(a.doc.getElementById('xmpp-incoming')!, bad.replace('<message', '<message from="m"'))
    await net.settle()
    expect(a.errors.map((e) => e.condition)).toEqual(['bad-update'])
  })
})
