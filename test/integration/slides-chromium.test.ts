// The shared slideshow (demo/slides/) in Chromium through a private Prosody, three windows of
// different sizes: whoever presses Present leads and everyone follows; a viewer browses on its
// own and comes back; the presenter hands over; the presenter's laser dot lands on the same spot
// of the slide in every window. The deck island follows the presenter: `send` in the presenter's
// window, `receive` in the others (their edits are put back, never sent), roles swapped on hand-over.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs'
import { startProsody, type ProsodyInstance } from '../../scripts/prosody.mjs'
import { startDemoServer, type DemoServer } from '../../demo/server.mjs'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const WAIT = 15_000

let browser: Browser
let prosody: ProsodyInstance
let server: DemoServer

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--no-check', '--quiet'], { cwd: ROOT, stdio: 'ignore' })
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
  prosody = await startProsody()
  server = await startDemoServer({ port: 0, prosody })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await prosody?.stop()
})

interface Viewer {
  page: Page
  ctx: BrowserContext
  errors: string[]
  peer: string
}

async function open(url: string, viewport: { width: number; height: number }): Promise<Viewer> {
  const ctx = await browser.newContext({ viewport })
  const page = await ctx.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(url)
  await page.waitForFunction(() => (window as any).slides?.session.self !== undefined, null, { timeout: WAIT })
  await page.evaluate(() => {
    const w = window as any
    w.syncErrors = []
    w.slides.session.addEventListener('sync-error', (e: CustomEvent) => w.syncErrors.push(`${e.detail.condition} ${e.detail.island} ${e.detail.peer}: ${e.detail.message}`))
    // The most slides the deck ever held: a restart that merged two copies of the deck would show.
    const deck = document.getElementById('deck')!
    w.mostSlides = deck.children.length
    new MutationObserver(() => (w.mostSlides = Math.max(w.mostSlides, deck.children.length))).observe(deck, { childList: true })
  })
  return { page, ctx, errors, peer: await page.evaluate(() => (window as any).slides.session.self as string) }
}

type SlideState = { current: number; presenting: boolean; following: boolean; presenter: string | null; deck: string | null }
const state = (v: Viewer): Promise<SlideState> => v.page.evaluate(() => (window as any).slides.state())

