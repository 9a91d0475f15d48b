import { SyncError } from './errors.js'
import { NS_CLIENT, NS_HINTS, NS_ISLANDS, NS_ISLANDS_ANY, NS_MUC_USER } from './ns.js'
import { childElements, escapeXml, parseXml, textOf, type XmlEl } from './xml.js'
import { fromBase64, toBase64 } from './base64.js'

/** One `<island/>` element of a message: a y-protocols payload for one island, or a part of one. */
export interface IslandElement {
  island: string
  data: Uint8Array
  /** Present when a payload was split: parts share `id` and arrive as `part` 0..`parts`-1. */
  chunk?: { id: string; part: number; parts: number }
  /** `ask="all"`: a sync request that every synced peer should answer, not only the designated one. */
  askAll?: boolean
  /** `ask="join"`: a sync request from a page that is joining (not yet synced). */
  joining?: boolean
  /** The peer an answer is meant for (others may apply it, but do not reply to it). */
  forPeer?: string
  /** `merge="true"` on an answer: the answerer joined together with the asker, whose content counts as much. */
  merge?: boolean
}

export type Stanza =
  | { kind: 'message'; from: string | undefined; type: string | undefined; islands: IslandElement[]; here?: XmlEl[] }
  | { kind: 'presence'; from: string | undefined; available: boolean; self: boolean }
  | { kind: 'other' }

const nsOf = (el: XmlEl): string | undefined => el.attrs.xmlns

/** Parses a stanza taken from `#xmpp-incoming`. Throws `SyncError` with the reason. */
export function parseStanza(text: string, maxStanzaChars: number): Stanza {
  if (text.length > maxStanzaChars) {
    // Too large to parse, but the sender still gets named: the bridge writes `from` on the root's start tag.
    const from = /^\s*<[\w:]+[^>]*?\sfrom=(["'])([^"'<>]{1,1024})\1/.exec(text.slice(0, 2048))?.[2]
    throw new SyncError('too-large', `stanza of ${text.length} characters, limit ${maxStanzaChars}`, from === undefined ? {} : { peer: from })
  }
  const root = parseXml(text)
  const ns = nsOf(root)
  if (ns !== undefined && ns !== NS_CLIENT) return { kind: 'other' }
  const from = root.attrs.from
  if (root.name === 'presence') {
    const self = childElements(root).some(
      (x) => x.name === 'x' && nsOf(x) === NS_MUC_USER && childElements(x).some((s) => s.name === 'status' && s.attrs.code === '110'),
    )
    return { kind: 'presence', from, available: root.attrs.type === undefined, self }
  }
  if (root.name !== 'message') return { kind: 'other' }

  const islands: IslandElement[] = []
  let here: XmlEl[] | undefined
  for (const el of childElements(root)) {
    const elNs = nsOf(el)
    const version = elNs === undefined ? null : NS_ISLANDS_ANY.exec(elNs)
    if (!version) continue
    if (elNs !== NS_ISLANDS) {
      const where = { peer: from, ...(el.attrs.name ? { island: el.attrs.name } : {}) }
      throw new SyncError('unsupported-version', `protocol version ${version[1]} (this peer speaks ${NS_ISLANDS})`, where)
    }
    if (el.name === 'here') {
      // A person's presence state, session-wide, not an island's: checked by its reader
      // (src/protocol/presence.ts), in the presence bundle, so that pages without it pay nothing.
      ;(here ??= []).push(el)
      continue
    }
    if (el.name !== 'island') throw new SyncError('bad-stanza', `unknown element <${el.name}>`, { peer: from })
    islands.push(readIsland(el, from))
  }
  return { kind: 'message', from, type: root.attrs.type, islands, ...(here && { here }) }
}

function readIsland(el: XmlEl, from: string | undefined): IslandElement {
  const island = el.attrs.name
  if (!island) throw new SyncError('bad-stanza', '<island/> without a name', { peer: from })
  let data: Uint8Array
  try {
    data = fromBase64(textOf(el))
  } catch (err) {
    if (err instanceof SyncError) {
      err.island = island
      err.peer = from
    }
    throw err
  }
  const out: IslandElement = { island, data }
  if (el.attrs.ask !== undefined) {
    // A list of tokens; unknown ones are ignored, so later versions may add some.
    for (const token of el.attrs.ask.split(/[ \t\r\n]+/)) {
      if (token === 'all') out.askAll = true
      else if (token === 'join') out.joining = true
    }
  }
  if (el.attrs.for !== undefined) out.forPeer = el.attrs.for
  if (el.attrs.merge === 'true') out.merge = true
  if (el.attrs.chunk !== undefined) {
    const part = Number(el.attrs.part)
    const parts = Number(el.attrs.parts)
    if (!Number.isSafeInteger(part) || !Number.isSafeInteger(parts) || part < 0 || parts < 1 || part >= parts) {
      throw new SyncError('bad-stanza', 'bad part numbering', { island, peer: from })
    }
    out.chunk = { id: el.attrs.chunk, part, parts }
  }
  return out
}

/** Bytes of `s` in UTF-8 (a stanza goes out as a WebSocket text message), without allocating. */
export function utf8Length(s: string): number {
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) n += 1
    else if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2 // a surrogate pair: 4 bytes for its 2 units
      i++
    } else n += 2
  }
  return n
}

