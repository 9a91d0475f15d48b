// The bridge with an injected client and injected timers (no server): the reconnection policy
// (exponential backoff, a reset once online, no retries after refused credentials), the choice
// of login mechanism, failures to start, and the filtering of what arrives.
import { EventEmitter } from 'node:events'
import { xml } from '@xmpp/client'
import { describe, expect, it } from 'vitest'
import { xmppBridge, type XmppBridgeErrorDetail, type XmppBridgeOptions, type XmppClient, type XmppClientOptions } from '../../src/bridge/xmpp.js'
import { makePage } from './support.js'

class FakeClient extends EventEmitter {
  status = 'offline'
  jid: { toString(): string } | null = { toString: () => 'me@example.test/r' }
  calls: string[] = []
  /** What the next connection attempt does. */
  next: 'refuse' | 'online' | 'bad-password' | 'login' = 'refuse'
  /** For 'login': what the server offers, and whether the link is secure. */
  offered: string[] = []
  secure = false
  /** For 'login': the mechanisms the bridge authenticated with. */
  logins: Array<{ mechanism: string; username?: string }> = []
  options: XmppClientOptions | undefined

  private attempt(): Promise<void> {
    if (this.next === 'login') return this.login()
    if (this.next === 'online') {
      this.status = 'online'
      this.emit('online', this.jid)
      return Promise.resolve()
    }
    const err = new Error(this.next === 'bad-password' ? 'not-authorized' : 'connect ECONNREFUSED')
    if (this.next === 'bad-password') err.name = 'SASLError'
    return Promise.reject(err)
  }
  /** As @xmpp/client does: a throw from the credentials function is an 'error' event, and the attempt hangs. */
  private login(): Promise<void> {
    const authenticate = async (credentials: { username?: string }, mechanism: string): Promise<void> => {
      this.logins.push({ mechanism, ...(credentials.username !== undefined && { username: credentials.username }) })
    }
    this.options!.credentials(authenticate, this.offered, null, { isSecure: () => this.secure }).catch((err) => this.emit('error', err))
    return new Promise(() => undefined)
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

function open(fake: FakeClient, clock: ReturnType<typeof manualTimers>, extra: Partial<XmppBridgeOptions> = {}) {
  const page = makePage()
  const bridge = xmppBridge({
    service: 'ws://127.0.0.1:1/xmpp-websocket',
    domain: 'example.test',
    peer: 'peer@example.test/r',
    document: page.document,
    client: (options) => {
      fake.options = options
      return fake as unknown as XmppClient
    },
    timers: clock.timers,
    backoff: { minDelay: 50, maxDelay: 400, jitter: 0.2, attemptTimeout: 10_000 },
    random: () => 0.5, // no jitter
    ...extra,
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

describe('xmppBridge logging in', () => {
  const withPassword = { jid: 'me@example.test', password: 'secret' }

  it('refuses a password login over an insecure link with only PLAIN, once, saying why, and sends nothing', async () => {
    const fake = new FakeClient()
    fake.next = 'login'
    fake.offered = ['PLAIN', 'ANONYMOUS']
    const clock = manualTimers()
    const { page, bridge, errors } = open(fake, clock, withPassword)
    await settle()
    expect(errors.map((e) => e.reason)).toEqual(['insecure-login'])
    expect(errors[0]!.message).toMatch(/wss:\/\/.*anonymous/)
    expect(fake.logins).toEqual([])
    expect(clock.retryPending()).toBe(false)
    await bridge.close()
    await page.close()
  })

  it('takes PLAIN on a secure link, a mechanism that hides the password on an insecure one, ANONYMOUS without an account', async () => {
    const cases = [
      { secure: true, offered: ['SCRAM-SHA-1', 'PLAIN'], extra: withPassword, expected: { mechanism: 'PLAIN', username: 'me' } },
      { secure: false, offered: ['SCRAM-SHA-1', 'PLAIN'], extra: withPassword, expected: { mechanism: 'SCRAM-SHA-1', username: 'me' } },
      { secure: false, offered: ['PLAIN', 'ANONYMOUS'], extra: {}, expected: { mechanism: 'ANONYMOUS' } },
    ]
    for (const { secure, offered, extra, expected } of cases) {
      const fake = new FakeClient()
      Object.assign(fake, { next: 'login', offered, secure })
      const clock = manualTimers()
      const { page, bridge, errors } = open(fake, clock, extra)
      await settle()
      expect(fake.logins).toEqual([expected])
      expect(errors).toEqual([])
      await bridge.close()
      await page.close()
    }
  })

  it('reports a server without anonymous login as `auth`, once', async () => {
    const fake = new FakeClient()
    fake.next = 'login'
    fake.offered = ['PLAIN']
    const clock = manualTimers()
    const { page, bridge, errors } = open(fake, clock)
    await settle()
    expect(errors.map((e) => [e.reason, e.message])).toEqual([['auth', expect.stringMatching(/no anonymous login/)]])
    expect(clock.retryPending()).toBe(false)
    await bridge.close()
    await page.close()
  })

  it('gives @xmpp/client a user agent, so that it never needs crypto.randomUUID', async () => {
    const fake = new FakeClient()
    const clock = manualTimers()
    const { page, bridge } = open(fake, clock)
    const agent = fake.options!.userAgent
    expect(agent.name).toBe('user-agent')
    expect(agent.attrs.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    await bridge.close()
    await page.close()
  })
})

describe('xmppBridge failing to start', () => {
  it('never throws: options that cannot work are one `options` error event, after the caller could listen', async () => {
    const bad: Array<[Partial<XmppBridgeOptions>, RegExp]> = [
      [{ room: 'r@rooms.example.test' }, /exactly one of `room` or `peer`/],
      [{ peer: undefined }, /exactly one of `room` or `peer`/],
      [{ jid: 'me@example.test' }, /`jid` and `password` together/],
      [{ domain: '' }, /`domain` is required/],
      [{ service: 'http://example.test/xmpp-websocket' }, /ws:\/\/ or wss:\/\//],
    ]
    for (const [extra, message] of bad) {
      const fake = new FakeClient()
      const clock = manualTimers()
      const { page, bridge, errors } = open(fake, clock, extra)
      // Dispatched later, not from inside xmppBridge(): nobody could have been listening yet.
      expect(errors).toEqual([])
      await clock.runRetry()
      expect(errors.map((e) => e.reason)).toEqual(['options'])
      expect(errors[0]!.message).toMatch(message)
      expect(fake.calls).toEqual([])
      expect(bridge.online).toBe(false)
      expect(clock.retryPending()).toBe(false)
      await bridge.close()
      await page.close()
    }
  })

  it('never throws: a client that cannot be made is one `start` error event with its reason', async () => {
    const clock = manualTimers()
    const page = makePage()
    const bridge = xmppBridge({
      service: 'ws://127.0.0.1:1/xmpp-websocket',
      domain: 'example.test',
      room: 'r@rooms.example.test',
      document: page.document,
      client: () => {
        throw new TypeError('globalThis.crypto.randomUUID is not a function')
      },
      timers: clock.timers,
    })
    const errors: XmppBridgeErrorDetail[] = []
    bridge.addEventListener('error', (e) => errors.push((e as CustomEvent<XmppBridgeErrorDetail>).detail))
    await clock.runRetry()
    expect(errors.map((e) => e.reason)).toEqual(['start'])
    expect(errors[0]!.message).toContain('randomUUID is not a function')
    expect(errors[0]!.error).toBeInstanceOf(TypeError)
    await bridge.close()
    await page.close()
  })
})
