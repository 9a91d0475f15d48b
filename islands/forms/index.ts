/**
 * The `forms` island kind: the live `value`, `checked` and `selected` of form controls, which
 * change no attribute (so no MutationObserver sees them), as state of their own in the island's
 * doc, apart from the `value` / `checked` / `selected` attributes, which stay the defaults that
 * `form.reset()` returns to. docs/PROTOCOL.md, "Form fields", gives the model and why it converges.
 *
 * Local changes are captured on `input` and `change`, after `form.reset()` (its event fires
 * before the reset), and after script writes (`input.value = x` fires no event), through the
 * accessor hooks. Remote changes are rendered without events: a page that submits on `change`
 * is never made to submit by a peer. Secrets never leave and are never overwritten (fields.ts).
 */

import * as Y from 'yjs'
import type { IslandKind, KindHooks, KindHost } from '../../src/index.js'
import { controlsIn, fieldKind, isOption, isSecret, keyOfType, selectOf, wasSecretInput } from './fields.js'
import { applyHeldEdit, diffText, isLive, makeLive, patchControl, patchWhole, textString, View, type Op } from './text.js'
import { textDelta, TextMarkers } from '../../src/binding/text-delta.js'

/** The origin of this kind's transactions: sent like any local change, never rendered back. */
export const FORMS = Symbol('xml-sync-islands:forms')
/** Root types: the scalar field states, and one text per text field. */
export const FIELDS = 'fields'
export const TEXT_PREFIX = 't:'
export const GROUP_PREFIX = 'r:'
/** Longest value rendered from a peer (UTF-16 units), as the policies' default text limit. */
const MAX_VALUE = 1024 * 1024

export const formsKind: IslandKind = {
  name: 'forms',
  // Controls may stand in any island whose policy shares them (a form island's `form` profile,
  // a custom one); an island without controls costs a listener and nothing per change.
  matches: () => true,
  attach: (host) => new FormFields(host).hooks(),
}

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement
type TextControl = HTMLInputElement | HTMLTextAreaElement

interface Shadow {
  /** What the control showed when last in step with the doc. */
  value: string
  /** Whether that was the field's text (else its default: the text was never written). */
  live: boolean
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= MAX_VALUE ? v : undefined)
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined)

class FormFields {
  private readonly root: Element
  private doc: Y.Doc
  private dirty = new Set<Element>()
  private scheduled = false
  /** Set while this kind writes to controls: its own writes are not captured. */
  private writing = 0
  private shadows = new WeakMap<Element, Shadow>()
  /** Controls this kind has captured or rendered: one not among them is new here. */
  private seen = new WeakSet<Element>()
  private readonly texts = new Map<string, Y.Text>()
  private readonly deltas = new Map<Y.Text, Op[][]>()
  /** Per field text, where its last remote edit was: the next one is found from there, not from the start. */
  private readonly markers = new TextMarkers()
  private composing: TextControl | null = null
  /** What the composing field showed, by item, once a remote edit of it is held. */
  private view: View | null = null
  private held = false
  private readonly unhooks: Array<() => void> = []
  private stopped = false

  constructor(private readonly host: KindHost) {
    this.root = host.root
    this.doc = host.doc
  }

