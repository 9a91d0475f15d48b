/**
 * One run of the engine on a page it was never written for: marks the island and what stays
 * local (marks.ts), starts the session and the bridge, follows who is there and how the
 * connection is, and says what stops it in words. `stop()` undoes all of it: observers,
 * listeners, accessor hooks, the channel elements it made, the marks; the page keeps its DOM.
 * Reusable without the panel (a script tag's embed, issue 15): it only dispatches `change`.
 */
import { broadcastBridge, syncIslands, xmppBridge, type Bridge, type Session, type SyncErrorDetail } from '../index.js'
import { connectionOf, roomJid, type SyncConfig } from './config.js'
import { ATTR_ISLAND, Marks } from './marks.js'
import { bridgeErrorMessage, mixedContent, violationMessage } from './problems.js'

export type ConnectionState = 'connecting' | 'online' | 'offline' | 'failed' | 'stopped'

export interface RunState {
  connection: ConnectionState
  /** What the connection is, for people: "XMPP room r@muc via wss://..." or "tabs of this browser". */
  via: string
  self: string | undefined
  peers: string[]
  islands: Array<{ name: string; state: string }>
  /** What stops the run, in words (a CSP block, mixed content); the run is failed. */
  problem: string | undefined
  /** Errors that did not stop it, newest last (at most 20). */
  errors: string[]
}

const CHANNEL_IDS = ['xmpp-outgoing', 'xmpp-incoming']

/** A name for an element as an island, the same on every copy of the page: its id, else its tag. */
export function islandNameFor(el: Element): string {
  return (el.id || el.localName).toLowerCase().replace(/[^a-z0-9_-]/g, '') || 'island'
}

export class SyncRun extends EventTarget {
  readonly state: RunState
  session: Session | undefined
  bridge: Bridge | undefined
  private readonly marks: Marks
  private readonly createdChannels: string[]
  private readonly cleanups: Array<() => void> = []
  private stopped = false

  constructor(
    private readonly doc: Document,
    readonly config: SyncConfig,
  ) {
    super()
    const connection = connectionOf(config)
    const room = config.room ?? 'default'
    this.state = {
      connection: 'connecting',
      via: connection === 'tabs' ? `tabs of this browser, session "${room}"` : `XMPP room ${roomJid(room, config.muc)} via ${config.service}`,
      self: undefined,
      peers: [],
      islands: [],
      problem: undefined,
      errors: [],
    }
    this.createdChannels = CHANNEL_IDS.filter((id) => !doc.getElementById(id))
    // Before the session: its observer must come after this one (marks.ts says why).
    this.marks = new Marks(doc)
    try {
      this.start(connection, room)
    } catch (err) {
      this.fail(`Could not start: ${(err as Error)?.message ?? err}`)
    }
  }

  private start(connection: 'xmpp' | 'tabs', room: string): void {
    const { doc, config } = this
    if (connection === 'xmpp') {
      const mixed = mixedContent(doc.location, config.service ?? '')
      if (mixed) return this.fail(mixed)
    }
    const islands = this.markIslands()
    if (islands.length === 0) {
      return this.fail(config.island ? `No element on this page matches the island selector ${config.island}.` : 'No island: pick an element, or give an island selector.')
    }

    this.listen(doc, 'securitypolicyviolation', (e) => {
      const v = e as SecurityPolicyViolationEvent
      const directive = v.effectiveDirective || v.violatedDirective
      if (directive === 'connect-src' && config.service && sameEndpoint(v.blockedURI, config.service)) {
        this.fail(violationMessage(v))
      } else if (/trusted-types/.test(directive) || directive.startsWith('style-src')) this.note(violationMessage(v))
    })

    const session = (this.session = syncIslands())
    const update = (): void => this.refresh()
    for (const type of ['peer-join', 'peer-leave', 'synced']) this.listen(session, type, update)
    this.listen(session, 'sync-error', (e) => {
      const d = (e as CustomEvent<SyncErrorDetail>).detail
      this.note(`${d.condition}${d.island ? ` in ${d.island}` : ''}${d.peer ? ` from ${short(d.peer)}` : ''}: ${d.message}`)
    })

    const bridge = (this.bridge =
      connection === 'tabs'
        ? broadcastBridge({ session: room, document: doc })
        : xmppBridge({
            service: config.service ?? '',
            room: roomJid(room, config.muc),
            document: doc,
            // An account logs in to its own domain; `domain` is the anonymous one.
            ...(config.jid ? { jid: config.jid, password: config.password ?? '' } : { domain: config.domain }),
          }))
    this.listen(bridge, 'online', () => {
      if (this.state.connection !== 'failed') this.state.connection = 'online'
      this.refresh()
    })
    this.listen(bridge, 'offline', () => {
      if (this.state.connection !== 'failed') this.state.connection = 'offline'
      this.refresh()
    })
    this.listen(bridge, 'error', (e) => {
      const { text, fatal } = bridgeErrorMessage((e as CustomEvent).detail ?? {}, config.service)
      if (fatal) this.fail(text)
      else this.note(text)
    })
    this.refresh()
  }

