import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { Network, type TestPeer } from '../helpers/pages.js'
import { recordSent, sentContent } from '../helpers/sent.js'

// The forms kind through the whole engine, in happy-dom: live values as state of their own,
// merged text, one value per radio group, secrets that never leave. The browser's own typing,
// carets and IME are in test/browser/forms.test.ts and test/integration/forms-chromium.test.ts.

const FORM = `<form data-sync-island="main">
  <fieldset id="a"><input id="who" name="who" value="Ann">
    <textarea id="notes" name="notes">hello world</textarea>
    <input id="mail" type="email" name="mail">
    <input id="ok" type="checkbox" name="ok">
    <input id="r1" type="radio" name="size" value="s" checked><input id="r2" type="radio" name="size" value="m"><input id="r3" type="radio" name="size" value="l">
    <select id="pick" name="pick"><option id="o1" value="1">one</option><option id="o2" value="2" selected>two</option><option id="o3" value="3">three</option></select>
    <select id="many" name="many" multiple><option id="m1">a</option><option id="m2">b</option><option id="m3">c</option></select>
  </fieldset>
  <fieldset id="b"></fieldset>
  <input id="pw" type="password" name="pw" value="preset-pass">
  <input id="csrf" type="hidden" name="csrf" value="TOKEN-123456">
  <input id="cc" name="cc" autocomplete="cc-number">
  <input id="show" type="password" name="show">
  <input id="local" name="local" data-sync-ignore>
</form>`

const $ = <T extends Element = HTMLInputElement>(p: TestPeer, id: string): T => p.doc.getElementById(id) as unknown as T

/** A person's edit: the value changes, then an input event (script writes are captured by the hooks anyway). */
function type(el: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  el.value = value
  el.dispatchEvent(new Event('input', { bubbles: true }))
}

async function pages(n = 2): Promise<{ net: Network; peers: TestPeer[] }> {
  const net = new Network()
  const peers = Array.from({ length: n }, () => net.join(FORM))
  await net.settle()
  return { net, peers }
}

const values = (p: TestPeer): unknown => ({
  who: $(p, "who").value,
  notes: $<HTMLTextAreaElement>(p, 'notes').value,
  mail: $(p, 'mail').value,
  ok: $(p, 'ok').checked,
  size: ['r1', 'r2', 'r3'].filter((id) => $(p, id).checked),
  pick: $<HTMLSelectElement>(p, 'pick').value,
  many: ['m1', 'm2', 'm3'].filter((id) => $<HTMLOptionElement>(p, id).selected),
})

