/**
 * The one shape every bridge has, so that the page, the demo and a third party's bridge (a
 * bookmarklet's, a browser extension's) can be swapped for one another. README.md, "Bridges",
 * says what each member means for someone writing one.
 */

/** What an `error` event carries. `reason` is a closed list per bridge; `message` is for people. */
export interface BridgeErrorDetail<Reason extends string = string> {
  reason: Reason
  message: string
  /** The refused stanza's text, when the error is about one the page wrote. */
  stanza?: string
  /** The underlying exception, when there is one. */
  error?: unknown
}

/**
 * Events: `online` (CustomEvent, detail `{ self }`: in the session, stanzas flow), `offline`
 * (the session is lost; the bridge may be getting it back), `error` (CustomEvent carrying a
 * BridgeErrorDetail). A bridge never throws at the page: whatever goes wrong, starting
 * included, is an `error` event.
 */
export interface Bridge extends EventTarget {
  /** This page's peer id in the session (the `from` its stanzas carry), once known. */
  readonly self: string | undefined
  /** Stops reading #xmpp-outgoing and leaves the session. Never rejects; calling it again does nothing. */
  close(): Promise<void>
}

/** Dispatches a bridge event; listeners run before this returns, as with any EventTarget. */
export function emitBridgeEvent(target: EventTarget, type: 'online' | 'offline' | 'error', detail: unknown = {}): void {
  target.dispatchEvent(new CustomEvent(type, { detail }))
}
