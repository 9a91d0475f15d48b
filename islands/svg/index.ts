/**
 * The `svg` island kind. Editors move, resize and rotate shapes through the SVG DOM
 * (`transform.baseVal`, `x.baseVal.value`, point lists), which changes attributes without any
 * MutationObserver record in Chromium. After input, and on every tick while a pointer is down,
 * the island's SVG attributes are compared with the doc (changed.ts). Not by wrapping the SVG
 * DOM's setters (the accessor hooks kinds get): a write through a list item or a matrix
 * (`points.getItem(0).x = 3`, `getItem(0).matrix.e = 5`) lands on an object that cannot say
 * which element it belongs to, so a wrap would know that something moved but not what.
 */

import type { IslandKind, KindHooks, KindHost } from '../../src/index.js'
import { changedSvgElements, SVG_NS } from './changed.js'

const INPUT_EVENTS = ['pointerup', 'pointercancel', 'keydown', 'keyup', 'wheel', 'click', 'touchend'] as const
// One rescan per frame of a drag at 60 Hz.
const DRAG_TICK_MS = 16

export const svgKind: IslandKind = {
  name: 'svg',
  // Inline SVG may stand in any island (an article, a slide), moved through the SVG DOM all the
  // same: every island gets the rescan, which looks at SVG elements only.
  matches: () => true,
  profile: (island) => (island.namespaceURI === SVG_NS ? 'svg' : undefined),
  attach: (host) => attachSvg(host),
}

function attachSvg(host: KindHost): KindHooks {
  const doc = host.root.ownerDocument
  const { clock } = host
  let dragTimer: unknown = null
  let rescanTimer: unknown = null

  const stopDrag = (): void => {
    if (dragTimer !== null) clock.clearTimeout(dragTimer)
    dragTimer = null
  }
  const onPointerDown = (): void => {
    if (dragTimer !== null) return
    const tick = (): void => {
      dragTimer = clock.setTimeout(tick, DRAG_TICK_MS)
      host.rescan()
    }
    dragTimer = clock.setTimeout(tick, DRAG_TICK_MS)
  }
  const onInput = (event: Event): void => {
    if (event.type === 'pointerup' || event.type === 'pointercancel') stopDrag()
    // After the page's own handlers for this event have run.
    if (rescanTimer !== null) return
    rescanTimer = clock.setTimeout(() => {
      rescanTimer = null
      host.rescan()
    }, 0)
  }

  doc.addEventListener('pointerdown', onPointerDown, true)
  for (const type of INPUT_EVENTS) doc.addEventListener(type, onInput, true)
  return {
    rescan: () => host.markChanged(changedSvgElements(host)),
    // Mid-drag, the shape under the pointer has moved since the last tick: send that first.
    beforeRemoteApply: () => {
      if (dragTimer !== null) host.markChanged(changedSvgElements(host))
    },
    stop: () => {
      doc.removeEventListener('pointerdown', onPointerDown, true)
      for (const type of INPUT_EVENTS) doc.removeEventListener(type, onInput, true)
      stopDrag()
      if (rescanTimer !== null) clock.clearTimeout(rescanTimer)
      rescanTimer = null
    },
  }
}
