// The system Chromium from Debian's `chromium` package; never a downloaded browser.
// The binary itself, not the /usr/bin/chromium wrapper, which adds flags of its own.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/lib/chromium/chromium'
// Headless as root on a machine with no network but loopback.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
