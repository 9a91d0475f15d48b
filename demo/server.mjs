// The demo's web server: static files from demo/ (at /) and dist/ (at /dist/), and /config.json,
// which tells the page which bridge to use. node:http only, loopback only.
//
//   node demo/server.mjs [--port 8080] [--prosody '<JSON printed by scripts/prosody.mjs>'] [--reason TEXT]
//
// Without --prosody the page uses the BroadcastChannel bridge (tabs of one browser), and shows
// --reason as the why. Environment: PORT, XSI_PROSODY, XSI_NO_XMPP_REASON do the same.
// A busy port is not an error: the next free one is taken, and the URL printed says which.

import { createServer } from 'node:http'
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, extname, join, normalize, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOTS = { '/dist/': join(HERE, '..', 'dist'), '/': HERE }
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
}

/**
 * The page's configuration: XMPP when a Prosody is given, else BroadcastChannel.
 * @param {{ websocketUrl: string, domain: string, anonDomain: string, mucDomain: string } | undefined} prosody
 */
export function demoConfig(prosody, reason = 'the server was started without Prosody') {
  if (prosody) {
    const { websocketUrl, domain, anonDomain, mucDomain } = prosody
    return { bridge: 'xmpp', websocketUrl, domain, anonDomain, mucDomain }
  }
  return { bridge: 'broadcast', reason }
}

/**
 * A strict Content-Security-Policy for the whiteboard's pages: no inline script or style, no eval,
 * nothing from elsewhere. It shows that the app, and the engine attached to it, need none of
 * those; the one WebSocket allowed is the demo's own Prosody (and the origins `connectSrc` adds:
 * the same Prosody behind a site's TLS, say).
 * @param {{ websocketUrl: string } | undefined} prosody
 * @param {string[]} [connectSrc]
 */
export function whiteboardCsp(prosody, connectSrc = []) {
  const ws = [...(prosody ? [new URL(prosody.websocketUrl).origin] : []), ...connectSrc].map((o) => ` ${o}`).join('')
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${ws}`,
    "frame-src 'self'",
    "frame-ancestors 'self'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ')
}
const WHITEBOARD_PAGES = /^\/whiteboard(\/|-pair\.html$)/
// The CMS pages carry the one tag; the server fills in its Prosody's addresses, as a site's
// template would hold its own (without Prosody: tabs of one browser).
const CMS_PAGES = /^\/cms\/.*\.html$|^\/cms\/$/

/**
 * A CMS page's tag with this server's addresses.
 * @param {string} html
 * @param {{ websocketUrl: string, anonDomain: string, mucDomain: string } | undefined} prosody
 */
export function fillTag(html, prosody) {
  if (!prosody) return html.replace(/ data-xmpp-service="\{\{XMPP_SERVICE\}\}" data-xmpp-domain="\{\{ANON_DOMAIN\}\}" data-xmpp-muc="\{\{MUC_DOMAIN\}\}"/g, ' data-connection="tabs"')
  return html.replaceAll('{{XMPP_SERVICE}}', prosody.websocketUrl).replaceAll('{{ANON_DOMAIN}}', prosody.anonDomain).replaceAll('{{MUC_DOMAIN}}', prosody.mucDomain)
}
// The presence demos get the same policy: presence draws under it (no inline style or script).
const PRESENCE_PAGES = /^\/(presence|slides)\//

/** Maps a URL path to a file under demo/ or dist/, or undefined (never outside them). */
function fileFor(urlPath) {
  let path
  try {
    path = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  if (path.includes('\0')) return undefined
  // A directory's page: /whiteboard/ is /whiteboard/index.html.
  if (path.endsWith('/')) path += 'index.html'
  for (const [prefix, dir] of Object.entries(ROOTS)) {
    if (!path.startsWith(prefix)) continue
    const file = normalize(join(dir, path.slice(prefix.length)))
    if (file !== dir && !file.startsWith(dir + sep)) return undefined
    // server.mjs itself is not content.
    if (file === fileURLToPath(import.meta.url)) return undefined
    return file
  }
  return undefined
}

/**
 * Starts the server; resolves once it listens.
 * @param {{ port?: number, host?: string, prosody?: object, reason?: string, quiet?: boolean }} [options]
 * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
 */
export async function startDemoServer(options = {}) {
  const host = options.host ?? '127.0.0.1'
  const config = JSON.stringify(demoConfig(options.prosody, options.reason))
  const csp = whiteboardCsp(options.prosody, options.connectSrc)
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    const headers = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end()
      return
    }
    if (path === '/config.json') {
      res.writeHead(200, { ...headers, 'Content-Type': TYPES['.json'] }).end(req.method === 'HEAD' ? undefined : config)
      return
    }
    if (WHITEBOARD_PAGES.test(path)) headers['Content-Security-Policy'] = csp
    if (PRESENCE_PAGES.test(path)) headers['Content-Security-Policy'] = csp
    const file = fileFor(path)
    let stat
    try {
      stat = file && existsSync(file) ? statSync(file) : undefined
    } catch {
      stat = undefined
    }
    if (stat?.isDirectory() && !path.endsWith('/')) {
      // One leading slash: `//host/dir` would send the browser to another host.
      res.writeHead(301, { ...headers, Location: `/${path.replace(/^\/+/, '')}/` }).end()
      return
    }
    if (!file || !stat?.isFile()) {
      const hint = path.startsWith('/dist/') ? ' (run `npm run build`)' : ''
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(`not found: ${path}${hint}\n`)
      return
    }
    if (CMS_PAGES.test(path)) {
      const body = Buffer.from(fillTag(readFileSync(file, 'utf8'), options.prosody))
      res.writeHead(200, { ...headers, 'Content-Type': TYPES['.html'], 'Content-Length': body.length })
      res.end(req.method === 'HEAD' ? undefined : body)
      return
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': stat.size,
    })
    if (req.method === 'HEAD') res.end()
    else createReadStream(file).pipe(res)
  })

  const firstPort = options.port ?? 8080
  for (let port = firstPort, tries = 0; ; port++, tries++) {
    try {
      await new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          server.off('error', reject)
          resolve()
        })
      })
      break
    } catch (err) {
      // Port 0 asks the system for any free port; a busy fixed port moves on to the next one.
      if (err.code !== 'EADDRINUSE' || firstPort === 0 || tries >= 20) throw err
    }
  }
  const { port } = server.address()
  const sockets = new Set()
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

function option(name, envName) {
  const i = process.argv.indexOf(`--${name}`)
  if (i !== -1 && i + 1 < process.argv.length) return process.argv[i + 1]
  return envName ? process.env[envName] || undefined : undefined
}

async function main() {
  const prosodyJson = option('prosody', 'XSI_PROSODY')
  const prosody = prosodyJson ? JSON.parse(prosodyJson) : undefined
  const reason = option('reason', 'XSI_NO_XMPP_REASON')
  const port = Number(option('port', 'PORT') ?? 8080)
  const server = await startDemoServer({ port, prosody, reason })
  const config = demoConfig(prosody, reason)
  console.log(`demo: serving ${server.url} (bridge: ${config.bridge === 'xmpp' ? `XMPP via ${config.websocketUrl}` : `BroadcastChannel; ${config.reason}`})`)
  console.log(`demo: the bookmarklet, for pages that were never written for it: ${server.url}bookmarklet/`)
  console.log(`demo: a CMS article embedded with one script tag: ${server.url}cms/article.html`)
  const stop = async () => {
    await server.close()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(`demo server: ${err.message}`)
    process.exit(1)
  })
}
