/**
 * The one edit (delete then insert at `index`) that turns `before` into `after`: common prefix and
 * suffix. Typing changes one place at a time, so this is the minimal edit in practice.
 */
export interface TextEdit {
  index: number
  remove: number
  insert: string
}

export function diffText(before: string, after: string): TextEdit | null {
  if (before === after) return null
  const max = Math.min(before.length, after.length)
  let start = commonPrefix(before, after, max)
  let end = commonSuffix(before, after, max - start)
  // Never split a surrogate pair: Yjs and the DOM both count UTF-16 units, but a lone half is not text.
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--
  if (end > 0 && isLowSurrogate(before.charCodeAt(before.length - end))) end--
  return { index: start, remove: before.length - start - end, insert: after.slice(start, after.length - end) }
}

// Long texts change near one place: compare big blocks first (a native string compare), then
// characters, so a keystroke in a 100 KB text costs far less than 100 K character compares.
function commonPrefix(a: string, b: string, max: number): number {
  let i = 0
  for (let block = 4096; block >= 16; block >>= 4) {
    while (i + block <= max && a.slice(i, i + block) === b.slice(i, i + block)) i += block
  }
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++
  return i
}

function commonSuffix(a: string, b: string, max: number): number {
  let i = 0
  for (let block = 4096; block >= 16; block >>= 4) {
    while (i + block <= max && a.slice(a.length - i - block, a.length - i) === b.slice(b.length - i - block, b.length - i)) i += block
  }
  while (i < max && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++
  return i
}

export const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff
export const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff
