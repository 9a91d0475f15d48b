/**
 * The one-tag embed: `<script src=".../xml-sync-islands.bookmarklet.iife.js" data-xmpp-service=...>`
 * on a CMS page starts the engine once the page is parsed, with anonymous login, and shows the
 * panel (who is here, the connection, leave, a private room). Only a script element that carries
 * `data-xmpp-service` (or `data-connection="tabs"`) starts anything: loaded by the bookmarklet,
 * or as a plain library, the bundle does nothing by itself. A page with no island opens no
 * connection and adds nothing to the page.
 */
import { roomFrom, ROOM_PARAM, type SyncConfig } from './config.js'
import { ATTR_ISLAND } from './marks.js'
import { Panel } from './panel.js'
import { pageRoom } from './room.js'
import { SyncRun } from './sync.js'

/** The panel: shown at start (`open`, the default), made but hidden until asked for (`closed`), or none (`off`). */
export type PanelMode = 'open' | 'closed' | 'off'

export interface TagConfig extends SyncConfig {
  panel: PanelMode
}

/** An element a site's template may hold to show and hide the panel (a "Read together" button). */
export const PANEL_TOGGLE_ATTR = 'data-sync-panel-toggle'

/** What a script tag asks for, or undefined when it asks for nothing (no service, no tabs). */
export function tagConfig(script: Element, doc: Document): TagConfig | undefined {
  const attr = (name: string): string | undefined => script.getAttribute(`data-${name}`)?.trim() || undefined
  const service = attr('xmpp-service')
  const connection = attr('connection') === 'tabs' ? 'tabs' : service ? 'xmpp' : undefined
  if (!connection) return undefined
  let muc = attr('xmpp-muc')
  let room = attr('room')
  if (room?.includes('@')) {
    ;[room, muc] = [room.slice(0, room.indexOf('@')), room.slice(room.indexOf('@') + 1)]
  }
  // A share link's room (a private room) wins over the tag's, which wins over the page's own.
  const hash = doc.location.hash.includes(`${ROOM_PARAM}=`) ? roomFrom(doc.location.hash) : undefined
  const panel = attr('panel')
  return {
    src: (script as HTMLScriptElement).src || undefined,
    connection,
    service,
    domain: attr('xmpp-domain'),
    muc,
    room: hash ?? roomFrom(room) ?? pageRoom(doc),
    island: attr('islands'),
    exclude: attr('local-elements'),
    local: attr('local-attributes'),
    policy: attr('policy'),
    panel: panel === 'off' || panel === 'closed' ? panel : 'open',
    start: true,
  }
}

export interface Embed {
  panel: Panel | undefined
  /** The run (the panel's, or the one started without a panel). */
  readonly run: SyncRun | undefined
}

let current: Embed | undefined

/** The embed the page's tag started, if any. */
export const currentEmbed = (): Embed | undefined => current

/** Starts what the tag asks for, now (the page is parsed). Undefined when it asks nothing or finds no island. */
export function startTag(script: Element, doc: Document = script.ownerDocument): Embed | undefined {
  if (current) return current
  const config = tagConfig(script, doc)
  if (!config) return undefined
  // No island, no connection, nothing added to the page.
  let found: Element | null = null
  try {
    found = doc.querySelector(config.island ?? `[${ATTR_ISLAND}]`)
  } catch {
    console.warn(`XML Sync Islands: data-islands is not a valid CSS selector: ${config.island}`)
    return undefined
  }
  if (!found) return undefined
  const { panel: mode, ...sync } = config
  if (mode === 'off') {
    const run = new SyncRun(doc, sync)
    current = { panel: undefined, run }
    return current
  }
  const panel = new Panel(doc, { config: sync, setup: false, embed: true })
  if (mode === 'closed') panel.toggle()
  const toggle = (e: Event): void => {
    if ((e.target as Element | null)?.closest?.(`[${PANEL_TOGGLE_ATTR}]`)) panel.toggle()
  }
  doc.addEventListener('click', toggle)
  current = {
    panel,
    get run() {
      return panel.run
    },
  }
  return current
}

/** Called once by the bundle as it is evaluated: runs the tag it came from, once the page is parsed. */
export function autoStart(script: Element | null): void {
  if (!script || !tagConfig(script, script.ownerDocument)) return
  const doc = script.ownerDocument
  const go = (): void => void startTag(script, doc)
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', go, { once: true })
  else go()
}
