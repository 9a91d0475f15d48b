import * as Y from 'yjs'
import { elementKey } from './names.js'
import { ignoredAttrs, isSynced, syncedAttrs } from './filter.js'
import { textOfType } from './build.js'
import { isInternalKey } from './names.js'

/**
 * A canonical serialization of what an island shares: namespaced names as the binding keys them,
 * attributes sorted, local-only nodes and attributes left out, every text node delimited. Two
 * islands show the same shared content exactly when their canonical forms are equal.
 */
export function canonicalDom(root: Element): string {
  return `<#island${attrsToString(syncedAttrs(root, ignoredAttrs(root, root)))}>${childrenOf(root, root)}</#island>`
}

function childrenOf(parent: Node, root: Element): string {
  let out = ''
  for (let c = parent.firstChild; c !== null; c = c.nextSibling) {
    if (!isSynced(c)) continue
    if (c.nodeType === 3) out += `"${escape((c as Text).data)}"`
    else {
      const el = c as Element
      const key = elementKey(el)
      out += `<${key}${attrsToString(syncedAttrs(el, ignoredAttrs(el, root)))}>${childrenOf(el, root)}</${key}>`
    }
  }
  return out
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
