/**
 * The presence entry (`xml-sync-islands/presence`, and dist/xml-sync-islands.presence.iife.js):
 * islands/presence with its kind registered. Import it before starting the session, so that
 * every island gets the kind (it lends presence the mirror). Apart from the package entry so
 * that the engine's bundle does not carry it.
 */
import { registerKind } from './src/index.js'
import { presenceKind } from './islands/presence/index.js'

registerKind(presenceKind)

export * from './islands/presence/index.js'
