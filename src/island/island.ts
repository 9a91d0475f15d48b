import * as Y from 'yjs'
import type { Awareness } from 'y-protocols/awareness'
import { Binding, REMOTE, SEED } from '../binding/binding.js'
import type { RenderFilter, RenderLimits } from '../binding/context.js'
import { ATTR_POLICY, createPolicy, describeRefusal, policyFor, type Refusal } from '../policy/index.js'
import { seedClientId } from '../binding/canonical.js'
import { SyncError } from '../protocol/errors.js'
import { applyUpdateMessage, stateMessage, type Message, type UpdateMessage } from '../protocol/messages.js'
import type { Clock } from '../clock.js'
import { Access, type IslandMode } from './access.js'
import { AwarenessRelay } from './awareness-relay.js'
import { holdsMoreThan, PendingWatch } from './gaps.js'
import { JoinHandshake, type JoinAction } from './join.js'
import { kindProfile, kindsFor } from './kinds.js'
import { Outbox } from './outbox.js'

export type IslandState = 'joining' | 'synced'

export { ATTR_EDITORS, ATTR_MODE, type IslandMode } from './access.js'

/** What an island needs from its session. */
export interface IslandHost {
  readonly outgoing: Element
  readonly clock: Clock
  readonly windowMs: number
  readonly retryMs: number
  readonly maxPartChars: number
  readonly maxStanzaBytes: number
  readonly maxBuffered: number
  readonly maxPendingBytes: number
  /** One filter for every island; by default each island has its profile's policy (src/policy). */
  readonly allow: RenderFilter | undefined
  readonly renderLimits: RenderLimits | undefined
  /** This page's own peer id, once a self-presence told it. */
  readonly self: string | undefined
  /** The other peers present. */
  readonly peers: ReadonlySet<string>
  newChunkId(): string
  emit(type: 'synced', island: Island, detail: { alone: boolean }): void
  error(err: SyncError): void
}

/**
 * One shared island: its doc, its binding to the element, its outbox, and the join handshake.
 *
 * Joining: the page seeds its doc from its own DOM (see Binding.seedFromDom) and runs the
 * handshake (join.ts decides who asks and who answers; docs/PROTOCOL.md, "Joining"). On an
 * answer, if the session has content and not this page's seed, the page adopts the session's doc
 * (and drops its unsent seed); otherwise it merges, and replies with what the session lacks.
 *
 * Rejoining (after a reconnect or a partition) asks everyone: Yjs deletions do not show in state
 * vectors, so only answers from every side of a former partition are sure to carry every delete.
 */
export class Island {
  private doc_: Y.Doc
  private readonly binding: Binding
  private readonly outbox: Outbox
  private seedClient = 0
  private seedLength = 0
  private buffered: UpdateMessage[] = []
  private readonly join: JoinHandshake
  private readonly access: Access
  private readonly relay: AwarenessRelay
  private readonly pending: PendingWatch
  private retryTimer: unknown = null
  private stopped = false
  /** What this island renders of remote content. */
  readonly policy: RenderFilter
  /**
   * Who is here and what they point at (y-protocols awareness: cursors, selections, names).
   * `island.awareness.setLocalState({...})` is sent to every peer; a peer's states go when it leaves.
   */
  get awareness(): Awareness {
    return this.relay.awareness
  }
  private refusals: string[] | null = null