  hooks(): KindHooks {
    const { root } = this
    const doc = root.ownerDocument
    root.addEventListener('input', this.onInput, true)
    root.addEventListener('change', this.onInput, true)
    root.addEventListener('compositionstart', this.onCompositionStart, true)
    root.addEventListener('compositionend', this.onCompositionEnd, true)
    root.addEventListener('focusout', this.onCompositionEnd, true)
    // The form may hold the island or stand in it: its reset event is heard on the document.
    doc.addEventListener('reset', this.onReset, true)
    this.hookAccessors()
    this.observe(this.doc)
    // After the seed and the start: what the page shows already that is not its default (a
    // value restored by the browser, or set by a script before the engine came).
    void Promise.resolve().then(() => {
      if (this.stopped) return
      for (const el of controlsIn(root)) this.dirty.add(el)
      this.flush()
    })
    return {
      beforeRemoteApply: () => {
        this.flush()
        const c = this.composing
        if (c !== null && this.view === null) {
          const text = this.textFor(c)
          if (text) this.view = View.of(text)
        }
      },
      rescan: () => this.flush(),
      adopted: () => {
        this.unobserve()
        this.doc = this.host.doc
        this.shadows = new WeakMap()
        this.seen = new WeakSet()
        this.dirty.clear()
        this.observe(this.doc)
        this.renderAll(true, true)
      },
      localAttributes: (el) => {
        if (el.localName !== 'input') return null
        // A password, hidden or file input (ever): its value and its type stay local, so a
        // show-password toggle shows nothing to peers, and no peer turns it into a text field.
        if (wasSecretInput(el)) return ['value', 'type']
        return isSecret(el) ? ['value'] : null
      },
      stop: () => {
        this.stopped = true
        root.removeEventListener('input', this.onInput, true)
        root.removeEventListener('change', this.onInput, true)
        root.removeEventListener('compositionstart', this.onCompositionStart, true)
        root.removeEventListener('compositionend', this.onCompositionEnd, true)
        root.removeEventListener('focusout', this.onCompositionEnd, true)
        doc.removeEventListener('reset', this.onReset, true)
        for (const u of this.unhooks) u()
        this.unobserve()
      },
    }
  }

  // --- capture ---------------------------------------------------------------------------

  private readonly onInput = (e: Event): void => {
    const el = e.target as Element
    if (el === this.composing) return
    this.markDirty(el)
  }

  private readonly onReset = (e: Event): void => {
    const form = e.target as Element
    if (!form.contains(this.root) && !this.root.contains(form)) return
    // The reset event fires before the form resets: capture after, in a task of its own (a
    // microtask would run before the reset when a person clicks a reset button).
    this.host.clock.setTimeout(() => {
      for (const el of controlsIn(this.root)) if (form.contains(el)) this.dirty.add(el)
      this.flush()
    }, 0)
  }

  private hookAccessors(): void {
    // A document made with createHTMLDocument has no window: its elements are the creator's.
    const view = (this.root.ownerDocument.defaultView ?? globalThis) as unknown as Record<string, { prototype: object } | undefined>
    const hooks: Array<[string, string[]]> = [
      ['HTMLInputElement', ['value', 'checked', 'valueAsNumber', 'valueAsDate', 'setRangeText', 'stepUp', 'stepDown']],
      ['HTMLTextAreaElement', ['value', 'setRangeText']],
      ['HTMLSelectElement', ['value', 'selectedIndex']],
      ['HTMLOptionElement', ['selected']],
      ['HTMLFormElement', ['reset']],
    ]
    for (const [ctor, names] of hooks) {
      const proto = view[ctor]?.prototype
      if (!proto) continue
      for (const name of names) {
        try {
          this.unhooks.push(this.host.accessors.hook(proto, name, (self) => this.onScriptWrite(self as Element)))
        } catch {
          // not an own setter or method in this browser: events still capture the person's changes
        }
      }
    }
  }

  private onScriptWrite(el: Element): void {
    if (this.writing > 0 || this.stopped) return
    if (el.localName === 'form') {
      if (!el.contains(this.root) && !this.root.contains(el)) return
      for (const c of controlsIn(this.root)) if (el.contains(c)) this.dirty.add(c)
      return this.schedule()
    }
    if (this.root.contains(el)) this.markDirty(el)
  }

