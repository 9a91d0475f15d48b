/**
 * What stops the panel on a page, in words: the page's Content-Security-Policy, mixed content,
 * Trusted Types, and the bridge's own errors. Browsers block mixed content without any event,
 * so it is told by the URLs' protocols before trying; a CSP block comes as a
 * `securitypolicyviolation` event naming the directive.
 */
import { isLoopback } from './config.js'

/** Why an `https:` page cannot reach this WebSocket service, or undefined. */
export function mixedContent(page: Location, service: string): string | undefined {
  let url: URL
  try {
    url = new URL(service)
  } catch {
    return undefined
  }
  if (page.protocol !== 'https:' || url.protocol !== 'ws:' || isLoopback(url.hostname)) return undefined
  return `Mixed content: this page is https, and the browser blocks its connection to the XMPP service ${service} (plain ws://). Use the service's wss:// address, or tabs of this browser.`
}

const DIRECTIVE_WORDS: Record<string, string> = {
  'connect-src': 'connecting to',
  'script-src': 'loading the script',
  'script-src-elem': 'loading the script',
  'style-src': 'styles from',
  'style-src-elem': 'styles from',
}

/** A securitypolicyviolation, in words. */
export function violationMessage(e: SecurityPolicyViolationEvent): string {
  const directive = e.effectiveDirective || e.violatedDirective
  if (directive === 'require-trusted-types-for' || directive === 'trusted-types') {
    return `This page requires Trusted Types (${directive}) and refused something XML Sync Islands did (${e.blockedURI || 'a script sink'}).`
  }
  const what = DIRECTIVE_WORDS[directive] ?? directive
  const extension = directive === 'connect-src' ? ' Only a browser extension can connect for such a page; tabs of this browser still work.' : ''
  return `This page's Content-Security-Policy (${directive}) does not allow ${what} ${e.blockedURI || 'it'}.${extension}`
}

/** A bridge error in words; `fatal` when retrying will not help. */
export function bridgeErrorMessage(detail: { reason?: string; message?: string }, service: string | undefined): { text: string; fatal: boolean } {
  const m = detail.message ?? ''
  switch (detail.reason) {
    case 'options':
      return { text: `The connection settings cannot work: ${m}`, fatal: true }
    case 'start':
      return { text: `Could not start the connection to ${service ?? 'the service'}: ${m}`, fatal: true }
    case 'connection':
      return { text: `Cannot reach ${service ?? 'the service'} (retrying): ${m}`, fatal: false }
    case 'auth':
      return { text: `The server refused the login: ${m}`, fatal: true }
    case 'insecure-login':
      return { text: m, fatal: true }
    case 'session':
      return { text: `The room refused this page: ${m}`, fatal: true }
    default:
      return { text: `${detail.reason ?? 'error'}: ${m}`, fatal: false }
  }
}
