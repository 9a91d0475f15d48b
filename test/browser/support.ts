import { tick, type TestPeer } from '../helpers/pages.js'

/** Tests in test/browser run only in the chromium project; they rely on what a real browser does. */

/**
 * A real same-origin iframe (about:blank, with a window of its own: Selection, focus, layout) in
 * the test's document, with `html` as its body. Removed by `removeFrames()`.
 */
export function frame(html: string): Document {
  const iframe = document.createElement('iframe')
  iframe.setAttribute('data-test-frame', '')
  iframe.style.cssText = 'width: 400px; height: 200px; border: 0'
  document.body.appendChild(iframe)
  const doc = iframe.contentDocument!
  doc.body.innerHTML = html
  return doc
}

export function removeFrames(): void {
  for (const f of Array.from(document.querySelectorAll('iframe[data-test-frame]'))) f.remove()
}

/**
 * Counts the stanzas a page's engine writes into its `#xmpp-outgoing` (what it sends), whatever
 * the bridge does with them after.
 */
export function outgoingCounter(peer: TestPeer): { readonly count: number; stop(): void } {
  const outgoing = peer.doc.getElementById('xmpp-outgoing')!
  let count = 0
  const observer = new MutationObserver((records) => {
    for (const r of records) for (const n of Array.from(r.addedNodes)) if (n.nodeType === 1) count++
  })
  observer.observe(outgoing, { childList: true })
  return {
    get count() {
      // Records of writes made so far, not yet delivered to the callback.
      for (const r of observer.takeRecords()) for (const n of Array.from(r.addedNodes)) if (n.nodeType === 1) count++
      return count
    },
    stop: () => observer.disconnect(),
  }
}

/** A pointer event as the browser makes it (the binding listens for them on the document). */
export function pointer(target: Element, type: 'pointerdown' | 'pointermove' | 'pointerup', x: number, y: number): void {
  target.dispatchEvent(
    new PointerEvent(type, { bubbles: true, cancelable: true, composed: true, pointerId: 1, pointerType: 'mouse', isPrimary: true, clientX: x, clientY: y, buttons: type === 'pointerup' ? 0 : 1 }),
  )
}

/**
 * A namespace-aware serialization of a subtree: every element's namespaceURI, prefix and
 * localName, every attribute's namespaceURI, localName and value (sorted), and text.
 * Namespace declarations (xmlns, xmlns:*) are left out: they are how markup spells namespaces,
 * not content, and elements made with createElementNS have none. Attribute prefixes are left
 * out too: an attribute is its namespace and local name (the binding keys it so, and renders it
 * with the prefix in scope); tests check the prefixes they care about one by one.
 */
export function nsWalk(node: Node): string {
  if (node.nodeType === 3) return JSON.stringify((node as Text).data)
  if (node.nodeType !== 1) return ''
  const el = node as Element
  const attrs = Array.from(el.attributes)
    .filter((a) => a.namespaceURI !== 'http://www.w3.org/2000/xmlns/' && !a.name.startsWith('data-sync-'))
    .map((a) => `{${a.namespaceURI ?? ''}}${a.localName}=${JSON.stringify(a.value)}`)
    .sort()
  const kids = Array.from(el.childNodes).map(nsWalk).join('')
  return `<{${el.namespaceURI ?? ''}}${el.prefix ? el.prefix + ':' : ''}${el.localName}${attrs.map((a) => ' ' + a).join('')}>${kids}</>`
}

export { tick }