  private markDirty(el: Element): void {
    const field = isOption(el) ? selectOf(el) : el
    if (field === null || fieldKind(field) === null) return
    // happy-dom's selects are proxies whose setters run on the proxied object: not the node the
    // mirror knows. Any select of the island may be the one.
    if (field.localName === 'select' && this.host.typeOf(field) === undefined) for (const s of this.root.querySelectorAll('select')) this.dirty.add(s)
    this.dirty.add(field)
    this.schedule()
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    // A promise job, not queueMicrotask: happy-dom's drops callbacks queued while its window is busy.
    void Promise.resolve().then(() => {
      this.scheduled = false
      this.flush()
    })
  }

  /** Captures every dirty field now, in one transaction. */
  private flush(): void {
    if (this.dirty.size === 0 || this.stopped) return
    const fields = [...this.dirty]
    this.dirty.clear()
    // A read-only island (`receive`, or this page not among its editors) shows the session and
    // nothing else: the page's own changes are put back.
    if (this.host.readOnly) return this.renderAll(true, true)
    this.doc.transact(() => {
      for (const el of fields) if (el.isConnected && this.root.contains(el)) this.capture(el as Control)
    }, FORMS)
  }

  private capture(el: Control): void {
    const key = this.keyOf(el)
    if (key === null || isSecret(el)) return
    this.seen.add(el)
    const fields = this.doc.getMap<unknown>(FIELDS)
    switch (fieldKind(el)) {
      case 'text':
        return this.captureText(el as TextControl, key)
      case 'value': {
        const v = (el as HTMLInputElement).value
        if ((str(fields.get(key)) ?? (el as HTMLInputElement).defaultValue) !== v) fields.set(key, v)
        return
      }
      case 'checkbox': {
        const input = el as HTMLInputElement
        if ((bool(fields.get(key)) ?? input.hasAttribute('checked')) !== input.checked) fields.set(key, input.checked)
        return
      }
      case 'radio': {
        const input = el as HTMLInputElement
        if (!input.name) {
          if ((bool(fields.get(key)) ?? input.hasAttribute('checked')) !== input.checked) fields.set(key, input.checked)
          return
        }
        const radios = this.radios(input.name)
        const checked = radios.find((r) => r.checked)
        const want = checked ? (this.keyOf(checked) ?? '') : ''
        const group = GROUP_PREFIX + input.name
        if ((str(fields.get(group)) ?? this.defaultRadio(radios)) !== want) fields.set(group, want)
        return
      }
      case 'select': {
        const select = el as HTMLSelectElement
        const opt = select.selectedIndex >= 0 ? select.options[select.selectedIndex] : undefined
        const want = opt ? (this.keyOf(opt) ?? '') : ''
        const defaultIndex = defaultSelectedIndex(select)
        const def = defaultIndex >= 0 ? (this.keyOf(select.options[defaultIndex]!) ?? '') : ''
        if ((str(fields.get(key)) ?? def) !== want) fields.set(key, want)
        return
      }
      case 'multiple':
        for (const opt of Array.from((el as HTMLSelectElement).options)) {
          const k = this.keyOf(opt)
          if (k !== null && (bool(fields.get(k)) ?? opt.hasAttribute('selected')) !== opt.selected) fields.set(k, opt.selected)
        }
        return
    }
  }

  private captureText(el: TextControl, key: string): void {
    if (el === this.composing) return
    const text = this.text(key)
    if (text === null) return
    const value = el.value
    let shadow = this.shadows.get(el)
    if (!isLive(text)) {
      const def = el.defaultValue
      if (value === def) return void this.shadows.set(el, { value, live: false })
      makeLive(this.doc, text, key, def)
      shadow = { value: def, live: true }
    } else if (shadow === undefined || !shadow.live) shadow = { value: textString(text), live: true }
    const edit = diffText(shadow.value, value)
    if (edit !== null) {
      if (edit.remove) text.delete(edit.index, edit.remove)
      if (edit.insert) text.insert(edit.index, edit.insert)
    }
    this.shadows.set(el, { value, live: true })
  }

  // --- IME --------------------------------------------------------------------------------

