/**
 * The bookmarklet bundle (dist/xml-sync-islands.bookmarklet.iife.js): the full engine of
 * ./index.ts (every bridge, the island kinds) and the panel (src/panel/), under the one global
 * `XmlSyncIslands`. A bundle of its own, so that pages including the engine with a script tag
 * do not pay for the panel.
 */
import { pageHadYjsMark, YJS_MARK } from './src/panel/yjs-mark.js'

export * from './index.js'
export { bookmarklet, currentPanel, bookmarkletUrl, bookmarkletSource, Panel, SyncRun, type SyncConfig, type PanelOptions, type RunState } from './src/panel/index.js'

if (!pageHadYjsMark) delete (globalThis as Record<string, unknown>)[YJS_MARK]
