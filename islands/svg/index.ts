/**
 * The `svg` island kind. Editors move, resize and rotate shapes through the SVG DOM
 * (`transform.baseVal`, `x.baseVal.value`, point lists), which changes attributes without any
 * MutationObserver record in Chromium. The kind wraps the SVG DOM instead (writes.ts): the
 * getters that lead from an element to the objects a write lands on (`el.x`, `.baseVal`,
 * `getItem(0)`, `.matrix`) note which element each belongs to, and the write side notes that
 * element as written. While a pointer is down, a tick every 16 ms compares the written elements
 * with the doc (and does nothing at all when nothing was written), so a drag costs what it
 * changes, not what the drawing holds; after other input, the same. A write whose element is
 * unknown (an object the page reached before the hooks were installed: a bookmarklet arrives
 * late) is caught by comparing the elements touched during the drag, then by one rescan of the
 * whole island when the drag ends (or after the input).
 */

import type { IslandKind, KindHooks, KindHost } from '../../src/index.js'
import { attributesDiffer, changedSvgElements, SVG_NS } from './changed.js'
import { trackSvgWrites } from './writes.js'

const INPUT_EVENTS = ['pointerup', 'pointercancel', 'keydown', 'keyup', 'wheel', 'click', 'touchend'] as const
// One look per frame of a drag at 60 Hz.
const DRAG_TICK_MS = 16

export interface SvgKindOptions {
  /** Called for each element compared with the doc (tests count them: a drag compares what it touched). */
  compared?: (el: Element) => void
}

/** The svg kind, with options (the package registers `svgKind`, which has none). */
export function createSvgKind(options: SvgKindOptions = {}): IslandKind {
  return {
    name: 'svg',
    // Inline SVG may stand in any island (an article, a slide), moved through the SVG DOM all the
    // same: every island gets the kind, which looks at SVG elements only.
    matches: () => true,
    profile: (island) => (island.namespaceURI === SVG_NS ? 'svg' : undefined),
    attach: (host) => attachSvg(host, options),
  }
}

export const svgKind: IslandKind = createSvgKind()

function attachSvg(host: KindHost, options: SvgKindOptions): KindHooks {
  const { root, clock } = host
  const doc = root.ownerDocument
  const compared = options.compared
  // Null in a window with no SVG DOM: then nothing writes through one, and `rescan` is all there is.
  const writes = trackSvgWrites(doc, host.accessors)
  let dragTimer: unknown = null
  let inputTimer: unknown = null
  /** A write landed on an object of unknown element since the last whole-island rescan. */
  let wholePending = false

  /** Marks the island's elements written through the SVG DOM since the last look; whether any. */
  const markWritten = (): boolean => {
    if (!writes || (!writes.unattributed && writes.written.size === 0)) return false
    const candidates = writes.unattributed ? new Set([...writes.written, ...writes.touched]) : writes.written
    wholePending ||= writes.unattributed
    writes.take()
    const changed: Element[] = []
    for (const el of candidates) {
      if (el.namespaceURI !== SVG_NS || !(el === root || root.contains(el))) continue
      compared?.(el)
      if (el === root || attributesDiffer(host, el)) changed.push(el)
    }
    host.markChanged(changed)
    return changed.length > 0
  }
  const markWhole = (): void => {
    wholePending = false
    writes?.take()
    host.markChanged(changedSvgElements(host, compared))
  }
  const stopDrag = (): void => {
    if (dragTimer !== null) clock.clearTimeout(dragTimer)
    dragTimer = null
    if (writes) {
      writes.touching = false
      writes.touched.clear()
    }
  }
  const onPointerDown = (): void => {
    if (!writes || dragTimer !== null) return
    writes.touching = true
    const tick = (): void => {
      dragTimer = clock.setTimeout(tick, DRAG_TICK_MS)
      if (markWritten()) host.commit()
    }
    dragTimer = clock.setTimeout(tick, DRAG_TICK_MS)
  }
  const afterInput = (): void => {
    inputTimer = null
    let marked = markWritten()
    if (wholePending && dragTimer === null) {
      markWhole()
      marked = true
    }
    if (marked) host.commit()
  }
  const onInput = (event: Event): void => {
    if (event.type === 'pointerup' || event.type === 'pointercancel') {
      // The last moves' writes, while the elements touched in the drag are still known.
      markWritten()
      stopDrag()
    }
    // After the page's own handlers for this event have run.
    if (writes && inputTimer === null) inputTimer = clock.setTimeout(afterInput, 0)
  }

  doc.addEventListener('pointerdown', onPointerDown, true)
  for (const type of INPUT_EVENTS) doc.addEventListener(type, onInput, true)
  return {
    rescan: markWhole,
    // The shape under the pointer may have moved since the last tick: send that first.
    beforeRemoteApply: markWritten,
    stop: () => {
      doc.removeEventListener('pointerdown', onPointerDown, true)
      for (const type of INPUT_EVENTS) doc.removeEventListener(type, onInput, true)
      stopDrag()
      if (inputTimer !== null) clock.clearTimeout(inputTimer)
      inputTimer = null
      writes?.stop()
    },
  }
}