/**
 * Serializes island payloads as `<message>` stanzas, splitting any payload whose base64 exceeds
 * `maxPartChars`, or whose stanza would exceed `maxStanzaBytes` (UTF-8, the whole stanza as
 * written here), into parts. The page never sets `from`, `to` or `type`: the bridge does, so
 * `maxStanzaBytes` must leave it room (docs/PROTOCOL.md, "Splitting"). Throws `too-large` when
 * even the envelope alone does not fit (an island name or peer id of tens of KiB).
 */
export function messageStanzas(
  island: string,
  data: Uint8Array,
  opts: { maxPartChars: number; maxStanzaBytes?: number; askAll?: boolean; joining?: boolean; forPeer?: string; merge?: boolean; newChunkId: () => string },
): string[] {
  const maxStanzaBytes = opts.maxStanzaBytes ?? Infinity
  const tokens = [opts.joining ? 'join' : '', opts.askAll ? 'all' : ''].filter(Boolean).join(' ')
  const ask = (tokens ? ` ask="${tokens}"` : '') + (opts.forPeer !== undefined ? ` for="${escapeXml(opts.forPeer)}"` : '') + (opts.merge ? ' merge="true"' : '')
  const name = escapeXml(island)
  // Base64 is ASCII: a stanza's bytes are its envelope's UTF-8 bytes plus its base64 characters.
  const charsFor = (overhead: number): number => Math.floor(Math.min(opts.maxPartChars, maxStanzaBytes - overhead) / 4) * 4
  const whole = `<island xmlns="${NS_ISLANDS}" name="${name}"${ask}>`
  if (Math.ceil(data.length / 3) * 4 <= charsFor(utf8Length(envelope(whole + '</island>')))) {
    return [envelope(`${whole}${toBase64(data)}</island>`)]
  }
  const id = opts.newChunkId()
  const head = (part: number, parts: number): string => `<island xmlns="${NS_ISLANDS}" name="${name}" chunk="${id}" part="${part}" parts="${parts}"${ask}>`
  // The envelope grows with the digits of the part numbers, and the part count with the
  // envelope: start from two parts and grow until the digits assumed are the digits needed.
  // Digits only grow, at most one round per digit, so the loop is short.
  let parts = 2
  let maxBytes = 0
  for (;;) {
    const overhead = utf8Length(envelope(head(parts - 1, parts) + '</island>'))
    const chars = charsFor(overhead)
    if (chars < 4) {
      throw new SyncError('too-large', `the envelope of island "${island}" takes ${overhead} bytes, more than a stanza may (${maxStanzaBytes})`, { island })
    }
    maxBytes = (chars / 4) * 3
    const needed = Math.max(2, Math.ceil(data.length / maxBytes))
    const enough = String(needed).length <= String(parts).length
    parts = needed
    if (enough) break
  }
  const out: string[] = []
  for (let i = 0; i < parts; i++) {
    const slice = data.subarray(i * maxBytes, (i + 1) * maxBytes)
    out.push(envelope(`${head(i, parts)}${toBase64(slice)}</island>`))
  }
  return out
}

// XEP-0334 <no-store/>, and no <body/> so chat clients in the same room show nothing.
const envelope = (islandXml: string): string =>
  `<message xmlns="${NS_CLIENT}">${islandXml}<no-store xmlns="${NS_HINTS}"/></message>`
