// The package as a consumer gets it: `npm pack`, the tarball unpacked in a scratch project
// (no network: its dependencies are the checkout's node_modules, linked beside it), then what
// the README documents imported in Node ESM, type-checked by tsc in a small consumer, and both
// script bundles from the tarball loaded in Chromium.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const README = readFileSync(join(ROOT, 'README.md'), 'utf8')

/** Every value each entry exports: the README documents each, and nothing else is exported. */
const DOCUMENTED = {
  'xml-sync-islands': ['CONDITIONS', 'NS_ISLANDS', 'Session', 'SyncError', 'broadcastBridge', 'createPolicy', 'formsKind', 'registerKind', 'svgKind', 'syncIslands', 'xmppBridge'],
  'xml-sync-islands/testing': ['MemoryBus', 'canonicalDom', 'memoryBus'],
  'xml-sync-islands/presence': ['Presence', 'presence', 'presenceKind'],
}

// A consumer of the public types: every documented type is named, and used as it is meant to be.
const CONSUMER = `
import {
  syncIslands, Session, xmppBridge, broadcastBridge, createPolicy, registerKind, svgKind, formsKind, SyncError, CONDITIONS, NS_ISLANDS,
  type SessionOptions, type SyncErrorDetail, type Island, type IslandState, type SyncCondition, type RenderFilter, type Clock,
  type Policy, type PolicyOptions, type Profile, type ProfileName, type Refusal, type IslandKind, type KindHost, type KindHooks,
  type AccessorHooks, type BroadcastBridge, type XmppBridge, type XmppBridgeOptions,
} from 'xml-sync-islands'
import { memoryBus, canonicalDom, type MemoryBus, type MemoryBusOptions } from 'xml-sync-islands/testing'

const policy: Policy = createPolicy({ profile: 'svg', foreignObject: true } satisfies PolicyOptions)
const allow: RenderFilter = policy
const options: SessionOptions = { allow, coalesceMs: 20 }
const session: Session = syncIslands(options)
session.addEventListener('sync-error', (e) => {
  const d: SyncErrorDetail = (e as CustomEvent<SyncErrorDetail>).detail
  const c: SyncCondition = d.condition
  if (!CONDITIONS.includes(c)) throw new SyncError('internal', NS_ISLANDS)
})
const island: Island | undefined = session.islands.get('drawing')
const state: IslandState | undefined = island?.state
const kind: IslandKind = {
  name: 'probe',
  matches: (el: Element) => el.localName === 'form',
  profile: (): ProfileName | Profile => 'form',
  attach(host: KindHost): KindHooks {
    const hooks: AccessorHooks = host.accessors
    const off = hooks.hook(HTMLInputElement.prototype, 'value', () => host.commit())
    const clock: Clock = host.clock
    return { stop: off, patched: (el: Element, keys: readonly string[]) => void [el, keys, clock] }
  },
}
const unregister: () => void = registerKind(kind)
const builtIn: IslandKind = svgKind
const forms: IslandKind = formsKind
const tabs: BroadcastBridge = broadcastBridge({ session: 'consumer' })
const xmppOptions: XmppBridgeOptions = { service: 'wss://example.org/xmpp-websocket', domain: 'example.org', room: 'r@rooms.example.org' }
const xmpp: XmppBridge = xmppBridge(xmppOptions)
const bus: MemoryBus = memoryBus({ seed: 1 } satisfies MemoryBusOptions)
const text: string = canonicalDom(document.body)
const refusal: Refusal | null = null
export { state, unregister, builtIn, forms, tabs, xmpp, bus, text, refusal }
`

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [],
    strict: true, noEmit: true, skipLibCheck: true,
  },
  files: ['consumer.ts'],
}

let dir: string
let pkg: string
let consumer: string
let packed: string[]

