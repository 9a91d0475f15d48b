// A private Prosody for tests, the demo and the benchmark: one instance per call, in its own
// temporary directory, on free loopback ports, configured from prosody/prosody.cfg.lua (the
// file docs/DEPLOY.md gives a site, example.org replaced by the harness's domain) followed by
// prosody/harness.cfg.lua.template (ports, paths, a host with accounts).
// Plain ESM so that vitest tests and plain `node` scripts share it (types: prosody.d.mts).
//
// Run directly (`node scripts/prosody.mjs [--account user:password]...`) it starts one instance,
// prints its URLs as one line of JSON and stops on SIGINT or SIGTERM.

import { spawn, execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync, accessSync, constants } from 'node:fs'
import { createServer } from 'node:net'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const PROSODY_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'prosody')
/** The site's configuration, as docs/DEPLOY.md includes it. */
export const SITE_CONFIG = join(PROSODY_DIR, 'prosody.cfg.lua')
const HARNESS_TEMPLATE = join(PROSODY_DIR, 'harness.cfg.lua.template')
const SITE_DOMAIN = 'example.org'
const INSTALL_HINT = 'Prosody is not installed: run `apt-get install -y prosody` (Debian/Ubuntu), or set PROSODY_BIN'
const READY_TIMEOUT_MS = 15_000
const STOP_TIMEOUT_MS = 5_000

/** Instances still running, killed by the 'exit' handler if their owner never stopped them. */
const live = new Set()
let exitHookInstalled = false

function installExitHook() {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // Last resort only: 'exit' handlers must be synchronous, so no graceful shutdown here.
  process.on('exit', () => {
    for (const instance of live) instance.killSync()
  })
}

function findExecutable(name, envName) {
  const fromEnv = process.env[envName]
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined
  for (const dir of (process.env.PATH || '/usr/bin:/bin').split(delimiter)) {
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not in this directory
    }
  }
  return undefined
}

/** Free TCP ports on 127.0.0.1, distinct from each other (all held open until all are known). */
async function freePorts(count) {
  const servers = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise((resolve, reject) => {
        const server = createServer()
        server.once('error', reject)
        server.listen(0, '127.0.0.1', () => resolve(server))
      }),
    ),
  )
  const ports = servers.map((s) => s.address().port)
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  return ports
}

function renderConfig(values) {
  const site = readFileSync(SITE_CONFIG, 'utf8').replaceAll(SITE_DOMAIN, values.DOMAIN)
  let text = `${site}\n${readFileSync(HARNESS_TEMPLATE, 'utf8')}`
  for (const [key, value] of Object.entries(values)) text = text.replaceAll(`{{${key}}}`, String(value))
  const missing = text.match(/\{\{[A-Z_]+\}\}/)
  if (missing) throw new Error(`prosody template: no value for ${missing[0]}`)
  return text
}

/** A fresh temporary directory holding a config for free ports; removed again if that fails. */
async function prepareDir({ domain, mucDomain, anonDomain, logLevel, smacks, smacksHibernation, stanzaSizeLimit }) {
  const dir = mkdtempSync(join(tmpdir(), 'xsi-prosody-'))
  const config = join(dir, 'prosody.cfg.lua')
  try {
    const [c2sPort, httpPort] = await freePorts(2)
    const values = {
      DIR: dir,
      DOMAIN: domain,
      ANON_DOMAIN: anonDomain,
      MUC_DOMAIN: mucDomain,
      C2S_PORT: c2sPort,
      HTTP_PORT: httpPort,
      RUN_AS_ROOT: process.getuid?.() === 0 ? 'true' : 'false',
      LOG_LEVELS: logLevel,
      // The site's file loads mod_smacks (Debian's prosody ships it); the harness takes it out
      // unless asked for it.
      NO_SMACKS: smacks ? '' : ' "smacks";',
      SMACKS_HIBERNATION: Math.max(1, Math.round(smacksHibernation)),
    }
    let text = renderConfig(values)
    // A test of a server more permissive than the site's config (a receiver's own limits).
    if (stanzaSizeLimit) text = text.replace(/^c2s_stanza_size_limit = .*$/m, `c2s_stanza_size_limit = ${Math.round(stanzaSizeLimit)} -- this test's own server: more than the site's config`)
    writeFileSync(config, text)
    return { dir, config, c2sPort, httpPort }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
}

/** Resolves with the HTTP status of a GET, or undefined when nothing answers. */
function httpStatus(url) {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: 1000 }, (res) => {
      res.resume()
      resolve(res.statusCode)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(undefined))
    req.end()
  })
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function logTail(dir) {
  try {
    return readFileSync(join(dir, 'prosody.log'), 'utf8').split('\n').slice(-15).join('\n')
  } catch {
    return ''
  }
}

