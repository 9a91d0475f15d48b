/**
 * Keeps one @xmpp/client connection up: the first start, and after every loss a new attempt
 * with exponential backoff, until stopped.
 *
 * @xmpp/reconnect retries at a fixed 1 s, and only after a 'disconnect': an attempt that hangs
 * (a server that accepts the socket and never answers) or fails after the stream opened (login)
 * would stop it for good. Here every attempt has a deadline, and the timers are injectable.
 */

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export interface BackoffOptions {
  /** First retry delay, ms (default 250). */
  minDelay?: number
  /** Longest delay, ms (default 15,000). */
  maxDelay?: number
  /** Growth per failed attempt (default 2). */
  factor?: number
  /** Fraction of the delay randomised, so that peers cut off together do not return together (default 0.2). */
  jitter?: number
  /** An attempt that is not online after this long is abandoned, ms (default 10,000). */
  attemptTimeout?: number
  random?: () => number
}

/** The subset of an @xmpp/client connection this module drives. */
export interface ConnectableClient {
  status: string
  on(event: string, listener: (...args: any[]) => void): unknown
  removeListener(event: string, listener: (...args: any[]) => void): unknown
  start(): Promise<unknown>
  connect(service: string): Promise<unknown>
  open(options: { domain?: string; lang?: string }): Promise<unknown>
  disconnect(): Promise<unknown>
  reconnect?: { stop(): void }
  /** XEP-0198: a resumed stream is online without an `online` event; `resumed` fires here. */
  streamManagement?: { on(event: 'resumed', listener: () => void): unknown; removeListener(event: 'resumed', listener: () => void): unknown }
}

export interface KeepConnectedOptions {
  service: string
  domain: string
  timers: Timers
  backoff?: BackoffOptions
  /** Called with every failure; `fatal` failures (refused credentials) end the retries. */
  onFailure(error: unknown, fatal: boolean): void
  /**
   * While true, the first `URGENT_ATTEMPTS` retries come at most `URGENT_RETRY_MS` apart (with the
   * usual jitter): a session the server holds for resumption (XEP-0198) is worth getting back
   * within a second of the network returning. Then the usual backoff, so a long outage is not
   * hammered.
   */
  urgent?(): boolean
}

export const URGENT_RETRY_MS = 800
export const URGENT_ATTEMPTS = 60

export interface Keeper {
  stop(): void
  /** Attempts since the last time the connection was online. */
  readonly failures: number
}

export function backoffDelay(failures: number, o: BackoffOptions = {}): number {
  const min = o.minDelay ?? 250
  const max = o.maxDelay ?? 15_000
  const base = Math.min(max, min * Math.pow(o.factor ?? 2, Math.max(0, failures - 1)))
  const jitter = o.jitter ?? 0.2
  return Math.round(base * (1 - jitter + 2 * jitter * (o.random ?? Math.random)()))
}

// A refused login will be refused again: retrying only hammers the server. LoginError is the
// bridge's own (xmpp-login.ts): a login it will not attempt.
const isFatal = (err: unknown): boolean => ['SASLError', 'LoginError'].includes((err as { name?: string } | null)?.name ?? '')

export function keepConnected(xmpp: ConnectableClient, opts: KeepConnectedOptions): Keeper {
  const { timers } = opts
  let stopped = false
  let failures = 0
  let retry: unknown
  let watchdog: unknown
  let attempting = false

  const urgent = (): boolean => failures <= URGENT_ATTEMPTS && (opts.urgent?.() ?? false)

  const clearWatchdog = (): void => {
    if (watchdog !== undefined) timers.clearTimeout(watchdog)
    watchdog = undefined
  }

  const schedule = (): void => {
    if (stopped || retry !== undefined || attempting || xmpp.status === 'online') return
    failures++
    retry = timers.setTimeout(() => {
      retry = undefined
      void attempt()
    }, backoffDelay(failures, urgent() ? { ...opts.backoff, maxDelay: Math.min(opts.backoff?.maxDelay ?? Infinity, URGENT_RETRY_MS) } : opts.backoff))
  }

  const abandon = async (): Promise<void> => {
    attempting = false
    clearWatchdog()
    // Whatever state the half-made connection is in, end it; its 'disconnect' may not come
    // (already disconnected), so schedule the next attempt here too.
    await xmpp.disconnect().catch(() => undefined)
    schedule()
  }

  const attempt = async (): Promise<void> => {
    if (stopped || attempting || xmpp.status === 'online') return
    attempting = true
    watchdog = timers.setTimeout(() => {
      watchdog = undefined
      if (!attempting) return
      opts.onFailure(new Error(`not online after ${opts.backoff?.attemptTimeout ?? 10_000} ms`), false)
      void abandon()
    }, opts.backoff?.attemptTimeout ?? 10_000)
    try {
      if (xmpp.status === 'offline') {
        await xmpp.start()
      } else {
        // After a loss the client sits in 'disconnect', where start() refuses to run.
        await xmpp.connect(opts.service)
        await xmpp.open({ domain: opts.domain })
      }
    } catch (err) {
      if (stopped) return
      const fatal = isFatal(err)
      opts.onFailure(err, fatal)
      if (fatal) stopped = true
      // The socket's 'disconnect' may already have ended this attempt and scheduled the next.
      if (attempting) await abandon()
      else schedule()
    }
  }

  const onOnline = (): void => {
    attempting = false
    clearWatchdog()
    failures = 0
  }
  const onDisconnect = (): void => {
    if (attempting) {
      attempting = false
      clearWatchdog()
    }
    schedule()
  }
  // Login failures surface as 'error' on the client, not as a rejected open().
  const onError = (err: unknown): void => {
    if (stopped || !attempting || !isFatal(err)) return
    opts.onFailure(err, true)
    stopped = true
    void abandon()
  }

  xmpp.reconnect?.stop()
  xmpp.on('online', onOnline)
  // Without this the attempt that resumed would be abandoned by the watchdog, ending the
  // resumed stream, and the next one would log in afresh.
  xmpp.streamManagement?.on('resumed', onOnline)
  xmpp.on('disconnect', onDisconnect)
  xmpp.on('error', onError)
  void attempt()

  return {
    get failures() {
      return failures
    },
    stop() {
      stopped = true
      attempting = false
      clearWatchdog()
      if (retry !== undefined) timers.clearTimeout(retry)
      retry = undefined
      xmpp.removeListener('online', onOnline)
      xmpp.streamManagement?.removeListener('resumed', onOnline)
      xmpp.removeListener('disconnect', onDisconnect)
      xmpp.removeListener('error', onError)
    },
  }
}
