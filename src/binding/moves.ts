import type * as Y from 'yjs'
import type { YNode } from './mirror.js'

/**
 * Yjs has no move: a moved node is deleted and inserted again as a copy. The copy records where
 * it came from under the internal key `#origin` (the id of the first item of its lineage), so
 * two peers that move the same node at the same time produce two copies with one origin, and
 * every peer keeps the same one of them (the smallest item id) and deletes the others.
 */
export const ORIGIN_KEY = '#origin'

export function originOf(type: YNode): string | undefined {
  const o = type.getAttribute(ORIGIN_KEY) as unknown
  return typeof o === 'string' ? o : undefined
}

/** The origin a copy of `type` carries: its own origin if it is a copy already, else its id. */
export function lineageOf(type: YNode): string | undefined {
  const own = originOf(type)
  if (own !== undefined) return own
  const id = type._item?.id
  return id ? `${id.client}:${id.clock}` : undefined
}

export class MoveIndex {
  private readonly byOrigin = new Map<string, Set<YNode>>()
  // A deleted type no longer answers getAttribute, so remember each copy's origin here.
  private readonly originByType = new Map<YNode, string>()
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
    if (set.size > 1) this.contested.add(origin)
  }

  /**
   * The lineage a copy of `type` would carry, also once `type` is deleted (deleted types answer
   * no getAttribute): its recorded origin if it is a copy, else its own id.
   */
  lineageOfBound(type: YNode): string | undefined {
    return this.originByType.get(type) ?? lineageOf(type)
  }

  remove(type: YNode): void {
    const origin = this.originByType.get(type)
    if (origin === undefined) return
    this.originByType.delete(type)
    const set = this.byOrigin.get(origin)!
    set.delete(type)
    if (set.size === 0) this.byOrigin.delete(origin)
  }

  /** The live copy of a lineage that every peer keeps (the smallest item id), if one is known here. */
  liveCopy(origin: string): YNode | undefined {
    let best: YNode | undefined
    for (const t of this.byOrigin.get(origin) ?? []) {
      if (t._item === null || t._item.deleted) continue
      if (best === undefined || compareIds(t._item.id, best._item!.id) < 0) best = t
    }
    return best
  }

  /** The copies that lost (every live copy of a contested origin but the one with the smallest id). */
  takeLosers(): YNode[] {
    const losers: YNode[] = []
    for (const origin of this.contested) {
      const live = [...(this.byOrigin.get(origin) ?? [])].filter((t) => t._item !== null && !t._item.deleted)
      live.sort((a, b) => compareIds(a._item!.id, b._item!.id))
      losers.push(...live.slice(1))
    }
    this.contested.clear()
    return losers
  }
}

const compareIds = (a: Y.ID, b: Y.ID): number => a.client - b.client || a.clock - b.clock
