// The XSS corpus against a real page in the system Chromium, driven with playwright-core.
//
// Each vector is delivered by a hostile peer as a crafted Yjs update (written into the page's
// #xmpp-incoming as a stanza, the way a bridge delivers one) to a page whose session renders
// through the policy. Then the test does what a user and the browser would: every kind of event on
// every rendered element, focus, activation (click on links and buttons), SVG animation time moved
// on, and waits. Pass: the canary (`top.__xss(id)`, which every script payload calls) never
// fires, no dialog opens, the page does not navigate, no frame or popup opens, and the page makes
// no network request at all: every request is intercepted, counted and aborted.
//
// The control run delivers the same vectors to pages without a policy: it shows the harness sees
// what a vector does when nothing stops it (many vectors run the canary, fetch or navigate there).
//
// Why a Node test with playwright-core rather than vitest's browser mode: requests (including
// those from CSS, preloads, pings and frames) and navigations are only visible from outside the
// page, through the browser's own interception.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs'
import { VECTORS, type VariantName, type XNode, type XssVector } from '../fixtures/xss/corpus.js'
import { LEGIT } from '../fixtures/xss/legit.js'
import { ISLAND_OF, VARIANT_OPTIONS } from '../fixtures/xss/variants.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const ORIGIN = 'https://islands.test'
const PAGE_URL = `${ORIGIN}/page.html`
const HARNESS_URL = `${ORIGIN}/harness.js`
/** How long a page is given, after the events, for images, animations and timers to do their worst. */
const SETTLE_MS = 500

let browser: Browser
let harness = ''

beforeAll(async () => {
  const out = await build({
    entryPoints: [`${ROOT}test/fixtures/xss/harness.ts`],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    minify: true,
    logLevel: 'silent',
  })
  harness = out.outputFiles[0]!.text
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
})

afterAll(async () => {
  await browser?.close()
})

interface Evidence {
  canary: string[]
  requests: string[]
  navigations: string[]
  frames: string[]
  dialogs: string[]
  popups: string[]
  pageErrors: string[]
}

const harmless = (e: Evidence): boolean =>
  e.canary.length + e.requests.length + e.navigations.length + e.frames.length + e.dialogs.length + e.popups.length === 0

/**
 * Opens a page with the island of `variant`, its session rendering through that variant's policy
 * (or none), runs `body` in it, then waits and collects the evidence.
 */
async function withPage(
  variant: VariantName,
  policy: boolean,
  body: (call: <T>(fn: string, ...args: unknown[]) => Promise<T>) => Promise<void>,
  settleMs = SETTLE_MS,
  shared?: BrowserContext,
): Promise<Evidence> {
  const context = shared ?? (await browser.newContext())
  const ev: Evidence = { canary: [], requests: [], navigations: [], frames: [], dialogs: [], popups: [], pageErrors: [] }
  const page = await context.newPage()
  try {
    const html =
      '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">' +
      '<script>window.__xss = function (id) { window.__xssReport(String(id)) }</script>' +
      `<script src="${HARNESS_URL}"></script></head><body><p id="outside">outside the island</p>${ISLAND_OF[variant].html}</body></html>`
    await page.route('**/*', async (route) => {
      const url = route.request().url()
      if (url === PAGE_URL) return route.fulfill({ status: 200, contentType: 'text/html', body: html })
      if (url === HARNESS_URL) return route.fulfill({ status: 200, contentType: 'text/javascript', body: harness })
      ev.requests.push(url)
      return route.abort()
    })
    await page.exposeBinding('__xssReport', (_src, id: string) => {
      ev.canary.push(id)
    })
    // A popup's own requests go through its route, not this page's: fail them all, count the popup.
    page.on('popup', (p) => {
      ev.popups.push(p.url())
      void p.route('**/*', (r) => r.abort()).catch(() => {})
    })
    page.on('dialog', (d) => {
      ev.dialogs.push(d.message())
      void d.dismiss().catch(() => {})
    })
    page.on('pageerror', (e) => ev.pageErrors.push(e.message))
    await page.goto(PAGE_URL)
    // After this first load, any document loaded in the main frame is a navigation (a reload too).
    page.on('domcontentloaded', () => ev.navigations.push(`a new document at ${page.url()}`))
    page.on('frameattached', (f) => ev.frames.push(`attached ${f.url()}`))
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) {
        if (f.url().split('#')[0] !== PAGE_URL) ev.navigations.push(f.url())
      } else ev.frames.push(`navigated ${f.url()}`)
    })
    const call = <T>(fn: string, ...args: unknown[]): Promise<T> =>
      page.evaluate(([fn, args]) => (window.__harness as any)[fn as string](...(args as unknown[])), [fn, args] as const) as Promise<T>
    await call('start', policy ? VARIANT_OPTIONS[variant] : null)
    await body(call)
    await page.waitForTimeout(settleMs)
  } catch (err) {
    // A page that navigated away takes the harness with it: that is evidence, not a harness bug.
    const gone = /Execution context was destroyed|navigation|Target page, context or browser has been closed/i.test(String(err))
    if (!gone) throw err
    ev.navigations.push(`the harness went away: ${String(err).split('\n')[0]}`)
  } finally {
    if (shared) await page.close()
    else await context.close()
  }
  return ev
}

