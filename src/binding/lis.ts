/** Indexes into `seq` of one longest strictly increasing subsequence (patience sorting, O(n log n)). */
export function longestIncreasingSubsequence(seq: readonly number[]): number[] {
  const tails: number[] = [] // index into seq of the smallest tail of each length
  const prev = new Int32Array(seq.length).fill(-1)
  for (let i = 0; i < seq.length; i++) {
    const v = seq[i]!
    let lo = 0
    let hi = tails.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (seq[tails[mid]!]! < v) lo = mid + 1
      else hi = mid
    }
    if (lo > 0) prev[i] = tails[lo - 1]!
    tails[lo] = i
  }
  const out = new Array<number>(tails.length)
  for (let i = tails.length - 1, k = tails[tails.length - 1] ?? -1; i >= 0; i--, k = prev[k]!) out[i] = k
  return out
}
