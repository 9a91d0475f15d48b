import * as Y from 'yjs'
import { parseStanza } from '../../src/protocol/stanza.js'
import { decodeMessages } from '../../src/protocol/messages.js'

/**
 * What a page sends, for leak checks: every stanza text its engine writes into #xmpp-outgoing
 * (recorded as written, whatever the bridge does after), and per island a doc built from every
 * update among them, with garbage collection off, so that characters deleted later are still
 * there. Per-keystroke updates carry single characters: a substring scan of the stanzas alone
 * would miss a typed secret; the doc puts them back together.
 */
export function recordSent(doc: Document): { stanzas: string[]; stop(): void } {
  const outgoing = doc.getElementById('xmpp-outgoing')!
  const stanzas: string[] = []
  const take = (records: MutationRecord[]): void => {
    for (const r of records) for (const n of Array.from(r.addedNodes)) if (n.nodeType === 1) stanzas.push(n.textContent ?? '')
  }
  const view = doc.defaultView ?? globalThis
  const observer = new view.MutationObserver(take)
  observer.observe(outgoing, { childList: true })
  return {
    get stanzas() {
      take(observer.takeRecords())
      return stanzas
    },
    stop: () => observer.disconnect(),
  }
}

/** Every string, attribute value and JSON value in every item of the updates these stanzas carry, deleted ones included. */
export function sentContent(stanzas: readonly string[]): string {
  const docs = new Map<string, Y.Doc>()
  // Every item of every update, by client and clock: an update that builds on items this page
  // never sent (the seed every page has, and no page sends) waits in a doc's pending structs, so
  // the doc alone would not show it.
  const chars = new Map<number, Map<number, string>>()
  const values: string[] = []
  for (const text of stanzas) {
    const stanza = parseStanza(text, 1 << 24)
    if (stanza.kind !== 'message') continue
    for (const island of stanza.islands) {
      if (island.chunk) throw new Error('split payloads: not handled by this helper')
      let doc = docs.get(island.island)
      if (!doc) docs.set(island.island, (doc = new Y.Doc({ gc: false })))
      for (const m of decodeMessages(island.data)) {
        if (m.kind !== 'step2' && m.kind !== 'update') continue
        ;(m.v2 ? Y.applyUpdateV2 : Y.applyUpdate)(doc, m.update)
        for (const s of (m.v2 ? Y.decodeUpdateV2 : Y.decodeUpdate)(m.update).structs) {
          if (!(s instanceof Y.Item)) continue
          if (s.content instanceof Y.ContentString) {
            let byClock = chars.get(s.id.client)
            if (!byClock) chars.set(s.id.client, (byClock = new Map()))
            byClock.set(s.id.clock, s.content.str)
          } else if (s.content instanceof Y.ContentAny) values.push(JSON.stringify(s.content.arr))
          if (typeof s.parentSub === 'string') values.push(`${s.parentSub}=`)
        }
      }
    }
  }
  const out: string[] = [...values]
  // One client's characters in the order it wrote them: a secret typed key by key reads whole.
  for (const byClock of chars.values()) out.push([...byClock].sort((a, b) => a[0] - b[0]).map(([, str]) => str).join(''))
  for (const doc of docs.values()) {
    for (const structs of doc.store.clients.values()) {
      // One client's characters in the order it wrote them: a secret typed key by key reads whole.
      let chars = ''
      for (const s of structs) if (s instanceof Y.Item && s.content instanceof Y.ContentString) chars += s.content.str
      out.push(chars)
      for (const s of structs) {
        if (!(s instanceof Y.Item)) continue
        const c = s.content
        if (c instanceof Y.ContentString) out.push(c.str)
        else if (c instanceof Y.ContentAny) out.push(JSON.stringify(c.arr))
        else if (c instanceof Y.ContentType && c.type instanceof Y.XmlElement) out.push(c.type.nodeName)
        if (s.parentSub !== null) out.push(`${s.parentSub}=`)
      }
    }
    for (const name of [...doc.share.keys()]) {
      try {
        out.push(doc.getText(name).toString())
      } catch {
        // another type of root
      }
    }
  }
  return out.join('\n')
}