  /** The islands: the config's selector (marked with a name), else the page's own. */
  private markIslands(): Element[] {
    const { doc, config } = this
    const found = config.island ? Array.from(doc.querySelectorAll(config.island)) : Array.from(doc.querySelectorAll(`[${ATTR_ISLAND}]`))
    const names = new Set(Array.from(doc.querySelectorAll(`[${ATTR_ISLAND}]`), (el) => el.getAttribute(ATTR_ISLAND)))
    for (const [i, el] of found.entries()) {
      if (config.island && !el.hasAttribute(ATTR_ISLAND)) {
        let name = found.length === 1 && config.name ? config.name : islandNameFor(el)
        if (config.name && found.length > 1) name = `${config.name}-${i + 1}`
        for (let n = 2; names.has(name); n++) name = `${name.replace(/-\d+$/, '')}-${n}`
        names.add(name)
        this.marks.island(el, name)
      }
      const profile = config.policy && policyFor(config.policy, el.getAttribute(ATTR_ISLAND) ?? '')
      if (profile && !el.hasAttribute('data-sync-policy')) this.marks.set(el, 'data-sync-policy', profile)
      if (config.local) this.marks.localAttributes(el, config.local)
      if (config.exclude) this.marks.exclude(el, config.exclude)
    }
    return found
  }

  private refresh(): void {
    const s = this.session
    if (s) {
      this.state.self = s.self
      this.state.peers = [...s.peers].map(short)
      this.state.islands = [...s.islands.values()].map((i) => ({ name: i.name, state: i.state }))
    }
    this.dispatchEvent(new Event('change'))
  }

  private note(text: string): void {
    // A retrying connection says the same thing again and again: once, with a count.
    const errors = this.state.errors
    const last = errors.length ? errors[errors.length - 1]! : ''
    const repeated = last.match(/^(.*) \((\d+) times\)$/s)
    if (last === text) errors[errors.length - 1] = `${text} (2 times)`
    else if (repeated && repeated[1] === text) errors[errors.length - 1] = `${text} (${Number(repeated[2]) + 1} times)`
    else errors.push(text)
    if (errors.length > 20) errors.shift()
    this.refresh()
  }

  /** Something that stops the run: said, then everything but the state is stopped. */
  private fail(text: string): void {
    if (this.state.problem === undefined) this.state.problem = text
    this.state.connection = 'failed'
    void this.halt()
    this.refresh()
  }

  private listen(target: EventTarget, type: string, listener: (e: Event) => void): void {
    target.addEventListener(type, listener)
    this.cleanups.push(() => target.removeEventListener(type, listener))
  }

  private halting: Promise<void> | undefined

  /** Closes the bridge and stops the session, marks and listeners; idempotent. */
  private halt(): Promise<void> {
    this.halting ??= (async () => {
      await this.bridge?.close()
      this.session?.stop()
      for (const cleanup of this.cleanups.splice(0)) cleanup()
      this.marks.restore()
      for (const id of this.createdChannels) this.doc.getElementById(id)?.remove()
    })()
    return this.halting
  }

  /** Stops everything; the page keeps its DOM as it stands (minus the marks put on it). */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    await this.halt()
    if (this.state.connection !== 'failed') this.state.connection = 'stopped'
    this.dispatchEvent(new Event('change'))
  }
}

/** The profile `policy` (`diagram:svg poll:form html`) gives the island `name`, if any. */
export function policyFor(policy: string, name: string): string | undefined {
  let fallback: string | undefined
  for (const token of policy.split(/[\s,]+/).filter(Boolean)) {
    const at = token.lastIndexOf(':')
    if (at === -1) fallback = token
    else if (token.slice(0, at) === name) return token.slice(at + 1)
  }
  return fallback
}

const short = (peer: string): string => (peer.includes('/') ? peer.slice(peer.indexOf('/') + 1) : peer)

/** Whether a blocked URI (Chromium gives the full URL, or only its origin) is this service. */
function sameEndpoint(blocked: string, service: string): boolean {
  try {
    return new URL(blocked).host === new URL(service).host
  } catch {
    return blocked === service
  }
}
