// `npm run build`: everything in dist/, from the entries (index.ts, core.ts), src/ and islands/.
//
//   dist/esm/**                        ESM, one file per source file (dependencies stay imports)
//   dist/types/**                      type declarations (the native TypeScript 7 tsc)
//   dist/xml-sync-islands.iife.js      index.ts for a <script> tag: global XmlSyncIslands, every bridge
//   dist/xml-sync-islands.core.iife.js core.ts: the engine and the same-browser bridge, no XMPP
//   dist/xml-sync-islands.bookmarklet.iife.js  bookmarklet.ts: the full one plus the panel (src/panel/)
//
// Every IIFE carries the island kinds (islands/) and none the test tools (src/testing.ts). The
// panel has a bundle of its own, so that a page's one script tag does not pay for it; the
// bookmarklet loads one script, not two, so that one load can fail and be explained.
//
// Then it prints each bundle's raw and gzipped size, checks that the package imports in Node by
// its own name, and (when the system Chromium is there) that the IIFEs load in a real browser.
// Options: --no-check skips the two checks; --quiet prints only the sizes.

import { build } from 'esbuild'
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import { nodeStubs } from './node-stubs.mjs'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const DIST = join(ROOT, 'dist')
const args = new Set(process.argv.slice(2))
const check = !args.has('--no-check')
const quiet = args.has('--quiet')
const log = (...a) => {
  if (!quiet) console.log(...a)
}

const IIFE_FULL = join(DIST, 'xml-sync-islands.iife.js')
const IIFE_CORE = join(DIST, 'xml-sync-islands.core.iife.js')
const IIFE_BOOKMARKLET = join(DIST, 'xml-sync-islands.bookmarklet.iife.js')
// Presence (islands/presence) loads beside either engine bundle and uses its global.
const IIFE_PRESENCE = join(DIST, 'xml-sync-islands.presence.iife.js')
const GLOBAL_NAME = 'XmlSyncIslands'
const TARGET = ['es2022', 'chrome111', 'firefox111', 'safari16']

const ENTRIES = ['index.ts', 'core.ts', 'bookmarklet.ts', 'presence.ts']
const SOURCE_DIRS = ['src', 'islands']

/** The entries and every .ts file under src/ and islands/, declaration files left out. */
function sourceFiles() {
  const walk = (dir) => {
    const out = []
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) out.push(...walk(path))
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !entry.name.endsWith('.test.ts')) out.push(path)
    }
    return out
  }
  return [...ENTRIES.map((f) => join(ROOT, f)), ...SOURCE_DIRS.flatMap((d) => walk(join(ROOT, d)))].sort()
}

// Browser bundles stub what @xmpp/client pulls from Node: see scripts/node-stubs.mjs.

async function buildEsm() {
  const entryPoints = sourceFiles()
  await build({
    entryPoints,
    outdir: join(DIST, 'esm'),
    outbase: ROOT,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    bundle: false,
    sourcemap: true,
    logLevel: 'warning',
  })
  log(`esm    dist/esm/ (${entryPoints.length} modules)`)
}

function buildTypes() {
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc')
  const r = spawnSync(tsc, ['-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' })
  if (r.error || r.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (${r.error?.message ?? `exit ${r.status}`})`)
  // @xmpp/client ships no types: the project declares the part it uses (src/bridge/xmpp-client.d.ts),
  // which tsc does not copy. Ship it beside the bridge's declarations and reference it from there.
  const ambient = join(ROOT, 'src', 'bridge', 'xmpp-client.d.ts')
  const bridgeTypes = join(DIST, 'types', 'src', 'bridge', 'xmpp.d.ts')
  if (existsSync(ambient) && existsSync(bridgeTypes)) {
    copyFileSync(ambient, join(DIST, 'types', 'src', 'bridge', 'xmpp-client.d.ts'))
    writeFileSync(bridgeTypes, `/// <reference path="./xmpp-client.d.ts" />\n${readFileSync(bridgeTypes, 'utf8')}`)
  }
  if (!existsSync(join(DIST, 'types', 'index.d.ts'))) throw new Error('tsc wrote no dist/types/index.d.ts')
  log('types  dist/types/')
}

