/**
 * URL values, read the way a browser would before it decides what to fetch or run, then judged.
 *
 * Normalisation, applied to a copy for judging only (the value rendered is the value sent):
 * HTML character references decoded (numeric with or without `;`, the named ones that spell URL
 * punctuation), repeatedly, as if the value had been through markup more than once; percent
 * escapes decoded; compatibility forms folded (NFKC: a fullwidth colon is a colon); then every C0/C1 control, white space (ASCII and Unicode) and invisible
 * format character removed anywhere, which covers what the URL parser strips (leading and
 * trailing C0 and space, tab and newline anywhere) and more. A scheme is whatever comes before
 * the first `:` that precedes any `/`, `?` or `#`, lower-cased: a value whose scheme is not
 * allowed is refused even when the URL parser would have read it as a relative path.
 */

/** What a URL attribute does with its value, strictest last. */
export type UrlKind =
  | 'link' // navigates on the user's action: a[href], cite, action
  | 'image' // fetched at once as an image: img[src], srcset, poster, background, svg image
  | 'media' // fetched at once, not an image: video/audio/track src
  | 'reference' // an SVG reference to an element: use, gradients, textPath, mpath, animations

export interface UrlRules {
  /** Schemes a link may use (besides relative and `#fragment` links). */
  readonly linkSchemes: readonly string[]
  /** Schemes a resource may be fetched from (images, media; SVG use when `externalReferences`). */
  readonly resourceSchemes: readonly string[]
  /** Relative resource URLs: requests to the page's own origin, with its cookies (off: GET CSRF). */
  readonly relativeResources: boolean
  /** `data:` raster images (png, gif, jpeg, webp) where an image is fetched. */
  readonly dataImages: boolean
  /** SVG references (`use`, `feImage`) outside the document. */
  readonly externalReferences: boolean
}

const NAMED: Record<string, string> = {
  colon: ':', tab: '\t', newline: '\n', sol: '/', bsol: '\\', lpar: '(', rpar: ')', period: '.', excl: '!',
  quot: '"', apos: "'", amp: '&', lt: '<', gt: '>', nbsp: '\u00a0', num: '#', percnt: '%', semi: ';',
  equals: '=', comma: ',', quest: '?', commat: '@', lsqb: '[', rsqb: ']', lbrack: '[', rbrack: ']', plus: '+',
  dollar: '$', hyphen: '-', dash: '-', lowbar: '_', ast: '*', midast: '*', grave: '`', zwj: '\u200d',
  zwnj: '\u200c', shy: '\u00ad',
}

/** Decodes HTML character references: numeric (with or without `;`) and the named ones above. */
export function decodeEntities(s: string): string {
  return s.replace(/&(?:#(?:x([0-9a-f]+)|(\d+));?|([a-z]+);?)/gi, (m, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED[name.toLowerCase()] ?? m
    const cp = hex !== undefined ? parseInt(hex, 16) : parseInt(dec!, 10)
    if (!Number.isFinite(cp) || cp > 0x10ffff) return '\ufffd'
    return cp === 0 ? '\ufffd' : String.fromCodePoint(cp)
  })
}

function decodePercent(s: string): string {
  return s.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
}

/**
 * Controls (C0, DEL, C1), white space (ASCII and Unicode, DOMPurify's ATTR_WHITESPACE included),
 * and invisible format characters (soft hyphen, zero-width, bidi marks, BOM, U+FFFD).
 */
const STRIP = /[\u0000-\u0020\u007f-\u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff\ufffd]/g

/** The value as judged: decoded until it no longer changes (at most 4 rounds), stripped, lower-cased. */
export function normalizeUrl(value: string): string {
  let s = value
  for (let i = 0; i < 4; i++) {
    const next = decodePercent(decodeEntities(s)).normalize('NFKC').replace(STRIP, '')
    if (next === s) break
    s = next
  }
  return s.replace(STRIP, '').toLowerCase()
}

/** The scheme of a normalised value, or null when it has none (relative, or a fragment). */
export function schemeOf(normalized: string): string | null {
  const m = /^([^:/?#\\]*):/.exec(normalized)
  return m ? m[1]! : null
}

const DATA_IMAGE = /^data:image\/(?:png|gif|jpeg|jpg|webp)(?:;[a-z0-9=._+-]+)*,/
const FRAGMENT = /^#[^#]*$/

/** null when `value` may stand in an attribute of this kind, else why not. */
export function checkUrl(value: string, kind: UrlKind, rules: UrlRules): string | null {
  const n = normalizeUrl(value)
  if (n === '') return null
  if (n.startsWith('#')) {
    // A fragment is this document: fine to link to or reference; as an image it fetches the page.
    if (kind === 'link' || kind === 'reference') return FRAGMENT.test(n) ? null : 'a malformed fragment'
    return `a fragment as ${kind} source fetches the page itself`
  }
  const scheme = schemeOf(n)
  if (scheme === 'javascript' || scheme === 'vbscript' || scheme === 'livescript' || scheme === 'mocha') return `the ${scheme}: scheme runs code`
  if (kind === 'link') {
    if (scheme === null) return null
    return rules.linkSchemes.includes(scheme) ? null : `the ${scheme}: scheme is not allowed in a link`
  }
  if (kind === 'reference' && !rules.externalReferences) return 'only #id references to this document are allowed'
  if (scheme === 'data') {
    if (kind === 'image' && rules.dataImages && DATA_IMAGE.test(n)) return null
    return kind === 'image' && rules.dataImages ? 'data: URLs other than png, gif, jpeg or webp images are not allowed' : 'data: URLs are not allowed here'
  }
  if (scheme === null) return rules.relativeResources ? null : 'a relative resource URL would request the page\'s own origin'
  return rules.resourceSchemes.includes(scheme) ? null : `the ${scheme}: scheme is not allowed for a ${kind === 'reference' ? 'reference' : 'resource'}`
}

/**
 * The URLs of a `srcset` (or `imagesrcset`), as the HTML spec splits them: a URL is a run of
 * non-space characters (trailing commas cut it), then descriptors up to a comma outside parens.
 */
export function srcsetUrls(value: string): string[] {
  const urls: string[] = []
  const s = value
  let i = 0
  const space = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\f' || c === '\r'
  while (i < s.length) {
    while (i < s.length && (space(s[i]) || s[i] === ',')) i++
    if (i >= s.length) break
    let j = i
    while (j < s.length && !space(s[j])) j++
    let url = s.slice(i, j)
    i = j
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '')
    } else {
      let depth = 0
      while (i < s.length) {
        const c = s[i]
        if (c === '(') depth++
        else if (c === ')') depth = Math.max(0, depth - 1)
        else if (c === ',' && depth === 0) break
        i++
      }
    }
    urls.push(url)
  }
  return urls
}
