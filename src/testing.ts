/**
 * Tools for testing pages that use the engine (`xml-sync-islands/testing`): an in-memory bus
 * that stands in for a bridge, and the canonical form peers are compared by. Kept out of the
 * package entry and both script bundles: no page needs them.
 */
export { memoryBus, MemoryBus, type MemoryBusOptions, type BusPeer } from './bridge/memory.js'
export { canonicalDom } from './binding/canonical.js'
