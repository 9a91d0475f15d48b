import { defineConfig } from 'vitest/config'
import { playwright } from '@vitest/browser-playwright'
import { CHROMIUM_PATH, CHROMIUM_ARGS } from './scripts/chromium.mjs'

// Fast unit tests in happy-dom; the same binding and convergence suites in the system Chromium
// (happy-dom's MutationObserver differs from a real browser's); integration tests that talk to a
// private Prosody on loopback; and the XMPP bridge and engine suites again, on a Prosody with
// mod_smacks (XEP-0198), as public servers run.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'happy-dom',
          include: ['test/unit/**/*.test.ts', 'test/shared/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'chromium',
          include: ['test/shared/**/*.test.ts', 'test/browser/**/*.test.ts'],
          testTimeout: 60_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        test: {
          name: 'integration',
          environment: 'node',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        // The XMPP suites again, on a Prosody with mod_smacks (XEP-0198), as public servers run.
        test: {
          name: 'integration-smacks',
          environment: 'node',
          include: ['test/integration/xmpp-bridge.test.ts', 'test/integration/xmpp-engine.test.ts'],
          env: { PROSODY_SMACKS: '1' },
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
