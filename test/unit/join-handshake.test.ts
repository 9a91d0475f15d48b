// The join handshake (src/island/join.ts) on its own, with no DOM and no doc: pages that join at
// the same moment, in every presence order for 2 and 3 pages and seeded samples for 4 and 5, are
// synced within one round trip of the last presence, no retry timer ever has to fire, and they
// end with one content. Content is modelled as the set of pages' seeds a page holds, merged or
// adopted as island.ts does with Yjs docs.
import { describe, expect, it } from 'vitest'
import { JoinHandshake, type JoinAction, type JoinInput } from '../../src/island/join.js'
import { mulberry32 } from '../../src/bridge/memory.js'

const SV = new Uint8Array([0])
type Content = ReadonlySet<string>

/** What travels between the simulated pages: what join.ts's actions become on the wire. */
type Wire =
  | { kind: 'ask'; join: boolean; all: boolean }
  | { kind: 'answer'; forPeer: string; merge: boolean; content: Content }
  /** A reply, an update, a fill or a pushed state: content from a synced page. */
  | { kind: 'traffic'; content: Content }

/** One presence stanza: `to` hears that `of` is here (`of === to`: its self-presence). */
interface Presence {
  to: string
  of: string
  gone?: boolean
}

interface Page {
  id: string
  join: JoinHandshake
  peers: Set<string>
  /** In the room: the server relays messages to it. */
  entered: boolean
  left: boolean
  syncedAt: number | null
  armed: boolean
  viewer: boolean
  /** The seeds its doc holds: its own at first. */
  content: Set<string>
  /** What arrived while joining (island.ts buffers it, and applies it to whichever doc it keeps). */
  buffered: Set<string>
}

const union = (into: Set<string>, from: Iterable<string>) => {
  for (const x of from) into.add(x)
}

/**
 * A room of pages, in synchronous rounds: what a page sends in round r arrives in round r + 1
 * (in a seeded order within the round). Presence events happen at the rounds the schedule says.
 */
class Room {
  readonly pages = new Map<string, Page>()
  /** Sent this round: delivered the next. */
  private sent: Array<{ from: string; to: string; wire: Wire }> = []
  round = 0
  retriesNeeded = 0

  constructor(
    ids: string[],
    private readonly rand: () => number,
    modes: Partial<Record<string, 'receive'>> = {},
  ) {
    for (const id of ids) {
      const viewer = modes[id] === 'receive'
      const join = new JoinHandshake({ answers: !viewer, presenter: false })
      this.pages.set(id, { id, join, peers: new Set(), entered: false, left: false, syncedAt: null, armed: false, viewer, content: new Set([id]), buffered: new Set() })
    }
  }

  presence({ to, of, gone }: Presence): void {
    if (process.env.TRACE) console.log(`r${this.round} presence ${to} < ${of}${gone ? ' gone' : ''}`)
    const page = this.pages.get(to)!
    if (gone) {
      if (page.peers.delete(of)) this.run(page, page.join.peerLeft(of))
      return
    }
    if (page.left || this.pages.get(of)!.left) return // it is gone: no presence of it or to it any more
    page.entered = true
    this.pages.get(of)!.entered = true
    if (of === to) return this.run(page, page.join.hello(to, page.peers))
    if (page.peers.has(of)) return
    page.peers.add(of)
    this.run(page, page.join.peerJoined(of))
  }

  /** `id` leaves the room: nothing more to or from it, and the others hear it go. */
  leave(id: string): void {
    this.pages.get(id)!.left = true
    this.sent = this.sent.filter((m) => m.from !== id && m.to !== id)
    for (const p of this.pages.values()) if (p.id !== id && !p.left) this.presence({ to: p.id, of: id, gone: true })
  }

  /** Delivers what was sent last round; returns whether anything moved. */
  deliver(): boolean {
    this.round++
    const batch = this.sent
    this.sent = []
    // Within a round, any order: but one sender's messages to one page stay in order (a room does that).
    const bySender = new Map<string, typeof batch>()
    for (const m of batch) {
      const key = `${m.from}>${m.to}`
      bySender.set(key, [...(bySender.get(key) ?? []), m])
    }
    const queues = [...bySender.values()]
    while (queues.length) {
      const i = Math.floor(this.rand() * queues.length)
      const m = queues[i]!.shift()!
      if (queues[i]!.length === 0) queues.splice(i, 1)
      const page = this.pages.get(m.to)!
      if (page.left || this.pages.get(m.from)!.left) continue
      this.receive(page, m.from, m.wire)
    }
    return batch.length > 0 || this.sent.length > 0
  }

