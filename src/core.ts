/**
 * The engine and the same-browser bridge, without XMPP. src/index.ts is this plus the XMPP
 * bridge. Neither registers an island kind: the package entries (../index.ts, ../core.ts) do.
 * Test tools are in src/testing.ts (`xml-sync-islands/testing`).
 */
export { syncIslands, Session, type SessionOptions, type SyncErrorDetail } from './island/session.js'
export type { Island, IslandState } from './island/island.js'
export { registerKind, type IslandKind, type KindHost, type KindHooks } from './island/kinds.js'
export type { AccessorHooks, AccessorListener } from './island/accessors.js'
export { SyncError, CONDITIONS, type SyncCondition } from './protocol/errors.js'
export { NS_ISLANDS } from './protocol/ns.js'
export type { Bridge, BridgeErrorDetail } from './bridge/bridge.js'
export { broadcastBridge, type BroadcastBridge, type BroadcastBridgeOptions } from './bridge/broadcast.js'
export { createPolicy, type Policy, type PolicyOptions } from './policy/policy.js'
export type { Profile, ProfileName } from './policy/profiles.js'
export type { RenderFilter, Refusal, RefusalRule, Verdict } from './binding/context.js'
export type { Clock } from './clock.js'
