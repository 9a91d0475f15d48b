import { afterEach, describe, expect, it } from 'vitest'
import { Network, type TestPeer } from '../helpers/pages.js'
import { recordSent, sentContent } from '../helpers/sent.js'
import { frame, removeFrames } from './support.js'

// The forms kind in real Chromium frames (each its own window: prototypes, selection, focus):
// what happy-dom does not do as browsers do. The Prosody acceptance test, with real typing and
// the IME, is test/integration/forms-chromium.test.ts.

const PAGE = `<form data-sync-island="main">
  <input id="line" value="The quick fox">
  <input id="mail" type="email">
  <input id="num" type="number" value="1">
  <select id="many" multiple><option id="m1">a</option><option id="m2" selected>b</option></select>
  <input id="pw" type="password">
</form>`

async function two(): Promise<{ net: Network; a: TestPeer; b: TestPeer }> {
  const net = new Network()
  const a = net.attach(frame(PAGE))
  const b = net.attach(frame(PAGE))
  await net.settle()
  return { net, a, b }
}

const el = <T extends Element = HTMLInputElement>(p: TestPeer, id: string): T => p.doc.getElementById(id) as unknown as T

/** A keystroke as far as the page can tell. (Not setRangeText: on a control nobody edited yet, Chromium's edits an empty value.) */
function typeAt(input: HTMLInputElement, at: number, text: string): void {
  const v = input.value
  input.value = v.slice(0, at) + text + v.slice(at)
  input.setSelectionRange(at + text.length, at + text.length)
  input.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: text }))
}

afterEach(removeFrames)

describe('forms in Chromium', () => {
  it('a text input keeps its caret and selection under a peer\'s edits before, after and around them', async () => {
    const { net, a, b } = await two()
    const line = el(a, 'line')
    line.focus()
    line.setSelectionRange(4, 9) // "quick" selected
    typeAt(el(b, 'line'), 0, 'See: ') // before
    await net.settle()
    expect(line.value).toBe('See: The quick fox')
    expect([line.selectionStart, line.selectionEnd]).toEqual([9, 14])
    expect(line.value.slice(line.selectionStart!, line.selectionEnd!)).toBe('quick')
    typeAt(el(b, 'line'), el(b, 'line').value.length, ' jumps') // after
    await net.settle()
    expect([line.selectionStart, line.selectionEnd]).toEqual([9, 14])
    expect(line.value).toBe('See: The quick fox jumps')
  })

  it('email and number take the last writer\'s value (no selection API to merge by), the same on both pages', async () => {
    const { net, a, b } = await two()
    expect(el(a, 'mail').selectionStart).toBeNull()
    el(a, 'mail').value = 'a@example.org'
    el(b, 'mail').value = 'b@example.org'
    el(a, 'num').value = '7'
    await net.settle()
    expect(el(a, 'mail').value).toBe(el(b, 'mail').value)
    expect(['a@example.org', 'b@example.org']).toContain(el(a, 'mail').value)
    expect(el(b, 'num').value).toBe('7')
  })

  it('reset puts a multiple select back to its defaults on every page', async () => {
    const { net, a, b } = await two()
    el<HTMLOptionElement>(a, 'm1').selected = true
    el<HTMLOptionElement>(a, 'm2').selected = false
    await net.settle()
    expect([el<HTMLOptionElement>(b, 'm1').selected, el<HTMLOptionElement>(b, 'm2').selected]).toEqual([true, false])
    ;(b.island() as HTMLFormElement).reset()
    await net.settle()
    for (const p of [a, b]) expect([el<HTMLOptionElement>(p, 'm1').selected, el<HTMLOptionElement>(p, 'm2').selected]).toEqual([false, true])
  })

  it('a password typed, then shown as text by a toggle, is never sent', async () => {
    const net = new Network()
    const a = net.attach(frame(PAGE))
    const sent = recordSent(a.doc)
    const b = net.attach(frame(PAGE))
    await net.settle()
    const pw = el(a, 'pw')
    typeAt(pw, 0, 'hunter2')
    pw.type = 'text'
    typeAt(pw, 7, '-more')
    typeAt(el(a, 'line'), 0, '>')
    await net.settle()
    expect(el(b, 'line').value).toBe('>The quick fox')
    expect(el(b, 'pw').type).toBe('password')
    expect(el(b, 'pw').value).toBe('')
    const all = sent.stanzas.join('\n') + sentContent(sent.stanzas)
    expect(all).not.toContain('hunter2')
    expect(all).not.toContain('-more')
  })
})
