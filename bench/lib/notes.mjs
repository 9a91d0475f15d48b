// What stands in the way of each missed target, for latest.md: from CPU profiles of the engine
// (`npm run bench -- --profile`, see bench/README.md), as of the commit named in the report.
// Each missed target gets a short note in the table, pointing to a longer one below it.

const NOTES = {
  capture: {
    short: 'Capture walks the whole doc twice per stanza to build delete sets, and re-walks a parent\'s whole child list on every child-list change.',
    long:
      'Capture, DOM islands. Per stanza, `Outbox.flush` → `encodeUpdateSince` (src/protocol/messages.ts) calls `Y.encodeStateAsUpdate` twice (once with the window\'s state vector, once with the doc\'s own only to learn the length of the delete set), and each walks every struct of the doc to build the whole delete set (`createDeleteSetFromStructStore`): O(doc) per stanza, about 30% of all the time the whiteboard spends (its board sends a stanza per pointer move). ' +
      '`reconcileChildren` (src/binding/capture.ts) rebuilds a parent\'s whole child list on any child-list record (`sharedChildren` with `isSynced`, two `hasAttribute` per child, `toArray`, index maps, LIS): about 18% on a 2,000-child island. ' +
      'What would remove most of it: send the update Yjs already builds per transaction (`doc.on(\'update\')`, O(transaction)), merging only when a window holds several transactions; reconcile only the children named by the records.',
  },
  batch: {
    short: 'Capture of a batch: every new or changed element read again with a policy check per attribute, Yjs sorting deep events by `event.path` for the engine\'s observeDeep handler, then the O(doc) encode.',
    long:
      'Capture, one large batch (rrweb\'s shapes). The batch is reconciled once, but every new node goes through `typeFromDom` (src/binding/build.ts) and every changed element through `reconcileAttrs` (src/binding/capture.ts), both reading all its attributes (`sharedAttrs`) through the policy; because the binding has an `observeDeep` handler, Yjs computes `event.path` for every changed type to sort the events (`getPathTo`, O(depth): heavy on deep nesting) even for local transactions the handler then ignores; then the stanza\'s O(doc) encode (`encodeUpdateSince`). Raw Yjs builds the same types with no observer.',
  },
  text: {
    short: 'Capture reads the whole text back per keystroke (`toDelta`) and walks the whole doc twice per stanza (`encodeUpdateSince`).',
    long:
      'Capture, text. Per keystroke `reconcileText` (src/binding/capture.ts) reads the whole Y.XmlText back (`textOfType` → `toDelta()`, O(text)) and diffs the old and new strings (`diffText`, O(text) in the worst case); then, per stanza, `encodeUpdateSince` walks every struct of the doc twice for delete sets (O(doc); deletions keep the store large). Yjs alone does one small transaction. A per-node copy of the last text captured (the doc holds exactly it) would remove the read-back; the encode as in the capture note. On the whole automerge-paper trace Chromium adds its own cost: a MutationObserver on a 100 KB text node makes every edit dearer and holds its records until a GC.',
  },
  apply: {
    short: 'Apply decodes each update twice and patches through O(size) paths: a parent\'s whole child list per child-list change, a text\'s delta from its start.',
    long:
      'Remote apply. Per update: the stanza is parsed (`parseStanza`, cheap since 74c0339), `decodeMessages` fully decodes the update to check it and `Y.applyUpdate` decodes it again; `applyRemote` first flushes local records; `patchFromEvents` (src/binding/patch.ts) then, on any child-list change, re-walks every child of the parent in `patchChildren` (`toArray`, a Set, `isSynced` with two `hasAttribute` per child: about 10% of the whiteboard), and for text reads `event.delta`, which Yjs computes by walking the text from its start (O(text): the largest part of a text update\'s apply). Raw Yjs pays only `applyUpdate` on the same bytes, with no observer.',
  },
  bytes: {
    short: 'The stanza envelope alone (about 135 B) is about 0.7× a whole XEP-0284 message for one change.',
    long:
      'Bytes per operation. `<message xmlns="jabber:client"><island xmlns="urn:xml-sync-islands:1" name="…">…</island><no-store xmlns="urn:xmpp:hints"/></message>` is about 135 B; the Yjs v1 update of one attribute set or one keystroke adds 27-67 B (client ids, origin and parent item ids, key, value), 4/3 of that as base64 (see `bytes.engine_base64_payload_*`). Coalescing cannot merge a 60 Hz drag or typing (one change per window), so every change pays the envelope; XEP-0284 pays a similar envelope and a short record. Meeting 0.5 needs a shorter envelope (a short namespace, `no-store` only where a server would archive) and several changes per stanza.',
  },
  joinBytes: {
    short: 'The join answer is Yjs v1 in base64: 2.4× the markup.',
    long:
      'Late-join payload. The answer is y-protocols sync, which encodes Yjs v1: every attribute is an item of its own with key, value and ids, so 10,000 rects are about 1.78× their markup in binary and 2.37× in base64. Yjs v2 is about 0.96× the markup (1.28× in base64, DESIGN.md); a v2 step 2 (a protocol version change) or compressing the join payload would meet 1.5.',
  },
  joinTime: {
    short: 'The joiner decodes the update twice, builds a second DOM tree and morphs into it; the answerer encodes its whole state in the same thread.',
    long:
      'Late-join time. On the joining page: 40 stanzas of 64 KiB are parsed and reassembled, the update fully decoded to check it, applied to a fresh doc, then `Binding.adopt` builds a second DOM tree from the doc (`domFromType`: one element and its sorted attributes at a time, each attribute through the policy), morphs the island into it with morphdom and binds both trees in parallel. The answering page encodes its whole state (`Y.encodeStateAsUpdate`) in the same thread. innerHTML is one native parse; both include layout.',
  },
  e2e: {
    short: 'Capture (about 0.5 ms) and apply (about 0.9 ms) plus both bridges (about 0.4 ms) come on top of the socket-to-socket time.',
    long:
      'End-to-end latency. The engine\'s own share is about 30% of the p50 (capture about 0.5 ms, apply about 0.9 ms: parse, check, apply, patch); both bridges re-parse and re-serialize each stanza (then ltx), about 0.4 ms together; socket to socket is a little slower than for the raw message of the same size. The capture and apply costs of the notes above are the levers.',
  },
}

const RULES = [
  [/\.text\.[^.]+\.capture\.engine_over/, 'text'],
  [/\.shapes\.[^.]+\.capture\.engine_over/, 'batch'],
  [/capture\.engine_over/, 'capture'],
  [/apply\.engine_over_yjs/, 'apply'],
  [/capture_plus_apply/, ['text', 'apply']],
  [/bytes\.engine_over_xep0284/, 'bytes'],
  [/payload_over_outerhtml/, 'joinBytes'],
  [/latejoin\.\d+\.engine_over_innerhtml/, 'joinTime'],
  [/e2e\.engine_p50_over_raw_p50/, 'e2e'],
]

/** The note keys for a figure (in order), or []. */
export function notesFor(name) {
  for (const [re, keys] of RULES) if (re.test(name)) return Array.isArray(keys) ? keys : [keys]
  return []
}

export function noteFor(name) {
  const keys = notesFor(name)
  if (!keys.length) return 'missed; see bench/README.md'
  return `${keys.map((k) => NOTES[k].short).join(' ')} (${keys.map((k) => `note ${k}`).join(', ')})`
}

export function longNote(key) {
  return NOTES[key].long
}
