// What stands in the way of each missed target, for latest.md: from CPU profiles of the engine
// (`npm run bench -- --profile`, see bench/README.md), as of the commit named in the report.
// Each missed target gets a short note in the table, pointing to a longer one below it.

const NOTES = {
  capture: {
    short: 'Each change pays a Yjs transaction, a policy check of a value never seen before (every drag tick), the update\'s encoding and a stanza element added to #xmpp-outgoing and read back by the bridge.',
    long:
      'Capture, DOM islands. Child lists are reconciled from the nodes their records name (O(change)), a drag tick reconciles only the attribute its record names, the outgoing update is written from the window\'s own structs into encoders kept from one stanza to the next, and local transactions run with the doc observers off. What is left on the whiteboard (2,000 shapes, a stanza per pointer move), per change: the MutationObserver callback; Yjs\'s transaction and cleanup (what raw Yjs pays, with its update event); the policy\'s check of the new value (CSS and URL rules on every SVG attribute value; the name checks are cached); the update framed, base64-encoded and written as stanza text; and the channel: a child element appended to `#xmpp-outgoing` and read and removed by the bridge, 2-4 us each in Chromium (measured alone). rrweb only keeps its records in memory. Meeting 2x raw Yjs would leave about one raw-Yjs transaction\'s time for all of that.',
  },
  batch: {
    short: 'Capture of a batch: every new node goes through `typeFromDom` (names, the policy for the element and each attribute, a binding in the mirror), then the update is encoded and sent.',
    long:
      'Capture, one large batch (rrweb\'s shapes). The batch is reconciled once, in one transaction; a parent with up to 32 nodes added or removed is reconciled from those nodes, a larger change by diffing its child list between common head and tail. Every new node goes through `typeFromDom` (src/binding/build.ts: names, the policy for the element and each attribute, a binding in the mirror; the local attributes of a subtree come from its parent\'s, one walk up per subtree), then the whole update is encoded and base64-encoded into stanzas. Raw Yjs builds the same types and its update, and nothing else. Deep nesting adds a depth walk per inserted subtree and a Yjs insert per level.',
  },
  text: {
    short: 'Per keystroke: a diff against the record\'s old value, a Yjs transaction and a stanza; the browser copies the whole text into each record\'s old value.',
    long:
      'Capture, text. Per keystroke `reconcileText` (src/binding/capture.ts) diffs the record\'s old value with the new data (block compares, O(text) at worst), then one Yjs transaction and one stanza written to `#xmpp-outgoing`, as in the capture note. Chromium itself copies the whole text into every characterData record (`characterDataOldValue`), which the floor does not pay; on the whole automerge-paper trace (100 KB of text) that copy and the DOM edit itself (the floor: about 28 us a keystroke) grow with the text.',
  },
  apply: {
    short: 'Per update the page parses the stanza, checks and applies the update, and patches the DOM; raw Yjs only applies the bytes, with no DOM and no channel.',
    long:
      'Remote apply. Per update: the stanza is read from `#xmpp-incoming` (a DOM element added by the bridge and removed by the engine: 2-4 us each in Chromium, measured alone) and parsed (island messages with one regular-expression match); the update is checked by a reader that walks Yjs\'s encoding without building it (`checkUpdate`, 4-25x cheaper than `Y.decodeUpdate`), applied, and the page patched from the transaction (src/binding/patch.ts): child lists and text deltas from the structs the transaction made and deleted, a text from a marker near its last edit (O(change), where Yjs\'s `event.changes` and `event.delta` walk the whole list or text), attributes one by one through the policy. What is left is mostly fixed per update: raw Yjs applies a drag tick in about 10 us in Chromium, less than the channel\'s two DOM operations and the DOM patch take on their own.',
  },
  bytes: {
    short: 'The stanza envelope alone (about 135 B) is about 0.7× a whole XEP-0284 message for one change.',
    long:
      'Bytes per operation. `<message xmlns="jabber:client"><island xmlns="urn:xml-sync-islands:1" name="…">…</island><no-store xmlns="urn:xmpp:hints"/></message>` is about 135 B; the Yjs v1 update of one attribute set or one keystroke adds 27-67 B (client ids, origin and parent item ids, key, value), 4/3 of that as base64 (see `bytes.engine_base64_payload_*`). Coalescing cannot merge a 60 Hz drag or typing (one change per window), so every change pays the envelope; XEP-0284 pays a similar envelope and a short record. The smallest envelope the grammar allows (the two namespaced elements and the island\'s name, no `no-store`) is about 100 B, already half of XEP-0284\'s whole message for a keystroke (about 195 B): meeting 0.5 needs several changes per stanza (a longer window) or another framing, both protocol changes, and `no-store` is required (docs/PROTOCOL.md, "Island messages").',
  },
  joinBytes: {
    short: 'The join answer is Yjs-encoded in base64.',
    long:
      'Late-join payload. Whole states travel in Yjs\'s v2 encoding (sync types 3 and 4, docs/PROTOCOL.md): 10,000 rects are about 1.28× their markup in base64 (v1 was 2.37×).',
  },
  joinTime: {
    short: 'Yjs alone (encoding the state and applying it to a fresh doc) takes most of 3× innerHTML (`latejoin.*.yjs_encode_apply_over_innerhtml`).',
    long:
      'Late-join time. The answering page encodes its whole state (`Y.encodeStateAsUpdateV2`) in the same thread; the joining page parses and reassembles its 22 parts of 64 KiB, checks the update (`checkUpdate`, no structs built), applies it to a fresh doc, then `Binding.adopt` builds the DOM from the doc (`domFromType`: one element and its sorted attributes at a time, each through the policy), morphs the island into it with morphdom and binds both trees in parallel. Yjs\'s own encode and apply of the same state, with no XML and no DOM, is measured beside it (`yjs_encode_apply_over_innerhtml`): about 2.8× innerHTML in Chromium, which leaves a fifth of innerHTML\'s time for everything else under a 3× target. innerHTML is one native parse; both include layout.',
  },
  drag: {
    short: 'No island walk is left in a drag (the svg kind compares only the written shape); what is left per move is one Yjs transaction, one stanza and the garbage collection they cause.',
    long:
      'Drag on simulated time. Profiled on 2,000 shapes at 16 ms (2026-12-04, Chromium 156, on a loaded machine): per move the engine runs one MutationObserver callback and capture (the one attribute the record names, through the policy), one Yjs transaction (Yjs\'s own emits, struct merges and cleanup are the larger part), one update encoded from the window\'s structs, base64, one stanza element written to `#xmpp-outgoing` and removed by the bridge. About half of the sampled time in the measured loop is the garbage collector: scavenges of 2-10 ms in these pages (2 x 2,000-10,000 shapes, each with its JS wrapper) triggered by 16 KiB of allocation per move, most of it in Yjs\'s transaction (Maps and Sets per transaction, one per `emit`) and the stanza strings. The first moves after a join cost 0.5-2 ms each (Yjs merging the seeded structs). The SVG DOM and pointer paths now cost what setAttribute costs within a few tens of us: at 8 ms their `*.over_setattribute_*` differences came out between -22 and +17 us in three paired runs (one 44); at 16 ms between -2 and +64. A profile of the pointer path at 16 ms on 10,000 shapes shows no engine code beyond setAttribute\'s (a tick that finds nothing written costs about 1 us) and more time in the garbage collector: the app\'s own PointerEvents collected in a heap that also holds the engine\'s docs, as far as that profile tells.',
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
  [/drag\.sim\./, 'drag'],
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
