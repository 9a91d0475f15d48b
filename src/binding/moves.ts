import type * as Y from 'yjs'
import type { YNode } from './mirror.js'

/**
 * Yjs has no move: a moved node is deleted and inserted again as a copy. The copy records where
 * it came from under the internal key `#origin` (the id of the first item of its lineage), so
 * two peers that move the same node at the same time produce two copies with one origin, and
 * every peer keeps the same one of them and deletes the others: the one of most generations
 * (`#gen`: how many moves made it, 1 when absent), then of smallest item id. A copy moved again
 * is one generation more than the copy it was made from, so it outlives every copy concurrent
 * with that one, on every page: a page that had seen only one of two concurrent copies and
 * moved it again does not lose the node to a page that kept the other.
 */
export const ORIGIN_KEY = '#origin'
export const GEN_KEY = '#gen'

export function originOf(type: YNode): string | undefined {
  // Read from the map's item, not getAttribute(): a type deleted in the transaction under way
  // (its observers run) still holds its content there, and getAttribute() answers nothing.
  const o = type._map.get(ORIGIN_KEY)?.content.getContent()[0] as unknown
  return typeof o === 'string' ? o : undefined
}

/** The origin a copy of `type` carries: its own origin if it is a copy already, else its id (also while `type` is being deleted). */
export function lineageOf(type: YNode): string | undefined {
  const own = originOf(type)
  if (own !== undefined) return own
  const id = type._item?.id
  return id ? `${id.client}:${id.clock}` : undefined
}

/** The generation `type` carries: 0 for an original, 1 for a copy with no `#gen`. Live types only. */
function readGen(type: YNode): number {
  if (originOf(type) === undefined) return 0
  const g = Number(type.getAttribute(GEN_KEY) as unknown)
  return Number.isSafeInteger(g) && g > 1 ? g : 1
}

export class MoveIndex {
  private readonly byOrigin = new Map<string, Set<YNode>>()
  // A deleted type no longer answers getAttribute, so remember each copy's origin here.
  private readonly originByType = new Map<YNode, string>()
  private readonly genByType = new Map<YNode, number>()
  /** The generation of a node's old type, noted before it is deleted to be copied (a move). */
  readonly priorGen = new WeakMap<Node, number>()
  private readonly contested = new Set<string>()
  /** Lineages of nodes this page deleted (not moved), oldest first, bounded (redo.ts). */
  readonly deleted = new Set<string>()
  /** Copies that arrived of a lineage this page deleted: to delete again (the delete wins). */
  doomed: YNode[] = []

  add(type: YNode): void {
    const origin = originOf(type)
    if (origin === undefined) return
    if (this.deleted.has(origin)) this.doomed.push(type)
    let set = this.byOrigin.get(origin)
    if (!set) this.byOrigin.set(origin, (set = new Set()))
    set.add(type)
    this.originByType.set(type, origin)
    this.genByType.set(type, readGen(type))
    if (set.size > 1) this.contested.add(origin)
  }

  /**
   * The lineage a copy of `type` would carry, also once `type` is deleted (deleted types answer
   * no getAttribute): its recorded origin if it is a copy, else its own id.
   */
  lineageOfBound(type: YNode): string | undefined {
    return this.originByType.get(type) ?? lineageOf(type)
  }

  /** The generation of `type` (see ORIGIN_KEY), also once it is deleted if it was indexed. */
  genOf(type: YNode): number {
    return this.genByType.get(type) ?? (type._item?.deleted ? 0 : readGen(type))
  }

  remove(type: YNode): void {
    const origin = this.originByType.get(type)
    if (origin === undefined) return
    this.originByType.delete(type)
    this.genByType.delete(type)
    const set = this.byOrigin.get(origin)!
    set.delete(type)
    if (set.size === 0) this.byOrigin.delete(origin)
  }

  /** The live copy of a lineage that every peer keeps (most generations, then smallest item id), if one is known here. */
  liveCopy(origin: string): YNode | undefined {
    let best: YNode | undefined
    for (const t of this.byOrigin.get(origin) ?? []) {
      if (t._item === null || t._item.deleted) continue
      if (best === undefined || this.compare(t, best) < 0) best = t
    }
    return best
  }

  /** Negative when copy `a` is kept over copy `b`: more generations first, then the smaller item id. */
  private compare(a: YNode, b: YNode): number {
    return this.genOf(b) - this.genOf(a) || compareIds(a._item!.id, b._item!.id)
  }

  /** The copies that lost (every live copy of a contested origin but the one every peer keeps). */
  takeLosers(): YNode[] {
    const losers: YNode[] = []
    for (const origin of this.contested) {
      const live = [...(this.byOrigin.get(origin) ?? [])].filter((t) => t._item !== null && !t._item.deleted)
      live.sort((a, b) => this.compare(a, b))
      losers.push(...live.slice(1))
    }
    this.contested.clear()
    return losers
  }
}

const compareIds = (a: Y.ID, b: Y.ID): number => a.client - b.client || a.clock - b.clock