async function buildIife(entry, outfile, globalName = GLOBAL_NAME) {
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    format: 'iife',
    globalName,
    platform: 'browser',
    target: TARGET,
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    legalComments: 'none',
    plugins: [nodeStubs],
    logLevel: 'warning',
  })
  return Object.keys(result.metafile.inputs)
}

function size(file) {
  const buf = readFileSync(file)
  return { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length }
}

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(10)

/** The package as a consumer sees it: `import ... from 'xml-sync-islands'` (self-reference). */
async function checkNodeImport() {
  const code =
    "const m = await import('xml-sync-islands'); const t = await import('xml-sync-islands/testing'); " +
    "console.log(JSON.stringify([...['syncIslands', 'xmppBridge', 'broadcastBridge', 'Session', 'createPolicy', 'registerKind'].filter((k) => typeof m[k] !== 'function'), " +
    "...(typeof m.svgKind?.attach === 'function' ? [] : ['svgKind']), ...['memoryBus', 'canonicalDom'].filter((k) => typeof t[k] !== 'function').map((k) => `testing ${k}`), " +
    "...['memoryBus', 'canonicalDom'].filter((k) => k in m).map((k) => `${k} outside testing`)]))"
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`import 'xml-sync-islands' failed in Node:\n${r.stderr}`)
  const wrong = JSON.parse(r.stdout.trim().split('\n').pop())
  if (wrong.length) throw new Error(`import 'xml-sync-islands': ${wrong.join(', ')}`)
  log("check  import { syncIslands } from 'xml-sync-islands' and 'xml-sync-islands/testing' work in Node")
}

/** Loads the IIFEs into a blank page of the system Chromium; skipped when there is none. */
async function checkInChromium() {
  const { CHROMIUM_PATH, CHROMIUM_ARGS } = await import(pathToFileURL(join(ROOT, 'scripts', 'chromium.mjs')).href)
  if (!existsSync(CHROMIUM_PATH)) {
    log(`check  skipped the browser check: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`)
    return
  }
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
  try {
    for (const [file, wants, lacks] of [
      [IIFE_FULL, ['syncIslands', 'Session', 'broadcastBridge', 'xmppBridge', 'createPolicy', 'registerKind'], ['memoryBus', 'canonicalDom']],
      [IIFE_CORE, ['syncIslands', 'Session', 'broadcastBridge', 'createPolicy', 'registerKind'], ['xmppBridge', 'memoryBus', 'canonicalDom']],
      [IIFE_BOOKMARKLET, ['syncIslands', 'Session', 'broadcastBridge', 'xmppBridge', 'createPolicy', 'registerKind', 'bookmarklet', 'bookmarkletUrl'], ['memoryBus', 'canonicalDom']],
    ]) {
      const page = await browser.newPage()
      const errors = []
      page.on('pageerror', (e) => errors.push(e.message))
      await page.setContent('<!doctype html><div data-sync-island="probe"><p>hello</p><svg><rect x="1"/></svg></div>')
      await page.addScriptTag({ content: readFileSync(file, 'utf8') })
      const found = await page.evaluate(
        async ([wants, lacks]) => {
          const g = globalThis.XmlSyncIslands
          if (!g) return 'no global XmlSyncIslands'
          const missing = wants.filter((k) => typeof g[k] !== 'function')
          if (missing.length) return `missing ${missing.join(', ')}`
          const extra = lacks.filter((k) => k in g)
          if (extra.length) return `unexpected ${extra.join(', ')}`
          const session = g.syncIslands()
          const names = [...session.islands.keys()]
          // A write through the SVG DOM makes no mutation record: only the svg kind sees it.
          const island = session.islands.get('probe')
          document.querySelector('rect').x.baseVal.value = 7
          document.body.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true }))
          await new Promise((r) => setTimeout(r, 20))
          const captured = island && island.doc.getXmlFragment('island').toString().includes('x="7"')
          // A stanza only the full parser reads (single quotes): fast-xml-parser works in the
          // bundle, with what node-stubs.mjs left out of it.
          const stanza = document.createElement('div')
          stanza.textContent = "<presence from='room/probe-peer'/>"
          document.getElementById('xmpp-incoming').appendChild(stanza)
          await new Promise((r) => setTimeout(r, 0))
          const peers = [...session.peers]
          session.stop()
          if (names.join(',') !== 'probe') return `islands found: ${names.join(',')}`
          if (!captured) return 'an SVG DOM write was not captured: no svg kind?'
          return peers.join(',') === 'room/probe-peer' ? 'ok' : `peers after a presence: ${peers.join(',')}`
        },
        [wants, lacks],
      )
      await page.close()
      if (found !== 'ok' || errors.length) throw new Error(`${relative(ROOT, file)} in Chromium: ${found} ${errors.join('; ')}`)
    }
  } finally {
    await browser.close()
  }
  log('check  the three IIFEs load in Chromium; XmlSyncIslands.syncIslands finds an island, its svg kind captures an SVG DOM write, it reads a stanza through fast-xml-parser')
}

