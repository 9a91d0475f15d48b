import * as Y from 'yjs'

/** The items of one list (a type's children, or a text's characters) that a transaction changed. */
export interface ListChange {
  /** Added by the transaction and still there, in the store's order (not the list's). */
  readonly added: readonly Y.Item[]
  /** Deleted by the transaction and there before it, in the store's order. */
  readonly deleted: readonly Y.Item[]
}

const NO_CHANGE: ListChange = { added: [], deleted: [] }
const cache = new WeakMap<Y.Transaction, Map<Y.AbstractType<any>, ListChange>>()

/**
 * What a transaction added to and deleted from `list`, as `event.changes.added` / `.deleted`
 * count them (and the same items as a text event's delta), found from the structs the
 * transaction made and the ranges it deleted: O(change). Yjs's own walks the whole list of
 * every changed type (2,000 shapes on a board for each shape added, a whole text for each
 * keystroke). Computed once per transaction, for every list; valid while its observers run
 * (Yjs merges structs only after them).
 */
export function listChange(txn: Y.Transaction, list: Y.AbstractType<any>): ListChange {
  let byList = cache.get(txn)
  if (byList === undefined) cache.set(txn, (byList = collect(txn)))
  return byList.get(list) ?? NO_CHANGE
}

function collect(txn: Y.Transaction): Map<Y.AbstractType<any>, ListChange> {
  const byList = new Map<Y.AbstractType<any>, { added: Y.Item[]; deleted: Y.Item[] }>()
  const entry = (list: Y.AbstractType<any>): { added: Y.Item[]; deleted: Y.Item[] } => {
    let e = byList.get(list)
    if (e === undefined) byList.set(list, (e = { added: [], deleted: [] }))
    return e
  }
  const inList = (s: Y.Item | Y.GC | Y.Skip): s is Y.Item => s instanceof Y.Item && s.parentSub === null && s.parent instanceof Y.AbstractType
  const clients = txn.doc.store.clients
  for (const [client, after] of txn.afterState) {
    const before = txn.beforeState.get(client) ?? 0
    const structs = clients.get(client)
    if (after <= before || structs === undefined) continue
    // Integration cuts a received struct at the receiver's state, so new items start at `before`.
    for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
      const s = structs[i]!
      if (inList(s) && !s.deleted) entry(s.parent as Y.AbstractType<any>).added.push(s)
    }
  }
  for (const [client, ranges] of txn.deleteSet.clients) {
    const before = txn.beforeState.get(client) ?? 0
    const structs = clients.get(client)
    if (structs === undefined) continue
    for (const { clock, len } of ranges) {
      if (clock >= before) continue // made and deleted within the transaction: no change
      const end = Math.min(clock + len, before)
      // Deleting splits items at the range's ends, so the structs here lie inside it.
      for (let i = Y.findIndexSS(structs, clock); i < structs.length && structs[i]!.id.clock < end; i++) {
        const s = structs[i]!
        if (inList(s) && s.deleted) entry(s.parent as Y.AbstractType<any>).deleted.push(s)
      }
    }
  }
  return byList
}
