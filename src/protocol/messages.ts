import * as Y from 'yjs'

/** Yjs exports no name for its delete set type; this is the one the engine uses. */
export type DeleteSet = ReturnType<typeof Y.createDeleteSet>
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate } from 'y-protocols/sync'
import { SyncError } from './errors.js'
import { checkUpdate, TooManyStructsError } from './check-update.js'

/**
 * The payload of one `<island/>` element: one or more y-protocols messages back to back, as
 * y-websocket frames them: varUint kind (0 sync, 1 awareness), then for sync a varUint sync
 * type (0 step1, 1 step2, 2 update) and a varUint8Array, for awareness a varUint8Array.
 * Two sync types of our own carry an update in Yjs's v2 encoding, which the engine uses for
 * whole states (answers, replies, gap fills): 3 step2 and 4 update. v2 is about 0.6x the size
 * of v1 on a large island; a single change is smaller in v1, so updates stay v1.
 */
export const MESSAGE_SYNC = 0
export const MESSAGE_AWARENESS = 1
const SYNC_STEP2_V2 = 3
const SYNC_UPDATE_V2 = 4

export type Message =
  | { kind: 'step1'; stateVector: Uint8Array }
  | { kind: 'step2'; update: Uint8Array; v2?: boolean }
  | { kind: 'update'; update: Uint8Array; v2?: boolean }
  | { kind: 'awareness'; update: Uint8Array }

/** A message that carries a Yjs update, in either encoding. */
export type UpdateMessage = Extract<Message, { kind: 'step2' | 'update' }>

export function encodeMessages(messages: readonly Message[]): Uint8Array {
  const enc = encoding.createEncoder()
  for (const m of messages) {
    if (m.kind === 'awareness') {
      encoding.writeVarUint(enc, MESSAGE_AWARENESS)
      encoding.writeVarUint8Array(enc, m.update)
      continue
    }
    encoding.writeVarUint(enc, MESSAGE_SYNC)
    if (m.kind === 'step1') {
      encoding.writeVarUint(enc, messageYjsSyncStep1)
      encoding.writeVarUint8Array(enc, m.stateVector)
      continue
    }
    const step2 = m.kind === 'step2'
    encoding.writeVarUint(enc, m.v2 ? (step2 ? SYNC_STEP2_V2 : SYNC_UPDATE_V2) : step2 ? messageYjsSyncStep2 : messageYjsUpdate)
    encoding.writeVarUint8Array(enc, m.update)
  }
  return encoding.toUint8Array(enc)
}

/** Applies an update message to a doc, in its encoding. */
export function applyUpdateMessage(doc: Y.Doc, m: UpdateMessage, origin: unknown): void {
  if (m.v2) Y.applyUpdateV2(doc, m.update, origin)
  else Y.applyUpdate(doc, m.update, origin)
}

/** The delete set an update message carries. */
export function deleteSetOf(m: UpdateMessage): DeleteSet {
  return (m.v2 ? Y.decodeUpdateV2(m.update) : Y.decodeUpdate(m.update)).ds
}

/**
 * Decodes and checks a whole payload before anything is applied: `Y.applyUpdate` is not atomic
 * (an update cut inside its delete set throws after integrating its structs), so every update is
 * first read through here (checkUpdate: as Y.decodeUpdate reads it, without building its
 * structs), and a payload with any bad message is refused whole.
 */
