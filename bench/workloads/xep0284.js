// XEP-0284 (Shared XML Editing, urn:xmpp:sxe:0, version 0.1.3) encoding of the bench's
// operations, only to count the bytes the same edits would cost in that protocol. No decoding,
// no session negotiation: edit messages only.
//
// What the encoder writes, from the XEP's syntax (§9 "Subsequent State Changes", §10):
// - one `<message xmlns="jabber:client">` per group of edits, holding
//   `<sxe xmlns="urn:xmpp:sxe:0" session=S id=N><state>records</state></sxe>`; the groups are the
//   engine's own stanzas (the same edits per message), so both pay the envelope equally often;
//   neither carries `to`/`from`/`type` (a bridge adds the same to both).
// - a new element: `<new type="element" rid parent name [ns] primary-weight/>`, then one
//   `<new type="attr" rid parent name chdata/>` per attribute (attributes are records of their
//   own). `ns` only where it differs from the parent's (the XEP's own example omits it).
// - an attribute change: `<set target=attr-rid version=v chdata/>`; the first value of an
//   attribute the element did not have: a `<new type="attr">`.
// - a text edit: `<set target=text-rid version=v replacefrom replacen chdata/>` per patch.
// - a reorder: `<set target=element-rid version=v primary-weight/>` (sibling order by weight).
// - a delete: `<remove/>` for every attribute record, then the element (§10.5.2: a node's child
//   records are removed first).
// Assumptions, all in XEP-0284's favour: rids are short (a 4-character sender tag and a base-36
// counter) where the XEP asks for GUIDs; weights are small integers; session and message ids
// are 8 and base-36 counter characters.
const NS_SXE = 'urn:xmpp:sxe:0'

const escAttr = (s) => s.replace(/[&<"\n\r\t]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '"': '&quot;', '\n': '&#10;', '\r': '&#13;', '\t': '&#9;' })[c])

export class SxeEncoder {
  constructor({ sender = 'k3x9', session = '4f9k2x7q', uuidRids = false } = {}) {
    this.sender = sender
    this.session = session
    this.uuidRids = uuidRids
    this.counter = 0
    this.msgId = 0
    this.versions = new Map()
    this.weight = 0
  }
  rid() {
    const n = this.counter++
    if (!this.uuidRids) return `${this.sender}${n.toString(36)}`
    // A GUID as the XEP asks: 36 characters.
    const h = (n * 2654435761 + 0x9e3779b9).toString(16).padStart(12, '0').slice(-12)
    return `6f1c2a9e-${this.sender}-4b7d-9c3e-${h}`
  }
  bump(rid) {
    const v = (this.versions.get(rid) ?? 0) + 1
    this.versions.set(rid, v)
    return v
  }
  newElement(parent, name, ns, weight) {
    const rid = this.rid()
    return { rid, xml: `<new type="element" rid="${rid}"${parent ? ` parent="${parent}"` : ''} name="${escAttr(name)}"${ns ? ` ns="${escAttr(ns)}"` : ''} primary-weight="${weight}"/>` }
  }
  newAttr(parent, name, value) {
    const rid = this.rid()
    return { rid, xml: `<new type="attr" rid="${rid}" parent="${parent}" name="${escAttr(name)}" chdata="${escAttr(value)}"/>` }
  }
  newText(parent, value, weight) {
    const rid = this.rid()
    return { rid, xml: `<new type="text" rid="${rid}" parent="${parent}" chdata="${escAttr(value)}" primary-weight="${weight}"/>` }
  }
  setValue(rid, value) {
    return `<set target="${rid}" version="${this.bump(rid)}" chdata="${escAttr(value)}"/>`
  }
  replaceText(rid, from, n, chdata) {
    return `<set target="${rid}" version="${this.bump(rid)}" replacefrom="${from}" replacen="${n}" chdata="${escAttr(chdata)}"/>`
  }
  setWeight(rid, weight) {
    return `<set target="${rid}" version="${this.bump(rid)}" primary-weight="${weight}"/>`
  }
  remove(rid) {
    this.versions.delete(rid)
    return `<remove target="${rid}"/>`
  }
  message(records) {
    const id = (this.msgId++).toString(36)
    return `<message xmlns="jabber:client"><sxe xmlns="${NS_SXE}" session="${this.session}" id="${id}"><state>${records.join('')}</state></sxe></message>`
  }
}

/**
 * Bytes of the whiteboard's steps in XEP-0284 messages, grouped as `groupEnds` says (the index
 * after the last step of each message).
 */
export function xepWhiteboardBytes(steps, groupEnds, opts) {
  const enc = new SxeEncoder(opts)
  const root = enc.rid() // the island's <svg> record, part of the state before the workload
  const shapes = new Map() // id -> { rid, attrs: Map name -> rid }
  const utf8 = new TextEncoder()
  let bytes = 0
  let messages = 0
  let records = []
  let g = 0
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]
    if (s.k === 'create') {
      const el = enc.newElement(root, s.tag, null, ++enc.weight)
      records.push(el.xml)
      const attrs = new Map()
      for (const k in s.attrs) {
        const a = enc.newAttr(el.rid, k, s.attrs[k])
        records.push(a.xml)
        attrs.set(k, a.rid)
      }
      shapes.set(s.id, { rid: el.rid, attrs })
    } else if (s.k === 'set') {
      const shape = shapes.get(s.id)
      const rid = shape.attrs.get(s.name)
      if (rid) records.push(enc.setValue(rid, s.value))
      else {
        const a = enc.newAttr(shape.rid, s.name, s.value)
        records.push(a.xml)
        shape.attrs.set(s.name, a.rid)
      }
    } else if (s.k === 'front') records.push(enc.setWeight(shapes.get(s.id).rid, ++enc.weight))
    else {
      const shape = shapes.get(s.id)
      for (const rid of shape.attrs.values()) records.push(enc.remove(rid))
      records.push(enc.remove(shape.rid))
      shapes.delete(s.id)
    }
    if (i + 1 === groupEnds[g] || i === steps.length - 1) {
      while (groupEnds[g] <= i + 1) g++
      bytes += utf8.encode(enc.message(records)).length
      messages++
      records = []
    }
  }
  return { bytes, messages }
}

/** Bytes of a text trace's steps (patches) in XEP-0284 messages, grouped by `groupEnds`. */
export function xepTextBytes(steps, groupEnds, opts) {
  const enc = new SxeEncoder(opts)
  enc.rid() // the island element
  const text = enc.rid() // its text node, part of the state before the workload
  const utf8 = new TextEncoder()
  let bytes = 0
  let messages = 0
  let records = []
  let g = 0
  for (let i = 0; i < steps.length; i++) {
    for (const [p, d, ins] of steps[i]) records.push(enc.replaceText(text, p, d, ins))
    if (i + 1 === groupEnds[g] || i === steps.length - 1) {
      while (groupEnds[g] <= i + 1) g++
      bytes += utf8.encode(enc.message(records)).length
      messages++
      records = []
    }
  }
  return { bytes, messages }
}
