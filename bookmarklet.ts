/**
 * The bookmarklet bundle (dist/xml-sync-islands.bookmarklet.iife.js): the full engine of
 * ./index.ts (every bridge, the island kinds) and the panel (src/panel/), under the one global
 * `XmlSyncIslands`. A bundle of its own, so that pages including the engine with a script tag
 * do not pay for the panel. It is also a CMS page's one tag (src/panel/tag.ts): loaded from a
 * `<script data-xmpp-service=...>`, it starts by itself once the page is parsed; loaded any
 * other way (the bookmarklet's loader, a plain tag), it does nothing by itself.
 */
import { pageHadYjsMark, YJS_MARK } from './src/panel/yjs-mark.js'
import { autoStart } from './src/panel/tag.js'

// Read now: document.currentScript is the tag only while the bundle is first evaluated.
const tag = typeof document === 'undefined' ? null : document.currentScript

export * from './index.js'
export { bookmarklet, currentPanel, bookmarkletUrl, bookmarkletSource, Panel, SyncRun, type SyncConfig, type PanelOptions, type RunState } from './src/panel/index.js'
export { startTag, currentEmbed, tagConfig, pageRoom, pageUrl, type Embed, type TagConfig } from './src/panel/index.js'

if (!pageHadYjsMark) delete (globalThis as Record<string, unknown>)[YJS_MARK]

autoStart(tag)
