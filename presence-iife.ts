/**
 * dist/xml-sync-islands.presence.iife.js: presence for a page that has the engine's script
 * bundle. It uses that bundle's global (one engine, one Yjs on the page: a second copy of Yjs
 * would break its instanceof checks), registers the presence kind on it and adds `presence`
 * to it. Load it after the engine's bundle and before `syncIslands()`.
 */
import type { IslandKind } from './src/index.js'
import { presence, Presence, presenceKind } from './islands/presence/index.js'

declare const XmlSyncIslands: { registerKind(kind: IslandKind): () => void } & Record<string, unknown>

XmlSyncIslands.registerKind(presenceKind)
Object.assign(XmlSyncIslands, { presence, Presence, presenceKind })

export { presence, Presence, presenceKind }
