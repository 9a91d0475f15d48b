import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { applyHeldEdit, diffText, makeLive, textString, View, type Op } from '../../islands/forms/text.js'

// The text model of islands/forms without a DOM: the default written once however many pages
// write it, and an edit made against what a page showed (an IME composition, with remote edits
// held meanwhile) landing among the characters it saw.

const apply = (s: string, ops: readonly Op[]): string => {
  let at = 0
  for (const op of ops) {
    if ('retain' in op) at += op.retain
    else if ('delete' in op) s = s.slice(0, at) + s.slice(at + op.delete)
    else {
      s = s.slice(0, at) + op.insert + s.slice(at)
      at += op.insert.length
    }
  }
  return s
}

function pair(initial: string): [Y.Doc, Y.Doc, Y.Text, Y.Text] {
  const a = new Y.Doc()
  const b = new Y.Doc()
  a.transact(() => makeLive(a, a.getText('t'), 'k', initial))
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
  return [a, b, a.getText('t'), b.getText('t')]
}

const sync = (from: Y.Doc, to: Y.Doc): void => Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)))

describe('form field texts', () => {
  it('two pages that first write one field at once write its default once, and both their edits', () => {
    const a = new Y.Doc()
    const b = new Y.Doc()
    a.transact(() => {
      makeLive(a, a.getText('t'), 'key', 'hello')
      a.getText('t').insert(5, ' Ann')
    })
    b.transact(() => {
      makeLive(b, b.getText('t'), 'key', 'hello')
      b.getText('t').insert(0, '> ')
    })
    sync(a, b)
    sync(b, a)
    expect(a.getText('t').toString()).toBe('> hello Ann')
    expect(b.getText('t').toString()).toBe('> hello Ann')
  })

  it('a composition committed after remote edits lands among the characters the page saw; the held edits come out around it', () => {
    const [a, b, ta, tb] = pair('hello world')
    const shown = textString(ta)
    const view = View.of(ta) // the first remote update during the composition
    b.transact(() => {
      tb.insert(0, 'X') // before the composition
      tb.delete(7, 5) // "world" gone
      tb.insert(tb.length, '!')
    })
    let delta: unknown[] = []
    ta.observe(function once(e) {
      ta.unobserve(once)
      delta = e.delta
    })
    sync(b, a)
    expect(delta.length).toBeGreaterThan(0) // held: the page still shows `shown`
    const dom = 'hello日本 world' // what the person committed, where they composed
    let ops: Op[] = []
    a.transact(() => {
      ops = applyHeldEdit(a, ta, view, diffText(shown, dom))
    })
    expect(ta.toString()).toBe('Xhello日本 !')
    expect(apply(dom, ops)).toBe(ta.toString())
    sync(a, b)
    expect(tb.toString()).toBe(ta.toString())
  })

  it('a held edit that deletes what a peer deleted too, or inserts where a peer inserted, keeps both', () => {
    const [a, b, ta, tb] = pair('abcdef')
    const view = View.of(ta)
    b.transact(() => {
      tb.delete(1, 3) // "bcd"
      tb.insert(1, 'Q') // aQef
    })
    sync(b, a)
    const dom = 'aZf' // the page replaced "bcde" by "Z"
    let ops: Op[] = []
    a.transact(() => {
      ops = applyHeldEdit(a, ta, view, diffText('abcdef', dom))
    })
    expect(ta.toString()).toBe('aZQf')
    expect(apply(dom, ops)).toBe('aZQf')
  })
})
