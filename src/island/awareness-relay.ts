import type * as Y from 'yjs'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness'
import { REMOTE } from '../binding/binding.js'

/**
 * One island's y-protocols awareness (who is here, what they point at), relayed through the
 * channel: this page's own state goes to every peer when it changes and to each newcomer; each
 * peer's states are remembered under its peer id, so they go when the peer leaves.
 */
export class AwarenessRelay {
  readonly awareness: Awareness
  private readonly byPeer = new Map<string, Set<number>>()
  private from: string | undefined

  constructor(
    doc: Y.Doc,
    private readonly send: (update: Uint8Array) => void,
    private readonly refuse: (message: string, from: string | undefined) => void,
  ) {
    this.awareness = new Awareness(doc)
    // y-protocols starts every page with an empty state; here a page says nothing until the app does.
    this.awareness.setLocalState(null)
    this.awareness.on('update', this.onUpdate)
  }

  /** A peer's awareness update. */
  apply(update: Uint8Array, from: string | undefined): void {
    this.from = from
    try {
      applyAwarenessUpdate(this.awareness, update, REMOTE)
    } catch (err) {
      this.refuse(`not an awareness update: ${(err as Error)?.message ?? err}`, from)
    } finally {
      this.from = undefined
    }
  }

  /** A peer came: it needs our state (the others have it). */
  peerJoined(): void {
    if (this.awareness.getLocalState() !== null) this.sendMine([this.awareness.clientID])
  }

  /** A peer left: its states go. */
  peerLeft(peer: string): void {
    const clients = this.byPeer.get(peer)
    this.byPeer.delete(peer)
    if (clients?.size) removeAwarenessStates(this.awareness, [...clients], REMOTE)
  }

  /** Tells the others we are gone, and stops. */
  stop(): void {
    if (this.awareness.getLocalState() !== null) this.awareness.setLocalState(null)
    this.awareness.off('update', this.onUpdate)
    this.awareness.destroy()
  }

  private readonly onUpdate = (changes: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
    if (origin === REMOTE) {
      const from = this.from
      if (from === undefined) return
      let clients = this.byPeer.get(from)
      if (!clients) this.byPeer.set(from, (clients = new Set()))
      for (const c of [...changes.added, ...changes.updated]) if (c !== this.awareness.clientID) clients.add(c)
      for (const c of changes.removed) clients.delete(c)
      return
    }
    const mine = [...changes.added, ...changes.updated, ...changes.removed].filter((c) => c === this.awareness.clientID)
    if (mine.length) this.sendMine(mine)
  }

  private sendMine(clients: number[]): void {
    this.send(encodeAwarenessUpdate(this.awareness, clients))
  }
}
