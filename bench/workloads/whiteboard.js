// Workload 1: a whiteboard session on an SVG island. At scale 1: 2,000 shapes created, then,
// shuffled, 2,000 drags of 10 pointer moves each (20,000 changes of `transform`, one move every
// 16 ms of simulated time, a 60 Hz pointer), 500 recolours, 200 reorders (bring to front with
// appendChild: a move) and 500 deletes. Shapes are rects and ellipses with 8 attributes.
import * as Y from 'yjs'
import { SVG_NS, rng } from './common.js'

const COLOURS = ['#e63946', '#f1faee', '#a8dadc', '#457b9d', '#1d3557', '#ffb703', '#fb8500', '#8ecae6', '#219ebc', '#023047']
export const MOVE_MS = 16
export const ACTION_MS = 250
export const CREATE_MS = 100

export function whiteboardSteps(scale, seed = 7) {
  const r = rng(seed)
  const int = (n) => Math.floor(r() * n)
  const n = Math.max(10, Math.round(2000 * scale))
  const steps = []
  const live = []
  for (let id = 0; id < n; id++) {
    const x = int(1500)
    const y = int(1100)
    const fill = COLOURS[int(COLOURS.length)]
    const attrs =
      id % 3 === 2
        ? { id: `s${id}`, cx: `${x}`, cy: `${y}`, rx: `${10 + int(60)}`, ry: `${10 + int(60)}`, fill, stroke: '#222', 'stroke-width': `${1 + int(4)}` }
        : { id: `s${id}`, x: `${x}`, y: `${y}`, width: `${10 + int(120)}`, height: `${10 + int(120)}`, fill, stroke: '#222', 'stroke-width': `${1 + int(4)}` }
    steps.push({ k: 'create', id, tag: id % 3 === 2 ? 'ellipse' : 'rect', attrs, dt: CREATE_MS })
    live.push(id)
  }
  const actions = [
    ...Array(Math.round(2000 * scale)).fill('drag'),
    ...Array(Math.round(500 * scale)).fill('recolour'),
    ...Array(Math.round(200 * scale)).fill('reorder'),
    ...Array(Math.round(500 * scale)).fill('delete'),
  ]
  for (let i = actions.length - 1; i > 0; i--) {
    const j = int(i + 1)
    ;[actions[i], actions[j]] = [actions[j], actions[i]]
  }
  const pos = new Map()
  for (const a of actions) {
    const at = int(live.length)
    const id = live[at]
    if (a === 'drag') {
      let [dx, dy] = pos.get(id) ?? [0, 0]
      const vx = int(21) - 10
      const vy = int(21) - 10
      for (let m = 1; m <= 10; m++) {
        dx += vx
        dy += vy
        steps.push({ k: 'set', id, name: 'transform', value: `translate(${dx} ${dy})`, dt: m < 10 ? MOVE_MS : ACTION_MS })
      }
      pos.set(id, [dx, dy])
    } else if (a === 'recolour') steps.push({ k: 'set', id, name: 'fill', value: COLOURS[int(COLOURS.length)], dt: ACTION_MS })
    else if (a === 'reorder') steps.push({ k: 'front', id, dt: ACTION_MS })
    else {
      steps.push({ k: 'delete', id, dt: ACTION_MS })
      live.splice(at, 1)
    }
  }
  return steps
}

export const ISLAND_ATTRS = { width: '1600', height: '1200', viewBox: '0 0 1600 1200' }

export function whiteboardScenario(scale) {
  const steps = whiteboardSteps(scale)
  return {
    name: 'whiteboard',
    islandName: 'board',
    steps,
    createIsland(doc) {
      const el = doc.createElementNS(SVG_NS, 'svg')
      el.setAttribute('data-sync-island', 'board')
      for (const [k, v] of Object.entries(ISLAND_ATTRS)) el.setAttribute(k, v)
      return el
    },
    init(doc, island, st) {
      st.els = new Map()
    },
    dom(doc, island, st, s) {
      if (s.k === 'create') {
        const el = doc.createElementNS(SVG_NS, s.tag)
        for (const k in s.attrs) el.setAttribute(k, s.attrs[k])
        island.appendChild(el)
        st.els.set(s.id, el)
      } else if (s.k === 'set') st.els.get(s.id).setAttribute(s.name, s.value)
      else if (s.k === 'front') island.appendChild(st.els.get(s.id))
      else {
        st.els.get(s.id).remove()
        st.els.delete(s.id)
      }
    },
    dt: (s) => s.dt,
    yInit(ydoc, yst) {
      const attrs = ydoc.getMap('attrs')
      for (const k of Object.keys(ISLAND_ATTRS).sort()) attrs.set(k, ISLAND_ATTRS[k])
      yst.frag = ydoc.getXmlFragment('island')
      yst.els = new Map()
      yst.order = []
    },
    yStep(ydoc, yst, s) {
      const { frag, els, order } = yst
      if (s.k === 'create') {
        const y = new Y.XmlElement(`svg:${s.tag}`)
        for (const k of Object.keys(s.attrs).sort()) y.setAttribute(k, s.attrs[k])
        frag.insert(frag.length, [y])
        els.set(s.id, y)
        order.push(s.id)
      } else if (s.k === 'set') els.get(s.id).setAttribute(s.name, s.value)
      else if (s.k === 'front') {
        // Yjs has no move: delete, and insert a copy at the end.
        const y = els.get(s.id)
        const attrs = y.getAttributes()
        const i = order.indexOf(s.id)
        frag.delete(i, 1)
        order.splice(i, 1)
        const copy = new Y.XmlElement(y.nodeName)
        for (const k of Object.keys(attrs).sort()) copy.setAttribute(k, attrs[k])
        frag.insert(frag.length, [copy])
        els.set(s.id, copy)
        order.push(s.id)
      } else {
        const i = order.indexOf(s.id)
        frag.delete(i, 1)
        order.splice(i, 1)
        els.delete(s.id)
      }
    },
  }
}
