/**
 * Points and carets anchored to content, and back: a pointer lands on the same spot of the same
 * content whatever the window's size, zoom or scroll, and follows the content when it reflows.
 * Over text, the character under the pointer (caretRangeFromPoint) and the point's place in
 * that character's box; over SVG, the point in the `<svg>`'s user units (inverse screen CTM);
 * elsewhere, the nearest shared element and the point's place in its box.
 */
import type { PresenceFocus, PresencePointer } from '../../src/protocol/presence.js'
import { charIndex, charRef, typeRef } from './ids.js'
import { nodeOf, typeOf } from './kind.js'

const SVG_NS = 'http://www.w3.org/2000/svg'

export interface Point {
  x: number
  y: number
}

/** Islands by name, as the session has them (only their elements are needed here). */
export type IslandsView = ReadonlyMap<string, { element: Element }>

/** The island (name and element) that holds `node`, if any. */
export function islandOf(islands: IslandsView, node: Node | null): { name: string; root: Element } | undefined {
  const el = node && (node.nodeType === 1 ? (node as Element) : node.parentElement)
  const root = el?.closest('[data-sync-island]')
  if (!root) return undefined
  const name = root.getAttribute('data-sync-island') ?? ''
  return islands.get(name)?.element === root ? { name, root } : undefined
}

/** The item id of `el` (undefined: the island element itself, or not shared). */
const elRef = (root: Element, el: Element): string | undefined => (el === root ? undefined : typeRef(typeOf(root, el)))

/** The nearest element at or above `el` in the island that is shared, or the island element. */
function sharedAncestor(root: Element, el: Element): Element {
  for (let e: Element | null = el; e && e !== root; e = e.parentElement) if (typeRef(typeOf(root, e)) !== undefined) return e
  return root
}

/** A point through an SVG matrix (no DOMPoint: not every DOM has one). */
const apply = (m: DOMMatrixReadOnly, p: Point): Point => ({ x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f })

const clamp01 = (n: number): number => (n < 0 ? 0 : n > 1 ? 1 : Number.isFinite(n) ? n : 0)
const inside = (r: DOMRect, p: Point): boolean => p.x >= r.left && p.x <= r.right && p.y >= r.top && p.y <= r.bottom && r.width > 0

function charRect(doc: Document, text: Text, i: number): DOMRect | undefined {
  if (i < 0 || i >= text.length) return undefined
  const range = doc.createRange()
  range.setStart(text, i)
  range.setEnd(text, i + 1)
  const rects = range.getClientRects()
  return rects.length ? rects[0] : undefined
}

function caretAt(doc: Document, p: Point): { node: Node; offset: number } | undefined {
  const d = doc as Document & { caretRangeFromPoint?(x: number, y: number): Range | null; caretPositionFromPoint?(x: number, y: number): { offsetNode: Node; offset: number } | null }
  if (d.caretRangeFromPoint) {
    const r = d.caretRangeFromPoint(p.x, p.y)
    return r ? { node: r.startContainer, offset: r.startOffset } : undefined
  }
  const c = d.caretPositionFromPoint?.(p.x, p.y)
  return c ? { node: c.offsetNode, offset: c.offset } : undefined
}

/** What is under the client point `p`, anchored; undefined outside every island. */
export function pointerAt(doc: Document, islands: IslandsView, p: Point, target?: Element | null): PresencePointer | undefined {
  const hit = target ?? doc.elementFromPoint(p.x, p.y)
  const where = islandOf(islands, hit)
  if (!where || !hit) return undefined
  const { name: island, root } = where
  // `data-sync-pointer="box"`: the page wants pointers over this element anchored to its box (a
  // slide: the same spot of the slide in every window, where the character under a pointer may
  // sit a few pixels apart in windows of different sizes, text advances not scaling exactly).
  const pinned = hit.closest('[data-sync-pointer="box"]')
  if (pinned && root.contains(pinned)) {
    const el = elRef(root, pinned)
    if (el !== undefined || pinned === root) {
      const r = pinned.getBoundingClientRect()
      return { island, at: 'box', ...(el && { el }), fx: clamp01((p.x - r.left) / (r.width || 1)), fy: clamp01((p.y - r.top) / (r.height || 1)) }
    }
  }
  if (hit.namespaceURI === SVG_NS) {
    const svg = (hit.localName === 'svg' ? hit : hit.closest('svg')) as SVGSVGElement | null
    const ctm = svg?.getScreenCTM?.()
    if (svg && ctm && root.contains(svg)) {
      const u = apply(ctm.inverse(), p)
      const el = elRef(root, svg)
      return { island, at: 'svg', ...(el && { el }), x: u.x, y: u.y }
    }
  }
  const caret = caretAt(doc, p)
  if (caret && caret.node.nodeType === 3 && root.contains(caret.node)) {
    const text = caret.node as Text
    const type = typeOf(root, text)
    if (type !== undefined) {
      for (const i of [caret.offset, caret.offset - 1]) {
        const r = charRect(doc, text, i)
        const pos = r && inside(r, p) ? charRef(type, i) : undefined
        if (r && pos && !pos.endsWith('+')) return { island, at: 'text', pos, fx: clamp01((p.x - r.left) / r.width), fy: clamp01((p.y - r.top) / r.height) }
      }
    }
  }
  const box = sharedAncestor(root, hit)
  const r = box.getBoundingClientRect()
  const el = elRef(root, box)
  return { island, at: 'box', ...(el && { el }), fx: clamp01((p.x - r.left) / (r.width || 1)), fy: clamp01((p.y - r.top) / (r.height || 1)) }
}

