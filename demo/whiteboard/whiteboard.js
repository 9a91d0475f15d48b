// A single-user SVG whiteboard, in the spirit of RichDraw. Plain browser JavaScript, no build,
// no globals but a small debugging handle, nothing inline (it runs under a strict CSP).
//
// Written the way ordinary SVG editors are:
// - the drawing is the DOM: shapes are the children of <svg id="wb-canvas">, found by id or by
//   the element under the pointer; the selection is the class `wb-selected` on shapes;
// - the selection outlines and handles are drawn in <g class="wb-ui">, the canvas's last child;
// - moves, resizes and rotations go through the SVG DOM (transform.baseVal, x.baseVal.value,
//   point lists); colours, widths and paths through setAttribute;
// - shapes are numbered shape_1, shape_2, ... by a counter that starts at 1 on every page load
//   and skips only the ids present at the moment it picks one;
// - a new shape fades in through an <animate class="wb-fade"> child, removed after 300 ms;
// - undo reverses single operations: each records how to reverse itself and finds its shapes by
//   id when undone; an operation whose shapes are all gone is skipped.
;(() => {
  'use strict'
  const SVG_NS = 'http://www.w3.org/2000/svg'
  const svg = document.getElementById('wb-canvas')
  const stage = document.getElementById('wb-stage')
  const toolbar = document.querySelector('.wb-toolbar')
  const ui = svg.querySelector(':scope > .wb-ui')
  const field = (name) => toolbar.querySelector(`[data-field="${name}"]`)
  const GEOMETRY = ['x', 'y', 'width', 'height', 'cx', 'cy', 'rx', 'ry', 'x1', 'y1', 'x2', 'y2', 'points', 'd', 'font-size', 'transform']
  const FADE_MS = 300

  const r2 = (v) => Math.round(v * 100) / 100

  // ---- The drawing, found in the DOM.

  /** A shape of the drawing with this id (inside the canvas), or null. */
  function byId(id) {
    if (!id) return null
    const el = document.getElementById(id)
    return el && el !== svg && svg.contains(el) && !ui.contains(el) ? el : null
  }
  const isShape = (el) => el instanceof SVGGraphicsElement && el !== ui && !ui.contains(el)
  const topShapes = () => [...svg.children].filter(isShape)
  const selection = () => [...svg.querySelectorAll(':scope > .wb-selected')].filter(isShape)
  /** The shapes a style applies to: the shape itself, or a group's shapes. */
  const leaves = (el) => (el instanceof SVGGElement ? [...el.querySelectorAll('*')].filter((n) => isShape(n) && !(n instanceof SVGGElement)) : [el])

  let counter = 1
  function newId() {
    while (document.getElementById(`shape_${counter}`)) counter++
    return `shape_${counter++}`
  }

  /** Where a shape stands: its group (null: the canvas) and the shape after it (null: the top). */
  function positionOf(el) {
    let next = el.nextElementSibling
    while (next && !(next.id && isShape(next))) next = next.nextElementSibling
    return { parentId: el.parentNode === svg ? null : el.parentNode.id, nextId: next ? next.id : null }
  }
  /** On top of `parent`'s shapes (under the selection overlay). */
  function appendTop(parent, el) {
    if (parent === svg && ui.parentNode === svg) svg.insertBefore(el, ui)
    else parent.appendChild(el)
  }
  function place(el, pos) {
    const parent = (pos.parentId && byId(pos.parentId)) || svg
    const next = byId(pos.nextId)
    if (next && next.parentNode === parent) parent.insertBefore(el, next)
    else appendTop(parent, el)
  }

  function readAttrs(el, names) {
    const out = {}
    for (const name of names) out[name] = name === '#text' ? el.textContent : el.getAttribute(name)
    return out
  }
  function writeAttrs(el, values) {
    for (const [name, value] of Object.entries(values)) {
      if (name === '#text') el.textContent = value ?? ''
      else if (value === null || value === undefined) el.removeAttribute(name)
      else el.setAttribute(name, value)
    }
  }

  // ---- Undo: a stack of operations, each able to reverse itself.

  const undoStack = []
  const redoStack = []

  function record(op) {
    undoStack.push(op)
    redoStack.length = 0
    refresh()
  }
  // An operation whose shapes are all gone (a peer deleted them) does nothing and is dropped;
  // the next one is undone instead.
  function undo() {
    for (let op; (op = undoStack.pop()); ) {
      if (op.undo() !== false) {
        redoStack.push(op)
        break
      }
    }
    refresh()
  }
  function redo() {
    for (let op; (op = redoStack.pop()); ) {
      if (op.redo() !== false) {
        undoStack.push(op)
        break
      }
    }
    refresh()
  }

  /** Attribute (and text) changes: [{ id, before: {name: value|null}, after: {...} }]. */
  function attrsOp(label, changes) {
    const apply = (side) => {
      let found = false
      for (const change of changes) {
        const el = byId(change.id)
        if (!el) continue
        writeAttrs(el, change[side])
        found = true
      }
      return found
    }
    return { label, undo: () => apply('before'), redo: () => apply('after') }
  }

  /** Shapes coming (create) or going (delete, clear): [{ id, node, pos }] in document order. */
  function presenceOp(label, items, added) {
    const insert = () => {
      // Bottom-most last, so that each one's `nextId` is back in place when it is inserted.
      for (const item of [...items].reverse()) place(item.node, item.pos)
      return true
    }
    const remove = () => {
      const present = items.map((item) => ({ item, el: byId(item.id) })).filter((x) => x.el)
      for (const { item, el } of present) item.pos = positionOf(el)
      for (const { item, el } of present) {
        item.node = el
        el.remove()
      }
      return present.length > 0
    }
    return added ? { label, undo: remove, redo: insert } : { label, undo: insert, redo: remove }
  }

  /** Shapes that changed place: [{ id, before: pos, after: pos }]. */
  function reorderOp(label, items) {
    const apply = (side, list) => {
      let found = false
      for (const item of list) {
        const el = byId(item.id)
        if (!el) continue
        place(el, item[side])
        found = true
      }
      return found
    }
    return { label, undo: () => apply('before', [...items].reverse()), redo: () => apply('after', items) }
  }

  /** Records the attribute changes of a gesture, if it changed anything. */
  function commitAttrs(label, items, names) {
    const changes = []
    for (const { id, el, before } of items) {
      const after = readAttrs(el, names)
      const b = {}
      const a = {}
      for (const name of names) {
        if (before[name] === after[name]) continue
        b[name] = before[name]
        a[name] = after[name]
      }
      if (Object.keys(a).length) changes.push({ id, before: b, after: a })
    }
    if (changes.length) record(attrsOp(label, changes))
  }

  // ---- Transforms through the SVG DOM: [translate, rotate(angle, centre)?, anything else].

  const T_TRANSLATE = SVGTransform.SVG_TRANSFORM_TRANSLATE
  const T_ROTATE = SVGTransform.SVG_TRANSFORM_ROTATE

  /** The product of a transform list's items from `from` on. */
  function listMatrix(list, from) {
    let m = new DOMMatrix()
    for (let i = from; i < list.numberOfItems; i++) m = m.multiply(list.getItem(i).matrix)
    return m
  }

  /** The shape's leading translate, added when missing. List items are fresh objects on every
   * getItem, and a list may be replaced under us, so this is asked again on every move. */
  function translateItem(el) {
    const list = el.transform.baseVal
    if (list.numberOfItems === 0 || list.getItem(0).type !== T_TRANSLATE) {
      const t = svg.createSVGTransform()
      t.setTranslate(0, 0)
      list.insertItemBefore(t, 0)
    }
    return list.getItem(0)
  }

  /** The centre of a rotation item, from its matrix (undefined for a zero angle). */
  function rotationCentre(item) {
    const a = (item.angle * Math.PI) / 180
    const c = 1 - Math.cos(a)
    const s = Math.sin(a)
    const det = c * c + s * s
    if (det < 1e-9) return undefined
    const { e, f } = item.matrix
    // e = cx(1 - cos) + cy sin, f = cy(1 - cos) - cx sin
    return { x: (c * e - s * f) / det, y: (s * e + c * f) / det }
  }

  /**
   * Makes the shape's second transform item a rotation about its bounding box's centre, moving
   * the translate so that nothing moves on screen. `force` adds the rotation when there is none.
   */
  function centreRotation(el, force) {
    const list = el.transform.baseVal
    const rotated = () => list.numberOfItems > 1 && list.getItem(0).type === T_TRANSLATE && list.getItem(1).type === T_ROTATE
    if (!force && !(rotated() && list.getItem(1).angle % 360 !== 0)) return
    translateItem(el)
    const hasRotation = rotated()
    const b = el.getBBox()
    const centre = new DOMPoint(b.x + b.width / 2, b.y + b.height / 2).matrixTransform(listMatrix(list, hasRotation ? 2 : 1))
    const cx = r2(centre.x)
    const cy = r2(centre.y)
    if (!hasRotation) {
      const r = svg.createSVGTransform()
      r.setRotate(0, cx, cy)
      list.insertItemBefore(r, 1)
      return
    }
    const rotation = list.getItem(1)
    const angle = rotation.angle
    const old = rotationCentre(rotation) ?? { x: cx, y: cy }
    // translate' = translate + d - R(d), d = old centre - new centre: the same map, re-centred.
    const a = (angle * Math.PI) / 180
    const dx = old.x - cx
    const dy = old.y - cy
    const t = list.getItem(0).matrix
    list.getItem(0).setTranslate(r2(t.e + dx - (dx * Math.cos(a) - dy * Math.sin(a))), r2(t.f + dy - (dx * Math.sin(a) + dy * Math.cos(a))))
    list.getItem(1).setRotate(angle, cx, cy)
  }

  // ---- Pointer positions.

  /** The pointer in the user space of `el` (default: the canvas's). */
  function pointIn(e, el = svg) {
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(el.getScreenCTM().inverse())
    return { x: p.x, y: p.y }
  }
  const rounded = (p) => ({ x: Math.round(p.x), y: Math.round(p.y) })

  // ---- New shapes.

  function styleFor(kind) {
    const fill = field('fill-none').checked ? 'none' : field('fill').value
    const stroke = field('stroke').value
    const width = String(Math.max(0, Number(field('stroke-width').value) || 0))
    if (kind === 'line' || kind === 'polyline' || kind === 'path') return { fill: 'none', stroke, 'stroke-width': width, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' }
    if (kind === 'text') return { fill: fill === 'none' ? stroke : fill }
    return { fill, stroke, 'stroke-width': width }
  }

  function createShape(kind, attrs) {
    const el = document.createElementNS(SVG_NS, kind)
    el.setAttribute('id', newId())
    writeAttrs(el, { ...attrs, ...styleFor(kind) })
    appendTop(svg, el)
    fadeIn(el)
    return el
  }

  // A short fade-in, removed by the app itself.
  function fadeIn(el) {
    const anim = document.createElementNS(SVG_NS, 'animate')
    writeAttrs(anim, { class: 'wb-fade', attributeName: 'opacity', from: '0', to: '1', dur: `${FADE_MS}ms`, begin: 'indefinite', fill: 'remove' })
    el.appendChild(anim)
    try {
      anim.beginElement()
    } catch {
      // Not every browser runs SMIL; the shape simply appears.
    }
    setTimeout(() => anim.remove(), FADE_MS)
  }

  // The new shape is not selected: the next colour picked is for the next shape, not this one.
  function recordCreate(el) {
    record(presenceOp('draw', [{ id: el.id, node: el, pos: positionOf(el) }], true))
  }

  // ---- Selection and its overlay.

  function select(els, add = false) {
    if (!add) {
      // Any depth: shapes that were selected when grouped keep no mark inside the group.
      for (const el of svg.querySelectorAll('.wb-selected')) {
        if (els.includes(el)) continue
        el.classList.remove('wb-selected')
        if (el.classList.length === 0) el.removeAttribute('class')
      }
    }
    for (const el of els) el.classList.add('wb-selected')
    showStyleOf(els)
    refresh()
  }
  function unselect(el) {
    el.classList.remove('wb-selected')
    if (el.classList.length === 0) el.removeAttribute('class')
    refresh()
  }

  /** The fields show the style of the one shape selected. */
  function showStyleOf(els) {
    if (els.length !== 1) return
    const leaf = leaves(els[0])[0]
    if (!leaf) return
    const colour = (v) => (/^#[0-9a-f]{6}$/i.test(v || '') ? v.toLowerCase() : null)
    const fill = leaf.getAttribute('fill')
    if (leaf.localName !== 'line' && leaf.localName !== 'polyline' && leaf.localName !== 'path') {
      field('fill-none').checked = fill === 'none'
      if (colour(fill)) field('fill').value = colour(fill)
    }
    if (colour(leaf.getAttribute('stroke'))) field('stroke').value = colour(leaf.getAttribute('stroke'))
    if (leaf.hasAttribute('stroke-width')) field('stroke-width').value = leaf.getAttribute('stroke-width')
    if (leaf.localName === 'text') field('text').value = leaf.textContent
  }

  function uiElement(kind, attrs) {
    const el = document.createElementNS(SVG_NS, kind)
    writeAttrs(el, attrs)
    ui.appendChild(el)
    return el
  }

  function renderOverlay() {
    ui.replaceChildren()
    // Shapes a peer's page added may land above the overlay: keep it on top.
    if (svg.lastElementChild !== ui) svg.appendChild(ui)
    const selected = selection()
    const toCanvas = svg.getScreenCTM()?.inverse()
    if (!toCanvas) return
    for (const el of selected) {
      const b = el.getBBox()
      const m = toCanvas.multiply(el.getScreenCTM())
      uiElement('rect', {
        class: 'wb-outline',
        x: r2(b.x - 3),
        y: r2(b.y - 3),
        width: r2(b.width + 6),
        height: r2(b.height + 6),
        transform: `matrix(${[m.a, m.b, m.c, m.d, m.e, m.f].map(r2).join(' ')})`,
      })
    }
    if (selected.length !== 1) return
    const el = selected[0]
    const b = el.getBBox()
    const m = toCanvas.multiply(el.getScreenCTM())
    const at = (x, y) => new DOMPoint(x, y).matrixTransform(m)
    if (!(el instanceof SVGGElement)) {
      const corners = { nw: [b.x, b.y], ne: [b.x + b.width, b.y], se: [b.x + b.width, b.y + b.height], sw: [b.x, b.y + b.height] }
      for (const [name, [x, y]] of Object.entries(corners)) {
        const p = at(x, y)
        uiElement('rect', { class: 'wb-handle', 'data-handle': name, x: r2(p.x - 5), y: r2(p.y - 5), width: 10, height: 10 })
      }
    }
    const top = at(b.x + b.width / 2, b.y)
    const centre = at(b.x + b.width / 2, b.y + b.height / 2)
    let ux = top.x - centre.x
    let uy = top.y - centre.y
    const len = Math.hypot(ux, uy)
    if (len < 1e-6) [ux, uy] = [0, -1]
    else [ux, uy] = [ux / len, uy / len]
    const knob = { x: top.x + ux * 28, y: top.y + uy * 28 }
    uiElement('line', { class: 'wb-stem', x1: r2(top.x), y1: r2(top.y), x2: r2(knob.x), y2: r2(knob.y) })
    uiElement('circle', { class: 'wb-handle', 'data-handle': 'rotate', cx: r2(knob.x), cy: r2(knob.y), r: 6 })
  }

  // The overlay follows changes it did not make (a peer's, an undo's), once per frame.
  let overlayQueued = false
  function queueOverlay() {
    if (overlayQueued) return
    overlayQueued = true
    requestAnimationFrame(() => {
      overlayQueued = false
      refresh()
    })
  }
  new MutationObserver((records) => {
    const outside = records.some((r) => !ui.contains(r.target) && !(r.type === 'childList' && [...r.addedNodes, ...r.removedNodes].every((n) => n === ui)))
    if (outside) queueOverlay()
  }).observe(svg, { subtree: true, childList: true, attributes: true, characterData: true })

  function refresh() {
    renderOverlay()
    const selected = selection()
    const enable = (action, on) => {
      for (const b of toolbar.querySelectorAll(`[data-action="${action}"]`)) b.disabled = !on
    }
    enable('undo', undoStack.length > 0)
    enable('redo', redoStack.length > 0)
    enable('delete', selected.length > 0)
    enable('front', selected.length > 0)
    enable('back', selected.length > 0)
    enable('group', selected.length > 1)
    enable('ungroup', selected.some((el) => el instanceof SVGGElement))
    enable('clear', topShapes().length > 0)
  }

  // ---- Tools.

  let tool = 'select'
  function setTool(name) {
    finishPolyline()
    // A drawing tool starts with nothing selected, so its colours change nothing drawn.
    if (name !== 'select' && selection().length) select([])
    tool = name
    stage.dataset.tool = name
    for (const b of toolbar.querySelectorAll('[data-tool]')) b.setAttribute('aria-pressed', String(b.dataset.tool === name))
  }

  let gesture = null // what the pointer that went down is doing
  let polyline = null // a polyline being drawn, click by click

  function finishPolyline() {
    if (!polyline) return
    const el = polyline
    polyline = null
    // Drop the rubber-band point and the repeats a double-click leaves.
    const list = el.points
    if (list.numberOfItems > 1) list.removeItem(list.numberOfItems - 1)
    for (let i = list.numberOfItems - 1; i > 0; i--) {
      const a = list.getItem(i)
      const b = list.getItem(i - 1)
      if (a.x === b.x && a.y === b.y) list.removeItem(i)
    }
    if (list.numberOfItems < 2) el.remove()
    else recordCreate(el)
  }

  function startCreate(e) {
    const p = rounded(pointIn(e))
    switch (tool) {
      case 'rect':
      case 'roundrect': {
        const extra = tool === 'roundrect' ? { rx: '14', ry: '14' } : {}
        const el = createShape('rect', { x: p.x, y: p.y, width: 0, height: 0, ...extra })
        return { kind: 'box', el, start: p }
      }
      case 'ellipse': {
        const el = createShape('ellipse', { cx: p.x, cy: p.y, rx: 0, ry: 0 })
        return { kind: 'box', el, start: p }
      }
      case 'line': {
        const el = createShape('line', { x1: p.x, y1: p.y, x2: p.x, y2: p.y })
        return { kind: 'line', el, start: p }
      }
      case 'path': {
        const el = createShape('path', { d: `M ${p.x} ${p.y}` })
        return { kind: 'path', el, start: p, last: p, count: 1 }
      }
      case 'polyline': {
        if (!polyline) {
          polyline = createShape('polyline', { points: `${p.x},${p.y} ${p.x},${p.y}` })
        } else {
          const list = polyline.points
          const last = list.getItem(list.numberOfItems - 1)
          last.x = p.x
          last.y = p.y
          const next = svg.createSVGPoint()
          next.x = p.x
          next.y = p.y
          list.appendItem(next)
        }
        return null
      }
      case 'text': {
        const el = createShape('text', { x: p.x, y: p.y, 'font-size': '28', 'font-family': 'system-ui, sans-serif' })
        el.insertBefore(document.createTextNode(field('text').value || 'Text'), el.firstChild)
        recordCreate(el)
        return null
      }
    }
    return null
  }

  function moveCreate(g, e) {
    const p = rounded(pointIn(e))
    const { el, start } = g
    if (g.kind === 'box') {
      const x = Math.min(start.x, p.x)
      const y = Math.min(start.y, p.y)
      const w = Math.abs(p.x - start.x)
      const h = Math.abs(p.y - start.y)
      if (el instanceof SVGRectElement) {
        el.x.baseVal.value = x
        el.y.baseVal.value = y
        el.width.baseVal.value = w
        el.height.baseVal.value = h
      } else {
        el.cx.baseVal.value = x + w / 2
        el.cy.baseVal.value = y + h / 2
        el.rx.baseVal.value = w / 2
        el.ry.baseVal.value = h / 2
      }
    } else if (g.kind === 'line') {
      el.x2.baseVal.value = p.x
      el.y2.baseVal.value = p.y
    } else if (g.kind === 'path') {
      if (Math.hypot(p.x - g.last.x, p.y - g.last.y) < 3) return
      el.setAttribute('d', `${el.getAttribute('d')} L ${p.x} ${p.y}`)
      g.last = p
      g.count++
    }
  }

  function endCreate(g) {
    const { el, start } = g
    if (g.kind === 'box') {
      const b = el.getBBox()
      // A click without a drag makes a shape of a default size.
      if (b.width < 3 && b.height < 3) {
        if (el instanceof SVGRectElement) {
          el.width.baseVal.value = 120
          el.height.baseVal.value = 80
        } else {
          el.cx.baseVal.value = start.x + 60
          el.cy.baseVal.value = start.y + 40
          el.rx.baseVal.value = 60
          el.ry.baseVal.value = 40
        }
      }
    } else if (g.kind === 'line') {
      if (el.x1.baseVal.value === el.x2.baseVal.value && el.y1.baseVal.value === el.y2.baseVal.value) el.x2.baseVal.value += 120
    } else if (g.kind === 'path') {
      if (g.count < 2) {
        el.remove()
        return
      }
    }
    recordCreate(el)
  }

  // ---- Select, move, resize, rotate.

  function startSelect(e) {
    const handle = e.target.closest('.wb-handle')
    const selected = selection()
    if (handle && selected.length === 1) {
      const el = selected[0]
      const before = readAttrs(el, GEOMETRY)
      if (handle.dataset.handle === 'rotate') {
        centreRotation(el, true)
        const b = el.getBBox()
        const c = new DOMPoint(b.x + b.width / 2, b.y + b.height / 2).matrixTransform(el.getScreenCTM())
        const rotation = el.transform.baseVal.getItem(1)
        return { kind: 'rotate', el, before, centre: c, angle0: rotation.angle, pivot: rotationCentre(rotation) ?? pivotOf(el), start: Math.atan2(e.clientY - c.y, e.clientX - c.x) }
      }
      return startResize(el, handle.dataset.handle, before)
    }
    const shape = e.target.closest('#wb-canvas > *')
    if (!shape || !isShape(shape)) {
      if (!e.shiftKey) select([])
      return null
    }
    if (e.shiftKey) {
      if (shape.classList.contains('wb-selected')) {
        unselect(shape)
        return null
      }
      select([shape], true)
    } else if (!shape.classList.contains('wb-selected')) {
      select([shape])
    }
    const items = selection().map((el) => ({ el, id: el.id, before: readAttrs(el, ['transform']), t0: null }))
    return { kind: 'move', start: pointIn(e), items, moved: false }
  }

  // The centre a fresh rotation item turns about (its angle is 0, so its matrix cannot say).
  function pivotOf(el) {
    const list = el.transform.baseVal
    const b = el.getBBox()
    const c = new DOMPoint(b.x + b.width / 2, b.y + b.height / 2).matrixTransform(listMatrix(list, 2))
    return { x: r2(c.x), y: r2(c.y) }
  }

  function startResize(el, handle, before) {
    const b = el.getBBox()
    const fixed = {
      nw: { x: b.x + b.width, y: b.y + b.height },
      ne: { x: b.x, y: b.y + b.height },
      se: { x: b.x, y: b.y },
      sw: { x: b.x + b.width, y: b.y },
    }[handle]
    if (!fixed) return null
    const snap = { b0: { x: b.x, y: b.y, width: b.width, height: b.height } }
    if (el instanceof SVGPolylineElement) snap.points = [...Array(el.points.numberOfItems)].map((_, i) => ({ x: el.points.getItem(i).x, y: el.points.getItem(i).y }))
    if (el instanceof SVGLineElement) snap.line = { x1: el.x1.baseVal.value, y1: el.y1.baseVal.value, x2: el.x2.baseVal.value, y2: el.y2.baseVal.value }
    if (el instanceof SVGPathElement) snap.d = el.getAttribute('d') || ''
    if (el instanceof SVGTextElement) snap.text = { x: el.x.baseVal.numberOfItems ? el.x.baseVal.getItem(0).value : 0, y: el.y.baseVal.numberOfItems ? el.y.baseVal.getItem(0).value : 0, size: Number(el.getAttribute('font-size')) || 16 }
    return { kind: 'resize', el, before, fixed, snap, toLocal: el.getScreenCTM().inverse() }
  }

  function resize(g, e) {
    const { el, fixed, snap } = g
    const { b0 } = snap
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(g.toLocal)
    // A zero extent (a straight line) stays as it is in that direction.
    const b1 = {
      x: b0.width ? Math.min(fixed.x, p.x) : b0.x,
      y: b0.height ? Math.min(fixed.y, p.y) : b0.y,
      width: b0.width ? Math.max(1, Math.abs(p.x - fixed.x)) : 0,
      height: b0.height ? Math.max(1, Math.abs(p.y - fixed.y)) : 0,
    }
    const mx = (v) => Math.round(b0.width ? b1.x + ((v - b0.x) * b1.width) / b0.width : v)
    const my = (v) => Math.round(b0.height ? b1.y + ((v - b0.y) * b1.height) / b0.height : v)
    if (el instanceof SVGRectElement) {
      el.x.baseVal.value = Math.round(b1.x)
      el.y.baseVal.value = Math.round(b1.y)
      el.width.baseVal.value = Math.round(b1.width)
      el.height.baseVal.value = Math.round(b1.height)
    } else if (el instanceof SVGEllipseElement) {
      el.cx.baseVal.value = r2(b1.x + b1.width / 2)
      el.cy.baseVal.value = r2(b1.y + b1.height / 2)
      el.rx.baseVal.value = r2(b1.width / 2)
      el.ry.baseVal.value = r2(b1.height / 2)
    } else if (el instanceof SVGLineElement) {
      el.x1.baseVal.value = mx(snap.line.x1)
      el.y1.baseVal.value = my(snap.line.y1)
      el.x2.baseVal.value = mx(snap.line.x2)
      el.y2.baseVal.value = my(snap.line.y2)
    } else if (el instanceof SVGPolylineElement) {
      const n = Math.min(el.points.numberOfItems, snap.points.length)
      for (let i = 0; i < n; i++) {
        const point = el.points.getItem(i)
        point.x = mx(snap.points[i].x)
        point.y = my(snap.points[i].y)
      }
    } else if (el instanceof SVGPathElement) {
      // The app's paths are M and L commands with absolute x y pairs.
      let i = 0
      el.setAttribute('d', snap.d.replace(/-?\d*\.?\d+(?:e[-+]?\d+)?/gi, (n) => String(i++ % 2 === 0 ? mx(Number(n)) : my(Number(n)))))
    } else if (el instanceof SVGTextElement) {
      const scale = b0.height ? b1.height / b0.height : 1
      el.setAttribute('font-size', String(r2(Math.max(4, snap.text.size * scale))))
      if (el.x.baseVal.numberOfItems) el.x.baseVal.getItem(0).value = mx(snap.text.x)
      if (el.y.baseVal.numberOfItems) el.y.baseVal.getItem(0).value = my(snap.text.y)
    }
  }

  function onPointerDown(e) {
    if (e.pointerType === 'mouse' && e.button !== 0) return
    if (gesture) return // one pointer at a time
    // Typing in a field ends there (its change applies to the selection the person saw). No
    // preventDefault: the mousedown that follows must focus the page (in a frame, its keys).
    if (document.activeElement instanceof HTMLInputElement) document.activeElement.blur()
    gesture = tool === 'select' ? startSelect(e) : startCreate(e)
    if (gesture) {
      gesture.pointerId = e.pointerId
      svg.setPointerCapture(e.pointerId)
    }
  }

  function onPointerMove(e) {
    if (polyline && !gesture) {
      const list = polyline.points
      const last = list.getItem(list.numberOfItems - 1)
      const p = rounded(pointIn(e))
      last.x = p.x
      last.y = p.y
      return
    }
    const g = gesture
    if (!g || e.pointerId !== g.pointerId) return
    if (g.el && !g.el.isConnected) return cancelGesture() // a peer deleted it
    if (g.kind === 'move') {
      const p = pointIn(e)
      const dx = Math.round(p.x - g.start.x)
      const dy = Math.round(p.y - g.start.y)
      if (!g.moved && dx === 0 && dy === 0) return
      g.moved = true
      for (const item of g.items) {
        if (!item.el.isConnected) continue
        const t = translateItem(item.el)
        if (!item.t0) item.t0 = { x: t.matrix.e, y: t.matrix.f }
        t.setTranslate(r2(item.t0.x + dx), r2(item.t0.y + dy))
      }
    } else if (g.kind === 'resize') {
      resize(g, e)
    } else if (g.kind === 'rotate') {
      let angle = g.angle0 + ((Math.atan2(e.clientY - g.centre.y, e.clientX - g.centre.x) - g.start) * 180) / Math.PI
      angle = e.shiftKey ? Math.round(angle / 15) * 15 : Math.round(angle)
      angle = ((angle % 360) + 540) % 360 - 180
      const list = g.el.transform.baseVal
      if (list.numberOfItems > 1 && list.getItem(1).type === T_ROTATE) list.getItem(1).setRotate(angle, g.pivot.x, g.pivot.y)
    } else {
      moveCreate(g, e)
    }
    renderOverlay()
  }

  function onPointerUp(e) {
    const g = gesture
    if (!g || e.pointerId !== g.pointerId) return
    gesture = null
    if (g.kind === 'move') {
      if (g.moved) commitAttrs('move', g.items.filter((i) => i.el.isConnected), ['transform'])
    } else if (g.kind === 'resize') {
      centreRotation(g.el, false)
      commitAttrs('resize', [{ id: g.el.id, el: g.el, before: g.before }], GEOMETRY)
    } else if (g.kind === 'rotate') {
      commitAttrs('rotate', [{ id: g.el.id, el: g.el, before: g.before }], GEOMETRY)
    } else if (g.el.isConnected) {
      endCreate(g)
    }
    refresh()
  }

  function cancelGesture() {
    gesture = null
    refresh()
  }

  svg.addEventListener('pointerdown', onPointerDown)
  svg.addEventListener('pointermove', onPointerMove)
  svg.addEventListener('pointerup', onPointerUp)
  svg.addEventListener('pointercancel', (e) => {
    if (gesture && e.pointerId === gesture.pointerId) onPointerUp(e)
  })
  svg.addEventListener('dblclick', () => {
    if (polyline) return finishPolyline()
    // A double-click on a text edits it in the toolbar's text field (Enter applies). The
    // click's target is the canvas (the pointer was captured): the first click selected it.
    const selected = selection()
    if (tool !== 'select' || selected.length !== 1 || !(selected[0] instanceof SVGTextElement)) return
    field('text').value = selected[0].textContent
    field('text').focus()
    field('text').select()
  })

  // ---- Actions.

  function deleteShapes(label, els) {
    if (!els.length) return
    const items = els.map((el) => ({ id: el.id, node: el, pos: positionOf(el) }))
    for (const el of els) el.remove()
    record(presenceOp(label, items, false))
  }

  function reorder(label, els, moveOne) {
    const items = []
    for (const el of els) {
      const before = positionOf(el)
      moveOne(el)
      const after = positionOf(el)
      if (before.nextId !== after.nextId || before.parentId !== after.parentId) items.push({ id: el.id, before, after })
    }
    if (items.length) record(reorderOp(label, items))
  }

  function bringToFront() {
    const els = selection()
    const shapes = topShapes()
    // Those already on top, in order, stay where they are: no move at all.
    let keep = 0
    while (keep < els.length && shapes[shapes.length - 1 - keep] === els[els.length - 1 - keep]) keep++
    reorder('front', els.slice(0, els.length - keep), (el) => appendTop(svg, el))
  }

  function sendToBack() {
    const els = selection()
    const shapes = topShapes()
    let keep = 0
    while (keep < els.length && shapes[keep] === els[keep]) keep++
    const moving = els.slice(keep)
    // Each goes right after the ones already at the back, keeping their order.
    let after = keep ? els[keep - 1] : null
    reorder('back', moving, (el) => {
      const next = after ? after.nextElementSibling : svg.firstElementChild
      if (next !== el) svg.insertBefore(el, next)
      after = el
    })
  }

  function group() {
    const els = selection()
    if (els.length < 2) return
    const g = document.createElementNS(SVG_NS, 'g')
    g.setAttribute('id', newId())
    const children = els.map((el) => ({ id: el.id, pos: positionOf(el) }))
    const last = els[els.length - 1]
    svg.insertBefore(g, last.nextSibling)
    for (const el of els) g.appendChild(el)
    const op = {
      label: 'group',
      undo() {
        const node = byId(g.id)
        if (!node) return false
        for (const c of [...children].reverse()) {
          const el = byId(c.id)
          if (el && el.parentNode === node) place(el, c.pos)
        }
        op.pos = positionOf(node)
        op.node = node
        node.remove()
        return true
      },
      redo() {
        const members = children.map((c) => byId(c.id)).filter((el) => el && el.parentNode === svg)
        if (!members.length) return false
        place(op.node, op.pos)
        for (const el of members) op.node.appendChild(el)
        return true
      },
    }
    record(op)
    select([g])
  }

  /** A transform list as one matrix, written as an attribute value (null: none). */
  function matrixText(m) {
    if (m.isIdentity) return null
    return `matrix(${[m.a, m.b, m.c, m.d, m.e, m.f].map((v) => Math.round(v * 10000) / 10000).join(' ')})`
  }

  function ungroup() {
    const groups = selection().filter((el) => el instanceof SVGGElement)
    if (!groups.length) return
    const freed = []
    const ops = []
    for (const g of groups) {
      const pos = positionOf(g)
      const gm = listMatrix(g.transform.baseVal, 0)
      const children = [...g.children].filter(isShape).map((el) => {
        const before = el.getAttribute('transform')
        // The group's transform moves onto each shape, so nothing moves on screen.
        const after = gm.isIdentity ? before : matrixText(gm.multiply(listMatrix(el.transform.baseVal, 0)))
        return { id: el.id, el, before, after }
      })
      for (const c of children) {
        if (c.after !== c.before) writeAttrs(c.el, { transform: c.after })
        svg.insertBefore(c.el, g)
        freed.push(c.el)
      }
      g.remove()
      ops.push({ id: g.id, node: g, pos, children })
    }
    const op = {
      label: 'ungroup',
      undo() {
        let found = false
        for (const u of [...ops].reverse()) {
          const members = u.children.map((c) => ({ c, el: byId(c.id) })).filter((x) => x.el && x.el.parentNode === svg)
          if (!members.length) continue
          place(u.node, u.pos)
          for (const { c, el } of members) {
            writeAttrs(el, { transform: c.before })
            u.node.appendChild(el)
          }
          found = true
        }
        return found
      },
      redo() {
        let found = false
        for (const u of ops) {
          const g = byId(u.id)
          if (!g) continue
          u.pos = positionOf(g)
          for (const c of u.children) {
            const el = byId(c.id)
            if (!el || el.parentNode !== g) continue
            writeAttrs(el, { transform: c.after })
            svg.insertBefore(el, g)
          }
          g.remove()
          u.node = g
          found = true
        }
        return found
      },
    }
    record(op)
    select(freed)
  }

  function restyle(name, value) {
    const changes = []
    for (const top of selection()) {
      for (const el of leaves(top)) {
        if (!el.id) continue
        if (name === 'fill' && /^(line|polyline|path)$/.test(el.localName)) continue
        if (name !== 'fill' && el.localName === 'text') continue
        const before = el.getAttribute(name)
        if (before === value) continue
        el.setAttribute(name, value)
        changes.push({ id: el.id, before: { [name]: before }, after: { [name]: value } })
      }
    }
    if (changes.length) record(attrsOp(`set ${name}`, changes))
  }

  function retext(value) {
    const changes = []
    for (const el of selection()) {
      if (!(el instanceof SVGTextElement) || el.textContent === value) continue
      changes.push({ id: el.id, before: { '#text': el.textContent }, after: { '#text': value } })
      el.textContent = value
    }
    if (changes.length) record(attrsOp('text', changes))
  }

  const actions = {
    delete: () => deleteShapes('delete', selection()),
    clear: () => deleteShapes('clear', topShapes()),
    front: bringToFront,
    back: sendToBack,
    group,
    ungroup,
    undo,
    redo,
  }
  function run(action) {
    finishPolyline()
    actions[action]?.()
    refresh()
  }

  toolbar.addEventListener('click', (e) => {
    const button = e.target.closest('button')
    if (!button || button.disabled) return
    if (button.dataset.tool) setTool(button.dataset.tool)
    else if (button.dataset.action) run(button.dataset.action)
  })

  toolbar.addEventListener('change', (e) => {
    const name = e.target.dataset?.field
    if (name === 'fill' || name === 'fill-none') restyle('fill', field('fill-none').checked ? 'none' : field('fill').value)
    else if (name === 'stroke') restyle('stroke', field('stroke').value)
    else if (name === 'stroke-width') {
      const width = Number(field('stroke-width').value)
      if (Number.isFinite(width) && width >= 0) restyle('stroke-width', String(width))
    } else if (name === 'text') retext(field('text').value)
  })

  const TOOL_KEYS = { v: 'select', r: 'rect', u: 'roundrect', e: 'ellipse', l: 'line', p: 'polyline', f: 'path', t: 'text' }
  const ARROWS = { arrowleft: [-1, 0], arrowright: [1, 0], arrowup: [0, -1], arrowdown: [0, 1] }

  /** Arrow keys move the selection by 1 (Shift: 10), one undoable step per press. */
  function nudge(dx, dy) {
    const items = selection().map((el) => ({ el, id: el.id, before: readAttrs(el, ['transform']) }))
    for (const { el } of items) {
      const t = translateItem(el)
      t.setTranslate(r2(t.matrix.e + dx), r2(t.matrix.f + dy))
    }
    commitAttrs('move', items, ['transform'])
  }

  document.addEventListener('keydown', (e) => {
    const typing = e.target instanceof HTMLInputElement && e.target.type !== 'checkbox' && e.target.type !== 'color'
    if (typing) return
    // Enter and Space on a focused button press it.
    if (e.target instanceof HTMLButtonElement && (e.key === 'Enter' || e.key === ' ')) return
    const mod = e.ctrlKey || e.metaKey // Ctrl, or Cmd on a Mac
    const key = e.key.toLowerCase()
    let handled = true
    if (mod && key === 'z') run(e.shiftKey ? 'redo' : 'undo')
    else if (mod && key === 'y') run('redo')
    else if (mod && key === 'g') run(e.shiftKey ? 'ungroup' : 'group')
    else if (mod && key === 'a') select(topShapes())
    else if (mod) handled = false
    else if (key === 'delete' || key === 'backspace') run('delete')
    else if (key === 'escape') {
      finishPolyline()
      select([])
    } else if (key === 'enter') finishPolyline()
    else if (ARROWS[key] && selection().length) nudge(ARROWS[key][0] * (e.shiftKey ? 10 : 1), ARROWS[key][1] * (e.shiftKey ? 10 : 1))
    else if (key === ']') run('front')
    else if (key === '[') run('back')
    else if (TOOL_KEYS[key] && !e.altKey) setTool(TOOL_KEYS[key])
    else handled = false
    if (handled) e.preventDefault()
  })

  setTool('select')
  refresh()

  // For people poking around in the console. The drawing itself is the DOM.
  window.whiteboardApp = Object.freeze({
    canvas: svg,
    undo,
    redo,
    history: () => ({ undo: undoStack.map((op) => op.label), redo: redoStack.map((op) => op.label) }),
  })
})()
