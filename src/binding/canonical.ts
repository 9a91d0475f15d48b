import * as Y from 'yjs'
import { elementKey } from './names.js'
import { ignoredAttrs, isSynced, syncedAttrs } from './filter.js'
import { textOfType } from './build.js'
import { isInternalKey } from './names.js'
import { ISLAND_KEY, type RenderFilter } from './context.js'

/**
 * A canonical serialization of what an island shares (through `filter`, the island's policy,
 * when given): namespaced names as the binding keys them,
 * attributes sorted, local-only nodes and attributes left out, every text node delimited. Two
 * islands show the same shared content exactly when their canonical forms are equal.
 */
export function canonicalDom(root: Element, filter?: RenderFilter): string {
  return `<#island${attrsToString(attrsOf(root, root, ISLAND_KEY, filter))}>${childrenOf(root, root, filter)}</#island>`
}

function childrenOf(parent: Node, root: Element, filter: RenderFilter | undefined): string {
  let out = ''
  const parentKey = elementKey(parent as Element)
  for (let c = parent.firstChild; c !== null; c = c.nextSibling) {
    if (!isSynced(c)) continue
    if (c.nodeType === 3) out += `"${escape((c as Text).data)}"`
    else {
      const el = c as Element
      const key = elementKey(el)
      if (filter && filter.element(key, parentKey) !== true) continue
      out += `<${key}${attrsToString(attrsOf(el, root, key, filter))}>${childrenOf(el, root, filter)}</${key}>`
    }
  }
  return out
}

/** With a filter: only what it would share (a page's own unsafe or malformed attributes stay local). */
function attrsOf(el: Element, root: Element, key: string, filter: RenderFilter | undefined): Map<string, string> {
  const attrs = syncedAttrs(el, ignoredAttrs(el, root))
  if (filter) for (const [k, v] of attrs) if (filter.attribute(key, k, v) !== true) attrs.delete(k)
  return attrs
}

/** The same form, read from a doc (what the doc says the island is, before any policy). */
export function canonicalDoc(doc: Y.Doc): string {
  const attrs = new Map(Object.entries(doc.getMap<string>('attrs').toJSON() as Record<string, string>))
  return `<#island${attrsToString(attrs)}>${typesToString(doc.getXmlFragment('island').toArray())}</#island>`
}

function typesToString(types: ReadonlyArray<unknown>): string {
  let out = ''
  for (const t of types) {
    if (t instanceof Y.XmlText) out += `"${escape(textOfType(t))}"`
    else if (t instanceof Y.XmlElement) {
      const attrs = new Map<string, string>()
      for (const [k, v] of Object.entries(t.getAttributes() as Record<string, unknown>)) {
        if (!isInternalKey(k) && typeof v === 'string') attrs.set(k, v)
      }
      out += `<${t.nodeName}${attrsToString(attrs)}>${typesToString(t.toArray())}</${t.nodeName}>`
    }
  }
  return out
}

function attrsToString(attrs: Map<string, string>): string {
  return [...attrs.keys()]
    .sort()
    .map((k) => ` ${k}="${escape(attrs.get(k)!)}"`)
    .join('')
}

const escape = (s: string): string => s.replace(/[\\"<>&]/g, (c) => `\\${c}`)

/**
 * The client id an island's initial content is written under: a 32-bit FNV-1a hash of its
 * canonical form, which determines exactly the Yjs items that seeding writes (same nodes, same
 * sorted attributes, same text-node boundaries), so equal pages write equal items.
 */
export function seedClientId(root: Element): number {
  const s = canonicalDom(root)
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  // Never 0: keep clear of ids a test might pick by hand.
  return h >>> 0 || 1
}
