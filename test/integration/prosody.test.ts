// The private Prosody harness (scripts/prosody.mjs): starts, logs in fast, restarts in place and
// leaves nothing behind.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SITE_CONFIG, startProsody, type ProsodyInstance } from '../../scripts/prosody.mjs'
import { plainClient, waitFor } from './support.js'

/** Processes whose command line mentions `text` (pgrep -f), other than pgrep itself. */
function processesMentioning(text: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', '--', text], { encoding: 'utf8' }).split('\n').filter(Boolean)
  } catch {
    return [] // pgrep exits 1 when nothing matches
  }
}

const tcpAccepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })

describe('private Prosody', () => {
  let prosody: ProsodyInstance

  beforeAll(async () => {
    prosody = await startProsody({ accounts: [{ user: 'alice', password: 'alice-pw' }] })
  })
  afterAll(async () => {
    await prosody?.stop()
  })

  it('listens on loopback only, on its own ports, with the WebSocket at /xmpp-websocket', async () => {
    expect(prosody.websocketUrl).toBe(`ws://127.0.0.1:${prosody.httpPort}/xmpp-websocket`)
    expect(prosody.mucDomain).toBe(`rooms.${prosody.domain}`)
    expect(prosody.anonDomain).toBe(`anon.${prosody.domain}`)
    expect(await tcpAccepts(prosody.c2sPort)).toBe(true)
    const listening = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(`pid=${prosody.pid},`))
    expect(listening.length).toBeGreaterThanOrEqual(2)
    for (const line of listening) expect(line).toMatch(/127\.0\.0\.1:\d+/)
    // No federation port, no component port.
    expect(listening.join('\n')).not.toMatch(/:5269\b|:5347\b/)
  })

  it('logs in an account with PLAIN and an anonymous user with SASL ANONYMOUS, fast', async () => {
    const t0 = performance.now()
    const alice = await plainClient({ service: prosody.websocketUrl, domain: prosody.domain, user: 'alice', password: 'alice-pw' })
    const plainMs = performance.now() - t0
    const t1 = performance.now()
    const anon = await plainClient({ service: prosody.websocketUrl, domain: prosody.anonDomain })
    const anonMs = performance.now() - t1
    expect(alice.xmpp.jid?.toString()).toMatch(new RegExp(`^alice@${prosody.domain}/`))
    expect(anon.xmpp.jid?.toString()).toMatch(new RegExp(`@${prosody.anonDomain.replaceAll('.', '\\.')}/`))
    console.info(`login: PLAIN ${plainMs.toFixed(1)} ms, ANONYMOUS ${anonMs.toFixed(1)} ms`)
    // SCRAM-SHA-1 costs about 1 s in JS; PLAIN on loopback should be far below that.
    expect(plainMs).toBeLessThan(500)
    await Promise.all([alice.stop(), anon.stop()])
  })

  it('creates accounts while running', async () => {
    await prosody.createAccount('late', 'late-pw')
    const late = await plainClient({ service: prosody.websocketUrl, domain: prosody.domain, user: 'late', password: 'late-pw' })
    expect(late.xmpp.jid?.toString()).toMatch(/^late@/)
    await late.stop()
  })

  it("runs the site's own config (docs/DEPLOY.md), with only the harness's ports, paths and account host after it", () => {
    const config = readFileSync(prosody.config, 'utf8')
    const site = readFileSync(SITE_CONFIG, 'utf8').replaceAll('example.org', prosody.domain)
    expect(config.startsWith(site)).toBe(true)
    for (const setting of [
      'muc_room_locking = false',
      'muc_room_default_history_length = 0',
      'network_default_read_size = 65536',
      'network_settings = { nagle = false }',
      'c2s_stanza_size_limit = 64 * 1024',
      'authentication = "anonymous"',
      '"limits";',
    ]) {
      expect(site).toContain(setting)
    }
    // What the harness adds touches no setting of sync traffic.
    const harness = config.slice(site.length)
    expect(harness).not.toMatch(/limits|stanza_size|history|locking|read_size|nagle/)
  })

  it('restarts on the same ports and data after being killed', async () => {
    const before = { pid: prosody.pid, http: prosody.httpPort, c2s: prosody.c2sPort }
    const t0 = performance.now()
    await prosody.restart()
    console.info(`kill + restart: ${(performance.now() - t0).toFixed(0)} ms`)
    expect(prosody.pid).toBeDefined()
    expect(prosody.pid).not.toBe(before.pid)
    expect(processesMentioning(`--config ${prosody.config}`)).toEqual([String(prosody.pid)])
    expect([prosody.httpPort, prosody.c2sPort]).toEqual([before.http, before.c2s])
    // The account made before the restart still logs in: same data directory.
    const alice = await plainClient({ service: prosody.websocketUrl, domain: prosody.domain, user: 'alice', password: 'alice-pw' })
    await alice.stop()
  })
})

describe('Prosody harness lifecycle', () => {
  it('stop() leaves no process and no directory behind', async () => {
    const prosody = await startProsody()
    const { dir } = prosody
    expect(processesMentioning(dir)).toHaveLength(1)
    await prosody.stop()
    await waitFor(() => processesMentioning(dir).length === 0, 'the Prosody process to be gone', 5000)
    expect(existsSync(dir)).toBe(false)
  })

  it('kill() leaves the server down until restart()', async () => {
    const prosody = await startProsody()
    try {
      await prosody.kill()
      expect(prosody.pid).toBeUndefined()
      expect(processesMentioning(prosody.dir)).toEqual([])
      expect(await tcpAccepts(prosody.c2sPort)).toBe(false)
      await prosody.restart()
      expect(await tcpAccepts(prosody.c2sPort)).toBe(true)
    } finally {
      await prosody.stop()
    }
  })

  it('says how to install Prosody when it is missing', async () => {
    const saved = { PATH: process.env.PATH, PROSODY_BIN: process.env.PROSODY_BIN }
    process.env.PATH = '/nonexistent'
    delete process.env.PROSODY_BIN
    try {
      await expect(startProsody()).rejects.toThrow(/apt-get install -y prosody/)
    } finally {
      process.env.PATH = saved.PATH
      if (saved.PROSODY_BIN !== undefined) process.env.PROSODY_BIN = saved.PROSODY_BIN
    }
  })
})