  constructor(
    readonly name: string,
    readonly element: Element,
    private readonly host: IslandHost,
  ) {
    this.access = new Access(element)
    this.join = new JoinHandshake({ answers: this.mode !== 'receive', presenter: this.mode === 'send' })
    this.doc_ = new Y.Doc()
    const kinds = kindsFor(element)
    const profile = element.hasAttribute(ATTR_POLICY) ? undefined : kindProfile(kinds, element)
    this.policy = host.allow ?? (profile !== undefined ? createPolicy({ profile }) : policyFor(element))
    this.binding = new Binding(element, this.doc_, {
      kinds,
      clock: host.clock,
      allow: this.policy,
      ...(host.renderLimits ? { limits: host.renderLimits } : {}),
      onRefused: (what, key, why) => this.noteRefusal(what, key, why),
      onError: (err) => host.error(asSyncError(err, name)),
    })
    this.relay = new AwarenessRelay(
      this.doc_,
      (update) => this.outbox.sendControl('awareness', [{ kind: 'awareness', update }]),
      (message, peer) => host.error(new SyncError('bad-update', message, { island: name, peer })),
    )
    this.pending = new PendingWatch(host.clock, host.retryMs, {
      waiting: () => this.doc_.store.pendingStructs !== null,
      askAll: () => this.outbox.sendControl('ask', [{ kind: 'step1', stateVector: Y.encodeStateVector(this.doc_) }], { askAll: true }),
      drop: () => {
        this.doc_.store.pendingStructs = null
        this.doc_.store.pendingDs = null
        host.error(new SyncError('bad-update', 'updates wait for changes no peer has: dropped', { island: name }))
      },
    })
    this.outbox = new Outbox(this.doc_, {
      island: name,
      channel: host.outgoing,
      clock: host.clock,
      windowMs: host.windowMs,
      maxPartChars: host.maxPartChars,
      maxStanzaBytes: host.maxStanzaBytes,
      newChunkId: () => host.newChunkId(),
      onError: (err) => host.error(asSyncError(err, name)),
    })
  }

  get mode(): IslandMode {
    return this.access.mode
  }

  get state(): IslandState {
    return this.join.state
  }

  /** Join retries fired since the last (re)join: 0 when the handshake took one round trip. */
  get retries(): number {
    return this.join.retries
  }

  /** The island's Y.Doc (replaced once if the page adopts the session's state). */
  get doc(): Y.Doc {
    return this.doc_
  }

  start(): void {
    this.seedClient = seedClientId(this.element)
    this.binding.seedFromDom(this.seedClient)
    this.seedLength = Y.getState(this.doc_.store, this.seedClient)
    this.outbox.hold = true
    this.doc_.on('afterTransaction', this.onTransaction)
    this.binding.start()
  }

  stop(): void {
    if (this.stopped) return
    this.relay.stop()
    this.stopped = true
    this.clearRetry()
    this.pending.stop()
    this.binding.stop()
    if (this.state === 'synced') this.outbox.stop()
    this.doc_.off('afterTransaction', this.onTransaction)
  }

  /** Captures pending DOM changes now (the observer would, a microtask later). */
  flush(): void {
    this.binding.flush()
  }

  /** Captures now what the island's kinds find changed without a mutation record (the SVG DOM). */
  rescan(): void {
    this.binding.rescan()
  }

  /** The page (re)joined the session: run the handshake. */
  hello(): void {
    if (this.stopped) return
    const self = this.host.self
    this.binding.readOnly = this.access.readOnlyFor(self)
    this.run(this.join.hello(self, this.host.peers))
  }

  /** Handles the checked messages of one `<island/>` payload from `from`. */
  receive(from: string | undefined, messages: Message[], el: { askAll?: boolean; joining?: boolean; forPeer?: string; merge?: boolean }): void {
    if (this.stopped) return
    const [first, second] = messages
    if (!this.access.mayEdit(from, this.name, (err) => this.host.error(err))) {
      // Readers may still ask for the state, and say where they are; their changes are refused.
      messages = messages.filter((m) => m.kind === 'awareness' || (m.kind === 'step1' && el.forPeer === undefined))
      if (messages.length === 0) return
    }
    if (el.forPeer !== undefined && first?.kind === 'step1' && second?.kind === 'step2') {
      const self = this.host.self
      if (self === undefined || el.forPeer !== self) {
        // Another peer's answer: what it carries is ours too, and what we hold it may lack.
        this.applyOrBuffer([second], from)
        this.fillGaps(from, first.stateVector, second)
      }
      const answer = { kind: 'answer', from, forPeer: el.forPeer, stateVector: first.stateVector, merge: el.merge === true } as const
      return this.run(this.join.receive(answer), second)
    }
    for (const m of messages) {
      if (m.kind === 'step1') {
        if (from === undefined) continue
        this.run(this.join.receive({ kind: 'ask', from, stateVector: m.stateVector, join: el.joining === true, all: el.askAll === true }))
      } else if (m.kind === 'step2' || m.kind === 'update') {
        this.applyOrBuffer([m], from)
        if (from !== undefined) this.run(this.join.receive({ kind: 'traffic', from }))
      } else this.relay.apply(m.update, from)
    }
  }

