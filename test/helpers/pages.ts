import { syncIslands, type Session, type SessionOptions, type SyncErrorDetail } from '../../index.js'
import { canonicalDom, memoryBus, type MemoryBus, type MemoryBusOptions } from '../../src/testing.js'
import { ManualClock } from './clock.js'

/** A page of its own (a separate document), with `html` as its body. Works in happy-dom and Chromium. */
export function createPage(html: string): Document {
  const doc = document.implementation.createHTMLDocument('')
  doc.body.innerHTML = html
  return doc
}

/** Lets observers and channel readers run (they are microtasks and MutationObserver callbacks). */
export async function tick(): Promise<void> {
  // MutationObserver callbacks are microtasks (in Chromium and happy-dom alike); a channel
  // reader's callback may queue another, so give the queue a few turns.
  for (let i = 0; i < 8; i++) await Promise.resolve()
}

export interface TestPeer {
  id: string
  doc: Document
  session: Session
  errors: SyncErrorDetail[]
  island(name?: string): Element
}

/**
 * N pages on one in-memory bus, with one manual clock. `settle()` runs the network until nothing
 * moves: delivering, letting observers run and moving time past every coalescing window.
 */
export class Network {
  readonly clock = new ManualClock()
  readonly bus: MemoryBus
  readonly peers: TestPeer[] = []

  constructor(busOptions: MemoryBusOptions = {}, private readonly sessionOptions: SessionOptions = {}) {
    this.bus = memoryBus(busOptions)
  }

  /** Opens a page with `html` and joins it to the session (call settle() to let it sync). */
  join(html: string, id = `peer${this.peers.length}`): TestPeer {
    return this.attach(createPage(html), id)
  }

  /** As join(), with session options of this page's own on top of the network's. */
  joinWith(html: string, id: string, options: SessionOptions): TestPeer {
    return this.attach(createPage(html), id, options)
  }

  /** Joins a document that already holds its island (an iframe's, or the test's own). */
  attach(doc: Document, id = `peer${this.peers.length}`, options: SessionOptions = {}): TestPeer {
    const session = syncIslands({ root: doc, clock: this.clock, ...this.sessionOptions, ...options })
    const errors: SyncErrorDetail[] = []
    session.addEventListener('sync-error', (e) => errors.push((e as CustomEvent<SyncErrorDetail>).detail))
    this.bus.connect(doc, id)
    const peer: TestPeer = {
      id,
      doc,
      session,
      errors,
      island: (name = 'main') => doc.querySelector(`[data-sync-island="${name}"]`)!,
    }
    this.peers.push(peer)
    return peer
  }

  /** Delivers at most `max` stanzas, then lets the pages react. */
  async step(max = Infinity): Promise<void> {
    await tick()
    this.bus.deliver(max)
    await tick()
  }

  /**
   * Runs until nothing moves: delivers, lets the pages react, and moves time forward in small
   * steps (so retries and coalescing windows fire with the network running between them) until
   * 5 s of quiet have passed.
   */
  async settle(maxRounds = 2000): Promise<void> {
    let quietMs = 0
    for (let i = 0; i < maxRounds; i++) {
      for (const p of this.peers) p.session.flush()
      await tick()
      const moved = this.bus.deliver()
      await tick()
      this.clock.advance(25)
      await tick()
      quietMs = moved === 0 && this.bus.pending === 0 ? quietMs + 25 : 0
      if (quietMs >= 5000) return
    }
    throw new Error('the network did not settle')
  }

  /** Each page's island as it shares it: through its policy, as the binding captures it. */
  canonical(name = 'main'): string[] {
    return this.peers.map((p) => canonicalDom(p.island(name), p.session.islands.get(name)?.policy))
  }
}
