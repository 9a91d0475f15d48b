import { SyncError } from './errors.js'

/** Bytes-safe base64 (`@xmpp/base64` encodes strings, not bytes). Strict on decode. */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const LOOKUP = new Int16Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i

export function toBase64(bytes: Uint8Array): string {
  let out = ''
  const chunk = 0x8000
  // btoa exists in browsers and Node >= 16; building its binary string in chunks avoids argument limits.
  for (let i = 0; i < bytes.length; i += chunk) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk) as unknown as number[])
  }
  return btoa(out)
}

/** Decodes base64, ignoring ASCII white space; anything else outside the alphabet is refused. */
export function fromBase64(text: string): Uint8Array {
  const s = text.replace(/[\t\n\f\r ]+/g, '')
  if (s.length % 4 !== 0) throw new SyncError('bad-base64', `base64 length ${s.length} is not a multiple of 4`)
  let pad = 0
  if (s.endsWith('==')) pad = 2
  else if (s.endsWith('=')) pad = 1
  const out = new Uint8Array((s.length / 4) * 3 - pad)
  let o = 0
  for (let i = 0; i < s.length; i += 4) {
    let n = 0
    for (let j = 0; j < 4; j++) {
      const c = s.charCodeAt(i + j)
      let v: number
      if (c === 61 /* = */ && i + 4 === s.length && j >= 4 - pad) v = 0
      else if (c >= 128 || (v = LOOKUP[c]!) < 0) throw new SyncError('bad-base64', `invalid base64 character at ${i + j}`)
      n = (n << 6) | v
    }
    out[o++] = (n >> 16) & 0xff
    if (o < out.length) out[o++] = (n >> 8) & 0xff
    if (o < out.length) out[o++] = n & 0xff
  }
  return out
}