  /** A peer came: the handshake may need to tell it we are joining; it needs our awareness state. */
  peerJoined(peer: string): void {
    if (this.stopped) return
    this.run(this.join.peerJoined(peer))
    this.relay.peerJoined()
  }

  /** A peer left: its awareness states go, and the handshake stops waiting for it. */
  peerLeft(peer: string): void {
    this.relay.peerLeft(peer)
    if (!this.stopped) this.run(this.join.peerLeft(peer))
  }

  /** Carries out what the handshake decided; `answer` is the step 2 of an answer being accepted. */
  private run(actions: JoinAction[], answer?: UpdateMessage): void {
    for (const a of actions) {
      switch (a.do) {
        case 'ask':
          this.outbox.sendControl('ask', [{ kind: 'step1', stateVector: Y.encodeStateVector(this.doc_) }], { askAll: a.all, joining: a.join })
          break
        case 'answer':
          this.answer(a.to, a.stateVector, a.merge)
          break
        case 'accept':
          if (answer) this.accept(a.from, a.stateVector, answer, a.joined, a.merge)
          break
        case 'synced':
          this.becomeSynced(a.alone)
          break
        case 'push':
          this.outbox.sendControl('state', [stateMessage('update', this.doc_)])
          break
        case 'arm':
          this.clearRetry()
          this.retryTimer = this.host.clock.setTimeout(() => {
            this.retryTimer = null
            if (!this.stopped) this.run(this.join.retry())
          }, this.host.retryMs)
          break
        case 'disarm':
          this.clearRetry()
          break
      }
    }
  }

  /** A remote element, attribute or text the policy (or a limit) kept off the page. */
  private noteRefusal(what: string, key: string, refusal: Refusal | undefined): void {
    const why = refusal ? describeRefusal(refusal) : `${what} ${key}`
    if (this.refusals) this.refusals.push(why)
    else this.host.error(new SyncError('not-allowed', `not rendered: ${why}`, { island: this.name }))
  }

  private answer(to: string, stateVector: Uint8Array, merge: boolean): void {
    this.outbox.sendControl(
      `answer:${to}`,
      [
        { kind: 'step1', stateVector: Y.encodeStateVector(this.doc_) },
        stateMessage('step2', this.doc_, stateVector),
      ],
      { forPeer: to, merge },
    )
  }

  /**
   * Seen: another peer's answer to a third. If we hold anything the answerer lacks (structs past
   * its state vector, or deletes outside its delete set), the asker lacks it too: a message may
   * still have been on its way to the answerer when it answered. Send it, to everyone.
   */
  private fillGaps(answerer: string | undefined, theirState: Uint8Array, theirUpdate: UpdateMessage): void {
    if (this.state !== 'synced' || this.mode === 'receive' || !holdsMoreThan(this.doc_, theirState, theirUpdate)) return
    this.outbox.sendControl(`fill:${answerer ?? ''}`, [stateMessage('update', this.doc_, theirState)])
  }

  /**
   * Takes an answer: merged when the answerer joined together with us (`merge`), when its doc
   * holds our seed, or when one side is empty; else the session's doc is adopted.
   */
  private accept(from: string | undefined, theirState: Uint8Array, update: UpdateMessage, joined: boolean, merge: boolean): void {
    if (!joined) {
      this.apply([update], from)
      if (this.mode !== 'receive') this.reply(from, theirState)
      return
    }
    const theirs = Y.decodeStateVector(theirState)
    const sameSeed = (theirs.get(this.seedClient) ?? 0) >= this.seedLength
    // A receive-mode page merges too when the session holds its seed in full: the answer (what
    // it lacks, against its own state vector) leaves the seed out, so a doc adopted from the
    // answer alone showed nothing; its doc is its seed (its own edits are put back), so merging
    // is adopting there.
    if (sameSeed || (this.mode !== 'receive' && (merge || this.seedLength === 0 || theirs.size === 0))) {
      this.apply([update, ...this.takeBuffered()], from)
    } else {
      const doc = new Y.Doc()
      for (const u of [update, ...this.takeBuffered()]) applyUpdateMessage(doc, u, REMOTE)
      this.doc_.off('afterTransaction', this.onTransaction)
      this.binding.adopt(doc)
      this.doc_.destroy()
      this.doc_ = doc
      doc.on('afterTransaction', this.onTransaction)
    }
    this.outbox.reset(this.doc_)
    // Always reply, adopted or merged: it carries our seed and changes made while joining (if
    // kept), and it tells every page that we are synced (join.ts).
    if (this.mode !== 'receive') this.reply(from, theirState)
  }

