// Forms filled in together (issue 14), as people do it: three Chromium pages (separate browser
// contexts, so only the server connects them) on one form, through a private Prosody. Typing is
// the browser's own (one key event, one input event per character); the IME is driven through
// the browser's input protocol (CDP Input.imeSetComposition, then Input.insertText to commit).
// Leaks are searched in every WebSocket frame a page sent, and in a doc built from every update
// in them (per-keystroke updates carry single characters).
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs'
import { startProsody, type ProsodyInstance } from '../../scripts/prosody.mjs'
import { sentContent } from '../helpers/sent.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const IIFE = `${ROOT}dist/xml-sync-islands.iife.js`
const WAIT = 15_000
const TEXT = 'The quick brown fox jumps over the lazy dog'

const FORM = `
<form data-sync-island="form" id="form">
  <fieldset id="fs-a">
    <textarea id="ta" rows="4" cols="60">${TEXT}</textarea>
    <input id="who" name="who" value="Ann">
    <input id="mail" type="email" name="mail">
    <label><input id="ok" type="checkbox" name="ok"> ok</label>
    <input id="r1" type="radio" name="size" value="s" checked><input id="r2" type="radio" name="size" value="m"><input id="r3" type="radio" name="size" value="l">
    <select id="pick" name="pick"><option id="o1" value="1">one</option><option id="o2" value="2" selected>two</option><option id="o3" value="3">three</option></select>
  </fieldset>
  <fieldset id="fs-b"></fieldset>
  <input id="pw" type="password" name="pw">
  <input id="csrf" type="hidden" name="csrf" value="CSRF-TOKEN-0001">
  <input id="cc" name="cc" autocomplete="cc-number">
  <input id="show" type="password" name="show">
  <button type="reset" id="reset">Reset</button>
</form>
<div data-sync-island="notes" contenteditable="true"><p id="p">${TEXT}</p></div>`

let browser: Browser
let prosody: ProsodyInstance
let script = ''
let server: Server
let origin = ''
/** Pages by path: a real server on loopback (a page intercepted by the test would count as public, and Chromium keeps public pages off loopback sockets). */
const pages = new Map<string, string>()

beforeAll(async () => {
  // `npm test` builds first; a lone run builds here unless the bundle is newer than every source.
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(`${dir}/${e.name}`) : statSync(`${dir}/${e.name}`).mtimeMs)))
  const stale = !existsSync(IIFE) || statSync(IIFE).mtimeMs < Math.max(newest(`${ROOT}src`), newest(`${ROOT}islands`))
  if (stale) execFileSync(process.execPath, ['scripts/build.mjs', '--no-check', '--quiet'], { cwd: ROOT, stdio: 'inherit' })
  const { readFileSync } = await import('node:fs')
  script = readFileSync(IIFE, 'utf8')
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
  prosody = await startProsody()
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (path === '/islands.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(script)
    const html = pages.get(path)
    if (html === undefined) return void res.writeHead(404).end()
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await browser?.close()
  await prosody?.stop()
  await new Promise((resolve) => server?.close(resolve))
})

interface Opened {
  page: Page
  context: BrowserContext
  errors: string[]
  /** Every WebSocket frame the page sent: what left the browser. */
  frames: string[]
}

async function open(room: string): Promise<Opened> {
  const context = await browser.newContext()
  const page = await context.newPage()
  const errors: string[] = []
  const frames: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('websocket', (ws) => ws.on('framesent', (f) => frames.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8'))))
  const config = { service: prosody.websocketUrl, domain: prosody.anonDomain, room: `${room}@${prosody.mucDomain}` }
  const html =
    `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><script src="/islands.js"></script></head><body>${FORM}` +
    `<script>
      window.syncErrors = []
      window.session = XmlSyncIslands.syncIslands()
      session.addEventListener('sync-error', (e) => syncErrors.push(e.detail.condition + ': ' + e.detail.message))
      window.bridge = XmlSyncIslands.xmppBridge(${JSON.stringify(config)})
      bridge.addEventListener('error', (e) => syncErrors.push('bridge ' + e.detail.reason + ': ' + e.detail.message))
    </script></body></html>`
  pages.set(`/${room}.html`, html)
  await page.goto(`${origin}/${room}.html`)
  try {
    await page.waitForFunction(() => [...(window as any).session.islands.values()].every((i: any) => i.state === 'synced'), null, { timeout: WAIT })
  } catch (err) {
    const why = await page.evaluate(() => JSON.stringify({ islands: [...(window as any).session.islands.values()].map((i: any) => [i.name, i.state]), errors: (window as any).syncErrors, online: (window as any).bridge.online }))
    throw new Error(`${String(err)}: ${why}; page errors ${errors.join('; ')}; ${frames.length} frames`)
  }
  return { page, context, errors, frames }
}

/** What every page must agree on: the live state of every control, and the contenteditable's text. */
const snapshot = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const out: Record<string, unknown> = {}
    for (const el of Array.from(document.querySelectorAll('#form input, #form textarea, #form select')) as HTMLInputElement[]) {
      if (['pw', 'csrf', 'cc', 'show'].includes(el.id)) continue
      out[el.id || el.name] = el.type === 'checkbox' || el.type === 'radio' ? el.checked : el.value
    }
    out.p = document.getElementById('p')?.textContent
    out.where = Array.from(document.querySelectorAll('#form input, #form textarea, #form select')).map((e) => `${e.parentElement!.id}/${e.id}`).join(' ')
    return JSON.stringify(out)
  })

