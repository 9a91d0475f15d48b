/**
 * Yjs marks its import with a global, `globalThis['__ $YJS$ __'] = true`, to warn when a page
 * loads two copies. The bookmarklet adds no global but `XmlSyncIslands`, so its bundle takes the
 * mark away again, unless the page had it already (its own Yjs). Imported first by
 * ../bookmarklet.ts, so that this runs before Yjs does (esbuild keeps ES module order).
 */
export const YJS_MARK = '__ $YJS$ __'
export const pageHadYjsMark = YJS_MARK in globalThis