  /** What island.ts does with each message, on the content model. */
  private receive(page: Page, from: string, wire: Wire): void {
    if (process.env.TRACE) console.log(`r${this.round} ${page.id} <- ${from}: ${JSON.stringify({ ...wire, content: 'content' in wire ? [...wire.content] : undefined })}`)
    const synced = page.join.state === 'synced'
    if (wire.kind === 'ask') return this.run(page, page.join.receive({ kind: 'ask', from, stateVector: SV, join: wire.join, all: wire.all }))
    if (wire.kind === 'traffic') {
      union(synced ? page.content : page.buffered, wire.content)
      return this.run(page, page.join.receive({ kind: 'traffic', from }))
    }
    if (wire.forPeer !== page.id) {
      union(synced ? page.content : page.buffered, wire.content)
      // Gap repair: the answerer lacked something we hold; the asker lacks it too.
      if (synced && !page.viewer && [...page.content].some((x) => !wire.content.has(x))) this.send(page, { kind: 'traffic', content: new Set(page.content) })
    }
    this.run(page, page.join.receive({ kind: 'answer', from, forPeer: wire.forPeer, stateVector: SV, merge: wire.merge }), wire.content)
  }

  private run(page: Page, actions: JoinAction[], answer?: Content): void {
    if (process.env.TRACE) for (const a of actions) console.log(`r${this.round} ${page.id}: ${JSON.stringify({ ...a, stateVector: undefined })}`)
    for (const a of actions) {
      if (a.do === 'ask') this.send(page, { kind: 'ask', join: a.join, all: a.all })
      else if (a.do === 'answer') this.send(page, { kind: 'answer', forPeer: a.to, merge: a.merge, content: new Set(page.content) })
      else if (a.do === 'accept') {
        if (!a.joined) union(page.content, answer!)
        else if (!page.viewer && (a.merge || answer!.has(page.id))) {
          union(page.content, answer!)
          union(page.content, page.buffered)
        } else page.content = new Set([...answer!, ...page.buffered]) // adopt: our unsent seed goes
        page.buffered.clear()
        if (!page.viewer) this.send(page, { kind: 'traffic', content: new Set(page.content) }) // the reply
      } else if (a.do === 'push') this.send(page, { kind: 'traffic', content: new Set(page.content) })
      else if (a.do === 'synced') {
        page.syncedAt ??= this.round
        union(page.content, page.buffered)
        page.buffered.clear()
      } else if (a.do === 'arm') page.armed = true
      else if (a.do === 'disarm') page.armed = false
    }
  }

  private send(from: Page, wire: Wire): void {
    for (const to of this.pages.values()) if (to !== from && to.entered && !to.left) this.sent.push({ from: from.id, to: to.id, wire })
  }

  /** Runs the timers of pages still joining (what a real clock would do after retryMs). */
  fireRetries(): void {
    for (const p of this.pages.values()) {
      if (!p.armed || p.left) continue
      this.retriesNeeded++
      p.armed = false
      this.run(p, p.join.retry())
    }
  }

  /** Every page still here, with its content written out. */
  contents(): string[] {
    return [...this.pages.values()].filter((p) => !p.left && !p.viewer).map((p) => [...p.content].sort().join(','))
  }
}

/** All orders of `xs`. */
function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs]
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]))
}

/**
 * Every order in which each page hears the presences (the others' and its own), as a MUC allows
 * them: of two pages, the one that entered later hears the earlier before itself; pages that
 * entered together each hear the other first. Each combination is played with the pages' streams
 * merged in several ways: in turn (from either end), and one page after another (either way).
 */
