/**
 * The rules no profile can lift, and the attribute rules that depend on the element.
 * Names here are lower-case local names, matched against every local name the DOM could give a
 * node (names.ts `locals`), lower-cased, in any namespace.
 */

import type { AttrName, ElementName } from './names.js'
import type { UrlKind } from './urls.js'

/**
 * Elements that run script, load documents or plugins, change how the page resolves or
 * refreshes, hold inert markup a script may stamp out, or style the whole page.
 * `style` is refused rather than sanitised: a style sheet reaches outside the island (selectors
 * can read attribute values out through requests, and restyle the whole page).
 */
export const NEVER_ELEMENTS = new Set([
  'script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'param', 'base', 'basefont', 'meta', 'link',
  'template', 'noscript', 'noembed', 'noframes', 'style', 'xmp', 'plaintext', 'listing', 'portal', 'fencedframe',
  'html', 'head', 'body', 'slot', 'layer', 'ilayer', 'bgsound', 'import', 'xml',
  // SVG: script and event handlers (SVG 1.2 Tiny), cursor and font-face-uri (fetch), discard (removes elements)
  'handler', 'listener', 'cursor', 'font-face-uri', 'font-face-src', 'color-profile', 'discard', 'tref',
  // MathML: actions and annotations (an HTML integration point), deprecated, not needed
  'maction', 'annotation-xml', 'semantics',
])

/** `foreignObject` is neither allowed nor never: only a profile with `foreignObject: true` renders it. */
export const FOREIGN_OBJECT = 'foreignobject'

/** Text children of these run or style something (all of them are refused anyway). */
export const RAW_TEXT_ELEMENTS = new Set(['script', 'style', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'plaintext', 'template'])

/** Attributes refused on every element, by lower-cased local name (and any name starting with `on`). */
export const NEVER_ATTRIBUTES = new Set([
  'srcdoc', 'ping', 'attributionsrc', 'base', 'codebase', 'classid', 'archive', 'data', 'dynsrc', 'lowsrc', 'manifest',
  'profile', 'http-equiv', 'content', 'is', 'formaction', 'action', 'form', 'autofocus', 'accesskey', 'usemap',
  'command', 'commandfor', 'popovertarget', 'popovertargetaction', 'interestfor', 'nonce', 'integrity', 'slot',
  'imagesrcset', 'xmlns', 'autocomplete', 'formtarget', 'shadowrootmode', 'shadowroot',
  'writingsuggestions', 'folder', 'background', 'itemtype', 'xml:base',
])

/** SVG animation elements: their attributeName, href and values are checked (animationRule). */
export const ANIMATION_ELEMENTS = new Set(['animate', 'set', 'animatetransform', 'animatemotion', 'animatecolor'])

/** What an animation may never target: links, handlers, styling and identity of other elements. */
export function forbiddenAnimationTarget(attributeName: string): boolean {
  const n = attributeName.trim().toLowerCase()
  const local = n.slice(n.indexOf(':') + 1)
  return (
    n.includes(':') ||
    local.startsWith('on') ||
    NEVER_ATTRIBUTES.has(local) ||
    ['href', 'src', 'srcset', 'style', 'class', 'id', 'name', 'cite', 'poster', 'attributename', 'values', 'from', 'to', 'by', 'begin', 'end'].includes(local)
  )
}

/**
 * Input types a remote peer may set: not password (autofill bait), file, image (a fetch), or
 * hidden (a field the person cannot see, submitted with their form). A page's own hidden and
 * password inputs keep their `type` local (islands/forms), so this refuses only a peer's.
 */
export const INPUT_TYPES = new Set([
  'text', 'search', 'email', 'url', 'tel', 'number', 'range', 'date', 'time', 'datetime-local', 'month', 'week',
  'color', 'checkbox', 'radio', 'button', 'submit', 'reset',
])

export const BUTTON_TYPES = new Set(['button', 'submit', 'reset'])

/** Ids and names that the engine and its bridges look up: a copy in an island would be found first. */
export const RESERVED_IDS = new Set(['xmpp-incoming', 'xmpp-outgoing'])

/**
 * Document and form properties an `id` or `name` would shadow (DOM clobbering), as DOMPurify's
 * SANITIZE_DOM checks `value in document || value in formElement`. Where there is a document, that
 * live check is made; this short list (what the engine and most pages use) holds everywhere.
 * The live check depends on the browser (Chromium's EventTarget has `when` since Observables):
 * peers on different browsers may disagree on a rare id or name.
 */
export const CLOBBER_NAMES = new Set(
  ('getElementById getElementsByName getElementsByTagName querySelector querySelectorAll createElement ' +
    'createElementNS createTextNode cookie body head forms images links scripts location documentElement ' +
    'defaultView domain write open close title URL implementation activeElement currentScript ' +
    'submit reset action method elements length id name attributes innerHTML nodeType nodeName ' +
    'parentNode ownerDocument childNodes firstChild addEventListener removeEventListener dispatchEvent ' +
    'toString valueOf constructor hasOwnProperty __proto__').split(' '),
)

let liveDocument: Document | null | undefined
let liveForm: HTMLFormElement | null = null

/** Whether an id or name value would shadow something the page or the engine relies on. */
export function clobbers(value: string): boolean {
  if (RESERVED_IDS.has(value) || CLOBBER_NAMES.has(value)) return true
  if (liveDocument === undefined) {
    liveDocument = typeof document === 'undefined' ? null : document
    try {
      liveForm = liveDocument ? liveDocument.createElement('form') : null
    } catch {
      liveForm = null
    }
  }
  if (liveDocument === null) return false
  try {
    return value in liveDocument || (liveForm !== null && value in liveForm)
  } catch {
    return true
  }
}

/** Which URL rule an attribute follows on an element, or null when it is not a URL attribute. */
export function urlKindOf(el: ElementName | null, attr: AttrName): UrlKind | null {
  const names = attr.locals
  const is = (n: string): boolean => names.includes(n)
  if (!is('href') && !is('src') && !is('srcset') && !is('poster') && !is('cite') && !is('longdesc')) return null
  const local = el ? el.locals[el.locals.length - 1]!.toLowerCase() : ''
  if (is('cite') || is('longdesc')) return 'link'
  if (el === null) return 'reference' // the island element's own attribute: the strictest reading
  if (el.kind === 'svg') {
    if (is('href')) {
      if (local === 'a') return 'link'
      if (local === 'image' || local === 'feimage') return 'image'
      return 'reference'
    }
    return 'image' // src, srcset, poster on SVG mean nothing: read as fetches
  }
  if (el.kind === 'html') {
    if (is('href')) return local === 'a' || local === 'area' ? 'link' : 'reference'
    if (is('poster')) return 'image'
    if (local === 'video' || local === 'audio' || local === 'track') return 'media'
    return 'image'
  }
  return 'reference'
}
