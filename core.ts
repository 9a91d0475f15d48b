/**
 * The core script bundle (dist/xml-sync-islands.core.iife.js): src/core.ts, without XMPP, with
 * the built-in island kinds registered as in ./index.ts.
 */
import { registerKind } from './src/core.js'
import { KINDS } from './islands/index.js'

for (const kind of KINDS) registerKind(kind)

export * from './src/core.js'
export { svgKind, formsKind } from './islands/index.js'
