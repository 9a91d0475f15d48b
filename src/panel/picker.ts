/**
 * Picking an element with the pointer, as the original bookmarklet did: a box follows the
 * element under the pointer, a click takes it, Escape cancels. ArrowUp widens the pick to the
 * parent (a click lands on a shape; the island is often its <svg>), ArrowDown narrows it back.
 * While picking, the page sees none of the pointer, mouse, touch and click events (an editor
 * would start drawing), nor the keys used here.
 */
export interface PickOptions {
  /** What is never picked (the panel's own host element). */
  skip: Element
  /** The highlight box and its label (inside the panel's shadow root). */
  box: HTMLElement
  label: HTMLElement
  /** Only elements inside it (not it) may be picked: an excluded piece of the island. */
  within?: Element
  /** What the label says of an element. */
  describe: (el: Element) => string
}

export interface Picking {
  /** The picked element, or null (Escape, or cancelled). */
  readonly done: Promise<Element | null>
  cancel(): void
}

const SWALLOWED = ['pointerdown', 'pointerup', 'mousedown', 'mouseup', 'click', 'dblclick', 'auxclick', 'contextmenu', 'touchstart', 'touchend']

export function pickElement(doc: Document, options: PickOptions): Picking {
  const view = doc.defaultView!
  const { skip, box, label, within } = options
  let current: Element | null = null
  let trail: Element[] = [] // what ArrowUp left, for ArrowDown
  let finish!: (el: Element | null) => void
  const done = new Promise<Element | null>((resolve) => (finish = resolve))

  const allowed = (el: Element | null): el is Element =>
    el !== null && el !== skip && !skip.contains(el) && el !== doc.documentElement && (!within || (el !== within && within.contains(el)))

  const show = (el: Element | null): void => {
    current = el
    if (!el) {
      box.hidden = true
      label.hidden = true
      return
    }
    const r = el.getBoundingClientRect()
    for (const [k, v] of [['left', r.left], ['top', r.top], ['width', r.width], ['height', r.height]] as const) box.style.setProperty(k, `${Math.round(v)}px`)
    box.hidden = false
    label.textContent = options.describe(el)
    label.style.setProperty('left', `${Math.max(0, Math.round(r.left))}px`)
    label.style.setProperty('top', `${Math.max(0, Math.round(r.top) - 22)}px`)
    label.hidden = false
  }

  const ours = (e: Event): boolean => e.composedPath().includes(skip)

  const onMove = (e: MouseEvent): void => {
    if (ours(e)) return
    const target = e.composedPath()[0]
    const el = target instanceof view.Element ? target : doc.elementFromPoint(e.clientX, e.clientY)
    trail = []
    show(allowed(el) ? el : null)
  }

  const onSwallow = (e: Event): void => {
    if (ours(e)) return
    e.preventDefault()
    e.stopImmediatePropagation()
    if (e.type === 'click') {
      const me = e as MouseEvent
      if (!current) {
        const el = doc.elementFromPoint(me.clientX, me.clientY)
        if (allowed(el)) current = el
      }
      if (current) end(current)
    }
  }

  const onKey = (e: KeyboardEvent): void => {
    if (e.key === 'Escape') end(null)
    else if (e.key === 'ArrowUp' && current && allowed(current.parentElement)) {
      trail.push(current)
      show(current.parentElement)
    } else if (e.key === 'ArrowDown' && trail.length) show(trail.pop()!)
    else if (e.key === 'Enter' && current) end(current)
    else return
    e.preventDefault()
    e.stopImmediatePropagation()
  }

  const listen = (add: boolean): void => {
    const method = add ? 'addEventListener' : 'removeEventListener'
    view[method]('mousemove', onMove as EventListener, true)
    for (const type of SWALLOWED) view[method](type, onSwallow, { capture: true, passive: false } as AddEventListenerOptions)
    view[method]('keydown', onKey as EventListener, true)
  }

  function end(el: Element | null): void {
    listen(false)
    show(null)
    finish(el)
  }

  listen(true)
  return { done, cancel: () => end(null) }
}