  /** What the answerer lacks, with our whole delete set. One slot per peer: replies to several answerers all go. */
  private reply(to: string | undefined, theirState: Uint8Array): void {
    this.outbox.sendControl(`reply:${to ?? ''}`, [stateMessage('step2', this.doc_, theirState)])
  }

  private becomeSynced(alone: boolean): void {
    if (this.outbox.hold) {
      this.outbox.hold = false
      for (const u of this.takeBuffered()) this.apply([u], undefined)
      this.outbox.flush()
    }
    this.host.emit('synced', this, { alone })
  }

  private applyOrBuffer(updates: UpdateMessage[], from: string | undefined): void {
    if (!this.outbox.hold) return this.apply(updates, from)
    this.buffered.push(...updates)
    // Bounded: past the limit, drop the oldest; the answer to our request carries them anyway.
    while (this.buffered.length > this.host.maxBuffered) this.buffered.shift()
  }

  private takeBuffered(): UpdateMessage[] {
    const b = this.buffered
    this.buffered = []
    return b
  }

  private apply(updates: UpdateMessage[], from: string | undefined): void {
    this.refusals = []
    try {
      this.binding.applyRemote(() => {
        for (const u of updates) applyUpdateMessage(this.doc_, u, REMOTE)
      })
    } catch (err) {
      const e = asSyncError(err, this.name, 'bad-update')
      e.peer ??= from
      this.host.error(e)
    }
    const refused = this.refusals
    this.refusals = null
    if (refused.length) {
      // The doc keeps it all (so no later update waits for it); the page just does not show it.
      const more = refused.length > 1 ? ` (and ${refused.length - 1} more)` : ''
      this.host.error(new SyncError('not-allowed', `not rendered: ${refused[0]}${more}`, { island: this.name, peer: from }))
    }
    const pending = this.doc_.store.pendingStructs
    if (pending === null) return
    if (pending.update.length + (this.doc_.store.pendingDs?.length ?? 0) > this.host.maxPendingBytes) {
      // Updates that wait for ones that never come (a hostile or broken peer): memory stays
      // bounded. Dropping them is safe: the gap repair asks everyone for what we lack.
      this.doc_.store.pendingStructs = null
      this.doc_.store.pendingDs = null
      this.host.error(new SyncError('too-large', `over ${this.host.maxPendingBytes} bytes of updates wait for missing ones`, { island: this.name, peer: from }))
      return this.pending.watch(true)
    }
    this.pending.watch()
  }

  private readonly onTransaction = (txn: Y.Transaction): void => {
    if (txn.origin === REMOTE || txn.origin === SEED || this.binding.readOnly) return
    if (txn.deleteSet.clients.size === 0 && sameState(txn.beforeState, txn.afterState)) return
    this.outbox.add(txn)
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) this.host.clock.clearTimeout(this.retryTimer)
    this.retryTimer = null
  }
}

function sameState(a: Map<number, number>, b: Map<number, number>): boolean {
  if (a.size !== b.size) return false
  for (const [k, v] of a) if (b.get(k) !== v) return false
  return true
}

function asSyncError(err: unknown, island: string, condition: 'internal' | 'bad-update' = 'internal'): SyncError {
  if (err instanceof SyncError) {
    err.island ??= island
    return err
  }
  return new SyncError(condition, String((err as Error)?.message ?? err), { island })
}
