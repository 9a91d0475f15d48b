/**
 * A server that closes the stream over what it was sent (docs/PROTOCOL.md, "Splitting"): which
 * closes are refusals, the stanza likeliest to blame, and the size ceiling learned from them.
 * No socket: the bridge says what it sent and how the stream ended, and reports what comes back.
 */
import { MAX_STANZA_BYTES, type XmppBridgeErrorDetail } from './xmpp-options.js'

/** RFC 6120 §13.12: no server may refuse a stanza this small for its size. */
export const MIN_STANZA_LIMIT = 10_000
/** Page stanzas remembered after sending, to name the one a server closes the stream over. */
export const RECENT_SENT = 16

/**
 * Stream errors (RFC 6120 §4.9.3) and WebSocket close codes (RFC 6455 §7.4.1) by which a server
 * refuses what it was sent, rather than going away. Prosody 0.12: `policy-violation` for a stanza
 * over c2s_stanza_size_limit, `resource-constraint` for a full frame buffer, close code 1003 for
 * a fragmented message, 1009 for a frame over the limit. 1006 (no close frame) only counts after
 * a stanza larger than one browser message (`disconnected`).
 */
const SIZE_REFUSALS = new Set(['policy-violation', 'resource-constraint', 'ws-1003', 'ws-1009'])
const CONTENT_REFUSALS = new Set(['bad-format', 'invalid-xml', 'not-well-formed', 'restricted-xml', 'invalid-namespace', 'unsupported-stanza-type', 'ws-1002', 'ws-1007'])

const isRefusal = (condition: string): boolean => SIZE_REFUSALS.has(condition) || CONTENT_REFUSALS.has(condition)
/** The floor of the ceiling a refusal teaches; undefined when the refusal is not about size. */
const floorOf = (condition: string): number | undefined => (SIZE_REFUSALS.has(condition) ? MIN_STANZA_LIMIT : undefined)

/** How a stream ended, as @xmpp/client's `disconnect` event says. */
export interface DisconnectEvent {
  clean?: boolean
  reason?: { code?: number; reason?: string }
}

export interface Refusals {
  /** Nothing larger, in bytes, is sent: Infinity until a server refused a stanza for its size. */
  readonly ceiling: number
  /** A page stanza, of `bytes` as sent, was handed to the connection. */
  sent(text: string, bytes: number): void
  /** The stream ended: the refusal to report, if it was one. What was sent is forgotten either way. */
  disconnected(event?: DisconnectEvent): XmppBridgeErrorDetail | undefined
  /** The client's `error`: the refusal to report, if it is a stream error refusing what was sent. */
  streamError(err: unknown): XmppBridgeErrorDetail | undefined
  /** Whether `text` is a stanza a refusal named: it must not go back to be sent again. */
  named(text: string): boolean
}

export function refusals(): Refusals {
  let recent: Array<{ text: string; bytes: number }> = []
  let ceiling = Infinity
  // The stanzas refusals named, for stream management's `fail`, which would hand them back. Few:
  // one per refusal, and a refusal ends a stream.
  const culprits = new Set<string>()

  /**
   * The server closed the stream over something it was sent. Say so, with the likeliest culprit
   * (the largest stanza lately sent: a refusal comes at most a few stanzas after its cause).
   * When the refusal is about size, the server's limit is below that stanza, by how much it does
   * not say: send nothing over half of it from now on. The engine sends a state again on every
   * rejoin, a little larger or smaller each time, so "not this size again" would not stop the
   * loop; halving does, after a few rounds at most. Never below `floor` (undefined: the refusal
   * is not about size): at most 10,000 bytes, which RFC 6120 (§13.12) requires every server to
   * accept, so a refusal of less is not about size.
   */
  const refused = (condition: string, text: string | undefined, floor: number | undefined): XmppBridgeErrorDetail => {
    const suspect = recent.reduce<{ text: string; bytes: number } | undefined>((a, b) => (a && a.bytes >= b.bytes ? a : b), undefined)
    recent = []
    const learn = floor !== undefined && suspect !== undefined && suspect.bytes > floor
    if (learn) ceiling = Math.min(ceiling, Math.max(floor!, Math.floor(suspect!.bytes / 2)))
    const about = suspect ? ` after a stanza of ${suspect.bytes} bytes` : ''
    const then = learn ? `; stanzas over ${ceiling} bytes are no longer sent` : ''
    if (suspect) culprits.add(suspect.text)
    return {
      reason: 'refused',
      message: `the server closed the stream (${condition}${text ? `: ${text}` : ''})${about}${then}`,
      condition,
      ...(suspect && { stanza: suspect.text }),
    }
  }

  return {
    get ceiling() {
      return ceiling
    },
    sent(text, bytes) {
      recent.push({ text, bytes })
      if (recent.length > RECENT_SENT) recent.shift()
    },
    disconnected(event) {
      const code = event?.reason?.code
      const condition = `ws-${code ?? 'lost'}`
      let refusal: XmppBridgeErrorDetail | undefined
      if (isRefusal(condition)) refusal = refused(condition, event?.reason?.reason, floorOf(condition))
      // Chromium, still sending when Prosody closes over a split message, often sees no close
      // frame at all (1006). A connection lost right after a stanza larger than one browser
      // message is taken for that refusal, but never lowers the bound below one message.
      else if (event?.clean === false && recent.some((r) => r.bytes > MAX_STANZA_BYTES)) {
        refusal = refused(condition === 'ws-lost' ? 'ws-1006' : condition, 'lost right after a stanza larger than one browser WebSocket message', MAX_STANZA_BYTES)
      }
      recent = []
      return refusal
    },
    named: (text) => culprits.has(text),
    streamError(err) {
      const e = err as { name?: string; condition?: string; text?: string } | null
      if (e?.name === 'StreamError' && e.condition && isRefusal(e.condition)) return refused(e.condition, e.text ? String(e.text) : undefined, floorOf(e.condition))
      return undefined
    },
  }
}
