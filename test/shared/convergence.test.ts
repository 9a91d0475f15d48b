import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { Network } from '../helpers/pages.js'
import { HTML_ISLAND, randomEdit, Rng, SVG_ISLAND, type EditRecord } from '../helpers/random-edits.js'
import { canonicalDoc } from '../../src/binding/canonical.js'

const inChromium = typeof navigator !== 'undefined' && /Chrome\//.test(navigator.userAgent) && !/HappyDOM/.test(navigator.userAgent)
// Replay one schedule: VITE_SEED=1234 npx vitest run --project unit convergence
const onlySeed = Number(import.meta.env.VITE_SEED ?? NaN)
const RUNS = Number(import.meta.env.VITE_RUNS ?? (inChromium ? 100 : 1000))
const seeds = Number.isNaN(onlySeed) ? Array.from({ length: RUNS }, (_, i) => i + 1) : [onlySeed]

/**
 * One seeded schedule: 3 to 5 pages, some joining at the same moment and some later, editing
 * concurrently while a bus reorders, duplicates and delays delivery and one partition heals.
 * At the end every page must show the same island and hold the same Yjs state, and no node may
 * exist twice.
 */
async function schedule(seed: number): Promise<string[]> {
  const rng = new Rng(seed)
  const html = rng.chance(0.5) ? HTML_ISLAND : SVG_ISLAND
  const net = new Network({ seed, reorder: rng.chance(0.8), duplicate: rng.chance(0.5) ? 0.1 : 0 })
  const log: string[] = []
  const n = 3 + rng.int(3)
  let uid = 0
  const newId = (): string => `n${seed}x${uid++}`
  // Every attribute write, by "element id|name": how many there were and the last value; and
  // the id of every element removed, with its subtree, on any page.
  const writes = new Map<string, { count: number; value: string | null | undefined }>()
  const removed = new Set<string>()
  const record: EditRecord = {
    attribute(el, name, value) {
      const key = `${el.getAttribute('data-sync-island') !== null ? '' : el.id}|${name}`
      const w = writes.get(key)
      writes.set(key, { count: (w?.count ?? 0) + 1, value })
    },
    removed(node) {
      if (node.nodeType !== 1) return
      const el = node as Element
      if (el.id) removed.add(el.id)
      for (const d of Array.from(el.querySelectorAll('[id]'))) removed.add(d.id)
    },
  }
  const early = 1 + rng.int(n)
  for (let i = 0; i < early; i++) net.join(html)
  if (rng.chance(0.5)) await net.settle()
  const rounds = 10 + rng.int(20)
  const partitionAt = rng.chance(0.6) ? rng.int(rounds) : -1
  const healAt = partitionAt + 1 + rng.int(8)
  for (let round = 0; round < rounds; round++) {
    if (net.peers.length < n && rng.chance(0.2)) net.join(html)
    if (round === partitionAt && net.peers.length > 1) {
      const cut = net.peers.filter(() => rng.chance(0.5)).map((p) => p.id)
      if (cut.length && cut.length < net.peers.length) {
        net.bus.partition(cut)
        log.push(`partition ${cut}`)
      }
    }
    if (round === healAt) {
      net.bus.heal()
      log.push('heal')
    }
    for (const peer of net.peers) {
      const edits = rng.int(3)
      for (let e = 0; e < edits; e++) log.push(`${peer.id}: ${randomEdit(rng, peer.island(), newId, record)}`)
      if (rng.chance(0.3)) peer.session.islands.get('main')?.rescan()
      if (rng.chance(0.5)) await net.step(0) // let the observer run: edits split across callbacks
    }
    await net.step(rng.int(6))
    net.clock.advance(rng.int(40))
  }
  while (net.peers.length < n) net.join(html)
  net.bus.heal()
  for (const p of net.peers) p.session.islands.get('main')?.rescan()
  await net.settle()

  const canon = net.canonical()
  if (import.meta.env.VITE_DEBUG) for (const p of net.peers) { const d = p.session.islands.get('main')!.doc; console.log(p.id, p.session.islands.get('main')!.state, JSON.stringify([...Y.decodeStateVector(Y.encodeStateVector(d))]), 'pending', !!d.store.pendingStructs, !!d.store.pendingDs, d.clientID) }
  if (import.meta.env.VITE_DEBUG) console.log(log.join('\n'), '\n', canon.join('\n'), '\n', net.peers.map((p) => canonicalDoc(p.session.islands.get('main')!.doc)).join('\n'))
  const docs = net.peers.map((p) => p.session.islands.get('main')!.doc)
  const states = docs.map((d) => toHex(Y.encodeStateVector(d)))
  const contents = docs.map((d) => canonicalDoc(d))
  for (let i = 1; i < canon.length; i++) {
    expect(canon[i], `page ${i} differs from page 0`).toBe(canon[0])
    expect(contents[i], `doc ${i} differs from doc 0`).toBe(contents[0])
    expect(states[i], `state vector ${i} differs`).toBe(states[0])
  }
  expect(contents[0], 'the doc renders as the page shows').toBe(canon[0])
  const ids = Array.from(net.peers[0]!.island().querySelectorAll('[id]')).map((e) => e.id)
  expect(ids.length, `a node exists twice: ${ids}`).toBe(new Set(ids).size)
  // Every attribute written once (nobody wrote it again, concurrently or after) to an element
  // nobody removed shows that value, on every page (they are equal): a concurrent move of the
  // element or an ancestor did not lose it. An element that is gone although nobody removed it
  // went with an ancestor another page removed concurrently: the delete wins.
  const island0 = net.peers[0]!.island()
  for (const [key, w] of writes) {
    const [id, name] = key.split('|') as [string, string]
    // data-* attributes are not shared under the default policy: the writer keeps them locally.
    if (w.count !== 1 || w.value === undefined || removed.has(id) || name.startsWith('data-')) continue
    const el = id === '' ? island0 : island0.querySelector(`[id="${id}"]`)
    if (el === null) continue
    const shown = el.getAttribute(name)
    if (shown === w.value) continue
    // Random client ids make schedules differ from run to run; VITE_LIST_ATTRS=1 lists such
    // losses at the end instead of failing on the first.
    if (import.meta.env.VITE_LIST_ATTRS) attrLosses.push(`seed ${seed}: ${id || 'the island'}'s ${name}`)
    else expect(shown, `${id || 'the island'}'s ${name}, written once, is shown`).toBe(w.value)
  }
  for (const p of net.peers) expect(p.errors, `${p.id} saw errors`).toEqual([])
  for (const p of net.peers) p.session.stop()
  return log
}

/** Attribute writes the end check found lost (with VITE_LIST_ATTRS=1). */
const attrLosses: string[] = []

/** Hex of bytes without Node's Buffer (this suite runs in Chromium too). */
const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')

describe(`convergence (${inChromium ? 'Chromium' : 'happy-dom'})`, () => {
  it(`${seeds.length} seeded schedules converge`, async () => {
    for (const seed of seeds) {
      try {
        await schedule(seed)
      } catch (err) {
        throw new Error(`schedule with seed ${seed} failed (replay: VITE_SEED=${seed} npx vitest run convergence): ${(err as Error).message}`)
      }
    }
    if (attrLosses.length) console.warn(`attribute writes lost in ${attrLosses.length} cases:\n${attrLosses.join('\n')}`)
  }, 600_000)
})