describe('forms kind', () => {
  it('typing, checking and selecting on one page shows on the other; defaults stay attributes', async () => {
    const { net, peers: [a, b] } = await pages()
    type($(a, "who"), 'Ann Smith')
    type($<HTMLTextAreaElement>(a, 'notes'), 'hello big world')
    type($(a, 'mail'), 'ann@example.org')
    $(a, 'ok').checked = true
    $(a, 'r3').checked = true
    $<HTMLSelectElement>(a, 'pick').value = '3'
    $<HTMLOptionElement>(a, 'm2').selected = true
    await net.settle()
    expect(values(b)).toEqual({ who: 'Ann Smith', notes: 'hello big world', mail: 'ann@example.org', ok: true, size: ['r3'], pick: '3', many: ['m2'] })
    expect(values(b)).toEqual(values(a))
    // The defaults are untouched: reset goes back to them.
    expect($(b, "who").getAttribute('value')).toBe('Ann')
    expect($(b, 'ok').hasAttribute('checked')).toBe(false)
    expect(net.canonical()[0]).toBe(net.canonical()[1])
    expect(a.errors.concat(b.errors)).toEqual([])
  })

  it('two pages typing at different places of one textarea both keep their text, each caret where it was', async () => {
    const { net, peers: [a, b] } = await pages()
    const ta = $<HTMLTextAreaElement>(a, 'notes')
    const tb = $<HTMLTextAreaElement>(b, 'notes')
    ta.setSelectionRange(5, 5)
    tb.setSelectionRange(11, 11)
    // A keystroke: the character goes in at the caret, which moves past it, then an input event.
    const key = (t: HTMLTextAreaElement, ch: string): void => {
      const at = t.selectionStart
      t.setRangeText(ch, at, at)
      t.setSelectionRange(at + 1, at + 1)
      t.dispatchEvent(new Event('input', { bubbles: true }))
    }
    for (const ch of ', dear') {
      key(ta, ch)
      key(tb, ch.toUpperCase())
      await net.step()
    }
    await net.settle()
    expect(ta.value).toBe('hello, dear world, DEAR')
    expect(tb.value).toBe(ta.value)
    expect(ta.selectionStart).toBe(11) // after "hello, dear"
    expect(tb.selectionStart).toBe(23) // after "world, DEAR"
  })

  it('a checkbox, a radio group and a select raced by two pages end the same on both, one radio checked', async () => {
    const { net, peers: [a, b] } = await pages()
    $(a, 'ok').checked = true
    $(b, 'ok').checked = false
    $(b, 'ok').checked = true
    $(a, 'r2').checked = true
    $(b, 'r3').checked = true
    $<HTMLSelectElement>(a, 'pick').selectedIndex = 0
    $<HTMLSelectElement>(b, 'pick').selectedIndex = 2
    $<HTMLOptionElement>(a, 'm1').selected = true
    $<HTMLOptionElement>(b, 'm3').selected = true
    await net.settle()
    expect(values(a)).toEqual(values(b))
    expect((values(a) as { size: string[] }).size).toHaveLength(1)
    expect((values(a) as { many: string[] }).many).toEqual(['m1', 'm3']) // options of a multiple select merge
  })

  it('a field added later, and a field moved to another fieldset, keep syncing their values', async () => {
    const { net, peers: [a, b] } = await pages()
    const extra = a.doc.createElement('input')
    extra.id = 'extra'
    extra.value = 'set before insertion'
    a.doc.getElementById('b')!.appendChild(extra)
    await net.settle()
    expect($(b, 'extra').value).toBe('set before insertion')
    type($(b, 'extra'), 'changed on b')
    await net.settle()
    expect($(a, 'extra').value).toBe('changed on b')
    // A moves the name field to the other fieldset; B types in it meanwhile.
    a.doc.getElementById('b')!.appendChild($(a, "who"))
    type($(b, "who"), 'Ann B')
    await net.settle()
    expect($(b, "who").parentElement!.id).toBe('b')
    expect($(a, "who").value).toBe('Ann B')
    expect($(b, "who").value).toBe('Ann B')
    type($(a, "who"), 'Ann A')
    await net.settle()
    expect($(b, "who").value).toBe('Ann A')
  })

  it('a late joiner sees the current values, and form.reset() resets everywhere', async () => {
    const { net, peers: [a] } = await pages(1)
    type($(a, "who"), 'Zed')
    type($<HTMLTextAreaElement>(a, 'notes'), 'typed')
    $(a, 'ok').checked = true
    $(a, 'r2').checked = true
    await net.settle()
    const late = net.join(FORM)
    await net.settle()
    expect(values(late)).toEqual(values(a))
    expect($(late, "who").value).toBe('Zed')
    ;(late.island() as HTMLFormElement).reset()
    await net.settle()
    // (happy-dom resets a multiple select to its first option: Chromium's reset is in the browser tests)
    expect({ ...(values(a) as object), many: [] }).toEqual({ who: 'Ann', notes: 'hello world', mail: '', ok: false, size: ['r1'], pick: '2', many: [] })
    expect(values(late)).toEqual(values(a))
  })

  it('never sends a password, a hidden token, a card number or a toggled password, typed or set', async () => {
    const net = new Network()
    const a = net.join(FORM)
    const sent = recordSent(a.doc)
    const b = net.join(FORM)
    await net.settle()
    type($(a, 'pw'), 'hunter2-secret')
    $(a, 'csrf').value = 'TOKEN-changed-999'
    $(a, 'csrf').setAttribute('value', 'TOKEN-attr-777')
    type($(a, 'cc'), '4111111111111111')
    $(a, 'show').type = 'text' // a show-password toggle
    type($(a, 'show'), 'shown-secret-42')
    $(a, 'show').setAttribute('value', 'shown-attr-43')
    type($(a, 'local'), 'kept-local-by-the-page')
    type($(a, "who"), 'not secret')
    await net.settle()
    expect($(b, "who").value).toBe('not secret')
    const all = sent.stanzas.join('\n') + sentContent(sent.stanzas)
    expect(all).toContain('not secret')
    for (const secret of ['hunter2', 'preset-pass', 'TOKEN', '4111111111111111', 'shown-secret', 'shown-attr', 'kept-local']) expect(all).not.toContain(secret)
    // Nor does a peer overwrite them: B's own secrets stay as B has them.
    expect($(b, 'csrf').value).toBe('TOKEN-123456')
    expect($(b, 'pw').value).toBe('preset-pass')
    expect($(b, 'show').type).toBe('password')
  })
})

/** The field key of a control on a page: the lineage of its element's type (docs/PROTOCOL.md, "Form fields"). */
function keyOf(p: TestPeer, id: string): string {
  const binding = (p.session.islands.get('main') as unknown as { binding: { ctx: { mirror: { typeOf(n: Node): { _item: { id: { client: number; clock: number } } } } } } }).binding
  const { client, clock } = binding.ctx.mirror.typeOf(p.doc.getElementById(id)!)._item.id
  return `${client}:${clock}`
}

