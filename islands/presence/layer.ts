/**
 * The layer presence draws in: one element beside <body> (outside every island, so never
 * captured), everything inside its shadow root, `pointer-events: none` throughout (it never
 * takes the page's clicks), fixed to the viewport. Names are set as text and colours (checked
 * `#rrggbb`) as one custom property, so a peer's state can add neither markup nor style.
 * Styles go in through a constructed stylesheet, which a strict `style-src` allows.
 */

export interface Drawn {
  pointer?: { x: number; y: number }
  /** The focused element's box, the selection's rectangles, the caret. */
  box?: DOMRect
  range: DOMRect[]
  caret?: DOMRect
  /** Boxes of what the person selected. */
  select: DOMRect[]
}

export interface DrawnPerson extends Drawn {
  peer: string
  name: string
  color: string
  /** A laser dot instead of an arrow with a name (`data.pointer === 'laser'`). */
  laser: boolean
}

const CSS = `
:host{all:initial;position:fixed;inset:0;pointer-events:none;z-index:2147483647;overflow:hidden;contain:strict}
div{position:absolute;left:0;top:0;pointer-events:none;box-sizing:border-box}
.ptr{width:0;height:0}
.ptr::before{content:"";position:absolute;left:-1px;top:-1px;border-style:solid;border-width:0 0 14px 9px;border-color:transparent transparent transparent var(--c);transform:skewY(12deg)}
.ptr span{position:absolute;left:10px;top:14px;background:var(--c);color:#fff;font:12px/16px system-ui,sans-serif;padding:0 4px;border-radius:3px;white-space:pre;max-width:16em;overflow:hidden;text-overflow:ellipsis}
.laser::before{border:0;width:14px;height:14px;left:-7px;top:-7px;border-radius:50%;background:var(--c);box-shadow:0 0 8px 3px var(--c);opacity:.85;transform:none}
.laser span{display:none}
.box{border:2px solid var(--c);border-radius:3px}
.sel{background:var(--c);opacity:.25}
.caret{width:2px;background:var(--c)}
.measure{visibility:hidden;position:fixed;overflow:hidden;white-space:pre}
`

// What a text field's value is laid out by: copied onto a hidden twin to find where an offset is drawn.
const FIELD_STYLE = ['boxSizing', 'width', 'height', 'paddingTop', 'paddingRight', 'paddingBottom', 'paddingLeft', 'borderTopWidth', 'borderRightWidth', 'borderBottomWidth', 'borderLeftWidth', 'borderStyle', 'fontFamily', 'fontSize', 'fontWeight', 'fontStyle', 'fontStretch', 'fontVariant', 'letterSpacing', 'wordSpacing', 'lineHeight', 'textTransform', 'textIndent', 'tabSize', 'textAlign', 'direction'] as const

export class Layer {
  readonly host: HTMLElement
  private readonly root: ShadowRoot
  private readonly groups = new Map<string, HTMLElement>()

  constructor(doc: Document) {
    this.host = doc.createElement('div')
    this.host.setAttribute('data-sync-presence-layer', '')
    this.host.setAttribute('aria-hidden', 'true')
    // The page's own rules (`div { position: relative }`) beat :host ones: the host's placement
    // is set on it, through the CSSOM (which a strict style-src allows, unlike a style attribute).
    const place = { position: 'fixed', inset: '0', 'pointer-events': 'none', 'z-index': '2147483647', display: 'block', margin: '0', padding: '0', border: '0', width: 'auto', height: 'auto', background: 'none', transform: 'none', opacity: '1', visibility: 'visible' }
    for (const [k, v] of Object.entries(place)) this.host.style.setProperty(k, v, 'important')
    this.root = this.host.attachShadow({ mode: 'open' })
    const View = doc.defaultView as (Window & typeof globalThis) | null
    try {
      const sheet = new View!.CSSStyleSheet()
      sheet.replaceSync(CSS)
      this.root.adoptedStyleSheets = [sheet]
    } catch {
      const style = doc.createElement('style')
      style.textContent = CSS
      this.root.append(style)
    }
    doc.documentElement.appendChild(this.host)
  }

