import { describe, expect, it } from 'vitest'
import { Network, type TestPeer } from '../helpers/pages.js'
import { Rng } from '../helpers/random-edits.js'

// Seeded schedules of three pages filling in one form at once (typing anywhere in a textarea
// and a text input, ticking, picking radios and options, moving a field to another fieldset,
// resetting), with the bus reordering and duplicating stanzas and delivering a few at a time.
// Every schedule ends with every page showing the same values, one radio checked at most, and
// every character a page typed into the textarea and not deleted there. A failing seed is named.

const FORM = `<form data-sync-island="main">
  <fieldset id="fa"><textarea id="ta">hello world</textarea><input id="line" value="abc"></fieldset>
  <fieldset id="fb"><input id="ok" type="checkbox"><input id="mail" type="email">
  <input id="r1" type="radio" name="g" checked><input id="r2" type="radio" name="g"><input id="r3" type="radio" name="g">
  <select id="s"><option>a</option><option>b</option><option>c</option></select>
  <select id="m" multiple><option>x</option><option>y</option><option>z</option></select></fieldset>
</form>`

const $ = <T extends Element = HTMLInputElement>(p: TestPeer, id: string): T => p.doc.getElementById(id) as unknown as T

const state = (p: TestPeer): string =>
  JSON.stringify({
    ta: $<HTMLTextAreaElement>(p, 'ta').value,
    line: $(p, 'line').value,
    ok: $(p, 'ok').checked,
    mail: $(p, 'mail').value,
    g: ['r1', 'r2', 'r3'].map((id) => $(p, id).checked),
    s: $<HTMLSelectElement>(p, 's').selectedIndex,
    m: Array.from($<HTMLSelectElement>(p, 'm').options).map((o) => o.selected),
    where: $(p, 'line').parentElement!.id,
  })

/** One random edit; true when it was a reset (which takes the textarea back to its default). */
function edit(rng: Rng, p: TestPeer, marks: string[], n: number): boolean {
  const input = (el: HTMLInputElement | HTMLTextAreaElement, value: string): void => {
    el.value = value
    el.dispatchEvent(new Event('input', { bubbles: true }))
  }
  switch (rng.int(8)) {
    case 0:
    case 1: {
      // A character of this page's own, at a random place: it must survive unless deleted here.
      const ta = $<HTMLTextAreaElement>(p, 'ta')
      const at = rng.int(ta.value.length + 1)
      const mark = String.fromCharCode(0x4e00 + n)
      marks.push(mark)
      input(ta, ta.value.slice(0, at) + mark + ta.value.slice(at))
      break
    }
    case 2: {
      const line = $(p, 'line')
      const at = rng.int(line.value.length + 1)
      input(line, rng.chance(0.3) && line.value.length ? line.value.slice(0, at) + line.value.slice(at + 1) : line.value.slice(0, at) + 'q' + line.value.slice(at))
      break
    }
    case 3:
      $(p, 'ok').checked = !$(p, 'ok').checked
      break
    case 4:
      $(p, rng.pick(['r1', 'r2', 'r3'])).checked = true
      break
    case 5:
      if (rng.chance(0.5)) $<HTMLSelectElement>(p, 's').selectedIndex = rng.int(3)
      else $<HTMLSelectElement>(p, 'm').options[rng.int(3)]!.selected = rng.chance(0.5)
      break
    case 6:
      $(p, 'mail').value = rng.pick(['a@x.org', 'b@x.org', ''])
      break
    case 7:
      if (rng.chance(0.5)) $(p, rng.pick(['fa', 'fb'])).appendChild($(p, 'line')) // a move
      else if (rng.chance(0.2)) {
        ;(p.island() as HTMLFormElement).reset()
        return true
      }
      break
  }
  return false
}

describe('forms under seeded schedules', () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`seed ${seed}: three pages end with one form`, async () => {
      const rng = new Rng(seed)
      const net = new Network({ seed, reorder: true, duplicate: 0.1 })
      const peers = [net.join(FORM), net.join(FORM), net.join(FORM)]
      await net.settle()
      const marks: string[][] = [[], [], []]
      let resets = false
      for (let i = 0; i < 30; i++) {
        const who = rng.int(3)
        resets = edit(rng, peers[who]!, marks[who]!, i) || resets
        if (rng.chance(0.5)) await net.step(rng.int(4))
      }
      await net.settle()
      const states = peers.map(state)
      expect(states[1], `seed ${seed}`).toBe(states[0])
      expect(states[2], `seed ${seed}`).toBe(states[0])
      const s = JSON.parse(states[0]!)
      expect((s.g as boolean[]).filter(Boolean).length).toBeLessThanOrEqual(1)
      // Nothing deletes in the textarea but a reset: then every page's characters are all there.
      if (!resets) for (const m of marks.flat()) expect(s.ta, `seed ${seed}: ${m} typed`).toContain(m)
      for (const p of peers) expect(p.errors, `seed ${seed}`).toEqual([])
    })
  }
})