  private readonly onCompositionStart = (e: Event): void => {
    const el = e.target as Element
    if (fieldKind(el) !== 'text' || this.keyOf(el) === null || isSecret(el)) return
    this.flush()
    this.composing = el as TextControl
    this.view = null
    this.held = false
    // A field never written shows its default: written now (as every page would write it),
    // so that what the composition lands among has ids to be found by.
    const text = this.textFor(el)
    if (text && !isLive(text)) {
      this.doc.transact(() => makeLive(this.doc, text, this.keyOf(el)!, (el as TextControl).defaultValue), FORMS)
      this.shadows.set(el, { value: textString(text), live: true })
    }
  }

  /**
   * The composition ended (or the field lost focus mid-way): what the person committed goes in
   * among the characters they saw, and the remote edits held meanwhile come out around it.
   */
  private readonly onCompositionEnd = (e: Event): void => {
    const el = this.composing
    if (el === null || (e.type === 'focusout' && e.target !== el)) return
    this.composing = null
    const view = this.view
    this.view = null
    const text = this.textFor(el)
    if (view === null || !this.held || text === null) {
      const held = this.held
      this.held = false
      this.markDirty(el)
      this.flush()
      // Held with no view noted (a remote edit that came some other way): shown whole now.
      if (held && text !== null) {
        this.write(() => patchWhole(el, textString(text)))
        this.shadows.set(el, { value: el.value, live: true })
      }
      return
    }
    this.held = false
    const shadow = this.shadows.get(el)
    const base = shadow?.live ? shadow.value : el.defaultValue
    let ops: Op[] = []
    this.doc.transact(() => {
      ops = applyHeldEdit(this.doc, text, view, diffText(base, el.value))
    }, FORMS)
    this.write(() => {
      const want = textString(text)
      if (!patchControl(el, ops) || el.value !== want) patchWhole(el, want)
    })
    this.shadows.set(el, { value: el.value, live: true })
  }

  // --- render -----------------------------------------------------------------------------

  private readonly onTransaction = (txn: Y.Transaction): void => {
    if (txn.origin === FORMS || this.stopped) return
    const deltas = [...this.deltas]
    this.deltas.clear()
    // Most transactions of most islands touch no control (a drawing's, text elsewhere): those
    // cost a look at what changed, not a walk over the island's controls.
    const structural = touchesControls(txn, this.doc.getMap(FIELDS))
    if (deltas.length === 0 && !structural) return
    // The page's own changes not yet captured go first: a render never overwrites them.
    this.flush()
    const byKey = this.index()
    for (const [text, list] of deltas) {
      const key = this.keyOfText(text)
      const el = key === null ? undefined : byKey.get(key)
      if (el === undefined || fieldKind(el) !== 'text' || isSecret(el)) continue
      this.renderText(el as TextControl, text, list)
    }
    if (structural) this.renderAll(false, !txn.local, byKey)
  }

  private renderText(el: TextControl, text: Y.Text, list: Op[][]): void {
    if (el === this.composing) {
      this.held = true
      return
    }
    const shadow = this.shadows.get(el)
    this.write(() => {
      // In step (the common case, a keystroke at a time): the deltas, checked by length only;
      // a long text is not read whole per keystroke. Else one minimal edit to the whole text.
      let value = el.value
      if (shadow?.live && value.length === shadow.value.length && value === shadow.value) {
        let length = value.length
        let ok = true
        for (const ops of list) {
          for (const op of ops) length += 'insert' in op ? op.insert.length : 'delete' in op ? -op.delete : 0
          if (!(ok = patchControl(el, ops))) break
        }
        value = el.value
        if (ok && value.length === length && length === text.length) return
      }
      const want = textString(text)
      if (value !== want) patchWhole(el, want)
    })
    this.shadows.set(el, { value: el.value, live: true })
  }

