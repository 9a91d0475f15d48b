// What stands in the way of each missed target, for latest.md: from CPU profiles of the engine
// (`npm run bench -- --profile`, see bench/README.md), as of the commit named in the report.
// Each missed target gets a short note in the table, pointing to a longer one below it.

const NOTES = {
  capture: {
    short: 'Each change pays a Yjs transaction, a policy check for a value never seen before (every drag tick) and a stanza element written into #xmpp-outgoing.',
    long:
      'Capture, DOM islands. The outgoing update is built from the window\'s own structs (O(change), no whole-doc delete-set walk per stanza); a child-list change of up to 32 nodes is reconciled from the nodes its records name (O(change)), larger ones by diffing between the common head and tail; a drag tick reconciles only the attribute its record names; local transactions run with the doc observers off. What is left on the whiteboard (2,000 shapes, a stanza per pointer move): ' +
      'a dragged value is new on every tick, so its policy check (names, URLs, CSS) cannot be memoized; every new shape goes through `typeFromDom`; a deletion looks up the child\'s index by walking the parent\'s items; and each change pays Yjs\'s transaction and cleanup, then a stanza element appended to `#xmpp-outgoing` (the channel contract) and the bridge reading it. rrweb only serializes its records; raw Yjs pays the transaction alone.',
  },
  batch: {
    short: 'Capture of a batch: every new node built through `typeFromDom` with its attributes through the policy, and each touched parent\'s child list walked whole.',
    long:
      'Capture, one large batch (rrweb\'s shapes). The batch is reconciled once, in one transaction, but every new node goes through `typeFromDom` (src/binding/build.ts: names, the policy for the element and each attribute, a binding in the mirror), and each parent a record names has its child list compared whole (src/binding/capture.ts). Deep nesting adds a `contains` and a depth walk per node. Raw Yjs builds the same types and nothing else.',
  },
  text: {
    short: 'Per keystroke: a diff against the record\'s old value, a Yjs transaction and a stanza; the browser copies the whole text for each record\'s old value.',
    long:
      'Capture, text. Per keystroke `reconcileText` (src/binding/capture.ts) diffs the record\'s old value with the new data (block compares, O(text) in the worst case; the doc is no longer read back), then one Yjs transaction and one stanza written to `#xmpp-outgoing`, as in the capture note. Chromium itself copies the whole text into every characterData record (`characterDataOldValue`), which the floor does not pay. On the whole automerge-paper trace Chromium adds more: a MutationObserver on a 100 KB text node makes every edit dearer and holds its records until a GC.',
  },
  apply: {
    short: 'Apply decodes each update twice (check, then apply), and patches the page: a text update rewrites the DOM text node, which raw Yjs never touches.',
    long:
      'Remote apply. Per update: the stanza is parsed (`parseStanza`), `decodeMessages` fully decodes the update to check it (`Y.applyUpdate` is not atomic) and `Y.applyUpdate` decodes it again; then `patchFromEvents` (src/binding/patch.ts) patches the page. Child lists are now patched from the event\'s changes (O(change)) and a text\'s delta is computed in one cheap pass over its items, but that pass is still O(items), and `insertData`/`deleteData` on a long text node copy its data in the browser (the largest part of a text update\'s apply in Chromium). Raw Yjs pays only `applyUpdate` on the same bytes, with no DOM. A validating reader that skips over the update without building structs would halve the decoding.',
  },
  bytes: {
    short: 'The stanza envelope alone (about 135 B) is about 0.7× a whole XEP-0284 message for one change.',
    long:
      'Bytes per operation. `<message xmlns="jabber:client"><island xmlns="urn:xml-sync-islands:1" name="…">…</island><no-store xmlns="urn:xmpp:hints"/></message>` is about 135 B; the Yjs v1 update of one attribute set or one keystroke adds 27-67 B (client ids, origin and parent item ids, key, value), 4/3 of that as base64 (see `bytes.engine_base64_payload_*`). Coalescing cannot merge a 60 Hz drag or typing (one change per window), so every change pays the envelope; XEP-0284 pays a similar envelope and a short record. The smallest envelope the grammar allows (the two namespaced elements and the island\'s name, no `no-store`) is about 100 B, already half of XEP-0284\'s whole message for a keystroke (about 195 B): meeting 0.5 needs several changes per stanza (a longer window) or another framing, both protocol changes, and `no-store` is required (DESIGN.md).',
  },
  joinBytes: {
    short: 'The join answer is Yjs-encoded in base64.',
    long:
      'Late-join payload. Whole states travel in Yjs\'s v2 encoding (sync types 3 and 4, docs/PROTOCOL.md): 10,000 rects are about 1.28× their markup in base64 (v1 was 2.37×).',
  },
  joinTime: {
    short: 'The joiner decodes the state twice (check, apply), builds a second DOM tree and morphs into it; the answerer encodes its whole state in the same thread.',
    long:
      'Late-join time. On the joining page: 40 stanzas of 64 KiB are parsed and reassembled, the update fully decoded to check it, applied to a fresh doc, then `Binding.adopt` builds a second DOM tree from the doc (`domFromType`: one element and its sorted attributes at a time, each through the memoized policy), morphs the island into it with morphdom and binds both trees in parallel. The answering page encodes its whole state (`Y.encodeStateAsUpdateV2`) in the same thread. innerHTML is one native parse; both include layout. Applying a join answer to the fresh doc needs no prior check (a failure leaves nothing behind): skipping it would save the second decode.',
  },
  e2e: {
    short: 'Capture and apply plus both bridges come on top of the socket-to-socket time.',
    long:
      'End-to-end latency. The engine\'s own share of the p50 is capture, apply (parse, check, apply, patch) and both bridges re-parsing and re-serializing each stanza; socket to socket is a little slower than for the raw message of the same size.',
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