/** The element an item id names in island `root` (undefined id: the island element). */
export function elementOf(root: Element, ref: string | undefined): Element | undefined {
  if (ref === undefined) return root
  const n = nodeOf(root, ref)
  return n && n.nodeType === 1 ? (n as Element) : undefined
}

/** A text position (`client:clock[+]`) in island `root`, as a DOM (text node, offset). */
export function textPosition(root: Element, pos: string): { node: Text; offset: number } | undefined {
  // Drawn every frame: the text that held this character last time is asked first.
  const last = lastText.get(pos)
  if (last && last.isConnected && root.contains(last)) {
    const i = charIndex(typeOf(root, last), pos)
    if (i !== undefined) return { node: last, offset: Math.min(i, last.length) }
  }
  for (const text of textNodes(root)) {
    const i = charIndex(typeOf(root, text), pos)
    if (i === undefined) continue
    if (lastText.size > 256) lastText.clear()
    lastText.set(pos, text)
    return { node: text, offset: Math.min(i, text.length) }
  }
  return undefined
}
const lastText = new Map<string, Text>()

function* textNodes(root: Element): Generator<Text> {
  const walker = root.ownerDocument.createTreeWalker(root, 4 /* text */)
  for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) if (typeOf(root, n) !== undefined) yield n as Text
}

/** Where a peer's pointer is on this page, in client coordinates; undefined when not here. */
export function pointerPoint(doc: Document, islands: IslandsView, p: PresencePointer): Point | undefined {
  const root = islands.get(p.island)?.element
  if (!root) return undefined
  if (p.at === 'text') {
    const at = textPosition(root, p.pos)
    const r = at && charRect(doc, at.node, at.offset)
    return r ? { x: r.left + p.fx * r.width, y: r.top + p.fy * r.height } : undefined
  }
  const el = elementOf(root, p.el)
  if (!el) return undefined
  if (p.at === 'svg') {
    const ctm = (el as SVGSVGElement).getScreenCTM?.()
    if (!ctm) return undefined
    return apply(ctm, p)
  }
  const r = el.getBoundingClientRect()
  // Not rendered here (hidden: another slide): not drawn.
  if (r.width === 0 && r.height === 0) return undefined
  return { x: r.left + p.fx * r.width, y: r.top + p.fy * r.height }
}

/** A DOM selection point as a text position, when it is in shared text of island `root`. */
export function positionRef(root: Element, node: Node, offset: number): string | undefined {
  if (node.nodeType !== 3) {
    // Between children: the start of the child after, or the end of the one before.
    const after = node.childNodes[offset]
    const before = node.childNodes[offset - 1]
    if (after?.nodeType === 3) return positionRef(root, after, 0)
    if (before?.nodeType === 3) return positionRef(root, before, (before as Text).length)
    return undefined
  }
  const type = typeOf(root, node)
  return type === undefined ? undefined : charRef(type, offset)
}

/** The client rectangles of a peer's selection, and its caret (the head) as a rectangle. */
/** Where offset `i` of a text field's value is drawn (Layer.measure). */
export type MeasureField = (field: HTMLInputElement | HTMLTextAreaElement, i: number) => DOMRect | undefined

export function focusRects(doc: Document, islands: IslandsView, f: PresenceFocus, measure?: MeasureField): { box?: DOMRect; range: DOMRect[]; caret?: DOMRect } {
  const root = islands.get(f.island)?.element
  const out: { box?: DOMRect; range: DOMRect[]; caret?: DOMRect } = { range: [] }
  if (!root) return out
  const focused = f.el === undefined ? undefined : elementOf(root, f.el)
  if (focused) out.box = focused.getBoundingClientRect()
  if (focused && measure && f.end !== undefined && (focused.localName === 'input' || focused.localName === 'textarea')) {
    const field = focused as HTMLInputElement
    out.caret = measure(field, f.end)
    const from = f.start === undefined || f.start === f.end ? undefined : measure(field, f.start)
    // One line: the selection between the two carets (several lines of a textarea: the caret only).
    if (from && out.caret && Math.abs(from.top - out.caret.top) < 1) out.range = [new DOMRect(from.left, from.top, out.caret.left - from.left, from.height)]
    return out
  }
  const head = f.head === undefined ? undefined : textPosition(root, f.head)
  if (!head) return out
  const anchor = (f.anchor === undefined ? undefined : textPosition(root, f.anchor)) ?? head
  const range = doc.createRange()
  range.setStart(anchor.node, anchor.offset)
  range.setEnd(anchor.node, anchor.offset)
  const backwards = anchor.node.compareDocumentPosition(head.node) & 2 || (anchor.node === head.node && head.offset < anchor.offset)
  if (backwards) range.setStart(head.node, head.offset)
  else range.setEnd(head.node, head.offset)
  if (!range.collapsed) out.range = Array.from(range.getClientRects()).filter((r) => r.width > 0)
  out.caret = caretRect(doc, head.node, head.offset)
  return out
}

/** A caret's rectangle: the left edge of the character after it, else the right edge of the one before. */
function caretRect(doc: Document, text: Text, offset: number): DOMRect | undefined {
  const next = charRect(doc, text, offset)
  if (next && text.data[offset] !== '\n') return new DOMRect(next.left, next.top, 0, next.height)
  const prev = charRect(doc, text, offset - 1)
  if (prev) return new DOMRect(prev.right, prev.top, 0, prev.height)
  return undefined
}
