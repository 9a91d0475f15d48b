// Workload 2: real editing traces (../shared/traces), replayed keystroke by keystroke into one
// text node of an island. Each transaction of the trace is one step: its patches go into the
// text node with deleteData/insertData, then `await` (its own observer callback), then 50 ms of
// simulated time (a typist's pace: every keystroke leaves in its own stanza, as it would live).
import * as Y from 'yjs'
import { BenchError, check, checkSame } from './common.js'

export const KEYSTROKE_MS = 50

/** Positions in the traces count code points; the DOM and Yjs count UTF-16 units. */
function toUnits(text, pos) {
  let units = 0
  for (let cp = 0; cp < pos; cp++) {
    const c = text.charCodeAt(units)
    units += c >= 0xd800 && c <= 0xdbff ? 2 : 1
  }
  return units
}

/**
 * Steps of a trace (its first `limit` transactions) as UTF-16 patches, and the text they must
 * end with: the trace's endContent when it is used whole (the floor run checks its replay
 * against it, every other variant is checked against the floor), else a plain string replay.
 */
export function traceSteps(trace, limit = Infinity) {
  const astral = /[\uD800-\uDFFF]/.test(trace.endContent) || trace.txns.some((t) => t.patches.some((p) => /[\uD800-\uDFFF]/.test(p[2])))
  const steps = []
  let text = trace.startContent
  const n = Math.min(limit, trace.txns.length)
  for (let i = 0; i < n; i++) {
    const patches = []
    for (const [pos, del, ins] of trace.txns[i].patches) {
      let p = pos
      let d = del
      if (astral) {
        p = toUnits(text, pos)
        d = toUnits(text.slice(p), del)
      }
      patches.push([p, d, ins])
      if (astral) text = text.slice(0, p) + ins + text.slice(p + d)
    }
    steps.push(patches)
  }
  // The whole trace must end as endContent: the floor run checks its text node against it, and
  // every other variant against the floor. A prefix ends where a plain replay ends.
  const full = n === trace.txns.length
  const end = full ? trace.endContent : replay(trace.startContent, steps)
  return { steps, endContent: end, full }
}

function replay(start, steps) {
  let s = start
  for (const patches of steps) for (const [p, d, ins] of patches) s = s.slice(0, p) + ins + s.slice(p + d)
  return s
}

export function textScenario(name, trace, { limit, checkpoints = [], gcEvery = 0, form = false } = {}) {
  const { steps, endContent, full } = traceSteps(trace, limit)
  const start = trace.startContent
  if (form) return formScenario(name, trace, { steps, endContent, full, start, checkpoints, gcEvery })
  return {
    name,
    islandName: 'text',
    full,
    endContent,
    edits: steps.reduce((n, s) => n + s.length, 0),
    steps,
    checkpoints,
    // Chromium keeps the records of a MutationObserver on a long text node until a garbage
    // collection, which a tight replay never triggers: the renderer grows to gigabytes and
    // crashes on the whole automerge-paper trace. `gcEvery` collects every so many steps, inside
    // the measured loops of every variant alike.
    gcEvery,
    createIsland(doc) {
      const el = doc.createElement('pre')
      el.setAttribute('data-sync-island', 'text')
      return el
    },
    init(doc, island, st) {
      st.node = doc.createTextNode(start)
      island.appendChild(st.node)
    },
    dom(doc, island, st, patches) {
      const node = st.node
      for (const [p, d, ins] of patches) {
        if (d) node.deleteData(p, d)
        if (ins) node.insertData(p, ins)
      }
    },
    dt: () => KEYSTROKE_MS,
    yInit(ydoc, yst) {
      const t = new Y.XmlText()
      ydoc.getXmlFragment('island').insert(0, [t])
      if (start) t.insert(0, start)
      yst.text = t
    },
    yStep(ydoc, yst, patches) {
      for (const [p, d, ins] of patches) {
        if (d) yst.text.delete(p, d)
        if (ins) yst.text.insert(p, ins)
      }
    },
    verifyFloor(island, st) {
      checkSame(st.node.data, endContent, `${name}: the replayed text node`)
      check(island.childNodes.length === 1, `${name}: one text node`)
    },
    verifyIsland(island) {
      check(island.childNodes.length === 1 && island.firstChild.nodeType === 3, `${name}: the island holds one text node`)
      checkSame(island.firstChild.data, endContent, `${name}: the island's text`)
    },
  }
}

/**
 * The same trace typed into a textarea of a form island (islands/forms): each step's patches go
 * in with setRangeText, as an editor or the browser's own typing changes the value, then one
 * input event. The live value is the field's Y.Text; the textarea's default (its text) stays as
 * it was. Raw Yjs does the same edits on a Y.Text beside the island's XML.
 */
function formScenario(name, trace, { steps, endContent, full, start, checkpoints, gcEvery }) {
  return {
    name,
    islandName: 'text',
    full,
    endContent,
    edits: steps.reduce((n, s) => n + s.length, 0),
    steps,
    checkpoints,
    gcEvery,
    createIsland(doc) {
      const el = doc.createElement('form')
      el.setAttribute('data-sync-island', 'text')
      return el
    },
    init(doc, island, st) {
      st.field = doc.createElement('textarea')
      st.field.textContent = start
      island.appendChild(st.field)
      // Chromium's setRangeText on a textarea nobody edited yet edits an empty value: edited now.
      st.field.value = start
      st.input = () => new (doc.defaultView ?? globalThis).Event('input', { bubbles: true })
    },
    dom(doc, island, st, patches) {
      const field = st.field
      for (const [p, d, ins] of patches) field.setRangeText(ins, p, p + d)
      field.dispatchEvent(st.input())
    },
    dt: () => KEYSTROKE_MS,
    yInit(ydoc, yst) {
      const el = new Y.XmlElement('textarea')
      if (start) {
        const t = new Y.XmlText()
        t.insert(0, start)
        el.insert(0, [t])
      }
      ydoc.getXmlFragment('island').insert(0, [el])
      yst.text = ydoc.getText('value')
      if (start) yst.text.insert(0, start)
    },
    yStep(ydoc, yst, patches) {
      for (const [p, d, ins] of patches) {
        if (d) yst.text.delete(p, d)
        if (ins) yst.text.insert(p, ins)
      }
    },
    verifyFloor(island, st) {
      checkSame(st.field.value, endContent, `${name}: the replayed textarea`)
    },
    verifyIsland(island) {
      const field = island.querySelector('textarea')
      check(field !== null, `${name}: the island holds its textarea`)
      checkSame(field.value, endContent, `${name}: the textarea's value`)
    },
  }
}
