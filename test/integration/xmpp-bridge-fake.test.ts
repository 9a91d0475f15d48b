// The bridge with an injected client and injected timers (no server): the reconnection policy
// (exponential backoff, a reset once online, no retries after refused credentials) and the
// filtering of what arrives.
import { EventEmitter } from 'node:events'
import { xml } from '@xmpp/client'
import { describe, expect, it } from 'vitest'
import { xmppBridge, type XmppBridgeErrorDetail, type XmppClient } from '../../src/bridge/xmpp.js'
import { makePage } from './support.js'

class FakeClient extends EventEmitter {
  status = 'offline'
  jid: { toString(): string } | null = { toString: () => 'me@example.test/r' }
  calls: string[] = []
  /** What the next connection attempt does. */
  next: 'refuse' | 'online' | 'bad-password' = 'refuse'

  private attempt(): Promise<void> {
    if (this.next === 'online') {
      this.status = 'online'
      this.emit('online', this.jid)
      return Promise.resolve()
    }
    const err = new Error(this.next === 'bad-password' ? 'not-authorized' : 'connect ECONNREFUSED')
    if (this.next === 'bad-password') err.name = 'SASLError'
    return Promise.reject(err)
  }
  start() {
    this.calls.push('start')
    return this.attempt()
  }
  async connect() {
    this.calls.push('connect')
    return this.attempt()
  }
  async open() {
    this.calls.push('open')
  }
  async disconnect() {
    this.calls.push('disconnect')
  }
  async stop() {
    this.calls.push('stop')
    this.status = 'offline'
  }
  async send() {
    this.calls.push('send')
  }
  drop() {
    this.status = 'disconnect'
    this.emit('disconnect', { clean: false })
  }
}

/** Timers that run only when told to, and remember the delays asked for. */
function manualTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>()
  let id = 0
  const delays: number[] = []
  return {
    delays,
    timers: {
      setTimeout: (fn: () => void, ms: number) => {
        pending.set(++id, { fn, ms })
        return id
      },
      clearTimeout: (handle: unknown) => void pending.delete(handle as number),
    },
    /** Runs the earliest-due retry (ignoring the attempt watchdogs, which are long). */
    async runRetry(): Promise<void> {
      const entry = [...pending.entries()].filter(([, t]) => t.ms < 5000).sort((a, b) => a[1].ms - b[1].ms)[0]
      if (!entry) throw new Error('no retry scheduled')
      pending.delete(entry[0])
      delays.push(entry[1].ms)
      entry[1].fn()
      for (let i = 0; i < 10; i++) await Promise.resolve()
    },
    retryPending: () => [...pending.values()].some((t) => t.ms < 5000),
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}

function open(fake: FakeClient, clock: ReturnType<typeof manualTimers>) {
  const page = makePage()
  const bridge = xmppBridge({
    service: 'ws://127.0.0.1:1/xmpp-websocket',
    domain: 'example.test',
    peer: 'peer@example.test/r',
    document: page.document,
    client: () => fake as unknown as XmppClient,
    timers: clock.timers,
    backoff: { minDelay: 50, maxDelay: 400, jitter: 0.2, attemptTimeout: 10_000 },
    random: () => 0.5, // no jitter
  })
  const errors: XmppBridgeErrorDetail[] = []
  bridge.addEventListener('error', (e) => errors.push((e as CustomEvent<XmppBridgeErrorDetail>).detail))
  return { page, bridge, errors }
}

describe('xmppBridge reconnection', () => {
  it('backs off exponentially, up to the cap, and starts over once online', async () => {
    const fake = new FakeClient()
    const clock = manualTimers()
    const { page, bridge, errors } = open(fake, clock)
    await settle()
    for (let i = 0; i < 5; i++) await clock.runRetry()
    expect(clock.delays).toEqual([50, 100, 200, 400, 400])
    expect(errors.every((e) => e.reason === 'connection')).toBe(true)
    expect(bridge.online).toBe(false)

    fake.next = 'online'
    await clock.runRetry()
    expect(bridge.online).toBe(true)
    // Online with a peer: the directed presence went out, the synthesized self presence came in.
    expect(fake.calls).toContain('send')
    expect(page.received()[0]).toContain('<status code="110"/>')

    fake.next = 'refuse'
    fake.drop()
    expect(bridge.online).toBe(false)
    await clock.runRetry()
    expect(clock.delays.at(-1)).toBe(50)
    // After a loss the client is in 'disconnect', where only connect + open work.
    expect(fake.calls.at(-1)).toBe('disconnect')
    expect(fake.calls).toContain('connect')
    await bridge.close()
    expect(clock.retryPending()).toBe(false)
    await page.close()
  })

  it('stops retrying when the server refuses the credentials', async () => {
    const fake = new FakeClient()
    fake.next = 'bad-password'
    const clock = manualTimers()
    const { page, bridge, errors } = open(fake, clock)
    await settle()
    expect(errors.map((e) => e.reason)).toEqual(['auth'])
    expect(clock.retryPending()).toBe(false)
    await bridge.close()
    await page.close()
  })

  it('drops replayed (delayed) island messages and passes live ones', async () => {
    const fake = new FakeClient()
    fake.next = 'online'
    const clock = manualTimers()
    const { page, bridge } = open(fake, clock)
    await settle()
    const island = () => xml('island', { xmlns: 'urn:xml-sync-islands:1', name: 'doc' }, 'AA==')
    const from = 'peer@example.test/r'
    fake.emit('stanza', xml('message', { from, type: 'chat' }, island(), xml('delay', { xmlns: 'urn:xmpp:delay', stamp: '2020-01-01T00:00:00Z' })))
    fake.emit('stanza', xml('message', { from, type: 'chat' }, island()))
    fake.emit('stanza', xml('message', { from, type: 'chat' }, xml('body', {}, 'hi')))
    fake.emit('stanza', xml('message', { from, type: 'groupchat' }, island()))
    expect(bridge.stats.droppedBy).toMatchObject({ replayed: 1, 'not-island': 1, 'wrong-type': 1 })
    expect(bridge.stats.received).toBe(1)
    expect(page.received().filter((t) => t.startsWith('<message'))).toHaveLength(1)
    await bridge.close()
    await page.close()
  })
})