export function decodeMessages(bytes: Uint8Array, maxV2Structs = MAX_V2_STRUCTS): Message[] {
  const out: Message[] = []
  let v2Structs = maxV2Structs // what the payload's v2 updates may still declare
  try {
    const dec = decoding.createDecoder(bytes)
    while (decoding.hasContent(dec)) {
      const kind = decoding.readVarUint(dec)
      if (kind === MESSAGE_AWARENESS) {
        out.push({ kind: 'awareness', update: decoding.readVarUint8Array(dec) })
        continue
      }
      if (kind !== MESSAGE_SYNC) throw new Error(`unknown message kind ${kind}`)
      const type = decoding.readVarUint(dec)
      const data = decoding.readVarUint8Array(dec)
      if (type === messageYjsSyncStep1) {
        Y.decodeStateVector(data)
        out.push({ kind: 'step1', stateVector: data })
      } else if (type === messageYjsSyncStep2 || type === messageYjsUpdate) {
        checkUpdate(data, false)
        out.push({ kind: type === messageYjsSyncStep2 ? 'step2' : 'update', update: data })
      } else if (type === SYNC_STEP2_V2 || type === SYNC_UPDATE_V2) {
        v2Structs -= checkUpdate(data, true, v2Structs)
        out.push({ kind: type === SYNC_STEP2_V2 ? 'step2' : 'update', update: data, v2: true })
      } else throw new Error(`unknown sync message type ${type}`)
    }
  } catch (err) {
    if (err instanceof SyncError) throw err
    if (err instanceof TooManyStructsError) throw new SyncError('too-large', `an update that declares ${err.message}`)
    throw new SyncError('bad-update', `not a well-formed y-protocols message: ${(err as Error)?.message ?? err}`)
  }
  if (out.length === 0) throw new SyncError('bad-update', 'empty payload')
  return out
}

/**
 * The most structs the v2 updates of one payload may declare, together. A v2 update's columns
 * repeat their last value forever, so 20 bytes can declare 2^32 - 1 structs, which Yjs would
 * build one by one (minutes, or out of memory); nor do real ones have a bound per byte (an hour
 * of dragging a shape by two attributes is thousands of structs in a few hundred bytes). A v1
 * struct takes at least two bytes, so the payload's size bounds v1 updates; a whole state with
 * more structs than this goes as v1 (stateMessage).
 */
export const MAX_V2_STRUCTS = 1_000_000

/**
 * A V1 delete set (Yjs exports no writer for one). Layout as in yjs's writeDeleteSet: client
 * count, then per client (descending): client, range count, (clock, length) per range.
 */
function writeDeleteSet(enc: encoding.Encoder, ds: DeleteSet): void {
  const clients = [...ds.clients.entries()].filter(([, items]) => items.length > 0).sort((a, b) => b[0] - a[0])
  encoding.writeVarUint(enc, clients.length)
  for (const [client, items] of clients) {
    encoding.writeVarUint(enc, client)
    encoding.writeVarUint(enc, items.length)
    for (const item of items) {
      encoding.writeVarUint(enc, item.clock)
      encoding.writeVarUint(enc, item.len)
    }
  }
}

// Outgoing updates are written into encoders kept from one to the next: a fresh encoder
// allocates a buffer (a 100-byte Uint8Array, which V8 keeps off its heap: slow to make), and each
// update went through three of them. A buffer grown past 64 KiB by a large update is let go.
const updateScratch = new Y.UpdateEncoderV1()
const frameScratch = encoding.createEncoder()
function reset(enc: encoding.Encoder): encoding.Encoder {
  enc.cpos = 0
  enc.bufs = []
  if (enc.cbuf.length > 64 * 1024) enc.cbuf = new Uint8Array(100)
  return enc
}

/**
 * Everything `doc` has beyond `since` (client -> clock, as `Transaction.beforeState`), with only
 * the deletions in `deletes`, not the whole doc's delete set: O(what changed), where
 * `Y.encodeStateAsUpdate` walks every struct of the doc to build its delete set. Overwritten
 * values inside the window are already garbage-collected in the doc, so they travel as bare
 * lengths: 20 sets of one attribute cost 57 B, not 532 B as with Y.mergeUpdates of the 20
 * updates. Structs waiting in Yjs's pending store are not in `store.clients`, so they never go
 * out (see `encodeIntegrated`).
 */
export function encodeUpdateSince(doc: Y.Doc, since: ReadonlyMap<number, number>, deletes: DeleteSet): Uint8Array {
  writeUpdateSince(doc, since, deletes)
  return encoding.toUint8Array(updateScratch.restEncoder)
}