/** Delivers `vectors` one update each into one page, provoking after each and once more at the end. */
const deliverAll = (vectors: readonly XssVector[], pauseMs = 300) => async (call: <T>(fn: string, ...args: unknown[]) => Promise<T>) => {
  for (const v of vectors) {
    const gained = await call<number>('inject', [v.tree])
    expect(gained, `${v.id} was not integrated into the doc`).toBe(1)
    await call('provoke')
  }
  await call('sleep', pauseMs)
  await call('provoke')
}

const chunks = <T>(xs: readonly T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n))

describe('the XSS corpus, delivered by a hostile peer to a page in Chromium', () => {
  const variants: VariantName[] = ['svg', 'svg+fo', 'html', 'form']
  for (const variant of variants) {
    // Every (vector, profile) pair the corpus names, except those that need the engine to tell the
    // policy the parent element (see the todo below).
    const list = VECTORS.filter((v) => v.refusedBy.includes(variant) && !v.contextOnly.includes(variant))
    chunks(list, 40).forEach((chunk) => {
      it(`${variant} profile, vectors ${chunk[0]!.id} .. ${chunk[chunk.length - 1]!.id}: no script, no request, no navigation`, async () => {
        const ev = await withPage(variant, true, deliverAll(chunk))
        expect(ev.canary, 'the canary fired').toEqual([])
        expect(ev.dialogs, 'a dialog opened').toEqual([])
        expect(ev.requests, 'the page made requests').toEqual([])
        expect(ev.navigations, 'the page navigated').toEqual([])
        expect(ev.frames, 'a frame appeared').toEqual([])
        expect(ev.popups, 'a popup opened').toEqual([])
      }, 60_000)
    })
  }

  // Vectors only a policy told the parent element can refuse (HTML straight inside SVG, outside
  // foreignObject, with the foreignObject profile): skipped, saying so, if the engine does not tell.
  for (const variant of variants) {
    const list = VECTORS.filter((v) => v.contextOnly.includes(variant))
    if (list.length === 0) continue
    it(`${variant} profile, vectors that need the parent element (${list.map((v) => v.id).join(', ')})`, async ({ skip }) => {
      let told = false
      const ev = await withPage(variant, true, async (call) => {
        await deliverAll(list)(call)
        told = await call<boolean>('sawParent')
      })
      if (!told) skip('the engine does not pass the parent key to policy.element(), which these vectors need')
      expect(ev.canary).toEqual([])
      expect(ev.requests).toEqual([])
      expect(ev.navigations).toEqual([])
      expect(ev.frames).toEqual([])
    }, 60_000)
  }
})

/**
 * The control costs a page per vector: by default every third vector (a third of each category,
 * about 90); XSS_CONTROL=all runs all of them (measured: 145 of 265 act, with every kind of harm).
 */
const CONTROL = process.env.XSS_CONTROL === 'all' ? VECTORS : VECTORS.filter((_, i) => i % 3 === 0)

describe('the control run: the same vectors with no policy', () => {
  it(`the harness sees what vectors do when nothing stops them (${CONTROL.length} vectors)`, async () => {
    const live = new Map<string, string[]>()
    const queue = [...CONTROL]
    const worker = async (): Promise<void> => {
      const context = await browser.newContext()
      for (let v = queue.shift(); v; v = queue.shift()) {
        const ev = await withPage(v.refusedBy[0]!, false, deliverAll([v], 150), 350, context)
        if (!harmless(ev)) {
          const what = [
            ev.canary.length && 'script', ev.dialogs.length && 'dialog', ev.requests.length && 'request',
            ev.navigations.length && 'navigation', ev.frames.length && 'frame', ev.popups.length && 'popup',
          ].filter(Boolean) as string[]
          live.set(v.id, what)
        }
      }
      await context.close()
    }
    await Promise.all(Array.from({ length: 3 }, worker))
    const byCategory = new Map<string, { live: number; all: number }>()
    for (const v of CONTROL) {
      const c = byCategory.get(v.category) ?? { live: 0, all: 0 }
      c.all++
      if (live.has(v.id)) c.live++
      byCategory.set(v.category, c)
    }
    const kinds = new Map<string, number>()
    for (const what of live.values()) for (const w of what) kinds.set(w, (kinds.get(w) ?? 0) + 1)
    console.log(`control run: ${live.size} of ${CONTROL.length} vectors act without a policy`, Object.fromEntries(byCategory), Object.fromEntries(kinds))
    // Every kind of harm the test looks for is seen, and many vectors are live (the rest are
    // refused for defence in depth: legacy schemes, what Chromium ignores, what needs a gadget).
    for (const kind of ['script', 'request', 'navigation', 'frame']) expect(kinds.get(kind) ?? 0, kind).toBeGreaterThan(0)
    expect(live.size).toBeGreaterThanOrEqual(Math.floor(CONTROL.length * 0.4))
  }, 600_000)
})

describe('legitimate content through the policy in Chromium', () => {
  for (const { name, variant, nodes } of LEGIT) {
    it(`${name}: the ${variant} profile renders what no policy renders`, async () => {
      const render = async (policy: boolean): Promise<string> => {
        let out = ''
        await withPage(variant, policy, async (call) => {
          expect(await call<number>('inject', nodes as XNode[])).toBe(nodes.length)
          out = await call<string>('rendered')
          expect(await call<number>('elementCount')).toBeGreaterThan(nodes.length)
        })
        return out
      }
      const [withPolicy, without] = await Promise.all([render(true), render(false)])
      expect(withPolicy).toBe(without)
    }, 60_000)
  }
})
