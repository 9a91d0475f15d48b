import { attrKey } from './names.js'

/**
 * What of the DOM is shared. Authoring attributes (`data-sync-*`) are always local;
 * `data-sync-ignore` keeps an element's whole subtree local; `data-sync-ignore-attrs="a b"`
 * keeps the named attributes local on that element and its descendants.
 */

export const ATTR_ISLAND = 'data-sync-island'
export const ATTR_IGNORE = 'data-sync-ignore'
export const ATTR_IGNORE_ATTRS = 'data-sync-ignore-attrs'
export const AUTHORING_PREFIX = 'data-sync-'

const ELEMENT = 1
const TEXT = 3

/**
 * Elements and text nodes are shared; comments and the like stay local, and so do ignored
 * subtrees and islands nested in an island (each island is its own doc).
 */
export function isSynced(node: Node): boolean {
  if (node.nodeType === TEXT) return true
  if (node.nodeType !== ELEMENT) return false
  const el = node as Element
  return !el.hasAttribute(ATTR_IGNORE) && !el.hasAttribute(ATTR_ISLAND)
}

/** Attribute names an island's kinds keep local on an element and its descendants (src/island/kinds.ts). */
export type LocalAttributes = (el: Element) => Iterable<string> | null

// Per island element, so every question below about what stays local (capture, patch, adopt,
// the canonical form tests compare) hears the kinds as it hears data-sync-ignore-attrs.
const kindLocals = new WeakMap<Element, LocalAttributes>()

export function setLocalAttributes(root: Element, local: LocalAttributes | null): void {
  if (local) kindLocals.set(root, local)
  else kindLocals.delete(root)
}

/** Attribute names kept local on `el`, from it and its ancestors up to the island root. */
export function ignoredAttrs(el: Element, root: Element): Set<string> | null {
  let out: Set<string> | null = null
  const local = kindLocals.get(root)
  for (let e: Element | null = el; e !== null; e = e === root ? null : e.parentElement) {
    const list = e.getAttribute(ATTR_IGNORE_ATTRS)
    if (list) out = addNames(out ?? new Set(), list)
    if (local) out = addAll(out, local(e))
  }
  return out
}

function addAll(into: Set<string> | null, names: Iterable<string> | null): Set<string> | null {
  if (names === null) return into
  for (const name of names) (into ??= new Set()).add(name)
  return into
}

function addNames(into: Set<string>, list: string): Set<string> {
  for (const name of list.split(/\s+/)) if (name) into.add(name)
  return into
}

/**
 * Attribute names kept local on `el`, given those kept local on its parent: what
 * `ignoredAttrs` gives, without walking the ancestors again for each node of a subtree.
 */
export function ignoredBelow(el: Element, parentIgnored: Set<string> | null, root: Element): Set<string> | null {
  const list = el.getAttribute(ATTR_IGNORE_ATTRS)
  const out = list ? addNames(new Set(parentIgnored), list) : parentIgnored
  const local = kindLocals.get(root)?.(el) ?? null
  return local === null ? out : addAll(new Set(out), local)
}

/** The shared attributes of `el` as key -> value (keys as in names.ts). */
export function syncedAttrs(el: Element, ignored: Set<string> | null): Map<string, string> {
  const out = new Map<string, string>()
  const attrs = el.attributes
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i]!
    if (a.name.startsWith(AUTHORING_PREFIX) || ignored?.has(a.name)) continue
    const key = attrKey(a)
    if (key !== null) out.set(key, a.value)
  }
  return out
}

/** Whether an attribute key may be written to this element by a remote peer. */
export function isAttrKeyLocal(key: string, ignored: Set<string> | null): boolean {
  return key.startsWith(AUTHORING_PREFIX) || (ignored !== null && ignored.has(key))
}
