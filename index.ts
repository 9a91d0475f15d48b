/**
 * The package entry (`xml-sync-islands`) and the full script bundle: the engine's surface
 * (src/index.ts) with the built-in island kinds registered. src/ never imports islands/: this is
 * the one place that joins them.
 */
import { registerKind } from './src/index.js'
import { KINDS } from './islands/index.js'

for (const kind of KINDS) registerKind(kind)

export * from './src/index.js'
export { svgKind, formsKind } from './islands/index.js'
