/**
 * The engine's own authoring attributes (README, "Authoring attributes") put on a page that was
 * never written for it: `data-sync-island` on the picked element, `data-sync-ignore-attrs` for
 * the attributes that stay local, `data-sync-ignore` on every element the exclusion selector
 * matches, now and later. Attributes named `data-sync-*` are never shared, and each is put back
 * as it was on `restore()`.
 *
 * Elements made later (an editor's selection outline, drawn anew on each change) are marked by a
 * MutationObserver that observes the island before the session's does, for every kind of record
 * the island's observer takes: Chromium calls observers in the order they were created, and the
 * DOM standard in the order they first became interested in a record of this checkpoint, which
 * for any record inside the island is the order they registered on it. Either way the mark is on
 * the element before the island's observer reads the same records, and it is never sent.
 */
export const ATTR_ISLAND = 'data-sync-island'
export const ATTR_IGNORE = 'data-sync-ignore'
export const ATTR_IGNORE_ATTRS = 'data-sync-ignore-attrs'

export class Marks {
  /** Each attribute we set: its value before (null: absent). */
  private readonly before = new Map<Element, Map<string, string | null>>()
  private readonly observer: MutationObserver
  private readonly excluded: Array<{ island: Element; selector: string }> = []

  constructor(doc: Document) {
    const View = doc.defaultView ?? globalThis
    this.observer = new View.MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'attributes') {
          if (!r.attributeName?.startsWith('data-sync-')) this.check(r.target as Element)
        } else for (const n of Array.from(r.addedNodes)) if (n.nodeType === 1) this.checkTree(n as Element)
      }
    })
  }

  /** Sets an attribute, remembering how it was the first time. */
  set(el: Element, name: string, value: string): void {
    let was = this.before.get(el)
    if (!was) this.before.set(el, (was = new Map()))
    if (!was.has(name)) was.set(name, el.getAttribute(name))
    if (el.getAttribute(name) !== value) el.setAttribute(name, value)
  }

  /** Makes `el` the island `name`. */
  island(el: Element, name: string): void {
    this.set(el, ATTR_ISLAND, name)
  }

  /** Keeps these attribute names local on `island` and below (added to what it had). */
  localAttributes(island: Element, names: string): void {
    const list = new Set([...(island.getAttribute(ATTR_IGNORE_ATTRS) ?? '').split(/\s+/), ...names.split(/[\s,]+/)].filter(Boolean))
    if (list.size) this.set(island, ATTR_IGNORE_ATTRS, [...list].join(' '))
  }

  /** Keeps every element under `island` matching `selector` local, those made later too. */
  exclude(island: Element, selector: string): void {
    this.excluded.push({ island, selector })
    for (const el of Array.from(island.querySelectorAll(selector))) this.set(el, ATTR_IGNORE, '')
    // characterData too, though it marks nothing for it: see the top of this file.
    this.observer.observe(island, { subtree: true, childList: true, attributes: true, characterData: true })
  }

  private matching(el: Element): boolean {
    return this.excluded.some(({ island, selector }) => el !== island && island.contains(el) && el.matches(selector))
  }

  private check(el: Element): void {
    if (this.matching(el)) this.set(el, ATTR_IGNORE, '')
    else if (this.before.get(el)?.get(ATTR_IGNORE) === null && el.hasAttribute(ATTR_IGNORE)) {
      // It matched once and no longer does (an outline turned into a shape): it is the page's again.
      el.removeAttribute(ATTR_IGNORE)
      this.before.get(el)!.delete(ATTR_IGNORE)
    }
  }

  private checkTree(el: Element): void {
    this.check(el)
    for (const { island, selector } of this.excluded) {
      if (!island.contains(el)) continue
      for (const e of Array.from(el.querySelectorAll(selector))) this.set(e, ATTR_IGNORE, '')
    }
  }

  /** Stops watching and puts every attribute back as it was. */
  restore(): void {
    this.observer.disconnect()
    this.excluded.length = 0
    for (const [el, attrs] of this.before) {
      for (const [name, value] of attrs) {
        if (value === null) el.removeAttribute(name)
        else el.setAttribute(name, value)
      }
    }
    this.before.clear()
  }
}