/**
 * Starts a private Prosody. See prosody.d.mts for the options and the handle.
 * @param {import('./prosody.d.mts').ProsodyOptions} [options]
 * @returns {Promise<import('./prosody.d.mts').ProsodyInstance>}
 */
export async function startProsody(options = {}) {
  const bin = findExecutable('prosody', 'PROSODY_BIN')
  const ctl = findExecutable('prosodyctl', 'PROSODYCTL_BIN')
  if (!bin || !ctl) throw new Error(INSTALL_HINT)

  const domain = options.domain ?? 'localhost'
  const mucDomain = `rooms.${domain}`
  const anonDomain = `anon.${domain}`
  // PROSODY_SMACKS=1 runs whole suites against a server with stream management (vitest.config.ts).
  const smacks = options.smacks ?? process.env.PROSODY_SMACKS === '1'
  const { dir, config, c2sPort, httpPort } = await prepareDir({
    domain,
    mucDomain,
    anonDomain,
    logLevel: options.logLevel ?? 'info',
    smacks,
    smacksHibernation: options.smacksHibernation ?? 600,
    stanzaSizeLimit: options.stanzaSizeLimit,
  })
  const websocketUrl = `ws://127.0.0.1:${httpPort}/xmpp-websocket`

  let child = null
  let exited = null
  let output = ''

  function createAccount(user, password) {
    // prosodyctl writes the account file directly (about 0.1 s); the running server reads accounts
    // from storage at login, so no restart is needed.
    return new Promise((resolve, reject) => {
      execFile(ctl, ['--config', config, 'register', user, domain, password], { timeout: 10_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`prosodyctl register ${user}@${domain} failed: ${stderr || stdout || err.message}`))
        else resolve()
      })
    })
  }

  async function launch() {
    output = ''
    const proc = spawn(bin, ['--config', config, '-F'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
    child = proc
    const keep = (chunk) => {
      output = (output + chunk).slice(-4000)
    }
    proc.stdout.on('data', keep)
    proc.stderr.on('data', keep)
    exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })))
    let gone = false
    exited.then(() => {
      gone = true
      if (child === proc) child = null
    })
    const deadline = Date.now() + READY_TIMEOUT_MS
    while (Date.now() < deadline) {
      if (gone) break
      // mod_websocket answers a plain GET with 200 once the HTTP service is up; c2s is activated
      // before it during startup.
      if ((await httpStatus(`http://127.0.0.1:${httpPort}/xmpp-websocket`)) === 200) return
      await sleep(20)
    }
    proc.kill('SIGKILL')
    await exited
    throw new Error(`Prosody did not start (${gone ? 'it exited' : 'timeout'}).\n${output}\n${logTail(dir)}`)
  }

  async function kill() {
    const proc = child
    if (!proc) return
    proc.kill('SIGKILL')
    await exited
  }

  const instance = {
    domain,
    mucDomain,
    anonDomain,
    smacks,
    websocketUrl,
    c2sPort,
    httpPort,
    dir,
    config,
    get pid() {
      return child?.pid
    },
    createAccount,
    kill,
    async restart() {
      await kill()
      await launch()
    },
    async stop() {
      live.delete(instance)
      const proc = child
      if (proc) {
        proc.kill('SIGTERM')
        const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS)
        await exited
        clearTimeout(timer)
      }
      rmSync(dir, { recursive: true, force: true })
    },
    killSync() {
      child?.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    },
  }

  try {
    await Promise.all((options.accounts ?? []).map(({ user, password }) => createAccount(user, password)))
    installExitHook()
    live.add(instance)
    await launch()
  } catch (err) {
    live.delete(instance)
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  return instance
}

function parseAccounts(argv) {
  const accounts = []
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== '--account') continue
    const [user, ...rest] = String(argv[++i] ?? '').split(':')
    if (!user || rest.length === 0) throw new Error('--account wants user:password')
    accounts.push({ user, password: rest.join(':') })
  }
  return accounts
}

async function main() {
  const accounts = parseAccounts(process.argv.slice(2))
  const prosody = await startProsody({ accounts })
  const { domain, mucDomain, anonDomain, websocketUrl, c2sPort, httpPort, dir } = prosody
  console.log(JSON.stringify({ domain, mucDomain, anonDomain, websocketUrl, c2sPort, httpPort, dir, pid: prosody.pid, accounts }))
  let stopping = false
  const shutdown = async () => {
    if (stopping) return
    stopping = true
    await prosody.stop()
    process.exit(0)
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
}

if (process.argv[1] && existsSync(process.argv[1]) && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err.message)
    process.exit(1)
  })
}
