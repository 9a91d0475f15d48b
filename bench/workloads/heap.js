// Heap bytes per synced node, in Node (run with --expose-gc), after garbage collection: what
// the engine holds beyond the DOM for an island of N SVG rects (8 attributes each), on the page
// that seeded it and on a page that joined and adopted it; with the same content in a plain
// Y.Doc (the CRDT alone) and the happy-dom nodes themselves for scale.
import * as Y from 'yjs'
import { syncIslands } from '../../index.ts'
import { canonicalDom } from '../../src/testing.ts'
import { BenchBus, SVG_NS, SimClock, check, checkSame } from './common.js'

function heap(env) {
  for (let i = 0; i < 2; i++) env.gcReal()
  return env.heapUsed()
}

function rects(doc, el, n) {
  for (let i = 0; i < n; i++) {
    const r = doc.createElementNS(SVG_NS, 'rect')
    const attrs = { id: `r${i}`, x: String((i * 37) % 1500), y: String((i * 53) % 1100), width: String(10 + (i % 90)), height: String(10 + (i % 70)), fill: '#457b9d', stroke: '#222', 'stroke-width': String(1 + (i % 3)) }
    for (const k in attrs) r.setAttribute(k, attrs[k])
    el.appendChild(r)
  }
}

export async function heapSuite(env, { nodes }) {
  check(env.gcAvailable, 'heap: run node with --expose-gc')
  const A = env.newPage()
  const B = env.newPage()
  const clock = new SimClock()
  const bus = new BenchBus(clock)
  bus.recording = false
  const island = (doc) => {
    const el = doc.createElementNS(SVG_NS, 'svg')
    el.setAttribute('data-sync-island', 'board')
    doc.body.appendChild(el)
    return el
  }
  const h0 = heap(env)
  const a = island(A.doc)
  rects(A.doc, a, nodes)
  const h1 = heap(env)
  const sA = syncIslands({ root: A.doc, clock })
  bus.connect(A.doc, 'a')
  await bus.settle()
  check(sA.islands.get('board').state === 'synced', 'heap: page A synced')
  const h2 = heap(env)
  const b = island(B.doc)
  const h3 = heap(env)
  const sB = syncIslands({ root: B.doc, clock })
  bus.connect(B.doc, 'b')
  await bus.settle()
  checkSame(canonicalDom(b), canonicalDom(a), 'heap: page B adopted A’s island')
  const h4 = heap(env)
  // The CRDT alone: the same content in a plain doc, built the way the engine names it.
  let ydoc = new Y.Doc()
  const h5 = heap(env)
  const frag = ydoc.getXmlFragment('island')
  const kids = []
  for (const r of a.children) {
    const y = new Y.XmlElement(`svg:${r.localName}`)
    for (const at of [...r.attributes].sort((p, q) => (p.name < q.name ? -1 : 1))) y.setAttribute(at.name, at.value)
    kids.push(y)
  }
  frag.insert(0, kids)
  kids.length = 0
  const h6 = heap(env)
  const yjsBytes = h6 - h5
  ydoc.destroy()
  ydoc = null
  sA.stop()
  sB.stop()
  await A.close()
  await B.close()
  const per = (x) => x / nodes
  return {
    figures: [
      { name: `node.heap.engine_bytes_per_node_seeding_page`, value: per(h2 - h1), unit: 'B' },
      // The joiner renders the island too: its new DOM nodes (as many bytes as page A's) are not the engine's.
      { name: `node.heap.engine_bytes_per_node_joining_page`, value: per(h4 - h3 - (h1 - h0)), unit: 'B' },
      { name: `node.heap.yjs_doc_bytes_per_node`, value: per(yjsBytes), unit: 'B' },
      { name: `node.heap.happydom_bytes_per_node`, value: per(h1 - h0), unit: 'B' },
    ],
    info: { nodes },
  }
}
