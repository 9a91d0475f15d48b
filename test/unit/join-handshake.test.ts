// The join handshake (src/island/join.ts) on its own, with no DOM and no doc: pages that join at
// the same moment, in every presence order for 2 and 3 pages and seeded samples for 4 and 5, are
// synced within one round trip of the last presence, and no retry timer ever has to fire.
import { describe, expect, it } from 'vitest'
import { JoinHandshake, type JoinAction, type JoinInput } from '../../src/island/join.js'
import { mulberry32 } from '../../src/bridge/memory.js'

const SV = new Uint8Array([0])

/** What travels between the simulated pages: what join.ts's actions become on the wire. */
type Wire = { kind: 'ask'; join: boolean; all: boolean } | { kind: 'answer'; forPeer: string } | { kind: 'traffic' }

/** One presence stanza: `to` hears that `of` is here (`of === to`: its self-presence). */
interface Presence {
  to: string
  of: string
}

interface Page {
  id: string
  join: JoinHandshake
  peers: Set<string>
  /** In the room: the server relays messages to it. */
  entered: boolean
  syncedAt: number | null
  armed: boolean
  viewer: boolean
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
      const join = new JoinHandshake({ answers: modes[id] !== 'receive', presenter: false })
      this.pages.set(id, { id, join, peers: new Set(), entered: false, syncedAt: null, armed: false, viewer: modes[id] === 'receive' })
    }
  }

  presence({ to, of }: Presence): void {
    const page = this.pages.get(to)!
    page.entered = true
    this.pages.get(of)!.entered = true
    if (of === to) return this.run(page, page.join.hello(to, page.peers))
    if (page.peers.has(of)) return
    page.peers.add(of)
    this.run(page, page.join.peerJoined(of))
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
      const input: JoinInput =
        m.wire.kind === 'ask'
          ? { kind: 'ask', from: m.from, stateVector: SV, join: m.wire.join, all: m.wire.all }
          : m.wire.kind === 'answer'
            ? { kind: 'answer', from: m.from, forPeer: m.wire.forPeer, stateVector: SV }
            : { kind: 'traffic', from: m.from }
      this.run(page, page.join.receive(input))
    }
    return batch.length > 0 || this.sent.length > 0
  }

  private run(page: Page, actions: JoinAction[]): void {
    for (const a of actions) {
      if (a.do === 'ask') this.send(page, { kind: 'ask', join: a.join, all: a.all })
      else if (a.do === 'answer') this.send(page, { kind: 'answer', forPeer: a.to })
      // The reply to an answer (island.ts: a viewer sends none), or the whole state.
      else if ((a.do === 'accept' && !page.viewer) || a.do === 'push') this.send(page, { kind: 'traffic' })
      else if (a.do === 'synced') page.syncedAt ??= this.round
      else if (a.do === 'arm') page.armed = true
      else if (a.do === 'disarm') page.armed = false
    }
  }

  private send(from: Page, wire: Wire): void {
    for (const to of this.pages.values()) if (to !== from && to.entered) this.sent.push({ from: from.id, to: to.id, wire })
  }

  /** Runs the timers of pages still joining (what a real clock would do after retryMs). */
  fireRetries(): void {
    for (const p of this.pages.values()) {
      if (!p.armed) continue
      this.retriesNeeded++
      p.armed = false
      this.run(p, p.join.retry())
    }
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
function play(ids: string[], order: Presence[], seed: number, spread: number): Room {
  const rand = mulberry32(seed)
  const room = new Room(ids, rand)
  for (const e of order) {
    room.presence(e)
    if (rand() < spread) room.deliver()
  }
  const last = room.round
  for (let i = 0; i < 20 && room.deliver(); i++);
  for (const p of room.pages.values()) {
    const where = `seed ${seed}, order ${order.map((e) => `${e.to}<${e.of}`).join(' ')}`
    expect(p.join.state, `${p.id} synced (${where})`).toBe('synced')
    // One round trip after the last presence: a request there, an answer back.
    expect(p.syncedAt!, `${p.id} synced by round ${last + 2} (${where})`).toBeLessThanOrEqual(last + 2)
  }
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

  it('a synced page answers unless it knows a synced peer with a smaller id', () => {
    const c = new JoinHandshake({ answers: true, presenter: false })
    c.hello('c', peers())
    const ps = peers('a', 'd')
    c.hello('c', ps) // a rejoin, so the peer set is live
    const ask: JoinInput = { kind: 'ask', from: 'd', stateVector: SV, join: true, all: false }
    expect(c.receive(ask)).toEqual([{ do: 'answer', to: 'd', stateVector: SV }])
    c.receive({ kind: 'traffic', from: 'a' }) // a is synced, and smaller
    expect(c.receive(ask)).toEqual([])
    // ask="all": everyone answers.
    expect(c.receive({ ...ask, all: true })).toEqual([{ do: 'answer', to: 'd', stateVector: SV }])
    // a left: c answers again.
    c.peerLeft('a')
    expect(c.receive(ask)).toEqual([{ do: 'answer', to: 'd', stateVector: SV }])
  })

  it('a joiner that holds every peer’s join request, and knows no synced one, answers them all', () => {
    const a = new JoinHandshake({ answers: true, presenter: false })
    a.hello('a', peers('b', 'c'))
    expect(a.receive({ kind: 'ask', from: 'b', stateVector: SV, join: true, all: false })).toEqual([])
    const out = a.receive({ kind: 'ask', from: 'c', stateVector: SV, join: true, all: false })
    expect(out).toEqual([
      { do: 'disarm' },
      { do: 'synced', alone: false },
      { do: 'answer', to: 'b', stateVector: SV },
      { do: 'answer', to: 'c', stateVector: SV },
    ])
  })

  it('a joiner that has heard from a synced peer waits for an answer, and is synced by it', () => {
    const b = new JoinHandshake({ answers: true, presenter: false })
    b.hello('b', peers('a', 'c'))
    b.receive({ kind: 'answer', from: 'a', forPeer: 'c', stateVector: SV }) // a answered c: a is synced
    expect(b.receive({ kind: 'ask', from: 'c', stateVector: SV, join: true, all: false })).toEqual([])
    const out = b.receive({ kind: 'answer', from: 'a', forPeer: 'b', stateVector: SV })
    // Synced; c's request waits for a smaller synced peer (a), which answers it.
    expect(out).toEqual([{ do: 'disarm' }, { do: 'accept', from: 'a', stateVector: SV, joined: true }, { do: 'synced', alone: false }])
  })

  it('a page that becomes synced answers the requests it held, unless a smaller synced peer will', () => {
    const a = new JoinHandshake({ answers: true, presenter: false })
    a.hello('a', peers('b', 'd'))
    a.receive({ kind: 'ask', from: 'd', stateVector: SV, join: true, all: false })
    expect(a.receive({ kind: 'answer', from: 'b', forPeer: 'a', stateVector: SV })).toContainEqual({ do: 'answer', to: 'd', stateVector: SV })
    const e = new JoinHandshake({ answers: true, presenter: false })
    e.hello('e', peers('b', 'd'))
    e.receive({ kind: 'ask', from: 'd', stateVector: SV, join: true, all: false })
    const out = e.receive({ kind: 'answer', from: 'b', forPeer: 'e', stateVector: SV })
    expect(out.filter((x) => x.do === 'answer')).toEqual([]) // b < e is synced: b answers d
  })

  it('a viewer (receive mode) never answers, even when it becomes synced with requests held', () => {
    const v = new JoinHandshake({ answers: false, presenter: false })
    v.hello('a', peers('b'))
    const out = v.receive({ kind: 'ask', from: 'b', stateVector: SV, join: true, all: false })
    expect(out).toEqual([{ do: 'disarm' }, { do: 'synced', alone: false }])
  })

  it('a joiner with no answer at all falls back as before: ask everyone, then carry on alone', () => {
    const j = new JoinHandshake({ answers: true, presenter: false })
    j.hello('b', peers('a')) // a never says anything: a viewer, or a page without this island
    expect(j.retry()).toEqual([{ do: 'ask', join: true, all: true }, { do: 'arm' }])
    expect(j.retry()).toEqual([{ do: 'synced', alone: true }, { do: 'push' }])
    expect(j.retries).toBe(2)
    expect(j.retry()).toEqual([])
  })

  it('a viewer in the room makes joiners fall back to the retry, as before (it never speaks)', () => {
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
