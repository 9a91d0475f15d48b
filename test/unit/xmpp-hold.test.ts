// The XMPP bridge's hold across a cut (src/bridge/xmpp-hold.ts), on a manual clock: held while the
// stream may be resumed, for at most the server's `max`; lost at once when it may not; what a
// resumption and a fresh login do to it.
import { describe, expect, it } from 'vitest'
import { sessionHold } from '../../src/bridge/xmpp-hold.js'

function setup({ max }: { max: unknown } = { max: 300 }) {
  const pending = new Map<number, { fn: () => void; ms: number }>()
  let id = 0
  const timers = {
    setTimeout: (fn: () => void, ms: number) => (pending.set(++id, { fn, ms }), id),
    clearTimeout: (handle: unknown) => void pending.delete(handle as number),
  }
  const said = { lost: 0 }
  const server = { max }
  const hold = sessionHold({ timers, max: () => server.max, onLost: () => said.lost++ })
  const delays = () => [...pending.values()].map((t) => t.ms)
  const runAll = () => {
    for (const [key, t] of [...pending]) {
      pending.delete(key)
      t.fn()
    }
  }
  return { hold, said, server, delays, runAll }
}

describe('sessionHold', () => {
  it('a stream that cannot be resumed loses the session at once', () => {
    const { hold, said, delays } = setup()
    hold.left(true, false)
    expect(said.lost).toBe(1)
    expect(hold.holding).toBe(false)
    expect(delays()).toEqual([])
  })

  it('a resumable cut holds the session, for the server’s max, then loses it', () => {
    const { hold, said, delays, runAll } = setup({ max: '300' })
    hold.left(true, true)
    expect(hold.holding).toBe(true)
    expect(said.lost).toBe(0)
    expect(delays()).toEqual([300_000])
    runAll()
    expect(said.lost).toBe(1)
    expect(hold.holding).toBe(false)
    // Resumed after that anyway: the peers were said gone, so join again.
    expect(hold.resumed()).toBe('rejoin')
  })

  it('without a max from the server the hold has no bound', () => {
    for (const max of [undefined, null, 0, '']) {
      const { hold, delays } = setup({ max })
      hold.left(true, true)
      expect(hold.holding).toBe(true)
      expect(delays()).toEqual([])
    }
  })

  it('resumed: online again if it was in the session at the cut, else waiting for the join’s answer', () => {
    const joined = setup()
    joined.hold.left(true, true)
    expect(joined.hold.resumed()).toBe('online')
    expect(joined.hold.holding).toBe(false)
    expect(joined.delays()).toEqual([])
    expect(joined.said.lost).toBe(0)

    const joining = setup()
    joining.hold.left(false, true)
    expect(joining.hold.resumed()).toBe('wait')
    expect(joining.said.lost).toBe(0)
  })

  it('a second cut during a hold keeps the first one’s state and deadline', () => {
    const { hold, server, delays } = setup({ max: 300 })
    hold.left(true, true)
    server.max = 60
    hold.left(false, true)
    expect(delays()).toEqual([300_000])
    expect(hold.resumed()).toBe('online')
  })

  it('a fresh login ends a hold, losing the session; without one it says nothing', () => {
    const { hold, said, delays } = setup()
    hold.loggedIn()
    expect(said.lost).toBe(0)
    hold.left(true, true)
    hold.loggedIn()
    expect(said.lost).toBe(1)
    expect(delays()).toEqual([])
  })

  it('a cut that cannot be resumed during a hold ends it, losing the session once', () => {
    const { hold, said, delays } = setup()
    hold.left(true, true)
    hold.left(false, false)
    expect(said.lost).toBe(1)
    expect(delays()).toEqual([])
  })

  it('stop ends a hold in silence', () => {
    const { hold, said, delays } = setup()
    hold.left(true, true)
    hold.stop()
    expect(hold.holding).toBe(false)
    expect(delays()).toEqual([])
    expect(said.lost).toBe(0)
  })
})
