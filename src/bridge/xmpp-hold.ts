/**
 * XEP-0198 across a cut (docs/PROTOCOL.md, "Across a cut"): while a lost stream may still be
 * resumed, the session is held as it was, presences included, and resumption brings back
 * everything missed. Once it cannot be, or past the server's `max`, the session is lost and the
 * peers with it. The bridge says what happened to the stream; the timers are its own.
 */
import type { Timers } from './xmpp-connection.js'

export interface HoldOptions {
  timers: Timers
  /** Seconds the server keeps a dropped session (XEP-0198 `max`), read at the cut; none: no bound. */
  max(): unknown
  /** The session is gone: tell the engine the peers are. */
  onLost(): void
}

/** What a resumed stream calls for. */
export type Resumed =
  | 'rejoin' // held past the server's `max`, the peers said gone: join again
  | 'online' // in the session before the cut, and still: online as before
  | 'wait' // joining at the cut: the answer to the join (resent if unacknowledged) comes now

export interface Hold {
  readonly holding: boolean
  /** The session is left: held if the stream may be resumed (a hold already running goes on), else lost. */
  left(wasJoined: boolean, resumable: boolean): void
  /** A fresh login: a held session is gone (or a ghost of it lingers: the join names it). */
  loggedIn(): void
  resumed(): Resumed
  /** Ends a hold without a word: the bridge is closing, and says the peers are gone itself. */
  stop(): void
}

export function sessionHold({ timers, max, onLost }: HoldOptions): Hold {
  let holding = false
  let heldJoined = false
  let timer: unknown

  const stop = (): void => {
    holding = false
    if (timer !== undefined) timers.clearTimeout(timer)
    timer = undefined
  }
  const lose = (): void => {
    stop()
    onLost()
  }

  return {
    get holding() {
      return holding
    },
    left(wasJoined, resumable) {
      if (!resumable) return lose()
      if (holding) return
      holding = true
      heldJoined = wasJoined
      // Past the server's `max` our session is gone from the room, resumed or not.
      const seconds = Number(max())
      if (seconds > 0) {
        timer = timers.setTimeout(() => {
          timer = undefined
          lose()
        }, seconds * 1000)
      }
    },
    loggedIn() {
      if (holding) lose()
    },
    resumed() {
      if (!holding) return 'rejoin'
      stop()
      return heldJoined ? 'online' : 'wait'
    },
    stop,
  }
}
