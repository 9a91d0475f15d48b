// keepConnected's retry schedule (src/bridge/xmpp-connection.ts), on manual timers and a client
// that never gets online: exponential backoff to the cap; while a session is held for
// resumption (`urgent`), the first retries come at most URGENT_RETRY_MS apart, then the backoff.
import { describe, expect, it } from 'vitest'
import { keepConnected, URGENT_ATTEMPTS, URGENT_RETRY_MS, type ConnectableClient } from '../../src/bridge/xmpp-connection.js'

const WATCHDOG = 999_999

function offlineClient(): ConnectableClient {
  return {
    status: 'offline',
    on: () => undefined,
    removeListener: () => undefined,
    start: () => Promise.reject(new Error('no server')),
    connect: () => Promise.reject(new Error('no server')),
    open: () => Promise.reject(new Error('no server')),
    disconnect: () => Promise.resolve(),
  }
}

/** Timers that record each delay asked for, and run the pending retry on demand. */
function manualTimers() {
  const delays: number[] = []
  let next: (() => void) | undefined
  return {
    delays,
    timers: {
      setTimeout: (fn: () => void, ms: number) => {
        if (ms === WATCHDOG) return 'watchdog' // the attempt timeout: never due here
        delays.push(ms)
        next = fn
        return 'retry'
      },
      clearTimeout: () => undefined,
    },
    async run(): Promise<void> {
      for (let i = 0; i < 10; i++) await Promise.resolve()
      const fn = next
      next = undefined
      fn?.()
      for (let i = 0; i < 10; i++) await Promise.resolve()
    },
  }
}

describe('keepConnected retries', () => {
  const backoff = { minDelay: 250, maxDelay: 15_000, random: () => 0.5, attemptTimeout: WATCHDOG } // no jitter

  it('back off exponentially to the cap', async () => {
    const clock = manualTimers()
    const keeper = keepConnected(offlineClient(), { service: 'ws://x', domain: 'x', timers: clock.timers, backoff, onFailure: () => undefined })
    for (let i = 0; i < 8; i++) await clock.run()
    expect(clock.delays.slice(0, 8)).toEqual([250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000])
    keeper.stop()
  })

  it('while a session is held for resumption, come at most URGENT_RETRY_MS apart, for URGENT_ATTEMPTS tries', async () => {
    const clock = manualTimers()
    let held = true
    const keeper = keepConnected(offlineClient(), { service: 'ws://x', domain: 'x', timers: clock.timers, backoff, onFailure: () => undefined, urgent: () => held })
    for (let i = 0; i < URGENT_ATTEMPTS + 2; i++) await clock.run()
    expect(clock.delays.slice(0, 4)).toEqual([250, 500, URGENT_RETRY_MS, URGENT_RETRY_MS])
    expect(Math.max(...clock.delays.slice(0, URGENT_ATTEMPTS))).toBe(URGENT_RETRY_MS)
    expect(clock.delays.at(-1)).toBe(15_000) // then the usual backoff
    held = false
    keeper.stop()
  })
})
