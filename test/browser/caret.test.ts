import { afterEach, describe, expect, it } from 'vitest'
import { Network, type TestPeer } from '../helpers/pages.js'
import { frame, removeFrames } from './support.js'

// A remote text edit elsewhere in the text node the user is typing in leaves the caret at the
// same character: the patch goes through insertData/deleteData, which move live ranges (and the
// window's Selection) the way the DOM spec says, instead of replacing the node's data.

const PAGE = '<div data-sync-island="notes" contenteditable="true"><p id="p">The quick fox</p></div>'

async function twoFrames(): Promise<{ net: Network; a: TestPeer; b: TestPeer }> {
  const net = new Network()
  const a = net.attach(frame(PAGE))
  const b = net.attach(frame(PAGE))
  await net.settle()
  return { net, a, b }
}

const textOf = (p: TestPeer): Text => p.doc.getElementById('p')!.firstChild as Text

/** Puts A's caret just before "fox" (offset 10), as a click there would. */
function caretBeforeFox(a: TestPeer): Selection {
  (a.island('notes') as HTMLElement).focus()
  const sel = a.doc.getSelection()!
  sel.collapse(textOf(a), 10)
  return sel
}

/** The character after A's caret, and the caret's place. */
function expectCaretBeforeFox(a: TestPeer, sel: Selection): void {
  expect(sel.anchorNode, 'the caret stays in the same text node').toBe(textOf(a))
  expect(sel.isCollapsed).toBe(true)
  expect(textOf(a).data.slice(sel.anchorOffset), 'the caret is still before "fox"').toBe('fox')
}

afterEach(removeFrames)

describe('the local caret under remote text edits', () => {
  it('an insert before the caret moves it right by the inserted length', async () => {
    const { net, a, b } = await twoFrames()
    const sel = caretBeforeFox(a)
    textOf(b).insertData(4, 'very ') // "The very quick fox"
    await net.settle()
    expect(textOf(a).data).toBe('The very quick fox')
    expect(sel.anchorOffset).toBe(15)
    expectCaretBeforeFox(a, sel)
  })

  it('a delete before the caret moves it left by the deleted length', async () => {
    const { net, a, b } = await twoFrames()
    const sel = caretBeforeFox(a)
    textOf(b).deleteData(0, 4) // "quick fox"
    await net.settle()
    expect(textOf(a).data).toBe('quick fox')
    expect(sel.anchorOffset).toBe(6)
    expectCaretBeforeFox(a, sel)
  })

  it('an insert or a delete after the caret leaves it where it is', async () => {
    const { net, a, b } = await twoFrames()
    const sel = caretBeforeFox(a)
    textOf(b).appendData(' jumps')
    await net.settle()
    expect(sel.anchorOffset).toBe(10)
    textOf(b).deleteData(13, 6) // " jumps" gone again
    textOf(b).insertData(13, 'e') // "foxe"
    await net.settle()
    expect(textOf(a).data).toBe('The quick foxe')
    expect(sel.anchorOffset).toBe(10)
    expect(textOf(a).data.slice(sel.anchorOffset)).toBe('foxe')
  })

  it('a whole-value write on the other page (textContent-style) is sent as a minimal edit', async () => {
    const { net, a, b } = await twoFrames()
    const sel = caretBeforeFox(a)
    textOf(b).data = 'A quick fox' // an app that rewrites the whole string: prefix/suffix diff
    await net.settle()
    expect(textOf(a).data).toBe('A quick fox')
    expectCaretBeforeFox(a, sel)
  })

  it('a selection range (not just a caret) keeps covering the same characters', async () => {
    const { net, a, b } = await twoFrames()
    const sel = a.doc.getSelection()!
    sel.setBaseAndExtent(textOf(a), 4, textOf(a), 9) // "quick"
    const range = a.doc.createRange() // and a range the app keeps, e.g. a highlight
    range.setStart(textOf(a), 10)
    range.setEnd(textOf(a), 13) // "fox"
    textOf(b).insertData(0, '> ')
    textOf(b).appendData('!')
    await net.settle()
    expect(sel.toString()).toBe('quick')
    expect(range.toString()).toBe('fox')
  })

  it('local typing at the caret and a remote insert before it both land', async () => {
    const { net, a, b } = await twoFrames()
    const sel = caretBeforeFox(a)
    textOf(b).insertData(0, '¡')
    // A types "red " at its caret, as the browser's editing does: into the same text node.
    a.doc.execCommand('insertText', false, 'red ')
    expect(textOf(a).data).toBe('The quick red fox')
    await net.settle()
    expect(textOf(a).data).toBe('¡The quick red fox')
    expect(textOf(b).data).toBe('¡The quick red fox')
    expectCaretBeforeFox(a, sel)
  })
})

describe('two edits far apart in one task are two small edits, not one big replacement', () => {
  it('concurrent typing between them survives intact', async () => {
    const { net, a, b } = await twoFrames()
    // B quotes the sentence (two edits, one task) while A types in the middle of it.
    textOf(b).insertData(0, '“')
    textOf(b).appendData('”')
    textOf(a).insertData(10, 'red ')
    await net.settle()
    expect(textOf(a).data).toBe('“The quick red fox”')
    expect(textOf(b).data).toBe('“The quick red fox”')
  })
})
