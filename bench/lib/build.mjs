// Everything the bench runs is built here, at the start of every run, from src/ and bench/:
// nothing depends on a `npm run build` someone must remember.
//
//   bench/.build/browser.js   the workloads + the engine (index.ts) + yjs, morphdom, rrweb,
//                             @xmpp/client: one IIFE (global Bench), one copy of yjs for all
//   bench/.build/node.mjs     the same workloads for Node (happy-dom), packages left external
//   bench/.build/size/*.js    index.ts and core.ts as scripts/build.mjs builds its IIFEs
//                             (minified, same targets), only to weigh them
import { build } from 'esbuild'
import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { nodeStubs } from '../../scripts/node-stubs.mjs'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const OUT = join(ROOT, 'bench', '.build')


const TARGET = ['es2022', 'chrome111', 'firefox111', 'safari16']

export async function buildBench() {
  mkdirSync(OUT, { recursive: true })
  const started = Date.now()
  await Promise.all([
    build({
      entryPoints: [join(ROOT, 'bench', 'workloads', 'browser-entry.js')],
      outfile: join(OUT, 'browser.js'),
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      // Readable names in Chromium's profiles; minifying changes nothing that is measured here.
      minify: false,
      sourcemap: 'inline',
      plugins: [nodeStubs],
      logLevel: 'warning',
    }),
    build({
      entryPoints: [join(ROOT, 'bench', 'workloads', 'node-entry.js')],
      outfile: join(OUT, 'node.mjs'),
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // yjs, happy-dom, morphdom, @xmpp/client, ws stay imports: one copy of yjs for src/ and bench/.
      packages: 'external',
      sourcemap: 'inline',
      logLevel: 'warning',
    }),
  ])
  return Date.now() - started
}

/** The two IIFEs as scripts/build.mjs makes them (minified), weighed raw and gzipped (level 9). */
export async function bundleSizes() {
  const dir = join(OUT, 'size')
  mkdirSync(dir, { recursive: true })
  const out = {}
  for (const [key, entry] of [
    ['core', 'core.ts'],
    ['full', 'index.ts'],
  ]) {
    const outfile = join(dir, `${key}.iife.js`)
    const result = await build({
      entryPoints: [join(ROOT, entry)],
      outfile,
      bundle: true,
      format: 'iife',
      globalName: 'XmlSyncIslands',
      platform: 'browser',
      target: TARGET,
      minify: true,
      legalComments: 'none',
      metafile: true,
      plugins: [nodeStubs],
      logLevel: 'warning',
    })
    const buf = readFileSync(outfile)
    // Bytes in the output per input package, for the report's note on what weighs most.
    const byPackage = {}
    for (const [, o] of Object.entries(result.metafile.outputs)) {
      for (const [input, { bytesInOutput }] of Object.entries(o.inputs ?? {})) {
        const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)
        const pkg = m ? m[1] : input.startsWith('src/') ? 'src (the engine)' : input.startsWith('node-stub:') ? 'node stubs' : input
        byPackage[pkg] = (byPackage[pkg] ?? 0) + bytesInOutput
      }
    }
    out[key] = { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length, byPackage }
  }
  return out
}