function* presenceOrders(ids: string[]): Generator<Presence[]> {
  const perPage = ids.map((to) => permutations(ids).map((order) => order.map((of) => ({ to, of }))))
  const heardSelfFirst = (stream: Presence[], of: string) => stream.findIndex((e) => e.of === e.to) < stream.findIndex((e) => e.of === of)
  function* combine(i: number, chosen: Presence[][]): Generator<Presence[][]> {
    if (i === ids.length) return yield chosen
    for (const stream of perPage[i]!) {
      // Two pages that each heard themselves before the other were never in the room together.
      if (chosen.some((other, j) => heardSelfFirst(stream, ids[j]!) && heardSelfFirst(other, ids[i]!))) continue
      yield* combine(i + 1, [...chosen, stream])
    }
  }
  for (const streams of combine(0, [])) {
    const reversed = [...streams].reverse()
    for (const s of [streams, reversed]) {
      const inTurn: Presence[] = []
      for (let k = 0; k < ids.length; k++) for (const stream of s) inTurn.push(stream[k]!)
      yield inTurn
      yield s.flat()
    }
  }
}

/** A MUC-valid presence order drawn at random: pages enter in a random order, some together. */
function randomOrder(ids: string[], rand: () => number): Presence[] {
  const orders: Presence[] = []
  const entered: string[] = []
  const pending = [...ids].sort(() => rand() - 0.5)
  while (pending.length) {
    const batch = pending.splice(0, 1 + Math.floor(rand() * Math.min(3, pending.length)))
    // Each of the batch hears everyone in the room and in the batch, then itself; interleaved.
    const streams = batch.map((p) => [...entered, ...batch.filter((q) => q !== p)].sort(() => rand() - 0.5).map((of) => ({ to: p, of })).concat([{ to: p, of: p }]))
    for (const p of entered) streams.push(batch.map((of) => ({ to: p, of })))
    while (streams.some((s) => s.length)) {
      const live = streams.filter((s) => s.length)
      orders.push(live[Math.floor(rand() * live.length)]!.shift()!)
    }
    entered.push(...batch)
  }
  return orders
}

/** Plays one schedule: presence events at rounds the PRNG picks, then rounds until quiet. */
/**
 * Plays one schedule: presence events at rounds the PRNG picks (`spread`: the chance of a round
 * between two of them), then rounds until quiet. Checks that every page is synced one round trip
 * after the last presence, that all hold one content, and, when the pages all met before any
 * message moved and none was alone at its self-presence, that every page's content is in it.
 */
function play(ids: string[], order: Presence[], seed: number, spread: number, modes: Partial<Record<string, 'receive'>> = {}): Room {
  const rand = mulberry32(seed)
  const room = new Room(ids, rand, modes)
  const heard = new Map<string, number>()
  let aloneAtHello = false
  for (const e of order) {
    if (e.of === e.to) aloneAtHello ||= !heard.get(e.to)
    else heard.set(e.to, (heard.get(e.to) ?? 0) + 1)
    room.presence(e)
    if (rand() < spread) room.deliver()
  }
  const last = room.round
  for (let i = 0; i < 20 && room.deliver(); i++);
  const where = `seed ${seed}, spread ${spread}, order ${order.map((e) => `${e.to}<${e.of}`).join(' ')}`
  for (const p of room.pages.values()) {
    expect(p.join.state, `${p.id} synced (${where})`).toBe('synced')
    // One round trip after the last presence: a request there, an answer back.
    expect(p.syncedAt!, `${p.id} synced by round ${last + 2} (${where})`).toBeLessThanOrEqual(last + 2)
  }
  const contents = room.contents()
  expect(new Set(contents).size, `one content (${where}): ${contents.join(' | ')}`).toBe(1)
  if (spread === 0 && !aloneAtHello) expect(contents[0], `every page's content (${where})`).toBe(ids.filter((id) => modes[id] !== 'receive').sort().join(','))
  return room
}

describe('join handshake: pages that join together, in one round trip and no retry', () => {
  it('every presence order of 2 pages, messages delivered at once or later', () => {
    let n = 0
    for (const order of presenceOrders(['a', 'b'])) {
      for (const spread of [0, 0.5, 1]) for (let seed = 1; seed <= 4; seed++) expect(play(['a', 'b'], order, seed, spread).retriesNeeded).toBe(0)
      n++
    }
    expect(n).toBe(12) // 3 combinations, 4 merges
  })

  it('every presence order of 3 pages', () => {
    let n = 0
    for (const order of presenceOrders(['a', 'b', 'c'])) {
      // Presence all at once (the tightest race), spread over rounds, or one round apart each.
      for (const spread of [0, 0.4, 1]) for (let seed = 1; seed <= 3; seed++) expect(play(['a', 'b', 'c'], order, n * 3 + seed, spread).retriesNeeded).toBe(0)
      n++
    }
    // 100 combinations of the pages' own orders that a MUC allows, each merged 4 ways.
    expect(n).toBe(400)
  })

  it('seeded samples of presence orders for 4 and 5 pages', () => {
    for (const size of [4, 5]) {
      const ids = ['a', 'b', 'c', 'd', 'e'].slice(0, size)
      for (let seed = 1; seed <= 1500; seed++) {
        const rand = mulberry32(seed * 7919 + size)
        expect(play(ids, randomOrder(ids, rand), seed, rand()).retriesNeeded).toBe(0)
      }
    }
  })
})

