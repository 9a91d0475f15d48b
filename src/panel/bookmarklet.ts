/**
 * The bookmarklet: a `javascript:` URL of a few lines (`bookmarkletUrl`) that loads the
 * bookmarklet bundle with a <script src> and calls `XmlSyncIslands.bookmarklet(config)`, which
 * opens the panel (or, pre-configured, starts at once). Running it again toggles the panel; it
 * never starts a second engine. When the script cannot load, the few lines say why themselves:
 * the page's CSP (`script-src`, seen as a securitypolicyviolation), mixed content (an https page
 * and an http script: blocked with no event, so told by the protocols first), Trusted Types (a
 * script URL must be a TrustedScriptURL: it makes a policy when the page allows one), or
 * anything else that failed the load.
 */
import type { SyncConfig } from './config.js'
import { Panel } from './panel.js'
import { currentEmbed } from './tag.js'

let current: Panel | undefined

const XHTML = 'http://www.w3.org/1999/xhtml'

/** Opens the panel, or shows and hides it when open already. Returns the panel, if it could open. */
export function bookmarklet(config: SyncConfig = {}): Panel | undefined {
  if (current) {
    current.toggle()
    return current
  }
  // The page's own tag runs the engine already: never a second one.
  const embed = currentEmbed()
  if (embed) {
    if (!embed.panel) alert('XML Sync Islands: this page runs XML Sync Islands itself.')
    embed.panel?.toggle()
    return embed.panel
  }
  // A standalone .svg file: no HTML element can show there outside a foreignObject.
  if (document.documentElement.namespaceURI !== XHTML) {
    alert(`XML Sync Islands: this is a standalone ${document.documentElement.localName} document, not an HTML page: the panel cannot show here. Open the drawing inside an HTML page.`)
    return undefined
  }
  let panel: Panel
  try {
    panel = new Panel(document, {
      config,
      onClosed: () => {
        if (current === panel) current = undefined
      },
    })
  } catch (err) {
    // Said, not thrown: a bookmark's exception reaches nobody.
    alert(`XML Sync Islands: the panel could not open on this page: ${(err as Error)?.message ?? err}`)
    return undefined
  }
  current = panel
  return panel
}

/** The open panel, if any (for a page's console and for tests); it does not toggle it. */
export const currentPanel = (): Panel | undefined => current

/** The name the loader gives its Trusted Types policy (a page's `trusted-types` list may allow it). */
export const TRUSTED_TYPES_POLICY = 'xml-sync-islands'

/**
 * The loader, as plain ES5 run from a `javascript:` URL in the page: `C` is the config, with
 * `src` the bundle's URL. Short, and adds nothing to the page that stays: no global (the
 * bundle's `XmlSyncIslands` aside), and the script element and listener go once it loaded.
 */
const LOADER = `(function(C){var w=window,d=document,X=w.XmlSyncIslands,s,P,v='',t='XML Sync Islands: ';
function f(m){alert(t+m)}
if(X&&X.bookmarklet)return X.bookmarklet(C);
if(X)return f('this page runs XML Sync Islands itself.');
if(location.protocol=='https:'&&/^http:/.test(C.src)&&!/^http:\\/\\/(localhost|127\\.[0-9.]+|\\[::1\\])[:/]/.test(C.src))return f('mixed content: this page is https and the browser blocks the http script '+C.src+'. Use a bookmarklet from an https server.');
function l(e){if(e.blockedURI&&C.src.indexOf(e.blockedURI)==0||/trusted-types/.test(e.effectiveDirective))v=e.effectiveDirective}
d.addEventListener('securitypolicyviolation',l);
function e(m){d.removeEventListener('securitypolicyviolation',l);s&&s.remove();m&&f(m)}
s=d.createElementNS('http://www.w3.org/1999/xhtml','script');
try{P=w.trustedTypes&&trustedTypes.createPolicy&&trustedTypes.createPolicy('${TRUSTED_TYPES_POLICY}',{createScriptURL:function(u){return u==C.src?u:''}})}catch(x){}
try{s.src=P?P.createScriptURL(C.src):C.src}catch(x){return e('this page requires Trusted Types (require-trusted-types-for) and allows no policy named ${TRUSTED_TYPES_POLICY}, so no script can be added to it.')}
s.onload=function(){e();w.XmlSyncIslands&&w.XmlSyncIslands.bookmarklet?w.XmlSyncIslands.bookmarklet(C):f('the script at '+C.src+' did not define XmlSyncIslands.bookmarklet.')};
s.onerror=function(){setTimeout(function(){e(v?"this page's Content-Security-Policy ("+v+') blocks loading the script '+C.src+'.':'could not load the script '+C.src+' (is the server up?).')},50)};
(d.head||d.documentElement).appendChild(s)})`

/** The loader's source with this config (for tests and the demo's builder page). */
export function bookmarkletSource(config: SyncConfig & { src: string }): string {
  return `${LOADER.replace(/\n/g, '')}(${JSON.stringify(config)})`
}

/** The `javascript:` URL of a bookmark that runs the loader with this config. */
export function bookmarkletUrl(config: SyncConfig & { src: string }): string {
  // A javascript: URL is percent-decoded before it runs: escape `%`, and what a bookmark bar mangles.
  // `void 0` last: a javascript: URL that evaluates to a string replaces the page with it.
  return `javascript:${`${bookmarkletSource(config)};void 0`.replace(/[%\s"<>`#]/g, (c) => encodeURIComponent(c))}`
}
