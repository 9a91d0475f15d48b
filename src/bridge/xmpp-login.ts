/**
 * How the XMPP bridge logs in: SASL ANONYMOUS without an account; with one, PLAIN only where the
 * link is secure (TLS, or loopback: fast logins), else a mechanism that does not send the
 * password in the clear (SCRAM-SHA-1 in Node; the browser build of @xmpp/client has none).
 * And the connection it logs in with, and what it says when that fails.
 */
import { client as defaultClientFactory, xml, type Element } from '@xmpp/client'
import type { AuthenticateFn, XmppBridgeErrorDetail, XmppBridgeOptions, XmppClient, XmppClientOptions } from './xmpp-options.js'
import { useWebSocket } from './xmpp-websocket.js'

/** A login that retrying cannot fix: the bridge reports it once, with `reason`, and stops. */
export class LoginError extends Error {
  override readonly name = 'LoginError'
  constructor(
    readonly reason: 'auth' | 'insecure-login',
    message: string,
  ) {
    super(message)
  }
}

export function authenticator(username: string | undefined, password: string | undefined, userAgent: Element): AuthenticateFn {
  return async (authenticate, mechanisms, _fast, entity) => {
    if (username === undefined) {
      if (!mechanisms.includes('ANONYMOUS')) throw new LoginError('auth', 'the server offers no anonymous login')
      return authenticate({}, 'ANONYMOUS', userAgent)
    }
    const secure = entity.isSecure()
    const mechanism = secure && mechanisms.includes('PLAIN') ? 'PLAIN' : mechanisms.find((m) => m !== 'PLAIN' && m !== 'ANONYMOUS')
    if (mechanism) return authenticate({ username, password }, mechanism, userAgent)
    if (secure) throw new LoginError('auth', `the server offers no password login this client can do (it offers ${mechanisms.join(', ') || 'nothing'})`)
    throw new LoginError(
      'insecure-login',
      'a password login over an unencrypted ws:// link is refused: the bridge will not send the password ' +
        'in the clear (PLAIN), and no other mechanism is available (the browser build has no SCRAM). ' +
        'Use a wss:// service, or anonymous login (neither `jid` nor `password`).',
    )
  }
}

/**
 * The XEP-0388 user agent. Without one, @xmpp/client 0.14 makes it with crypto.randomUUID,
 * which browsers define only in secure contexts: on a plain-http page from a host name the
 * client could not even be created. getRandomValues exists in every context.
 */
export function userAgent(random: () => number = Math.random): Element {
  const bytes = new Uint8Array(16)
  if (typeof globalThis.crypto?.getRandomValues === 'function') globalThis.crypto.getRandomValues(bytes)
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256)
  // RFC 9562 version 4 (random) UUID: the version and variant bits.
  bytes[6] = (bytes[6]! & 0x0f) | 0x40
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  return xml('user-agent', { id })
}

/** The connection to log in with: the one given, or made by the factory given, or @xmpp/client's. */
export function loginClient(options: XmppBridgeOptions, domain: string, random: () => number): XmppClient {
  const agent = userAgent(random)
  const clientOptions: XmppClientOptions = {
    service: options.service,
    domain,
    credentials: authenticator(options.jid?.split('@')[0], options.password, agent),
    userAgent: agent,
    ...(options.resource !== undefined && { resource: options.resource }),
  }
  const given = options.client
  const xmpp: XmppClient = typeof given === 'function' ? given(clientOptions) : (given ?? defaultClientFactory(clientOptions))
  if (options.WebSocket) useWebSocket(xmpp, options.WebSocket)
  return xmpp
}

/** What to report when connecting or logging in failed; `fatal` failures are not retried. */
export function loginFailure(error: unknown, fatal: boolean): XmppBridgeErrorDetail {
  const message = (error as Error)?.message ?? String(error)
  if (error instanceof LoginError) return { reason: error.reason, message: `${message} Not retrying.`, error }
  return { reason: fatal ? 'auth' : 'connection', message: fatal ? `login refused, not retrying: ${message}` : message, error }
}
