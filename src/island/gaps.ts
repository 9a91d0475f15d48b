import * as Y from 'yjs'
import type { Clock } from '../clock.js'
import { deleteSetOf, type DeleteSet, type UpdateMessage } from '../protocol/messages.js'

/**
 * Gap repair: what a page does when a peer may lack what it holds, or when it holds updates that
 * wait for ones it lacks. See docs/PROTOCOL.md, "Joining" (rule 7).
 */

/**
 * Whether `doc` holds anything an answerer lacked when it answered: structs past its state
 * vector, or deletes outside the delete set its answer carried. A message may still have been on
 * its way to the answerer; its asker lacks the same.
 */
export function holdsMoreThan(doc: Y.Doc, theirState: Uint8Array, theirAnswer: UpdateMessage): boolean {
  const theirs = Y.decodeStateVector(theirState)
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) if (clock > (theirs.get(client) ?? 0)) return true
  return !coversDeletes(deleteSetOf(theirAnswer), Y.createDeleteSetFromStructStore(doc.store))
}

/** Whether every deleted range of `mine` lies inside a deleted range of `theirs` (both sorted and merged). */
export function coversDeletes(theirs: DeleteSet, mine: DeleteSet): boolean {
  for (const [client, ranges] of mine.clients) {
    const other = theirs.clients.get(client) ?? []
    let j = 0
    for (const r of ranges) {
      while (j < other.length && other[j]!.clock + other[j]!.len <= r.clock) j++
      const o = other[j]
      if (!o || o.clock > r.clock || o.clock + o.len < r.clock + r.len) return false
    }
  }
  return true
}

export interface PendingWatchHooks {
  /** Whether updates still wait for missing ones (Yjs's pending structs). */
  waiting(): boolean
  /** Ask every peer for what we lack. */
  askAll(): void
  /** Nobody had it: drop what waits (a forged or broken client). */
  drop(): void
}

/**
 * Updates that wait for missing ones (or were dropped over the limit): give the missing ones
 * `delayMs` to arrive (delivery may be out of order), then ask everyone for what we lack. If even
 * that brings nothing, nobody has them: drop what waits for them.
 */
export class PendingWatch {
  private timer: unknown = null
  private asked = false
  private dropped = false

  constructor(
    private readonly clock: Clock,
    private readonly delayMs: number,
    private readonly hooks: PendingWatchHooks,
  ) {}

  /** After an apply: updates wait, or were just dropped over the limit (`dropped`). */
  watch(dropped = false): void {
    this.dropped ||= dropped
    if (this.timer !== null) return
    this.timer = this.clock.setTimeout(() => {
      this.timer = null
      if (!this.hooks.waiting() && !this.dropped) {
        this.asked = false
        return
      }
      this.dropped = false
      if (!this.asked) {
        this.asked = true
        this.hooks.askAll()
        if (this.hooks.waiting()) this.watch()
        return
      }
      this.asked = false
      this.hooks.drop()
    }, this.delayMs)
  }

  stop(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer)
    this.timer = null
  }
}