describe('join handshake: pages leaving mid-join, and viewers', () => {
  it('the synced page leaves while others join together: all synced, one content, no retry', () => {
    for (let seed = Number(process.env.SEED ?? 1); seed <= Number(process.env.SEED ?? 2000); seed++) {
      const rand = mulberry32(seed)
      const ids = ['a', 'b', 'c', 'd'].slice(0, 3 + (seed % 2))
      const [first, ...rest] = [...ids].sort(() => rand() - 0.5) as [string, ...string[]]
      const room = new Room(ids, rand)
      room.presence({ to: first, of: first }) // alone: the session, with its content
      const events = randomOrder(rest, rand).flatMap((e) => (e.of === e.to ? [{ to: e.to, of: first }, e] : [e]))
      for (const p of rest) room.presence({ to: first, of: p })
      const leaveAt = Math.floor(rand() * (events.length + 3))
      let i = 0
      for (const e of events) {
        if (i++ === leaveAt) room.leave(first)
        room.presence(e)
        if (rand() < 0.5) room.deliver()
      }
      for (let r = 0; r < 4 && !room.pages.get(first)!.left; r++) {
        if (rand() < 0.5) room.leave(first)
        else room.deliver()
      }
      if (!room.pages.get(first)!.left) room.leave(first)
      for (let r = 0; r < 30 && room.deliver(); r++);
      const where = `seed ${seed}, first ${first}, leaves at ${leaveAt}`
      const here = [...room.pages.values()].filter((p) => !p.left)
      for (const p of here) expect(p.join.state, `${p.id} synced (${where})`).toBe('synced')
      const contents = room.contents()
      expect(new Set(contents).size, `one content (${where}): ${contents.join(' | ')}`).toBe(1)
      expect(room.retriesNeeded, where).toBe(0)
    }
  })

  it('a viewer among editors joining together adopts what they make, and nobody waits', () => {
    for (let seed = Number(process.env.SEED ?? 1); seed <= Number(process.env.SEED ?? 1500); seed++) {
      const rand = mulberry32(seed * 31)
      const ids = ['a', 'b', 'c', 'd'].slice(0, 2 + (seed % 3))
      const viewer = ids[Math.floor(rand() * ids.length)]!
      // Not a viewer alone first: it never speaks, so joiners then wait for the retry (tested below).
      let order = randomOrder(ids, rand)
      while (order.find((e) => e.to === viewer)!.of === viewer) order = randomOrder(ids, rand)
      const room = play(ids, order, seed, rand() < 0.3 ? 0 : rand(), { [viewer]: 'receive' })
      expect(room.retriesNeeded).toBe(0)
      // The viewer shows what the editors hold, and nothing of its own.
      const shown = [...room.pages.get(viewer)!.content].sort().join(',')
      expect(shown, `seed ${seed}`).toBe(room.contents()[0])
    }
  })
})

