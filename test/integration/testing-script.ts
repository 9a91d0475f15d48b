// The test tools (src/testing.ts: canonicalDom) are in no page bundle, so a Chromium test that
// compares pages brings them itself: bundled once per test file, added to each page.
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Page } from 'playwright-core'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
let script: Promise<string> | undefined

/** Adds `window.XmlSyncIslandsTesting` to the page. */
export async function addTestingTools(page: Page): Promise<void> {
  script ??= build({ entryPoints: [`${ROOT}src/testing.ts`], bundle: true, format: 'iife', globalName: 'XmlSyncIslandsTesting', write: false, logLevel: 'error' }).then((r) => r.outputFiles[0]!.text)
  await page.addScriptTag({ content: await script })
}

/** The canonical form of the page's island `name` (what converged peers agree on). */
export const canonicalIsland = (page: Page, name: string): Promise<string> =>
  page.evaluate((name) => (window as any).XmlSyncIslandsTesting.canonicalDom(document.querySelector(`[data-sync-island="${name}"]`)), name)
