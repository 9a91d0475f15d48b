/**
 * The panel and the bookmarklet, on the engine's public surface only (../index.ts). Reused by a
 * page's one-tag embed (tag.ts): SyncRun without the panel, or the Panel with `setup: false`.
 */
export { bookmarklet, currentPanel, bookmarkletSource, bookmarkletUrl, TRUSTED_TYPES_POLICY } from './bookmarklet.js'
export { Panel, PANEL_TAG, type PanelOptions } from './panel.js'
export { SyncRun, type RunState, type ConnectionState } from './sync.js'
export { ROOM_PARAM, roomFrom, shareLink, type SyncConfig } from './config.js'
export { startTag, currentEmbed, tagConfig, autoStart, PANEL_TOGGLE_ATTR, type Embed, type TagConfig, type PanelMode } from './tag.js'
export { pageRoom, pageUrl, hashName } from './room.js'