async function main() {
  const started = Date.now()
  rmSync(DIST, { recursive: true, force: true })
  mkdirSync(DIST, { recursive: true })

  await buildEsm()
  buildTypes()
  const fullInputs = await buildIife('index.ts', IIFE_FULL)
  const coreInputs = await buildIife('core.ts', IIFE_CORE)
  const bookmarkletInputs = await buildIife('bookmarklet.ts', IIFE_BOOKMARKLET)
  const panelElsewhere = [...fullInputs, ...coreInputs].filter((p) => p.startsWith('src/panel/'))
  if (panelElsewhere.length) throw new Error(`the panel leaked into a script-tag IIFE: ${panelElsewhere.slice(0, 3).join(', ')}`)
  const presenceInputs = await buildIife('presence-iife.ts', IIFE_PRESENCE, 'XmlSyncIslandsPresence')
  // A second engine or Yjs in the page would be a second registry of kinds and broken instanceof checks.
  const doubled = presenceInputs.filter((p) => p.includes('node_modules/') || p === 'src/island/kinds.ts')
  if (doubled.length) throw new Error(`presence IIFE carries the engine's code: ${doubled.slice(0, 3).join(', ')}`)

  // The core build must not carry XMPP; the full one must not carry Node's TCP/TLS transports.
  const xmppInCore = coreInputs.filter((p) => p.includes('@xmpp/'))
  if (xmppInCore.length) throw new Error(`core IIFE pulls in XMPP: ${xmppInCore.slice(0, 3).join(', ')}`)
  const nodeOnly = fullInputs.filter((p) => !p.startsWith('(disabled):') && /@xmpp\/(tcp|tls|starttls|connection-tcp)\//.test(p))
  if (nodeOnly.length) throw new Error(`IIFE pulls in Node-only transports: ${nodeOnly.slice(0, 3).join(', ')}`)
  for (const [name, inputs] of [['full', fullInputs], ['core', coreInputs], ['bookmarklet', bookmarkletInputs]]) {
    if (!inputs.includes('islands/svg/index.ts')) throw new Error(`${name} IIFE lacks the svg island kind`)
    const tools = inputs.filter((p) => p === 'src/testing.ts' || p === 'src/bridge/memory.ts')
    if (tools.length) throw new Error(`${name} IIFE carries test tools: ${tools.join(', ')}`)
  }

  console.log('bundle                                         raw       gzip')
  for (const file of [IIFE_FULL, IIFE_CORE, IIFE_BOOKMARKLET, IIFE_PRESENCE]) {
    const s = size(file)
    console.log(`${relative(ROOT, file).padEnd(43)}${kb(s.raw)} ${kb(s.gzip)}`)
  }

  if (check) {
    await checkNodeImport()
    await checkInChromium()
  }
  log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

main().catch((err) => {
  console.error(`build failed: ${err.message}`)
  process.exit(1)
})