/** The same update as a whole y-protocols sync update message (`encodeMessages` of it), in one copy. */
export function updateMessageSince(doc: Y.Doc, since: ReadonlyMap<number, number>, deletes: DeleteSet): Uint8Array {
  const update = writeUpdateSince(doc, since, deletes)
  const frame = reset(frameScratch)
  encoding.writeVarUint(frame, MESSAGE_SYNC)
  encoding.writeVarUint(frame, messageYjsUpdate)
  encoding.writeVarUint(frame, encoding.length(update))
  for (const b of update.bufs) encoding.writeUint8Array(frame, b)
  encoding.writeUint8Array(frame, update.cbuf.subarray(0, update.cpos))
  return encoding.toUint8Array(frame)
}

/**
 * Writes the update into the kept encoder. The struct section is Yjs's own
 * `writeClientsStructs`, which it does not export: clients in descending order, each from its
 * first clock past `since`.
 */
function writeUpdateSince(doc: Y.Doc, since: ReadonlyMap<number, number>, deletes: DeleteSet): encoding.Encoder {
  const encoder = updateScratch
  const rest = reset(encoder.restEncoder)
  const moved: Array<[client: number, clock: number]> = []
  for (const [client, structs] of doc.store.clients) {
    const last = structs[structs.length - 1]!
    const clock = Math.max(since.get(client) ?? 0, structs[0]!.id.clock)
    if (last.id.clock + last.length > clock) moved.push([client, clock])
  }
  moved.sort((a, b) => b[0] - a[0])
  encoding.writeVarUint(rest, moved.length)
  for (const [client, clock] of moved) {
    const structs = doc.store.clients.get(client)!
    const first = Y.findIndexSS(structs, clock)
    encoding.writeVarUint(rest, structs.length - first)
    encoder.writeClient(client)
    encoding.writeVarUint(rest, clock)
    structs[first]!.write(encoder, clock - structs[first]!.id.clock)
    for (let i = first + 1; i < structs.length; i++) structs[i]!.write(encoder, 0)
  }
  writeDeleteSet(rest, deletes)
  return rest
}

/**
 * What `doc` has beyond `stateVector` (all of it without one), without what waits in Yjs's
 * pending structs. Yjs merges those into its output, so a relay would pass them on; but an
 * update that waits for changes nobody has (a forged or broken client) would then spread to
 * every peer through every answer. Only what the doc has integrated goes out; the author of a
 * pending change sends it again on the next handshake.
 */
export function encodeIntegrated(doc: Y.Doc, stateVector?: Uint8Array, encode = Y.encodeStateAsUpdateV2): Uint8Array {
  const store = doc.store
  const { pendingStructs, pendingDs } = store
  store.pendingStructs = null
  store.pendingDs = null
  try {
    return encode(doc, stateVector)
  } finally {
    store.pendingStructs = pendingStructs
    store.pendingDs = pendingDs
  }
}

/**
 * A whole-state message: what `doc` has beyond `stateVector` (see encodeIntegrated), v2-encoded,
 * or v1 when that is smaller (v2 has a fixed cost of about a dozen bytes: small states) or when
 * it declares more structs than a receiver takes in v2 (MAX_V2_STRUCTS).
 */
export function stateMessage(kind: 'step2' | 'update', doc: Y.Doc, stateVector?: Uint8Array, maxV2Structs = MAX_V2_STRUCTS): UpdateMessage {
  const v2 = encodeIntegrated(doc, stateVector)
  const v2Fits = checkUpdate(v2, true) <= maxV2Structs // what every receiver accepts (decodeMessages)
  if (v2Fits && v2.length > SMALL_STATE) return { kind, update: v2, v2: true }
  const v1 = encodeIntegrated(doc, stateVector, Y.encodeStateAsUpdate)
  return !v2Fits || v1.length <= v2.length ? { kind, update: v1 } : { kind, update: v2, v2: true }
}

const SMALL_STATE = 256
