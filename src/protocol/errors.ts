/**
 * Every way a stanza, an update or an island can be refused. A closed list: the conditions are
 * documented in docs/PROTOCOL.md ("Errors") and travel as the `condition` of `sync-error` events.
 */
export const CONDITIONS = [
  'malformed-xml', // not well-formed, or DOCTYPE / processing instruction / comment / unknown entity
  'bad-stanza', // well-formed, but not a stanza this protocol understands
  'bad-base64', // the payload is not base64
  'bad-update', // the bytes are not a complete, well-formed y-protocols message
  'unknown-island', // no island of that name on this page
  'duplicate-island', // two islands with one name on a page
  'too-large', // over a size limit (stanza, payload, reassembly)
  'unsupported-version', // another version of the protocol namespace
  'not-allowed', // refused by the island's policy
  'rate-limited', // a peer over its rate of updates
  'internal', // a bug of ours, caught so it cannot break the page
] as const

export type SyncCondition = (typeof CONDITIONS)[number]

export class SyncError extends Error {
  readonly condition: SyncCondition
  /** The island concerned, when known. */
  island: string | undefined
  /** The peer (the stanza's `from`, set by the bridge) concerned, when known. */
  peer: string | undefined
  constructor(condition: SyncCondition, message: string, where: { island?: string; peer?: string } = {}) {
    super(message)
    this.name = 'SyncError'
    this.condition = condition
    this.island = where.island
    this.peer = where.peer
  }
}