beforeAll(() => {
  // `npm test` builds before the suites; build here all the same, so the tarball is of this tree.
  execFileSync(process.execPath, ['scripts/build.mjs', '--no-check', '--quiet'], { cwd: ROOT, stdio: 'pipe' })
  dir = mkdtempSync(join(tmpdir(), 'xsi-pack-'))
  const out = execFileSync('npm', ['pack', '--json', '--offline', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>
  packed = info!.files.map((f) => f.path)
  execFileSync('tar', ['xzf', join(dir, info!.filename), '-C', dir])
  // dir/node_modules -> the checkout's: the unpacked package finds its dependencies there, as
  // it would in a consumer's node_modules, and nothing is fetched.
  pkg = join(dir, 'xml-sync-islands')
  renameSync(join(dir, 'package'), pkg)
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
  consumer = join(dir, 'consumer')
  mkdirSync(join(consumer, 'node_modules'), { recursive: true })
  symlinkSync(pkg, join(consumer, 'node_modules', 'xml-sync-islands'), 'dir')
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
}, 120_000)

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** Runs an ES module in Node from the consumer project. */
function node(code: string): string {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: consumer, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(r.stderr)
  return r.stdout
}

/** tsc on `source` as the consumer's only file; its output (empty when it type-checks). */
function tsc(source: string): { status: number | null; output: string } {
  writeFileSync(join(consumer, 'consumer.ts'), source)
  writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify(TSCONFIG))
  const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', consumer], { cwd: consumer, encoding: 'utf8' })
  return { status: r.status, output: r.stdout + r.stderr }
}

describe('the packed package, in a scratch project', () => {
  it('ships the entries, the kinds and the bundles, not the tests', () => {
    for (const f of ['dist/esm/index.js', 'dist/types/index.d.ts', 'dist/esm/src/testing.js', 'dist/types/src/testing.d.ts', 'dist/esm/islands/svg/index.js', 'dist/xml-sync-islands.iife.js', 'dist/xml-sync-islands.core.iife.js', 'README.md']) {
      expect(packed, f).toContain(f)
    }
    expect(packed.filter((f) => f.startsWith('test/') || f.startsWith('bench/'))).toEqual([])
  })

  it('imports in Node ESM: each entry exports what the README documents, and only that', () => {
    const exported = JSON.parse(node(
      `const out = {}; for (const m of ${JSON.stringify(Object.keys(DOCUMENTED))}) out[m] = Object.keys(await import(m)).sort(); console.log(JSON.stringify(out))`,
    ))
    expect(exported).toEqual(Object.fromEntries(Object.entries(DOCUMENTED).map(([k, v]) => [k, [...v].sort()])))
    for (const name of Object.values(DOCUMENTED).flat()) expect(README, `README documents ${name}`).toMatch(new RegExp('`' + name + '[`(]'))
    expect(README).toContain("from 'xml-sync-islands/testing'")
  })

  it('the package entry registers the svg kind: an SVG DOM write, which makes no mutation record, is captured', () => {
    // Node has no DOM: happy-dom's, from the checkout, stands in for a page.
    const out = node(`
      import { Window } from 'happy-dom'
      const window = new Window()
      for (const k of ['document', 'MutationObserver', 'Node', 'Element', 'CustomEvent', 'Event']) globalThis[k] = window[k]
      const { syncIslands, svgKind } = await import('xml-sync-islands')
      document.body.innerHTML = '<svg data-sync-island="d"><rect x="1"/></svg>'
      const session = syncIslands()
      const island = session.islands.get('d')
      document.querySelector('rect').getAttributeNode('x').value = '7' // happy-dom: no record, as for the SVG DOM in Chromium
      session.flush()
      const before = island.doc.getXmlFragment('island').toString()
      island.rescan()
      console.log(JSON.stringify([svgKind.name, island.policy.name, before.includes('x="7"'), island.doc.getXmlFragment('island').toString().includes('x="7"')]))
      session.stop()
      await window.happyDOM.close()
    `)
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual(['svg', 'svg', false, true])
  })

  it('type-checks a consumer with tsc against the shipped declarations, and rejects a wrong one', () => {
    const ok = tsc(CONSUMER)
    expect(ok.output).toBe('')
    expect(ok.status).toBe(0)
    // The declarations are real types, not `any`: a misuse is an error.
    const bad = tsc(`import { syncIslands } from 'xml-sync-islands'\nimport { memoryBus } from 'xml-sync-islands/testing'\nconst n: number = syncIslands()\nmemoryBus({ seed: 'x' })\nexport { n }\n`)
    expect(bad.status).not.toBe(0)
    expect(bad.output).toMatch(/consumer\.ts\(3,7\): error TS2322/)
    expect(bad.output).toMatch(/consumer\.ts\(4,/)
  })

  it('loads both script bundles from the tarball in Chromium: the global, the kinds, no test tools', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
    try {
      const results: Record<string, unknown> = {}
      for (const file of ['xml-sync-islands.iife.js', 'xml-sync-islands.core.iife.js']) {
        const page = await browser.newPage()
        const errors: string[] = []
        page.on('pageerror', (e) => errors.push(e.message))
        await page.setContent('<!doctype html><svg data-sync-island="d"><rect x="1"/></svg>')
        await page.addScriptTag({ content: readFileSync(join(pkg, 'dist', file), 'utf8') })
        results[file] = await page.evaluate(async () => {
          const g = (globalThis as any).XmlSyncIslands
          const session = g.syncIslands()
          const island = session.islands.get('d')
          ;(document.querySelector('rect') as SVGRectElement).x.baseVal.value = 7
          document.body.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true }))
          await new Promise((r) => setTimeout(r, 20))
          const captured = island.doc.getXmlFragment('island').toString().includes('x="7"')
          session.stop()
          return { names: Object.keys(g).sort(), captured }
        })
        results[`${file} errors`] = errors
        await page.close()
      }
      const main = [...DOCUMENTED['xml-sync-islands']].sort()
      expect(results).toEqual({
        'xml-sync-islands.iife.js': { names: main, captured: true },
        'xml-sync-islands.iife.js errors': [],
        'xml-sync-islands.core.iife.js': { names: main.filter((n) => n !== 'xmppBridge'), captured: true },
        'xml-sync-islands.core.iife.js errors': [],
      })
    } finally {
      await browser.close()
    }
  })
})