  /**
   * Makes every control show the doc's state. Text fields in step with their text are left to
   * their deltas unless `all`. A control met for the first time is rendered whole if a peer's
   * change brought it (`remote`); else it is the page's own new field, captured as it stands
   * (a script may have set its value before it was inserted).
   */
  private renderAll(all: boolean, remote: boolean, byKey = this.index()): void {
    const fields = this.doc.getMap<unknown>(FIELDS)
    const groups = new Set<string>()
    let fresh = false
    this.write(() => {
      for (const [key, el] of byKey) {
        if (isSecret(el) || el === this.composing) continue
        if (!this.seen.has(el)) {
          if (!remote) {
            this.dirty.add(el)
            fresh = true
            continue
          }
          this.seen.add(el)
        }
        switch (fieldKind(el)) {
          case 'text': {
            const text = this.text(key)
            const shadow = this.shadows.get(el)
            if (text === null || (!all && shadow?.live && isLive(text))) continue
            const t = el as TextControl
            const want = isLive(text) ? textString(text) : t.defaultValue
            if (want.length <= MAX_VALUE && t.value !== want) patchWhole(t, want)
            this.shadows.set(el, { value: t.value, live: isLive(text) })
            break
          }
          case 'value': {
            const input = el as HTMLInputElement
            const want = str(fields.get(key)) ?? input.defaultValue
            if (input.value !== want) input.value = want
            break
          }
          case 'checkbox': {
            const input = el as HTMLInputElement
            const want = bool(fields.get(key)) ?? input.hasAttribute('checked')
            if (input.checked !== want) input.checked = want
            break
          }
          case 'radio': {
            const input = el as HTMLInputElement
            if (!input.name) {
              const want = bool(fields.get(key)) ?? input.hasAttribute('checked')
              if (input.checked !== want) input.checked = want
            } else if (!groups.has(input.name)) {
              groups.add(input.name)
              this.renderGroup(input.name, str(fields.get(GROUP_PREFIX + input.name)))
            }
            break
          }
          case 'select': {
            const select = el as HTMLSelectElement
            const want = str(fields.get(key))
            const index = want === undefined ? defaultSelectedIndex(select) : Array.from(select.options).findIndex((o) => this.keyOf(o) === want)
            if (select.selectedIndex !== index) select.selectedIndex = index
            break
          }
          case 'multiple':
            for (const opt of Array.from((el as HTMLSelectElement).options)) {
              const k = this.keyOf(opt)
              const want = (k === null ? undefined : bool(fields.get(k))) ?? opt.hasAttribute('selected')
              if (opt.selected !== want) opt.selected = want
            }
            break
        }
      }
    })
    if (fresh) this.schedule()
  }

  /** One radio group as the doc has it: the radio of that key checked, or none ('' or no such radio), or the defaults (no state). */
  private renderGroup(name: string, want: string | undefined): void {
    const radios = this.radios(name)
    if (want === undefined) {
      const def = this.defaultRadio(radios)
      for (const r of radios) if (r.checked !== (this.keyOf(r) === def && def !== '')) r.checked = !r.checked
      return
    }
    const match = radios.find((r) => this.keyOf(r) === want)
    if (match) {
      if (!match.checked) match.checked = true
    } else for (const r of radios) if (r.checked) r.checked = false
  }

  // --- the doc ----------------------------------------------------------------------------

  private observe(doc: Y.Doc): void {
    doc.on('afterTransaction', this.onTransaction)
  }

  private unobserve(): void {
    this.doc.off('afterTransaction', this.onTransaction)
    for (const text of this.texts.values()) text.unobserve(this.onText)
    this.texts.clear()
    this.deltas.clear()
  }

