// What the XMPP bridge makes of a server closing the stream over what it was sent
// (src/bridge/xmpp-refusals.ts), without a socket: which closes are refusals, which stanza is
// named, and the ceiling learned, halving and never below the floor.
import { describe, expect, it } from 'vitest'
import { MIN_STANZA_LIMIT, RECENT_SENT, refusals } from '../../src/bridge/xmpp-refusals.js'
import { MAX_STANZA_BYTES } from '../../src/bridge/xmpp-options.js'

const closed = (code: number, reason?: string) => ({ clean: true, reason: { code, ...(reason && { reason }) } })
const streamError = (condition: string, text?: string) => Object.assign(new Error(condition), { name: 'StreamError', condition, text })

describe('refusals: which ends of a stream are a refusal', () => {
  it('a close code that refuses content is reported with the largest stanza lately sent, and teaches no ceiling', () => {
    const r = refusals()
    r.sent('<small/>', 100)
    r.sent('<big/>', 30_000)
    r.sent('<mid/>', 20_000)
    expect(r.disconnected(closed(1007, 'bad utf-8'))).toEqual({
      reason: 'refused',
      message: 'the server closed the stream (ws-1007: bad utf-8) after a stanza of 30000 bytes',
      condition: 'ws-1007',
      stanza: '<big/>',
    })
    expect(r.ceiling).toBe(Infinity)
  })

  it('a clean close or a plain loss is no refusal, and forgets what was sent', () => {
    const r = refusals()
    r.sent('<a/>', 70_000)
    expect(r.disconnected(closed(1000))).toBeUndefined()
    // The large stanza was forgotten with the stream that carried it.
    expect(r.disconnected({ clean: false })).toBeUndefined()
    expect(r.disconnected()).toBeUndefined()
    expect(r.ceiling).toBe(Infinity)
  })

  it('a loss without a close frame right after a stanza over one browser message is taken for a refusal (1006)', () => {
    const r = refusals()
    r.sent('<huge/>', 100_000)
    expect(r.disconnected({ clean: false })).toEqual({
      reason: 'refused',
      message: 'the server closed the stream (ws-1006: lost right after a stanza larger than one browser WebSocket message) after a stanza of 100000 bytes; stanzas over 65536 bytes are no longer sent',
      condition: 'ws-1006',
      stanza: '<huge/>',
    })
    // Halving 100,000 would give 50,000: never below one message.
    expect(r.ceiling).toBe(MAX_STANZA_BYTES)
  })

  it('a loss after stanzas of at most one message is no refusal', () => {
    const r = refusals()
    r.sent('<a/>', MAX_STANZA_BYTES)
    expect(r.disconnected({ clean: false, reason: { code: 1006 } })).toBeUndefined()
  })

  it('a stream error refusing what was sent is reported; other errors are not', () => {
    const r = refusals()
    expect(r.streamError(new Error('connect ECONNREFUSED'))).toBeUndefined()
    expect(r.streamError(streamError('system-shutdown'))).toBeUndefined()
    expect(r.streamError(null)).toBeUndefined()
    expect(r.streamError(streamError('not-well-formed', 'bad'))).toEqual({
      reason: 'refused',
      message: 'the server closed the stream (not-well-formed: bad)',
      condition: 'not-well-formed',
    })
  })
})

describe('refusals: the ceiling', () => {
  it('halves the largest stanza lately sent on each size refusal, never rising', () => {
    const r = refusals()
    r.sent('<a/>', 200_000)
    expect(r.streamError(streamError('policy-violation'))!.message).toBe(
      'the server closed the stream (policy-violation) after a stanza of 200000 bytes; stanzas over 100000 bytes are no longer sent',
    )
    expect(r.ceiling).toBe(100_000)
    r.sent('<b/>', 90_000)
    r.disconnected(closed(1009))
    expect(r.ceiling).toBe(45_000)
    // A later refusal of something larger does not raise it again.
    r.sent('<c/>', 150_000)
    r.disconnected(closed(1003))
    expect(r.ceiling).toBe(45_000)
  })

  it('never goes below what every server must accept, and a refusal of less teaches nothing', () => {
    const r = refusals()
    r.sent('<a/>', 15_000)
    r.disconnected(closed(1009))
    expect(r.ceiling).toBe(MIN_STANZA_LIMIT)
    const s = refusals()
    s.sent('<b/>', 9_000)
    expect(s.disconnected(closed(1009))!.message).toBe('the server closed the stream (ws-1009) after a stanza of 9000 bytes')
    expect(s.ceiling).toBe(Infinity)
  })

  it('names only the stanzas since the last end of a stream, the last 16 at most', () => {
    const r = refusals()
    r.sent('<old/>', 50_000)
    r.streamError(streamError('policy-violation'))
    // The stream error already named it: the close that follows names nothing more.
    expect(r.disconnected(closed(1009))).toEqual({ reason: 'refused', message: 'the server closed the stream (ws-1009)', condition: 'ws-1009' })
    r.sent('<first/>', 40_000)
    for (let i = 0; i < RECENT_SENT; i++) r.sent(`<s${i}/>`, 11_000 + i)
    expect(r.disconnected(closed(1009))!.stanza).toBe(`<s${RECENT_SENT - 1}/>`)
  })

  it('remembers the stanza a refusal named, so stream management’s fail does not hand it back to be sent', () => {
    const r = refusals()
    r.sent('<small/>', 2_000)
    r.sent('<big/>', 300_000)
    r.disconnected(closed(1009))
    expect(r.named('<big/>')).toBe(true)
    expect(r.named('<small/>')).toBe(false)
  })
})
