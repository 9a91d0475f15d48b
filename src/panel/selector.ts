/**
 * A CSS selector naming a picked element, so that what a person picked on one page names the same
 * element on a colleague's copy of the page, and an excluded piece of transient UI (a selection
 * outline redrawn on every change) stays excluded when the app makes it anew.
 */

const esc = (s: string): string => (typeof CSS !== 'undefined' && CSS.escape ? CSS.escape(s) : s.replace(/[^\w-]/g, (c) => `\\${c}`))

/** The element's own part: `#id` when its id is unique in `scope`, else `tag.class.class`. */
function ownPart(el: Element, scope: ParentNode): string {
  if (el.id && scope.querySelectorAll(`#${esc(el.id)}`).length === 1) return `#${esc(el.id)}`
  let part = esc(el.localName)
  for (const c of Array.from(el.classList)) part += `.${esc(c)}`
  return part
}

/**
 * A selector for `el` that is unique in the document: its id, or its tag and classes, prefixed
 * with its parent's selector (and `:nth-of-type`) until it is.
 */
export function uniqueSelector(el: Element): string {
  const doc = el.ownerDocument
  let sel = ownPart(el, doc)
  let node: Element = el
  while (doc.querySelectorAll(sel).length > 1 && node.parentElement) {
    const parent: Element = node.parentElement
    const same = Array.from(parent.children).filter((c) => c.localName === node.localName)
    const first = sel.split(' > ')[0]!
    if (same.length > 1 && !first.includes(':nth-of-type')) {
      sel = [`${first}:nth-of-type(${same.indexOf(node) + 1})`, ...sel.split(' > ').slice(1)].join(' > ')
      if (doc.querySelectorAll(sel).length === 1) break
    }
    sel = `${ownPart(parent, doc)} > ${sel}`
    node = parent
  }
  return sel
}

/**
 * A selector for what `el` is inside `island`: its id, else its tag and classes, which also name
 * its look-alikes made later (the next selection outline, every resize handle).
 */
export function kindSelector(el: Element, island: Element): string {
  return ownPart(el, island)
}

/** Whether `selector` parses. */
export function validSelector(doc: Document, selector: string): boolean {
  try {
    doc.createDocumentFragment().querySelector(selector)
    return true
  } catch {
    return false
  }
}
