/**
 * What a run of the panel needs to know: the session, the connection and what the island is.
 * A bookmarklet carries these as JSON (pre-configured: no clicks needed); the panel's form
 * edits them; a script tag's data attributes give them too (tag.ts).
 */
export interface SyncConfig {
  /** Where the script bundle came from (shown in messages about loading it). */
  src?: string
  /** `xmpp` (default when a service is given) or `tabs`: tabs of this browser (BroadcastChannel). */
  connection?: 'xmpp' | 'tabs'
  /** The XMPP service, a `ws://` or `wss://` WebSocket URL. */
  service?: string
  /** The domain for anonymous login (SASL ANONYMOUS). */
  domain?: string
  /** The MUC domain: the room is `room@muc`. */
  muc?: string
  /** An account instead of anonymous login; the panel asks for the password, a bookmark never holds one. */
  jid?: string
  password?: string
  /** The session's room name (or a whole share link carrying `xsi-room=`). */
  room?: string
  /** CSS selector of the island element(s); absent: the page's own `[data-sync-island]` elements. */
  island?: string
  /** The island's name, the same on every page (default: from the element's id or tag). */
  name?: string
  /** CSS selector (evaluated inside the island) of elements that stay local: never sent. */
  exclude?: string
  /** Attribute names that stay local on the island and below, space-separated (e.g. `class`). */
  local?: string
  /** Each island's policy profile (`svg`, `html`, `form`): `NAME:PROFILE` per island, a bare profile for the rest. */
  policy?: string
  /** Start at once, with no click in the panel. */
  start?: boolean
}

/** The share-link parameter, in the page URL's hash: `#xsi-room=NAME`. */
export const ROOM_PARAM = 'xsi-room'

const ROOM_CHARS = /[^a-z0-9._-]/g

/** A room name as XMPP node parts allow it here: lower case, letters, digits, `.`, `_`, `-`. */
export const cleanRoom = (room: string): string => room.trim().toLowerCase().replace(ROOM_CHARS, '').slice(0, 64)

/** The room named in a share link or a hash (`...#xsi-room=NAME`), or the text itself if it is a name. */
export function roomFrom(text: string | undefined): string | undefined {
  if (!text) return undefined
  const at = text.indexOf(`${ROOM_PARAM}=`)
  if (at !== -1) {
    const value = text.slice(at + ROOM_PARAM.length + 1).split(/[&#?]/)[0] ?? ''
    let decoded = value
    try {
      decoded = decodeURIComponent(value)
    } catch {
      // keep it as written
    }
    return cleanRoom(decoded) || undefined
  }
  if (/[/:#?]/.test(text)) return undefined
  return cleanRoom(text) || undefined
}

/** A fresh, unguessable room name. */
export function newRoom(random: () => number = Math.random): string {
  let s = 'xsi-'
  for (let i = 0; i < 12; i++) s += '0123456789abcdefghijklmnopqrstuvwxyz'[Math.floor(random() * 36)]
  return s
}

/** The page's URL carrying the room in its hash, for a colleague to open (the page's own hash kept). */
export function shareLink(location: Pick<Location, 'href' | 'hash'>, room: string): string {
  const base = location.href.slice(0, location.href.length - location.hash.length)
  const rest = location.hash
    .replace(/^#/, '')
    .split('&')
    .filter((part) => part && !part.startsWith(`${ROOM_PARAM}=`))
  return `${base}#${[...rest, `${ROOM_PARAM}=${encodeURIComponent(room)}`].join('&')}`
}

/** The room's JID: a bare name lands on the MUC domain. */
export const roomJid = (room: string, muc: string | undefined): string => (room.includes('@') ? room : `${room}@${muc ?? ''}`)

/** Whether a host is the loopback (where browsers treat http and ws:// as secure). */
export const isLoopback = (host: string): boolean => host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)

/** The connection a config asks for. */
export const connectionOf = (config: SyncConfig): 'xmpp' | 'tabs' => config.connection ?? (config.service ? 'xmpp' : 'tabs')
