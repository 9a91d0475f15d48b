/**
 * When this page's state goes out: at most one state per `minGapMs` (50 ms: 20 a second), the
 * first change after a quiet spell at once and the last change of a burst always (a trailing
 * send), and the state again every `heartbeatMs` (0.8 s) while nothing changes, so that
 * peers can tell a person who dropped from one who sits still (they expire states after 3 s).
 * Counted on the session's clock, so tests count sends instead of timing them.
 */
import type { Clock } from '../../src/index.js'

export class Sender {
  private last = -Infinity
  private trailing: unknown = null
  private heartbeat: unknown = null
  private stopped = false

  constructor(
    private readonly clock: Clock,
    private readonly send: () => void,
    private readonly minGapMs = 50,
    private readonly heartbeatMs = 800,
  ) {}

  /** The state changed: send it now, or as soon as the rate allows. */
  changed(): void {
    if (this.stopped || this.trailing !== null) return
    const wait = this.last + this.minGapMs - this.clock.now()
    if (wait <= 0) return this.fire()
    // Browsers round a timer's delay down to whole milliseconds and may fire it a little early:
    // round up, and look again when it fires.
    this.trailing = this.clock.setTimeout(() => {
      this.trailing = null
      this.changed()
    }, Math.ceil(wait))
  }

  stop(): void {
    this.stopped = true
    if (this.trailing !== null) this.clock.clearTimeout(this.trailing)
    if (this.heartbeat !== null) this.clock.clearTimeout(this.heartbeat)
    this.trailing = this.heartbeat = null
  }

  private fire(): void {
    if (this.stopped) return
    this.last = this.clock.now()
    if (this.heartbeat !== null) this.clock.clearTimeout(this.heartbeat)
    this.heartbeat = this.clock.setTimeout(() => {
      this.heartbeat = null
      this.fire()
    }, this.heartbeatMs)
    this.send()
  }
}
