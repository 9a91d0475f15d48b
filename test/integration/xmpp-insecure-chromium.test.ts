// The XMPP bridge on a page served over plain http from a host name: not a secure context, so
// the browser has no `crypto.randomUUID` and no `crypto.subtle`. Chromium maps the name to
// 127.0.0.1 (--host-resolver-rules) and the demo server and a private Prosody answer there.
// The demo page must sync through Prosody with anonymous login, a password login over that
// insecure ws:// link must fail with an error that says why, and a bridge that cannot start
// must say so on the page.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs'
import { startProsody, type ProsodyInstance } from '../../scripts/prosody.mjs'
import { startDemoServer, type DemoServer } from '../../demo/server.mjs'
import { addTestingTools, canonicalIsland } from './testing-script.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const HOST = 'islands-demo.test'
const WAIT = 15_000

let browser: Browser
let prosody: ProsodyInstance
let server: DemoServer

beforeAll(async () => {
  // Always built here: a stale bundle would test yesterday's bridge (the build takes about 1 s).
  execFileSync(process.execPath, ['scripts/build.mjs', '--no-check', '--quiet'], { cwd: ROOT, stdio: 'ignore' })
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${HOST} 127.0.0.1`] })
  prosody = await startProsody({ accounts: [{ user: 'alice', password: 'alice-secret' }] })
  server = await startDemoServer({ port: 0, prosody })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await prosody?.stop()
})

const insecureUrl = (s: DemoServer, query = ''): string => `http://${HOST}:${s.port}/${query}`

/** Opens the demo and records the page's uncaught errors; checks the page is not a secure context. */
async function open(context: BrowserContext, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(url)
  const where = await page.evaluate(() => ({
    secure: isSecureContext,
    randomUUID: typeof (globalThis.crypto as { randomUUID?: unknown }).randomUUID,
    host: location.hostname,
  }))
  expect(where).toEqual({ secure: false, randomUUID: 'undefined', host: HOST })
  await page.waitForFunction(() => (window as any).demo !== undefined, null, { timeout: WAIT })
  await addTestingTools(page)
  return { page, errors }
}

const island = canonicalIsland

describe('the demo on a plain-http page from a host name', () => {
  it('syncs two pages through Prosody with anonymous login, an edit each way', async () => {
    const url = insecureUrl(server, `?room=insecure${Date.now().toString(36)}`)
    const [ctxA, ctxB] = await Promise.all([browser.newContext(), browser.newContext()])
    try {
      const A = await open(ctxA, url)
      const B = await open(ctxB, url)
      for (const { page } of [A, B]) {
        await expect.poll(() => page.locator('#bridge').textContent(), { timeout: WAIT }).toContain('online as')
        await page.waitForFunction(() => (window as any).demo.session.peers.size === 1, null, { timeout: WAIT })
      }

      await A.page.evaluate(() => document.querySelector('#shapes rect')!.setAttribute('fill', '#000001'))
      await expect.poll(() => island(B.page, 'drawing'), { timeout: WAIT }).toContain('fill="#000001"')

      await B.page.evaluate(() => document.querySelector('#notes p')!.append(' Typed in B over http.'))
      await expect.poll(() => island(A.page, 'notes'), { timeout: WAIT }).toContain('Typed in B over http.')

      for (const { page, errors } of [A, B]) {
        expect(errors).toEqual([])
        expect(await page.locator('#errors').textContent()).toBe('none')
      }
    } finally {
      await Promise.all([ctxA.close(), ctxB.close()])
    }
  })

  it('refuses a password login over the insecure ws:// link, once, saying why; the same login over loopback works', async () => {
    const ctx = await browser.newContext()
    try {
      const { page } = await open(ctx, insecureUrl(server))
      const login = (service: string) =>
        page.evaluate(
          async ({ service, jid, room }) => {
            const seen: Array<{ reason: string; message: string }> = []
            // A document of its own: the demo's bridge keeps the page's channel.
            const doc = document.implementation.createHTMLDocument('')
            const bridge = (window as any).XmlSyncIslands.xmppBridge({ service, jid, password: 'alice-secret', room, document: doc, backoff: { minDelay: 20, maxDelay: 50 } })
            bridge.addEventListener('error', (e: CustomEvent) => seen.push({ reason: e.detail.reason, message: e.detail.message }))
            const deadline = Date.now() + 5000
            while (seen.length === 0 && !bridge.online && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
            // Several backoff periods: a retry would have shown by now.
            await new Promise((r) => setTimeout(r, 300))
            const online: boolean = bridge.online
            await bridge.close()
            return { seen, online }
          },
          { service, jid: `alice@${prosody.domain}`, room: `pw${Date.now().toString(36)}@${prosody.mucDomain}` },
        )

      const insecure = await login(`ws://${HOST}:${prosody.httpPort}/xmpp-websocket`)
      expect(insecure.online).toBe(false)
      expect(insecure.seen.map((e) => e.reason)).toEqual(['insecure-login'])
      expect(insecure.seen[0]!.message).toMatch(/wss:\/\//)
      expect(insecure.seen[0]!.message).toMatch(/anonymous/)

      // Loopback counts as secure (as in @xmpp/websocket): PLAIN is fine there.
      const loopback = await login(prosody.websocketUrl)
      expect(loopback).toEqual({ seen: [], online: true })
    } finally {
      await ctx.close()
    }
  })
})

describe('the demo with a bridge that cannot start', () => {
  let broken: DemoServer

  beforeAll(async () => {
    // A configuration with no anonymous domain: xmppBridge cannot log in anonymously.
    broken = await startDemoServer({ port: 0, prosody: { ...prosody, anonDomain: '' } })
  })

  afterAll(async () => {
    await broken?.close()
  })

  it('shows the error event’s reason on the page', async () => {
    const ctx = await browser.newContext()
    try {
      const { page, errors } = await open(ctx, insecureUrl(broken))
      await expect.poll(() => page.locator('#bridge').textContent(), { timeout: WAIT }).toMatch(/options: .*domain/)
      expect(await page.locator('#bridge').getAttribute('class')).toBe('bad')
      expect(errors).toEqual([])
    } finally {
      await ctx.close()
    }
  })
})
