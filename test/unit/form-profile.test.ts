import { describe, expect, it } from 'vitest'
import { createPolicy } from '../../src/policy/policy.js'
import { Network } from '../helpers/pages.js'

// The `form` profile against a hostile peer using a form: what it would change about where and
// how the form is sent, what would act without the person, and what the person could not see.
// Submitting stays the page's: a peer can fill in and add fields, never redirect or submit.

const form = createPolicy('form')

describe('the form profile refuses what a hostile peer would use a form for', () => {
  it('no form of its own, no nested form, no other form owner', () => {
    expect(form.checkElement('form')?.rule).toBe('not-allowed')
    expect(form.checkAttribute('input', 'form', 'other')?.rule).toBe('never')
    expect(form.checkAttribute('button', 'form', 'other')?.rule).toBe('never')
  })

  it('nothing that changes where or how the form is sent', () => {
    for (const [el, attr, value] of [
      ['button', 'formaction', 'https://evil.example/steal'],
      ['input', 'formaction', 'https://evil.example/steal'],
      ['button', 'formtarget', '_blank'],
      ['button', 'formmethod', 'get'],
      ['button', 'formenctype', 'text/plain'],
      ['button', 'formnovalidate', ''],
      ['fieldset', 'action', 'https://evil.example/'],
      ['fieldset', 'method', 'get'],
      ['fieldset', 'target', '_blank'],
      ['input', 'dirname', 'x.dir'],
    ] as const) {
      expect(form.checkAttribute(el, attr, value), `${attr} on <${el}>`).not.toBeNull()
    }
  })

  it('nothing that acts without the person: no autofocus, no handlers, no invokers, no access keys', () => {
    for (const [el, attr, value] of [
      ['input', 'autofocus', ''],
      ['select', 'onchange', 'this.form.submit()'],
      ['input', 'oninput', 'submit()'],
      ['button', 'popovertarget', 'x'],
      ['button', 'commandfor', 'x'],
      ['button', 'command', 'show-modal'],
      ['input', 'accesskey', 's'],
      ['input', 'autocomplete', 'cc-number'],
    ] as const) {
      expect(form.checkAttribute(el, attr, value), `${attr} on <${el}>`).not.toBeNull()
    }
  })

  it('no field the person cannot see or that the browser fills in: hidden, password, file, image', () => {
    for (const t of ['hidden', 'password', 'file', 'image']) expect(form.checkAttribute('input', 'type', t)?.rule, t).toBe('value')
    for (const t of ['text', 'email', 'number', 'checkbox', 'radio', 'date', 'color', 'submit', 'reset']) expect(form.checkAttribute('input', 'type', t), t).toBeNull()
  })

  it('no name or id that shadows the form\'s own properties (form.submit, form.action, form.elements)', () => {
    for (const v of ['submit', 'action', 'elements', 'reset', 'method', 'length']) {
      expect(form.checkAttribute('input', 'name', v)?.rule, v).toBe('clobbering')
      expect(form.checkAttribute('button', 'id', v)?.rule, v).toBe('clobbering')
    }
  })

  it('a peer\'s hidden input is rendered as nothing hidden, and a page\'s own hidden input keeps its type and token', async () => {
    const html = '<form data-sync-island="main"><fieldset id="f"><input id="token" type="hidden" name="token" value="PAGE-TOKEN"></fieldset></form>'
    const net = new Network()
    const a = net.join(html)
    const b = net.join(html)
    await net.settle()
    // A (the hostile peer, here a page that wants to add a field nobody sees).
    const extra = a.doc.createElement('input')
    extra.setAttribute('type', 'hidden')
    extra.setAttribute('name', 'amount')
    extra.setAttribute('value', '1000000')
    a.doc.getElementById('f')!.appendChild(extra)
    await net.settle()
    const inputs = Array.from(b.doc.querySelectorAll('#f input')) as HTMLInputElement[]
    expect(inputs).toHaveLength(2)
    expect(inputs[0]!.type).toBe('hidden')
    expect(inputs[0]!.value).toBe('PAGE-TOKEN')
    expect(inputs[1]!.type).toBe('text') // visible: the person sees what their form would send
  })
})