describe('forms kind: secrets in the seed', () => {
  it('a hidden token and a preset password are not in the state a page sends a peer that lacks it', async () => {
    const net = new Network()
    const a = net.join(FORM)
    const sent = recordSent(a.doc)
    await net.settle()
    // Another page's content: A's whole state (its seed included) goes to it.
    const b = net.join(FORM.replace('<fieldset id="b"></fieldset>', '<fieldset id="b"><p>other</p></fieldset>'))
    await net.settle()
    expect($(b, 'who').value).toBe('Ann')
    expect(sent.stanzas.length).toBeGreaterThan(0)
    const all = sent.stanzas.join('\n') + sentContent(sent.stanzas)
    expect(all).toContain('hello world') // the seed went
    for (const secret of ['TOKEN-123456', 'preset-pass']) expect(all).not.toContain(secret)
    // B's own hidden input kept its type and token through the adoption (both are local).
    expect($(b, 'csrf').type).toBe('hidden')
    expect($(b, 'csrf').value).toBe('TOKEN-123456')
  })
})

describe('forms kind against a hostile peer, and on adoption', () => {
  it('state a peer writes for a secret field, of the wrong type, or as another kind of root is not rendered, and breaks nothing', async () => {
    const { net, peers: [a, b] } = await pages()
    // The hostile peer's changes, made on a copy of A's doc (A's own kind has typed its roots), sent by A.
    const doc = a.session.islands.get('main')!.doc
    const evil = new Y.Doc()
    Y.applyUpdate(evil, Y.encodeStateAsUpdate(doc))
    const before = Y.encodeStateVector(evil)
    evil.transact(() => {
      const fields = evil.getMap('fields')
      fields.set(keyOf(a, 'pw'), 'overwritten')
      fields.set(keyOf(a, 'csrf'), 'overwritten')
      fields.set(keyOf(a, 'ok'), 'yes') // a checkbox takes booleans only
      fields.set(keyOf(a, 'mail'), 42) // an email field strings only
      evil.getText(`t:${keyOf(a, 'cc')}`).insert(0, 'overwritten')
      evil.getMap(`t:${keyOf(a, 'notes')}`).set('x', 1) // a text field's root as a map
    })
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(evil, before), 'hostile')
    await net.settle()
    expect(b.session.islands.get('main')!.doc.getMap('fields').get(keyOf(a, 'pw')), 'B has the hostile state in its doc').toBe('overwritten')
    expect($(b, 'pw').value).toBe('preset-pass')
    expect($(b, 'csrf').value).toBe('TOKEN-123456')
    expect($(b, 'cc').value).toBe('')
    expect($(b, 'ok').checked).toBe(false)
    expect($(b, 'mail').value).toBe('')
    expect($<HTMLTextAreaElement>(b, 'notes').value).toBe('hello world')
    // The rest goes on.
    type($(a, 'who'), 'still syncing')
    await net.settle()
    expect($(b, 'who').value).toBe('still syncing')
    expect(b.errors).toEqual([])
  })

  it('a late joiner whose page differs adopts the session, and shows its current values', async () => {
    const { net, peers: [a] } = await pages(1)
    type($(a, 'who'), 'Zed')
    type($<HTMLTextAreaElement>(a, 'notes'), 'hello typed world')
    $(a, 'r3').checked = true
    $<HTMLOptionElement>(a, 'm3').selected = true
    await net.settle()
    const late = net.join(FORM.replace('<fieldset id="b"></fieldset>', '<fieldset id="b"><p>an older page</p></fieldset>'))
    await net.settle()
    expect(late.doc.querySelector('#b p')).toBeNull() // adopted the session's content
    expect(values(late)).toEqual(values(a))
    type($<HTMLTextAreaElement>(late, 'notes'), 'hello typed world, late')
    await net.settle()
    expect($<HTMLTextAreaElement>(a, 'notes').value).toBe('hello typed world, late')
  })
})

describe('forms kind in a receive-mode island', () => {
  it('puts back what the page itself changes, and shows what the session changes', async () => {
    const net = new Network()
    const a = net.join(FORM)
    const viewer = net.join(FORM.replace('<form data-sync-island="main">', '<form data-sync-island="main" data-sync-island-mode="receive">'))
    await net.settle()
    type($(viewer, 'who'), 'viewer typed')
    $(viewer, 'ok').checked = true
    await net.settle()
    expect($(viewer, 'who').value).toBe('Ann')
    expect($(viewer, 'ok').checked).toBe(false)
    expect($(a, 'who').value).toBe('Ann')
    type($(a, 'who'), 'from the editor')
    await net.settle()
    expect($(viewer, 'who').value).toBe('from the editor')
  })
})

describe('forms kind on a page not among the editors', () => {
  it('puts back what the page itself changes', async () => {
    const net = new Network()
    const editorsOnly = FORM.replace('<form data-sync-island="main">', '<form data-sync-island="main" data-sync-editors="peer0">')
    const a = net.join(editorsOnly, 'peer0')
    const b = net.join(editorsOnly, 'peer1')
    await net.settle()
    type($(b, 'who'), 'not an editor')
    await net.settle()
    expect($(b, 'who').value).toBe('Ann')
    expect($(a, 'who').value).toBe('Ann')
    type($(a, 'who'), 'the editor')
    await net.settle()
    expect($(b, 'who').value).toBe('the editor')
  })
})