  // The delta must be read while the transaction's observers run: kept for afterTransaction,
  // when the binding has patched the elements too (a field a peer just added is on the page).
  private readonly onText = (event: Y.YTextEvent, txn: Y.Transaction): void => {
    const text = event.target as Y.Text
    // This page's own edit moved what the marker counts: the next remote edit walks from the start.
    if (txn.origin === FORMS) return this.markers.delete(text)
    let list = this.deltas.get(text)
    if (!list) this.deltas.set(text, (list = []))
    list.push(textDelta(text, event, this.markers) as Op[])
  }

  /** The text of a field's key, observed from now on; null if a peer made that root another type. */
  private text(key: string): Y.Text | null {
    let text = this.texts.get(key)
    if (text !== undefined) return text
    try {
      text = this.doc.getText(TEXT_PREFIX + key)
    } catch {
      return null
    }
    text.observe(this.onText)
    this.texts.set(key, text)
    return text
  }

  private textFor(el: Element): Y.Text | null {
    const key = this.keyOf(el)
    return key === null ? null : this.text(key)
  }

  private keyOfText(text: Y.Text): string | null {
    for (const [key, t] of this.texts) if (t === text) return key
    return null
  }

  /** The field key of a shared control or option; null when it is not shared (local, or refused by the policy). */
  private keyOf(el: Element): string | null {
    const type = this.host.typeOf(el)
    return type instanceof Y.XmlElement ? keyOfType(type) : null
  }

  /** Every shared control by key (text fields observed, so their remote edits arrive as deltas). */
  private index(): Map<string, Control> {
    const out = new Map<string, Control>()
    for (const el of controlsIn(this.root)) {
      const key = this.keyOf(el)
      if (key === null || out.has(key) || fieldKind(el) === null) continue
      out.set(key, el as Control)
      if (fieldKind(el) === 'text') this.text(key)
    }
    return out
  }

  private radios(name: string): HTMLInputElement[] {
    return controlsIn(this.root).filter((el) => fieldKind(el) === 'radio' && (el as HTMLInputElement).name === name && this.keyOf(el) !== null) as HTMLInputElement[]
  }

  /** The key of the radio a group shows by default (the last one marked `checked`, as browsers parse it), or ''. */
  private defaultRadio(radios: readonly HTMLInputElement[]): string {
    let def = ''
    for (const r of radios) if (r.hasAttribute('checked')) def = this.keyOf(r) ?? ''
    return def
  }

  private write(fn: () => void): void {
    this.writing++
    try {
      fn()
    } finally {
      this.writing--
    }
  }
}

const CONTROLS = new Set(['input', 'textarea', 'select', 'option', 'optgroup'])
const isControlType = (t: unknown): boolean => t instanceof Y.XmlElement && CONTROLS.has(t.nodeName)

/**
 * Whether a transaction may change what a control shows: a field state written, a control's
 * attributes or children changed (a default, an option), or a control inserted (added, or
 * moved: a copy). Cost: the types it changed and the structs it inserted.
 */
function touchesControls(txn: Y.Transaction, fields: Y.Map<unknown>): boolean {
  if (txn.changed.has(fields as unknown as Y.AbstractType<any>)) return true
  for (const type of txn.changed.keys()) if (isControlType(type) || (type instanceof Y.XmlText && isControlType(type.parent))) return true
  for (const [client, after] of txn.afterState) {
    const before = txn.beforeState.get(client) ?? 0
    if (after <= before) continue
    const structs = txn.doc.store.clients.get(client)
    if (!structs) continue
    for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
      const s = structs[i]
      if (s instanceof Y.Item && s.content instanceof Y.ContentType && isControlType(s.content.type)) return true
    }
  }
  return false
}

/** The option a select shows when reset: the last one marked `selected`, else the first (a drop-down) or none (a list box). */
function defaultSelectedIndex(select: HTMLSelectElement): number {
  const options = Array.from(select.options)
  for (let i = options.length - 1; i >= 0; i--) if (options[i]!.hasAttribute('selected')) return i
  return select.size > 1 || select.multiple ? -1 : options.findIndex((o) => !o.disabled)
}