async function until(v: Viewer, want: Partial<SlideState>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT
  let got: SlideState | undefined
  while (Date.now() < deadline) {
    got = await state(v)
    if (Object.entries(want).every(([k, x]) => (got as any)[k] === x)) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${what}: ${JSON.stringify(got)}, wanted ${JSON.stringify(want)}`)
}

/** The shown slide's box in the page. */
const slideBox = (v: Viewer) =>
  v.page.evaluate(() => {
    const r = document.querySelector('#deck > section.current')!.getBoundingClientRect()
    return { left: r.left, top: r.top, width: r.width, height: r.height }
  })

/** The laser dot drawn for `name`'s pointer, its centre in client coordinates. */
const laser = (v: Viewer) =>
  v.page.evaluate(() => {
    const root = document.querySelector('[data-sync-presence-layer]')?.shadowRoot
    const dot = root && [...root.querySelectorAll('.ptr.laser')].find((p) => !(p as HTMLElement).hidden)
    if (!dot) return null
    const r = dot.getBoundingClientRect() // the element is the pointer's point; the dot is centred on it
    return { x: r.left, y: r.top }
  })

/** Records every text the deck shows in `v`'s window from now on (to prove an edit never arrived). */
const record = (v: Viewer) =>
  v.page.evaluate(() => {
    const w = window as any
    w.deckTexts = new Set<string>()
    const deck = document.getElementById('deck')!
    new MutationObserver(() => w.deckTexts.add(deck.textContent)).observe(deck, { childList: true, characterData: true, subtree: true })
  })
const recorded = (v: Viewer): Promise<string[]> => v.page.evaluate(() => [...(window as any).deckTexts])
const text = (v: Viewer, selector: string) => v.page.locator(selector).textContent()

/** Each window's deck: sections and text (equal everywhere once synced). */
const deckOf = (v: Viewer) => v.page.evaluate(() => ({ sections: document.querySelectorAll('#deck > section').length, text: document.getElementById('deck')!.textContent }))

describe('the shared slideshow through Prosody', () => {
  it('viewers follow the presenter, browse and come back, the presenter hands over, the laser lands on the same spot, the deck takes only the presenter\'s edits', async () => {
    const url = `${server.url}slides/?room=s${Date.now().toString(36)}`
    const ann = await open(`${url}&name=Ann`, { width: 1280, height: 800 })
    const bob = await open(`${url}&name=Bob`, { width: 800, height: 600 })
    const cat = await open(`${url}&name=Cat`, { width: 1024, height: 700 })
    const all = [ann, bob, cat]
    try {
      for (const v of all) await v.page.waitForFunction(() => (window as any).slides.presence.people.size === 2, null, { timeout: WAIT })

      // Nobody presents: the deck is read-only everywhere, a window's edit is put back.
      for (const v of all) await until(v, { deck: 'receive' }, 'read-only with nobody presenting')
      await bob.page.evaluate(() => (document.querySelector('#deck > section h1')!.firstChild as Text).replaceData(0, 1, 'My'))
      await expect.poll(() => text(bob, '#deck > section h1'), { timeout: WAIT }).toBe('A shared slideshow')

      // Ann presents; everyone says so.
      await ann.page.click('#present')
      for (const v of all) await until(v, { presenter: ann.peer }, 'Ann presents')
      await expect.poll(() => bob.page.locator('#status').textContent(), { timeout: WAIT }).toBe('Ann is presenting')

      // The deck follows the presenter: Ann sends, the others receive. Ann fixes a typo live and
      // every window shows it.
      await until(ann, { deck: 'send' }, 'Ann sends the deck')
      for (const v of [bob, cat]) await until(v, { deck: 'receive' }, 'viewers receive the deck')
      await ann.page.evaluate(() => (document.querySelector('#deck > section h1')!.firstChild as Text).replaceData(0, 1, 'The'))
      for (const v of [bob, cat]) await expect.poll(() => text(v, '#deck > section h1'), { timeout: WAIT }).toBe('The shared slideshow')

      // A viewer's edit stays in its window and is put back; it never reaches the others.
      await record(ann)
      await record(bob)
      await cat.page.evaluate(() => (document.querySelector('#deck > section h1')!.firstChild as Text).replaceData(0, 3, 'Our'))
      await expect.poll(() => text(cat, '#deck > section h1'), { timeout: WAIT }).toBe('The shared slideshow')
      // Ann's next edit reaches Bob after anything Cat could have sent.
      await ann.page.evaluate(() => (document.querySelector('#deck > section p.small')!.firstChild as Text).appendData(' Typos too.'))
      for (const v of [bob, cat]) await expect.poll(() => text(v, '#deck > section p.small'), { timeout: WAIT }).toMatch(/Typos too\.$/)
      for (const v of [ann, bob]) expect((await recorded(v)).filter((t) => t.includes('Our shared'))).toEqual([])

      // Ann moves on twice (a key, a click on the slide): the viewers follow.
      await ann.page.keyboard.press('ArrowRight')
      await ann.page.click('#deck > section.current h2, #deck > section.current h1')
      for (const v of [bob, cat]) await until(v, { current: 2, following: true }, 'viewers follow')

      // Cat browses back on her own: she stays there while Ann moves on, then comes back.
      await cat.page.keyboard.press('ArrowLeft')
      await until(cat, { current: 1, following: false }, 'Cat browses')
      await expect.poll(() => cat.page.locator('#follow').isVisible(), { timeout: WAIT }).toBe(true)
      await ann.page.keyboard.press('ArrowRight')
      await until(bob, { current: 3 }, 'Bob follows')
      // Ann's laser is on a slide Cat is not showing: Bob sees it, Cat does not.
      const annBox = await slideBox(ann)
      await ann.page.mouse.move(annBox.left + annBox.width / 2, annBox.top + annBox.height / 2, { steps: 3 })
      await expect.poll(() => laser(bob), { timeout: WAIT }).not.toBeNull()
      expect(await laser(cat)).toBeNull()
      expect((await state(cat)).current).toBe(1)
      await cat.page.click('#follow')
      await until(cat, { current: 3, following: true }, 'Cat is back')
      await ann.page.keyboard.press('ArrowLeft')
      for (const v of [bob, cat]) await until(v, { current: 2 }, 'both follow again')

      // The laser: Ann points at a spot of slide 3 (its figure's circle); every window draws the
      // dot on the same spot of its own slide, whatever its size.
      const box = await slideBox(ann)
      const spot = { fx: 0.42, fy: 0.61 }
      await ann.page.mouse.move(box.left + spot.fx * box.width, box.top + spot.fy * box.height, { steps: 5 })
      for (const v of [bob, cat]) {
        await expect
          .poll(async () => {
            const dot = await laser(v)
            const b = await slideBox(v)
            if (!dot) return 'no dot'
            const dx = Math.abs(dot.x - (b.left + spot.fx * b.width))
            const dy = Math.abs(dot.y - (b.top + spot.fy * b.height))
            return dx <= 3 && dy <= 3 ? 'on the spot' : `off by ${dx.toFixed(1)}, ${dy.toFixed(1)}`
          }, { timeout: WAIT })
          .toBe('on the spot')
      }

      // Ann hands over to Bob: Bob leads, Ann and Cat follow him.
      await ann.page.selectOption('#handover-to', bob.peer)
      await ann.page.click('#handover')
      for (const v of all) await until(v, { presenter: bob.peer }, 'Bob presents')
      await until(bob, { presenting: true }, 'Bob knows')
      await until(ann, { presenting: false, following: true }, 'Ann follows')
      await bob.page.keyboard.press('End')
      await until(bob, { current: 4 }, 'Bob at the end')
      for (const v of [ann, cat]) await until(v, { current: 4 }, 'follow Bob').catch(async (err) => {
        const seen = await v.page.evaluate((peer) => JSON.stringify({ bob: (window as any).slides.presence.people.get(peer)?.state.data, sections: document.querySelectorAll('#deck > section').length, island: document.getElementById('deck')!.getAttribute('data-sync-island') }), bob.peer)
        throw new Error(`${err.message}; sees ${seen}`)
      })
      await expect.poll(() => cat.page.locator('#status').textContent(), { timeout: WAIT }).toBe('Bob is presenting')

      // The roles of the deck swapped: Bob's edit reaches everyone, Ann's is put back and reaches nobody.
      await until(bob, { deck: 'send' }, 'Bob sends the deck')
      for (const v of [ann, cat]) await until(v, { deck: 'receive' }, 'Ann and Cat receive the deck')
      await bob.page.evaluate(() => (document.querySelectorAll('#deck > section h2')[0]!.firstChild as Text).deleteData(6, 1))
      for (const v of [ann, cat]) await expect.poll(() => text(v, '#deck > section:nth-of-type(2) h2'), { timeout: WAIT }).toBe('Follow or browse')
      await record(bob)
      await record(cat)
      await ann.page.evaluate(() => (document.querySelectorAll('#deck > section h2')[1]!.firstChild as Text).replaceData(0, 1, 'One'))
      await expect.poll(() => text(ann, '#deck > section:nth-of-type(3) h2'), { timeout: WAIT }).toBe('A laser pointer')
      await bob.page.evaluate(() => (document.querySelector('#deck > section:last-of-type p')!.firstChild as Text).insertData(0, 'Thanks. '))
      for (const v of [ann, cat]) await expect.poll(() => text(v, '#deck > section:last-of-type p'), { timeout: WAIT }).toMatch(/^Thanks\. /)
      for (const v of [bob, cat]) expect((await recorded(v)).filter((t) => t.includes('One laser'))).toEqual([])
      // One deck, the same in every window: no slide twice, nothing lost.
      const decks = await Promise.all(all.map(deckOf))
      expect(decks[0]!.sections).toBe(5)
      expect(decks[1]).toEqual(decks[0])
      expect(decks[2]).toEqual(decks[0])
      expect(decks[0]!.text).toContain('The shared slideshow')

      // Bob's pointer is the laser now, on Ann's screen.
      const bobBox = await slideBox(bob)
      await bob.page.mouse.move(bobBox.left + 0.2 * bobBox.width, bobBox.top + 0.3 * bobBox.height, { steps: 5 })
      await expect
        .poll(async () => {
          const dot = await laser(ann)
          const b = await slideBox(ann)
          if (!dot) return `no dot; Ann has ${await ann.page.evaluate((peer) => JSON.stringify((window as any).slides.presence.people.get(peer)?.state), bob.peer)}`
          const dx = Math.abs(dot.x - (b.left + 0.2 * b.width))
          const dy = Math.abs(dot.y - (b.top + 0.3 * b.height))
          return dx <= 3 && dy <= 3 ? 'on the spot' : `off by ${dx.toFixed(1)}, ${dy.toFixed(1)}`
        }, { timeout: WAIT })
        .toBe('on the spot')

      // A window opened now follows Bob, deck included: it shows the fixed deck, once.
      const dan = await open(`${url}&name=Dan`, { width: 900, height: 700 })
      all.push(dan)
      await until(dan, { presenter: bob.peer, deck: 'receive' }, 'Dan follows Bob')
      await expect.poll(() => deckOf(dan), { timeout: WAIT }).toEqual(decks[0])

      // Bob stops presenting: the deck is read-only everywhere again, and keeps what was fixed.
      await bob.page.click('#stop-presenting')
      for (const v of all) await until(v, { presenter: null, deck: 'receive' }, 'nobody presents')
      await bob.page.evaluate(() => (document.querySelector('#deck > section h1')!.firstChild as Text).replaceData(0, 3, 'Our'))
      await expect.poll(() => text(bob, '#deck > section h1'), { timeout: WAIT }).toBe('The shared slideshow')
      for (const v of all) expect(await deckOf(v)).toEqual(decks[0])

      // No error but the refusals of non-presenters' messages (data-sync-editors names the
      // presenter; the engine reports even the join requests it lets through), and never two
      // copies of the deck, not even for a moment during a restart.
      for (const v of all) {
        const [errors, most] = await v.page.evaluate(() => [(window as any).syncErrors as string[], (window as any).mostSlides as number])
        expect(errors.filter((e) => !/^not-allowed deck .* is not an editor of this island$/.test(e))).toEqual([])
        expect(most).toBe(5)
      }
      for (const v of all) expect(v.errors).toEqual([])
    } finally {
      for (const v of all) await v.ctx.close()
    }
  })
})
