/**
 * The engine and the same-browser bridge, without XMPP: the public surface of the core build
 * (dist/xml-sync-islands.core.iife.js). src/index.ts is this plus the XMPP bridge.
 */
export { syncIslands, Session, type SessionOptions, type SyncErrorDetail } from './island/session.js'
export type { Island, IslandState } from './island/island.js'
export { SyncError, CONDITIONS, type SyncCondition } from './protocol/errors.js'
export { NS_ISLANDS } from './protocol/ns.js'
export type { Bridge, BridgeErrorDetail } from './bridge/bridge.js'
export { broadcastBridge, type BroadcastBridge, type BroadcastBridgeOptions } from './bridge/broadcast.js'
export { memoryBus, MemoryBus, type MemoryBusOptions, type BusPeer } from './bridge/memory.js'
export { canonicalDom } from './binding/canonical.js'
export type { RenderFilter, Refusal, Verdict } from './binding/context.js'
export type { Clock } from './clock.js'
