// Shared by every workload, in Chromium and in Node: simulated time, a bench bridge between
// pages, a seeded PRNG, byte counting and small statistics.
import * as Y from 'yjs'
import { channelElement, writeStanza } from '../../src/channel/channel.ts'
import { presenceStanza } from '../../src/bridge/stanza-address.ts'
import { parseStanza } from '../../src/protocol/stanza.ts'
import { decodeMessages } from '../../src/protocol/messages.ts'
import { canonicalDoc } from '../../src/binding/canonical.ts'

export { canonicalDoc, writeStanza }
export const SVG_NS = 'http://www.w3.org/2000/svg'

/**
 * Time the engine sees (its `clock` option): a workload says how much simulated time passes
 * after each step (a pointer move every 16 ms, a keystroke every 50 ms), and every timer that
 * falls due runs at once, inside the step. Coalescing then behaves as it would at that pace,
 * and its cost lands in the measured step, while the wall clock measures only the work.
 */
export class SimClock {
  constructor() {
    this.t = 0
    this.seq = 0
    this.timers = new Map()
  }
  now() {
    return this.t
  }
  setTimeout(fn, ms) {
    const id = ++this.seq
    this.timers.set(id, { at: this.t + Math.max(0, ms || 0), fn })
    return id
  }
  clearTimeout(id) {
    this.timers.delete(id)
  }
  advance(ms) {
    const end = this.t + ms
    for (;;) {
      let next
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[0] < next[0]))) next = e
      if (!next) break
      this.timers.delete(next[0])
      if (next[1].at > this.t) this.t = next[1].at
      next[1].fn()
    }
    this.t = end
  }
}

/** mulberry32, the project's own: the same seed gives the same workload everywhere. */
export { mulberry32 as rng } from '../../src/bridge/memory.ts'

/** UTF-8 length of a string, without allocating. */
export function utf8Length(s) {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4
      i++
    } else n += 3
  }
  return n
}

export { median, percentile } from '../lib/stats.mjs'

/** Lets observers and channel readers run (MutationObserver callbacks are microtasks). */
export async function ticks(n = 8) {
  for (let i = 0; i < n; i++) await null
}

export class BenchError extends Error {}

export function check(cond, what) {
  if (!cond) throw new BenchError(`wrong result: ${what}`)
}

/** First difference of two strings, for failure messages. */
export function firstDiff(a, b) {
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  return `at ${i}: ${JSON.stringify(a.slice(Math.max(0, i - 40), i + 60))} vs ${JSON.stringify(b.slice(Math.max(0, i - 40), i + 60))}`
}

export function checkSame(actual, expected, what) {
  if (actual !== expected) throw new BenchError(`wrong result: ${what} differs from the expected (${actual.length} vs ${expected.length} chars) ${firstDiff(actual, expected)}`)
}

/** The Yjs updates inside engine stanzas (decoded untimed, for the raw-Yjs apply baseline). */
export function updatesOfStanzas(texts) {
  const out = []
  const parts = new Map()
  for (const text of texts) {
    const s = parseStanza(text, Infinity)
    if (s.kind !== 'message') continue
    for (const el of s.islands) {
      let data = el.data
      if (el.chunk) {
        const key = `${s.from}|${el.chunk.id}`
        const got = parts.get(key) ?? []
        got[el.chunk.part] = el.data
        parts.set(key, got)
        if (got.filter(Boolean).length < el.chunk.parts) continue
        parts.delete(key)
        data = new Uint8Array(got.reduce((n, p) => n + p.length, 0))
        let at = 0
        for (const p of got) {
          data.set(p, at)
          at += p.length
        }
      }
      // Whole states travel v2-encoded; the raw-Yjs baselines apply v1.
      for (const m of decodeMessages(data)) if (m.kind === 'update' || m.kind === 'step2') out.push(m.v2 ? Y.convertUpdateFormatV2ToV1(m.update) : m.update)
    }
  }
  return out
}

/**
 * The bridge side of the channel for pages in one realm, as a test bus would be, but pumped
 * explicitly and synchronously (so a stanza is read before the engine writes the next one, as a
 * live bridge would read it): `pump()` reads every page's #xmpp-outgoing, addresses each stanza
 * (`from`) and queues it for every other page; `deliver()` writes queued stanzas into
 * #xmpp-incoming. Every stanza is logged with its size and the simulated time it was read.
 */
/** A stanza one page wrote, as the bench bus read it. */
class Sent {
  constructor(from, t, text) {
    this.from = from
    this.t = t
    this.text = text
    this.addressed_ = null
  }

  get bytes() {
    return utf8Length(this.text)
  }

  /** As the other pages receive it: the server sets `from` (channel contract); the engine never writes one. */
  get addressed() {
    return (this.addressed_ ??= this.text.replace(/^<(\w+)/, `<$1 from="room/${this.from}"`))
  }
}

export class BenchBus {
  constructor(clock) {
    this.clock = clock
    this.peers = new Map()
    this.log = []
    this.recording = true
  }

  connect(doc, id) {
    const incoming = channelElement(doc, 'xmpp-incoming')
    const outgoing = channelElement(doc, 'xmpp-outgoing')
    const peer = { id, doc, incoming, outgoing, inbox: [] }
    for (const other of this.peers.values()) {
      writeStanza(incoming, presenceStanza(`room/${other.id}`, { available: true }))
      writeStanza(other.incoming, presenceStanza(`room/${id}`, { available: true }))
    }
    writeStanza(incoming, presenceStanza(`room/${id}`, { available: true, self: true }))
    this.peers.set(id, peer)
    return peer
  }

  /** Reads every page's outgoing stanzas now; returns how many. */
  pump() {
    let n = 0
    for (const peer of this.peers.values()) {
      for (let child = peer.outgoing.firstElementChild; child !== null; child = peer.outgoing.firstElementChild) {
        const text = child.textContent ?? ''
        child.remove()
        n++
        // Counting bytes and addressing are the bench's and the server's work, not the engine's:
        // done lazily, outside the timed loops (the read above is the bridge's, and stays in).
        const sent = new Sent(peer.id, this.clock ? this.clock.now() : 0, text)
        if (this.recording) this.log.push(sent)
        for (const other of this.peers.values()) if (other !== peer) other.inbox.push(sent)
      }
    }
    return n
  }

  /** Writes what waits for `id` (or for everyone) into #xmpp-incoming. */
  deliver(id) {
    let n = 0
    for (const peer of this.peers.values()) {
      if (id !== undefined && peer.id !== id) continue
      const inbox = peer.inbox
      peer.inbox = []
      for (const m of inbox) writeStanza(peer.incoming, m.addressed)
      n += inbox.length
    }
    return n
  }

  /** Runs the pages until nothing moves (handshakes): pump, deliver, let observers run, move time. */
  async settle(stepMs = 20, quietRounds = 4, maxRounds = 5000) {
    let quiet = 0
    for (let i = 0; i < maxRounds; i++) {
      await ticks()
      const moved = this.pump() + this.deliver()
      await ticks()
      if (this.clock) this.clock.advance(stepMs)
      quiet = moved === 0 ? quiet + 1 : 0
      if (quiet >= quietRounds) return
    }
    throw new BenchError('the bench bus did not settle')
  }

  disconnect() {
    for (const p of this.peers.values()) {
      p.incoming.remove()
      p.outgoing.remove()
    }
    this.peers.clear()
  }
}
