// Workload 4: the DOM-mutation shapes of rrweb's own benchmark suite (rrweb-io/rrweb,
// packages/rrweb/test/benchmark, the benchmark-dom-mutation*.html pages), rebuilt here inside an
// island instead of <body>. Each is one batch of DOM work in one task (one observer callback),
// as in rrweb's suite:
//
//   nested-1000x10     1,000 chains of 10 nested divs, each div with two attributes, its branch
//                      and depth (as `class` and `title`: rrweb's `branch` and `depth` are not
//                      HTML, and the engine's html policy neither sends nor renders them)
//   deep-nesting       100 chains grown one level at a time to 256 levels (25,600 appends; rrweb's
//                      goes one level deeper, past the engine's default render depth of 256)
//   add-then-remove    add 1,000x10 (through a fragment), remove every div one by one, add again
//   move-10000         10,000 divs with text added to a container, the container moved to a new
//                      parent, the old parent removed, one more small container added
//   attributes-10000   a class added to each of 10,000 divs that exist before the batch
//
// Raw Yjs does the fewest edits that give the same end state (which is also all the engine's
// capture writes: it reconciles the end state, not the intermediate steps).
import * as Y from 'yjs'

function island(doc) {
  const el = doc.createElement('div')
  el.setAttribute('data-sync-island', 'shapes')
  return el
}

function chainDom(doc, b, depth) {
  const root = doc.createElement('div')
  root.setAttribute('class', `branch-${b}`)
  root.setAttribute('title', 'depth 0')
  let cur = root
  for (let d = 1; d < depth; d++) {
    const c = doc.createElement('div')
    c.setAttribute('class', `branch-${b}`)
    c.setAttribute('title', `depth ${d}`)
    cur.appendChild(c)
    cur = c
  }
  return root
}

function chainY(b, depth) {
  const root = new Y.XmlElement('div')
  root.setAttribute('class', `branch-${b}`)
  root.setAttribute('title', 'depth 0')
  let cur = root
  for (let d = 1; d < depth; d++) {
    const c = new Y.XmlElement('div')
    c.setAttribute('class', `branch-${b}`)
    c.setAttribute('title', `depth ${d}`)
    cur.insert(0, [c])
    cur = c
  }
  return root
}

const base = (name, extra) => ({
  name: `shapes.${name}`,
  islandName: 'shapes',
  steps: [0],
  createIsland: island,
  init() {},
  dt: () => 100,
  yInit(ydoc, yst) {
    yst.frag = ydoc.getXmlFragment('island')
  },
  ...extra,
})

export function shapeScenarios(scale = 1) {
  const k = (n) => Math.max(1, Math.round(n * scale))
  const branches = k(1000)
  const roots = k(100)
  const levels = Math.max(4, Math.round(255 * Math.min(1, scale * 2)))
  const many = k(10000)
  return [
    base('nested-1000x10', {
      dom(doc, el) {
        for (let b = 0; b < branches; b++) el.appendChild(chainDom(doc, b, 10))
      },
      yStep(ydoc, yst) {
        const chains = []
        for (let b = 0; b < branches; b++) chains.push(chainY(b, 10))
        yst.frag.insert(0, chains)
      },
    }),
    base('deep-nesting', {
      dom(doc, el) {
        const leaves = []
        for (let i = 0; i < roots; i++) {
          const d = doc.createElement('div')
          el.appendChild(d)
          leaves.push(d)
        }
        for (let level = 0; level < levels; level++) {
          for (let i = 0; i < leaves.length; i++) {
            const d = doc.createElement('div')
            leaves[i].appendChild(d)
            leaves[i] = d
          }
        }
      },
      yStep(ydoc, yst) {
        const chains = []
        for (let i = 0; i < roots; i++) {
          const root = new Y.XmlElement('div')
          let cur = root
          for (let level = 0; level < levels; level++) {
            const c = new Y.XmlElement('div')
            cur.insert(0, [c])
            cur = c
          }
          chains.push(root)
        }
        yst.frag.insert(0, chains)
      },
    }),
    base('add-then-remove', {
      dom(doc, el) {
        const add = () => {
          const frag = doc.createDocumentFragment()
          for (let b = 0; b < branches; b++) frag.appendChild(chainDom(doc, b, 10))
          el.appendChild(frag)
        }
        add()
        for (const d of Array.from(el.querySelectorAll('div'))) d.parentNode.removeChild(d)
        add()
      },
      yStep(ydoc, yst) {
        const chains = []
        for (let b = 0; b < branches; b++) chains.push(chainY(b, 10))
        yst.frag.insert(0, chains)
      },
    }),
    base('move-10000', {
      init(doc, el) {
        const app = doc.createElement('div')
        app.setAttribute('id', 'app')
        el.appendChild(app)
      },
      yInit(ydoc, yst) {
        yst.frag = ydoc.getXmlFragment('island')
        const app = new Y.XmlElement('div')
        app.setAttribute('id', 'app')
        yst.frag.insert(0, [app])
      },
      dom(doc, el) {
        const fill = (parent, n) => {
          const c = doc.createElement('div')
          for (let i = 0; i < n; i++) {
            const d = doc.createElement('div')
            d.innerHTML = `div-${i + 1}`
            c.append(d)
          }
          parent.append(c)
          return c
        }
        const app = el.querySelector('#app')
        const container = fill(app, many)
        const moved = doc.createElement('div')
        moved.append(container)
        el.append(moved)
        app.remove()
        fill(el, 1)
      },
      yStep(ydoc, yst) {
        const fill = (n) => {
          const c = new Y.XmlElement('div')
          const kids = []
          for (let i = 0; i < n; i++) {
            const d = new Y.XmlElement('div')
            const t = new Y.XmlText()
            t.insert(0, `div-${i + 1}`)
            d.insert(0, [t])
            kids.push(d)
          }
          c.insert(0, kids)
          return c
        }
        const moved = new Y.XmlElement('div')
        moved.insert(0, [fill(many)])
        yst.frag.delete(0, 1)
        yst.frag.insert(0, [moved, fill(1)])
      },
    }),
    base('attributes-10000', {
      init(doc, el) {
        for (let i = 0; i < many; i++) el.appendChild(doc.createElement('div'))
      },
      yInit(ydoc, yst) {
        yst.frag = ydoc.getXmlFragment('island')
        const kids = []
        for (let i = 0; i < many; i++) kids.push(new Y.XmlElement('div'))
        yst.frag.insert(0, kids)
      },
      dom(doc, el) {
        for (const d of Array.from(el.getElementsByTagName('div'))) d.classList.add('foo')
      },
      yStep(ydoc, yst) {
        for (const y of yst.frag.toArray()) y.setAttribute('class', 'foo')
      },
    }),
  ]
}
