import { SyncError } from '../protocol/errors.js'

/**
 * `data-sync-island-mode`: `both` (the default) sends and applies; `receive` applies others'
 * changes and sends none of its own (it does not answer join requests either, so nothing local
 * leaks through an answer); `send` sends its changes and applies none (a presenter: its page is
 * the truth, and it never adopts the session's content).
 */
export type IslandMode = 'both' | 'receive' | 'send'
export const ATTR_MODE = 'data-sync-island-mode'
/** `data-sync-editors="peer peer"`: only these peers' changes are applied (others may still read). */
export const ATTR_EDITORS = 'data-sync-editors'

/** Who may change an island, read from its authoring attributes when it starts. */
export class Access {
  readonly mode: IslandMode
  private readonly editors: ReadonlySet<string> | null
  private readonly refused = new Set<string>()

  constructor(element: Element) {
    const mode = element.getAttribute(ATTR_MODE)
    this.mode = mode === 'receive' || mode === 'send' ? mode : 'both'
    const editors = element.getAttribute(ATTR_EDITORS)
    this.editors = editors === null ? null : new Set(editors.split(/\s+/).filter(Boolean))
  }

  /** Whether this page, as `self`, keeps its own edits local: a viewer, or not among the editors. */
  readOnlyFor(self: string | undefined): boolean {
    return this.mode === 'receive' || (this.editors !== null && self !== undefined && !this.editors.has(self))
  }

  /** Whether `from` may change the island; a refusal goes to `report` once per peer. */
  mayEdit(from: string | undefined, island: string, report: (err: SyncError) => void): boolean {
    if (this.mode === 'send') return false
    if (this.editors === null || from === undefined || this.editors.has(from)) return true
    if (!this.refused.has(from)) {
      this.refused.add(from)
      report(new SyncError('not-allowed', `${from} is not an editor of this island`, { island, peer: from }))
    }
    return false
  }
}