async function converged(pages: Page[], what: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + WAIT
  let last: string[] = []
  while (Date.now() < deadline) {
    last = await Promise.all(pages.map(snapshot))
    if (last.every((s) => s === last[0])) return JSON.parse(last[0]!)
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${what}: pages did not converge within ${WAIT} ms:\n${last.join('\n')}`)
}

const caret = (page: Page, selector: string, at: number): Promise<void> =>
  page.evaluate(([selector, at]) => {
    const el = document.querySelector(selector as string) as HTMLTextAreaElement
    el.focus()
    el.setSelectionRange(at as number, at as number)
  }, [selector, at] as const)

const selection = (page: Page, selector: string): Promise<[number, number]> =>
  page.evaluate((selector) => {
    const el = document.querySelector(selector) as HTMLTextAreaElement
    return [el.selectionStart, el.selectionEnd] as [number, number]
  }, selector)

describe('a form filled in together, through Prosody', () => {
  const room = `forms${Date.now().toString(36)}`
  let A: Opened
  let B: Opened
  let C: Opened | undefined

  beforeAll(async () => {
    A = await open(room)
    B = await open(room)
    await B.page.waitForFunction(() => (window as any).session.peers.size === 1, null, { timeout: WAIT })
  })

  afterAll(async () => {
    await Promise.all([A?.context.close(), B?.context.close(), C?.context.close()])
  })

  it('two people typing at different places of one textarea at once both keep their text, each caret where its owner left it', async () => {
    await caret(A.page, '#ta', 3) // after "The"
    await caret(B.page, '#ta', TEXT.length) // after "dog"
    await Promise.all([A.page.keyboard.type(' very', { delay: 40 }), B.page.keyboard.type(' and a cat', { delay: 35 })])
    const state = await converged([A.page, B.page], 'concurrent typing')
    const want = `The very${TEXT.slice(3)} and a cat`
    expect(state.ta).toBe(want)
    expect(await selection(A.page, '#ta')).toEqual([8, 8]) // after "The very"
    expect(await selection(B.page, '#ta')).toEqual([want.length, want.length])
    // Both keep typing where they are: the carets were not moved by the other's edits.
    await Promise.all([A.page.keyboard.type(',', { delay: 20 }), B.page.keyboard.type('!', { delay: 20 })])
    expect((await converged([A.page, B.page], 'more typing')).ta).toBe(`The very,${TEXT.slice(3)} and a cat!`)
  })

  it('checkbox, radio and select races end in one state on every page, one radio checked', async () => {
    await Promise.all([
      A.page.click('#ok'),
      B.page.click('#ok'),
      A.page.click('#r2'),
      B.page.click('#r3'),
      A.page.selectOption('#pick', '1'),
      B.page.selectOption('#pick', '3'),
    ])
    const state = await converged([A.page, B.page], 'races')
    expect([state.r1, state.r2, state.r3].filter(Boolean)).toHaveLength(1)
    expect(['1', '3']).toContain(state.pick)
  })

  it('a value set by script, and a field added later (then typed into on the other page), sync', async () => {
    await A.page.evaluate(() => {
      ;(document.getElementById('who') as HTMLInputElement).value = 'set by script'
      ;(document.getElementById('mail') as HTMLInputElement).value = 'ann@example.org'
      const extra = document.createElement('input')
      extra.id = 'extra'
      extra.value = 'added later'
      document.getElementById('fs-b')!.appendChild(extra)
    })
    let state = await converged([A.page, B.page], 'script and a new field')
    expect(state.who).toBe('set by script')
    expect(state.mail).toBe('ann@example.org')
    expect(state.extra).toBe('added later')
    await B.page.click('#extra')
    await B.page.keyboard.press('End')
    await B.page.keyboard.type(' and typed')
    state = await converged([A.page, B.page], 'typing into the new field')
    expect(state.extra).toBe('added later and typed')
    // A field moved to another fieldset keeps its value, and keeps syncing.
    await A.page.evaluate(() => document.getElementById('fs-b')!.appendChild(document.getElementById('who')!))
    await B.page.click('#who')
    await B.page.keyboard.press('End')
    await B.page.keyboard.type('!')
    state = await converged([A.page, B.page], 'a moved field')
    expect(state.who).toBe('set by script!')
    expect(String(state.where)).toContain('fs-b/who')
  })

  it('a late joiner sees the current values, and form.reset() on it resets every page', async () => {
    C = await open(room)
    const before = await converged([A.page, B.page], 'before the late joiner')
    const state = await converged([A.page, B.page, C.page], 'late joiner')
    expect(state).toEqual(before)
    expect(state.who).toBe('set by script!')
    await C.page.click('#reset')
    const reset = await converged([A.page, B.page, C.page], 'reset')
    expect(reset.ta).toBe(TEXT)
    expect(reset.who).toBe('Ann')
    expect(reset.mail).toBe('')
    expect(reset.ok).toBe(false)
    expect([reset.r1, reset.r2, reset.r3]).toEqual([true, false, false])
    expect(reset.pick).toBe('2')
    expect(reset.extra).toBe('')
  })

  it('an IME composition with a peer typing elsewhere in the same field ends with both texts, the composition intact (textarea, contenteditable)', async () => {
    const pages = [A.page, B.page, C!.page]
    for (const [selector, kind] of [['#ta', 'textarea'], ['#p', 'contenteditable']] as const) {
      const cdp = await A.page.context().newCDPSession(A.page)
      if (kind === 'textarea') {
        await caret(A.page, '#ta', 4) // before "quick"
        await caret(B.page, '#ta', TEXT.length)
      } else {
        for (const [page, at] of [[A.page, 4], [B.page, TEXT.length]] as const) {
          await page.evaluate((at) => {
            const p = document.getElementById('p')!
            ;(p.parentElement as HTMLElement).focus()
            getSelection()!.collapse(p.firstChild, at)
          }, at)
        }
      }
      await cdp.send('Input.imeSetComposition', { text: 'にほ', selectionStart: 2, selectionEnd: 2 })
      await B.page.keyboard.type(' XYZ', { delay: 30 })
      // B's characters have reached the others (C shows them) while A still composes.
      await C!.page.waitForFunction(([s, k]) => (k === 'textarea' ? (document.querySelector(s) as HTMLTextAreaElement).value : document.querySelector(s)!.textContent)!.endsWith(' XYZ'), [selector, kind] as const, { timeout: WAIT })
      await new Promise((r) => setTimeout(r, 200))
      if (kind === 'textarea') {
        // Held on A until the composition ends: a setRangeText mid-composition garbles it.
        const mid = await A.page.evaluate(() => (document.getElementById('ta') as HTMLTextAreaElement).value)
        expect(mid).toBe(`The にほquick${TEXT.slice(9)}`)
      }
      await cdp.send('Input.insertText', { text: '日本' })
      const state = await converged(pages, `IME in a ${kind}`)
      const text = String(kind === 'textarea' ? state.ta : state.p)
      expect(text, kind).toBe(`The 日本quick${TEXT.slice(9)} XYZ`)
      await cdp.detach()
    }
  })

  it('never sends a password, the CSRF token, a card number or a toggled password, typed or set', async () => {
    await A.page.click('#pw')
    await A.page.keyboard.type('hunter2-secret')
    await A.page.click('#cc')
    await A.page.keyboard.type('4111111111111111')
    await A.page.evaluate(() => {
      ;(document.getElementById('csrf') as HTMLInputElement).value = 'CSRF-TOKEN-changed'
      document.getElementById('csrf')!.setAttribute('value', 'CSRF-TOKEN-attr')
      ;(document.getElementById('show') as HTMLInputElement).type = 'text' // show password
    })
    await A.page.click('#show')
    await A.page.keyboard.type('shown-secret-42')
    await A.page.evaluate(() => {
      ;(document.getElementById('show') as HTMLInputElement).type = 'password'
      ;(document.getElementById('show') as HTMLInputElement).type = 'text'
    })
    // Something that does sync, typed last: once it is everywhere, everything before it was sent.
    await A.page.click('#who')
    await A.page.keyboard.type(' done')
    await converged([A.page, B.page, C!.page], 'after the secrets')
    // One doc from the updates every page sent (an update of one page builds on the others'),
    // with garbage collection off: what was typed and deleted again is in it too.
    const stanzas = [A, B, C!].flatMap((page) => page.frames.filter((f) => f.startsWith('<message')))
    const doc = sentContent(stanzas)
    expect(doc, 'what A typed last, one update a key, read back whole').toContain(' done')
    for (const secret of ['hunter2', '4111111111111111', 'CSRF-TOKEN', 'shown-secret']) {
      for (const page of [A, B, C!]) expect(page.frames.join('\n'), `raw frames of a page: ${secret}`).not.toContain(secret)
      expect(doc, `a doc of every update sent: ${secret}`).not.toContain(secret)
    }
    // Nor did a peer's secret fields change.
    const theirs = await B.page.evaluate(() => ['pw', 'csrf', 'cc', 'show'].map((id) => [(document.getElementById(id) as HTMLInputElement).value, (document.getElementById(id) as HTMLInputElement).type]))
    expect(theirs).toEqual([['', 'password'], ['CSRF-TOKEN-0001', 'hidden'], ['', 'text'], ['', 'password']])
    for (const page of [A, B, C!]) {
      expect(page.errors).toEqual([])
      expect(await page.page.evaluate(() => (window as any).syncErrors)).toEqual([])
    }
  })
})
