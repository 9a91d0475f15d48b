/**
 * The `presence` island kind: it changes nothing in an island; it only lends presence each
 * island's mirror (KindHost.typeOf), so that a pointer can name the character or element under
 * it by its Yjs id, and a peer's id can be found again in this page. Registered by the presence
 * entries before any island starts (an island started before it has no mirror for presence:
 * pointers over it are anchored to the island element's box).
 */
import type { IslandKind, KindHost } from '../../src/index.js'
import { typeRef } from './ids.js'

const hosts = new WeakMap<Element, KindHost>()

export const presenceKind: IslandKind = {
  name: 'presence',
  matches: () => true,
  attach(host) {
    hosts.set(host.root, host)
    return { stop: () => void (hosts.get(host.root) === host && hosts.delete(host.root)) }
  },
}

/** The shared type of a node of the island `root`, if presence can see its mirror. */
export const typeOf = (root: Element, node: Node): unknown => hosts.get(root)?.typeOf(node)

const found = new WeakMap<Element, Map<string, Node>>()
const walked = new WeakMap<Element, number>()

/** The node of island `root` whose type has the item id `ref` (a cached walk of the island). */
export function nodeOf(root: Element, ref: string): Node | undefined {
  const host = hosts.get(root)
  if (!host) return undefined
  let cache = found.get(root)
  const hit = cache?.get(ref)
  if (hit && hit.isConnected && root.contains(hit) && typeRef(host.typeOf(hit)) === ref) return hit
  // A miss walks the island again, at most every 500 ms (an id not synced yet is asked every frame).
  const now = Date.now()
  if (cache && now - (walked.get(root) ?? 0) < 500) return undefined
  walked.set(root, now)
  cache = new Map()
  found.set(root, cache)
  const walker = root.ownerDocument.createTreeWalker(root, 5 /* elements and text */)
  for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
    const r = typeRef(host.typeOf(n))
    if (r !== undefined) cache.set(r, n)
  }
  return cache.get(ref)
}