  draw(people: DrawnPerson[]): void {
    const seen = new Set<string>()
    for (const p of people) {
      seen.add(p.peer)
      let g = this.groups.get(p.peer)
      if (!g) {
        g = this.host.ownerDocument.createElement('div')
        this.groups.set(p.peer, g)
        this.root.append(g)
      }
      g.style.setProperty('--c', p.color)
      const boxes: Array<[string, DOMRect]> = [
        ...(p.box ? [['box', p.box] as [string, DOMRect]] : []),
        ...p.select.map((r) => ['box', r] as [string, DOMRect]),
        ...p.range.map((r) => ['sel', r] as [string, DOMRect]),
        ...(p.caret ? [['caret', p.caret] as [string, DOMRect]] : []),
      ]
      // The first child is the pointer (with its name); the boxes follow it.
      const doc = this.host.ownerDocument
      let ptr = g.firstElementChild as HTMLElement | null
      if (!ptr) {
        g.append((ptr = doc.createElement('div')))
        ptr.append(doc.createElement('span'))
      }
      ptr.className = p.laser ? 'ptr laser' : 'ptr'
      ptr.hidden = !p.pointer
      if (p.pointer) ptr.style.transform = `translate(${p.pointer.x}px,${p.pointer.y}px)`
      const label = ptr.firstElementChild!
      if (label.textContent !== p.name) label.textContent = p.name
      const kids = g.children
      let i = 1
      for (const [cls, r] of boxes) {
        let d = kids[i++] as HTMLElement | undefined
        if (!d) g.append((d = doc.createElement('div')))
        d.className = cls
        d.style.transform = `translate(${r.left}px,${r.top}px)`
        d.style.width = `${cls === 'caret' ? 2 : r.width}px`
        d.style.height = `${r.height}px`
      }
      while (kids.length > i) kids[kids.length - 1]!.remove()
    }
    for (const [peer, g] of this.groups) {
      if (seen.has(peer)) continue
      g.remove()
      this.groups.delete(peer)
    }
  }

  remove(): void {
    this.host.remove()
  }

  /**
   * Where offset `i` of a field's value is drawn: a hidden twin of the field (its box and font,
   * the same scroll) holds the value up to `i` and a marker, whose box is the caret's.
   */
  readonly measure = (field: HTMLInputElement | HTMLTextAreaElement, i: number): DOMRect | undefined => {
    const doc = this.host.ownerDocument
    const view = doc.defaultView
    if (!view) return undefined
    const twin = doc.createElement('div')
    twin.className = 'measure'
    const style = view.getComputedStyle(field)
    for (const k of FIELD_STYLE) (twin.style as unknown as Record<string, string>)[k] = style[k]
    const area = field.localName === 'textarea'
    twin.style.whiteSpace = area ? 'pre-wrap' : 'pre'
    twin.style.overflowWrap = area ? 'break-word' : 'normal'
    const r = field.getBoundingClientRect()
    if (!area) {
      // An input centres its one line in its box: a line as tall as the content box does too.
      const px = (k: string): number => parseFloat((style as unknown as Record<string, string>)[k]) || 0
      twin.style.lineHeight = `${r.height - px('paddingTop') - px('paddingBottom') - px('borderTopWidth') - px('borderBottomWidth')}px`
    }
    twin.style.left = `${r.left}px`
    twin.style.top = `${r.top}px`
    const value = field.value
    const at = Math.min(i, value.length)
    twin.textContent = value.slice(0, at)
    const mark = doc.createElement('span')
    mark.textContent = value.slice(at) || '\u200b'
    twin.append(mark)
    this.root.append(twin)
    const m = mark.getClientRects()[0]
    twin.remove()
    if (!m) return undefined
    const x = m.left - field.scrollLeft
    const y = m.top - field.scrollTop
    // Scrolled out of the field's box: not drawn.
    if (x < r.left || x > r.right || y < r.top || y > r.bottom) return undefined
    return new DOMRect(x, y, 0, m.height)
  }

}