describe('join handshake: the rules', () => {
  const peers = (...ids: string[]) => new Set(ids)

  it('a page alone is synced at once, with no timer', () => {
    const j = new JoinHandshake({ answers: true, presenter: false })
    expect(j.hello('a', peers())).toEqual([{ do: 'synced', alone: true }])
  })

  it('a joiner asks as a joiner and arms its retry', () => {
    const j = new JoinHandshake({ answers: true, presenter: false })
    expect(j.hello('b', peers('a'))).toEqual([{ do: 'ask', join: true, all: false }, { do: 'arm' }])
  })

  it('a synced page answers unless it knows a synced peer with a smaller id, and answers a request once', () => {
    const c = new JoinHandshake({ answers: true, presenter: false })
    c.hello('c', peers())
    const ps = peers('a', 'd')
    c.hello('c', ps) // a rejoin, so the peer set is live
    const ask: JoinInput = { kind: 'ask', from: 'd', stateVector: SV, join: true, all: false }
    expect(c.receive(ask)).toEqual([{ do: 'answer', to: 'd', stateVector: SV, merge: false }])
    expect(c.peerJoined('d')).toEqual([]) // answered already: not twice
    c.receive({ kind: 'traffic', from: 'a' }) // a is synced, and smaller
    expect(c.receive(ask)).toEqual([])
    // ask="all": everyone answers.
    expect(c.receive({ ...ask, all: true })).toEqual([{ do: 'answer', to: 'd', stateVector: SV, merge: false }])
    // The request c left to a: a leaves before answering it, so c answers.
    expect(c.receive(ask)).toEqual([])
    expect(c.peerLeft('a')).toEqual([{ do: 'answer', to: 'd', stateVector: SV, merge: false }])
  })

  it('a request that comes before its sender’s presence is answered when the presence comes', () => {
    const a = new JoinHandshake({ answers: true, presenter: false })
    const ps = peers()
    a.hello('a', ps)
    expect(a.receive({ kind: 'ask', from: 'b', stateVector: SV, join: true, all: false })).toEqual([])
    ps.add('b')
    expect(a.peerJoined('b')).toEqual([{ do: 'answer', to: 'b', stateVector: SV, merge: false }])
  })

  it('a viewer’s request for everyone does not make it an answerer others leave requests to', () => {
    const c = new JoinHandshake({ answers: true, presenter: false })
    c.hello('c', peers())
    c.hello('c', peers('a', 'd'))
    c.receive({ kind: 'ask', from: 'a', stateVector: SV, join: false, all: true }) // a: a synced viewer, rejoining
    expect(c.receive({ kind: 'ask', from: 'd', stateVector: SV, join: true, all: false })).toEqual([{ do: 'answer', to: 'd', stateVector: SV, merge: false }])
  })

  it('a joiner that holds every peer’s join request, and knows no synced one, answers them all, for merging', () => {
    const a = new JoinHandshake({ answers: true, presenter: false })
    const ps = peers('b', 'c')
    a.hello('a', ps)
    expect(a.receive({ kind: 'ask', from: 'b', stateVector: SV, join: true, all: false })).toEqual([])
    const out = a.receive({ kind: 'ask', from: 'c', stateVector: SV, join: true, all: false })
    expect(out).toEqual([
      { do: 'disarm' },
      { do: 'synced', alone: false },
      { do: 'answer', to: 'b', stateVector: SV, merge: true },
      { do: 'answer', to: 'c', stateVector: SV, merge: true },
    ])
    // A later request is a later joiner's: it adopts what we made.
    ps.add('d')
    expect(a.receive({ kind: 'ask', from: 'd', stateVector: SV, join: true, all: false })).toEqual([{ do: 'answer', to: 'd', stateVector: SV, merge: false }])
  })

  it('a joiner that has heard from a synced peer waits for an answer, and is synced by it', () => {
    const b = new JoinHandshake({ answers: true, presenter: false })
    b.hello('b', peers('a', 'c'))
    b.receive({ kind: 'answer', from: 'a', forPeer: 'c', stateVector: SV, merge: false }) // a answered c: a is synced
    expect(b.receive({ kind: 'ask', from: 'c', stateVector: SV, join: true, all: false })).toEqual([])
    const out = b.receive({ kind: 'answer', from: 'a', forPeer: 'b', stateVector: SV, merge: false })
    // Synced; c's request waits for a smaller synced peer (a), which answers it.
    expect(out).toEqual([{ do: 'disarm' }, { do: 'accept', from: 'a', stateVector: SV, joined: true, merge: false }, { do: 'synced', alone: false }])
  })

  it('a joiner that heard the session never merges its own content by itself: when the session leaves, it asks everyone', () => {
    const b = new JoinHandshake({ answers: true, presenter: false })
    const ps = peers('a', 'c')
    b.hello('b', ps)
    b.receive({ kind: 'answer', from: 'a', forPeer: 'c', stateVector: SV, merge: false })
    b.receive({ kind: 'ask', from: 'c', stateVector: SV, join: true, all: false })
    ps.delete('a')
    // c's request is all it holds, but c took the session's content: b must not make its own.
    expect(b.peerLeft('a')).toEqual([{ do: 'ask', join: true, all: true }])
  })

  it('a page that becomes synced answers the requests it held, unless a smaller synced peer will', () => {
    const a = new JoinHandshake({ answers: true, presenter: false })
    a.hello('a', peers('b', 'd'))
    a.receive({ kind: 'ask', from: 'd', stateVector: SV, join: true, all: false })
    expect(a.receive({ kind: 'answer', from: 'b', forPeer: 'a', stateVector: SV, merge: false })).toContainEqual({ do: 'answer', to: 'd', stateVector: SV, merge: false })
    const e = new JoinHandshake({ answers: true, presenter: false })
    e.hello('e', peers('b', 'd'))
    e.receive({ kind: 'ask', from: 'd', stateVector: SV, join: true, all: false })
    const out = e.receive({ kind: 'answer', from: 'b', forPeer: 'e', stateVector: SV, merge: false })
    expect(out.filter((x) => x.do === 'answer')).toEqual([]) // b < e is synced: b answers d
  })

  it('a page that took a merge answer answers its fellow joiners for merging too', () => {
    const a = new JoinHandshake({ answers: true, presenter: false })
    a.hello('a', peers('b', 'c'))
    a.receive({ kind: 'ask', from: 'b', stateVector: SV, join: true, all: false })
    const out = a.receive({ kind: 'answer', from: 'c', forPeer: 'a', stateVector: SV, merge: true })
    expect(out).toContainEqual({ do: 'accept', from: 'c', stateVector: SV, joined: true, merge: true })
    expect(out).toContainEqual({ do: 'answer', to: 'b', stateVector: SV, merge: true })
  })

  it('a viewer (receive mode) never decides for the others: it waits for an editor’s answer', () => {
    const v = new JoinHandshake({ answers: false, presenter: false })
    v.hello('a', peers('b'))
    expect(v.receive({ kind: 'ask', from: 'b', stateVector: SV, join: true, all: false })).toEqual([])
    expect(v.receive({ kind: 'answer', from: 'b', forPeer: 'a', stateVector: SV, merge: true })).toEqual([
      { do: 'disarm' },
      { do: 'accept', from: 'b', stateVector: SV, joined: true, merge: true },
      { do: 'synced', alone: false },
    ])
  })

  it('an answer before our own self-presence is someone else’s', () => {
    const j = new JoinHandshake({ answers: true, presenter: false })
    expect(j.receive({ kind: 'answer', from: 'a', forPeer: 'b', stateVector: SV, merge: false })).toEqual([])
    expect(j.state).toBe('joining')
  })

  it('a joiner with no answer at all falls back as before: ask everyone, then carry on alone', () => {
    const j = new JoinHandshake({ answers: true, presenter: false })
    j.hello('b', peers('a')) // a never says anything: a viewer, or a page without this island
    expect(j.retry()).toEqual([{ do: 'ask', join: true, all: true }, { do: 'arm' }])
    expect(j.retry()).toEqual([{ do: 'synced', alone: true }, { do: 'push' }])
    expect(j.retries).toBe(2)
    expect(j.retry()).toEqual([])
  })

  it('a synced viewer in the room makes a joiner fall back to the retry, as before (it never speaks)', () => {
    const rand = mulberry32(5)
    const room = new Room(['a', 'b'], rand, { a: 'receive' })
    for (const e of [{ to: 'a', of: 'a' }, { to: 'b', of: 'a' }, { to: 'a', of: 'b' }, { to: 'b', of: 'b' }]) room.presence(e)
    for (let i = 0; i < 5; i++) room.deliver()
    expect(room.pages.get('b')!.join.state).toBe('joining')
    room.fireRetries()
    for (let i = 0; i < 5; i++) room.deliver()
    room.fireRetries()
    expect(room.pages.get('b')!.join.state).toBe('synced')
    expect(room.retriesNeeded).toBe(2)
  })

  it('a rejoin asks everyone and arms nothing', () => {
    const j = new JoinHandshake({ answers: true, presenter: false })
    j.hello('a', peers())
    expect(j.hello('a', peers('b'))).toEqual([{ do: 'ask', join: false, all: true }])
  })

  it('a presenter is synced on every hello and pushes its state', () => {
    const j = new JoinHandshake({ answers: true, presenter: true })
    expect(j.hello('a', peers('b'))).toEqual([{ do: 'synced', alone: false }, { do: 'push' }])
  })
})
