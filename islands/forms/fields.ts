/**
 * What a form control is to the forms kind: which of its live state is shared and how, whether
 * it is secret, and the key its state lives under in the doc (docs/PROTOCOL.md, "Form fields").
 */
import type * as Y from 'yjs'

const XHTML = 'http://www.w3.org/1999/xhtml'

/**
 * - `text`: a Y.Text, merged character by character (the controls with a selection API, where
 *   `setRangeText` patches without moving the caret);
 * - `value`: one string, last writer wins (`email` and `number` have no selection API in
 *   Chromium: `selectionStart` is null, `setRangeText` throws; range, date, colour...);
 * - `checkbox`: one boolean; `radio`: its group's one value; `select`: the selected option's key;
 *   `multiple`: a boolean per option.
 */
export type FieldKind = 'text' | 'value' | 'checkbox' | 'radio' | 'select' | 'multiple'

const TEXT_TYPES = new Set(['text', 'search', 'url', 'tel'])
const VALUE_TYPES = new Set(['email', 'number', 'range', 'date', 'time', 'datetime-local', 'month', 'week', 'color'])
/** Never shared, live or as the `value` attribute: what a page sends only where it means to. */
const SECRET_TYPES = new Set(['password', 'hidden', 'file'])
/** `autocomplete` tokens of fields whose value is a secret or a card's (WHATWG autofill field names). */
const SECRET_AUTOCOMPLETE = new Set(['cc-number', 'cc-csc', 'cc-exp', 'cc-exp-month', 'cc-exp-year', 'one-time-code', 'current-password', 'new-password'])

const isHtml = (el: Element, name: string): boolean => el.localName === name && el.namespaceURI === XHTML

/** The type an input has now, as the browser reads it (unknown types are text). */
export function inputType(el: Element): string {
  const t = (el.getAttribute('type') ?? '').trim().toLowerCase()
  return t === '' ? 'text' : t
}

export function fieldKind(el: Element): FieldKind | null {
  if (isHtml(el, 'textarea')) return 'text'
  if (isHtml(el, 'select')) return (el as HTMLSelectElement).multiple ? 'multiple' : 'select'
  if (!isHtml(el, 'input')) return null
  const t = inputType(el)
  if (TEXT_TYPES.has(t)) return 'text'
  if (VALUE_TYPES.has(t)) return 'value'
  if (t === 'checkbox') return 'checkbox'
  if (t === 'radio') return 'radio'
  // Unknown types behave as text in browsers; buttons, images and the secret types hold no value of ours.
  return ['submit', 'reset', 'button', 'image', ...SECRET_TYPES].includes(t) ? null : 'text'
}

/**
 * Inputs that were ever password, hidden or file stay secret for the page's life: a
 * show-password toggle switches `type` to `text`, and what was typed as a password is still one.
 */
const everSecret = new WeakSet<Element>()

/** Whether `el`'s value must never leave the page (nor be overwritten by a peer). */
export function isSecret(el: Element): boolean {
  if (everSecret.has(el)) return true
  if (isHtml(el, 'input') && SECRET_TYPES.has(inputType(el))) {
    everSecret.add(el)
    return true
  }
  const auto = el.getAttribute('autocomplete')
  if (auto !== null && auto.toLowerCase().split(/\s+/).some((t) => SECRET_AUTOCOMPLETE.has(t))) return true
  return false
}

/** Whether `el` is, or was, a password, hidden or file input (its `type` stays local too). */
export function wasSecretInput(el: Element): boolean {
  if (!isHtml(el, 'input')) return false
  isSecret(el) // notes a secret type now, so that a later toggle to text finds it
  return everSecret.has(el)
}

/**
 * A field's key: the lineage of its element's type, which a moved element's copy carries on as
 * its `#origin` (a move copies the type), so the value stays with the field wherever it moves;
 * on pages that seeded the same content it is the same seeded item id everywhere.
 */
export function keyOfType(type: Y.XmlElement): string | null {
  const origin = type.getAttribute('#origin') as unknown
  if (typeof origin === 'string') return origin
  const id = type._item?.id
  return id ? `${id.client}:${id.clock}` : null
}

/** The select an option belongs to, if any. */
export function selectOf(option: Element): HTMLSelectElement | null {
  for (let p = option.parentElement; p !== null; p = p.parentElement) {
    if (isHtml(p, 'select')) return p as HTMLSelectElement
    if (!isHtml(p, 'optgroup')) return null
  }
  return null
}

/** The form controls under `root`, in document order. */
export function controlsIn(root: Element): Element[] {
  return Array.from(root.querySelectorAll('input, textarea, select'))
}

export const isOption = (el: Element): boolean => isHtml(el, 'option')
