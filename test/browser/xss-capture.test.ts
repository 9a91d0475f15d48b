/**
 * The XSS corpus through the capture side: a page whose own island holds the vectors (an app
 * bug, a hostile script on the page) sends nothing its island's policy would refuse. Page A builds
 * each vector's DOM in its island (with the DOM calls the binding itself uses, so every name
 * means the same thing on both sides), before joining (the seed) and after (capture of
 * mutations); page B, with no policy, receives; then B's doc, which holds exactly what A sent, is
 * read back through A's policy: nothing in it may be refused.
 *
 * The pages are documents without a browsing context (createHTMLDocument): nothing in them runs
 * or loads, whatever the vectors are. The control repeats the run with A sending everything, and
 * shows that the check sees unsafe content when it is sent.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createPage, Network, type TestPeer } from '../helpers/pages.js'
import { createElementFromKey, elementKey, setAttributeFromKey } from '../../src/binding/names.js'
import { createPolicy, policyFor, type Policy } from '../../src/policy/index.js'
import type { SessionOptions } from '../../src/index.js'
import { VECTORS, type VariantName, type XNode } from '../fixtures/xss/corpus.js'
import { LEGIT } from '../fixtures/xss/legit.js'
import { ISLAND_OF, VARIANT_OPTIONS } from '../fixtures/xss/variants.js'

const allowAll = { element: () => true, attribute: () => true, text: () => true }

/** The vector's DOM, as a page script could build it (names the DOM refuses are left out). */
function build(doc: Document, node: XNode): Element | null {
  let el: Element
  try {
    el = createElementFromKey(doc, node.el)
  } catch {
    return null
  }
  for (const [k, v] of Object.entries(node.attrs ?? {})) {
    try {
      setAttributeFromKey(el, k, v)
    } catch {
      // a name the DOM refuses
    }
  }
  for (const c of node.children ?? []) {
    if (typeof c === 'string') el.appendChild(doc.createTextNode(c))
    else {
      const child = build(doc, c)
      if (child) el.appendChild(child)
    }
  }
  return el
}

/** Everything in `fragment` that `policy` refuses, as `parent > key` or `key@attr`. */
function unsafeIn(fragment: Y.XmlFragment, islandKey: string, policy: Policy): string[] {
  const out: string[] = []
  const walk = (type: Y.XmlFragment | Y.XmlElement, parentKey: string): void => {
    for (const child of type.toArray()) {
      if (child instanceof Y.XmlText) {
        const r = policy.checkText(child.toString(), parentKey)
        if (r) out.push(`${parentKey} > #text: ${r.reason}`)
      } else if (child instanceof Y.XmlElement) {
        const key = child.nodeName
        const r = policy.checkElement(key, parentKey)
        if (r) {
          out.push(`${parentKey} > ${key}: ${r.reason}`)
          continue
        }
        for (const [k, v] of Object.entries(child.getAttributes() as Record<string, unknown>)) {
          if (k.startsWith('#')) continue
          const ar = typeof v === 'string' ? policy.checkAttribute(key, k, v) : null
          if (ar) out.push(`${key}@${k}: ${ar.reason}`)
        }
        walk(child, key)
      }
    }
  }
  walk(fragment, islandKey)
  return out
}

const docOf = (p: TestPeer): Y.Doc => p.session.islands.get('main')!.doc

/**
 * The engine picks a policy per island by itself (data-sync-policy, else the island element);
 * `svg+fo` has no attribute of its own, so it is passed as the session's filter.
 */
const sessionOptions = (variant: VariantName, control: boolean): SessionOptions =>
  control ? { allow: allowAll } : variant === 'svg+fo' ? { allow: createPolicy(VARIANT_OPTIONS['svg+fo']) } : {}

async function sendThroughCapture(variant: VariantName, trees: readonly XNode[], when: 'seed' | 'capture', control = false) {
  const net = new Network({}, sessionOptions(variant, control))
  const page = createPage(ISLAND_OF[variant].html)
  const island = page.querySelector('[data-sync-island="main"]')!
  const built: string[] = []
  const put = (): void => {
    for (const t of trees) {
      const el = build(page, t)
      if (el) {
        island.appendChild(el)
        built.push(elementKey(el)) // as the binding keys it (a page's `x:foreignObject` is a foreignObject)
      }
    }
  }
  if (when === 'seed') put()
  const a = net.attach(page, 'a')
  await net.settle()
  if (when === 'capture') {
    put()
    await net.settle()
  }
  const b = net.join(ISLAND_OF[variant].html, 'b')
  await net.settle()
  const policy = variant === 'svg+fo' ? createPolicy(VARIANT_OPTIONS['svg+fo']) : policyFor(a.island())
  // What should have gone out at the top: every vector whose root element the policy renders.
  const expectedTop = built.filter((k) => control || policy.checkElement(k, ISLAND_OF[variant].key) === null)
  return { a, b, policy, expectedTop, unsafe: unsafeIn(docOf(b).getXmlFragment('island'), ISLAND_OF[variant].key, policy) }
}

const VARIANTS: VariantName[] = ['svg', 'svg+fo', 'html', 'form']

describe('the XSS corpus through the capture side: nothing unsafe is sent', () => {
  for (const variant of VARIANTS) {
    const list = VECTORS.filter((v) => v.refusedBy.includes(variant))
    for (const when of ['seed', 'capture'] as const) {
      it(`${variant} island, ${list.length} vectors in the page's own island (${when === 'seed' ? 'there when it joins' : 'added after joining'})`, async () => {
        const { unsafe, b, expectedTop } = await sendThroughCapture(variant, list.map((v) => v.tree), when)
        expect(b.errors.filter((e) => e.condition !== 'not-allowed')).toEqual([])
        expect(unsafe).toEqual([])
        // The safe rest of the vectors did go out (so an empty doc cannot pass for a safe one).
        expect(expectedTop.length).toBeGreaterThan(10)
        expect(docOf(b).getXmlFragment('island').toArray().map((t) => (t as Y.XmlElement).nodeName)).toEqual(expectedTop)
      })
    }
  }
})

describe('the capture check sees unsafe content when it is sent (control: the sender has no policy)', () => {
  for (const variant of VARIANTS) {
    it(`${variant} island`, async () => {
      const list = VECTORS.filter((v) => v.refusedBy.includes(variant))
      const { unsafe } = await sendThroughCapture(variant, list.map((v) => v.tree), 'capture', true)
      expect(unsafe.length).toBeGreaterThan(list.length / 2)
    })
  }
})

describe('legitimate content is sent whole through the capture side', () => {
  for (const { name, variant, nodes } of LEGIT) {
    it(`${name} (${variant})`, async () => {
      const withPolicy = await sendThroughCapture(variant, nodes, 'capture')
      const without = await sendThroughCapture(variant, nodes, 'capture', true)
      expect(withPolicy.unsafe).toEqual([])
      expect(docOf(withPolicy.b).getXmlFragment('island').toString()).toBe(docOf(without.b).getXmlFragment('island').toString())
      expect(docOf(withPolicy.b).getXmlFragment('island').length).toBe(nodes.length)
    })
  }
})
