/**
 * CSS in `style` attributes and in SVG presentation attributes (`fill="url(#g)"`), judged after
 * what the CSS tokenizer undoes: comments removed (so `u/**\/rl(` is read as `url(`, stricter
 * than CSS), escapes decoded (`\75 rl(`, `\000075`, `\u` for `u`), HTML character references
 * decoded (a value that went through markup), then lower-cased.
 *
 * Refused: any `url(` that is not a same-document `#id` reference; functions that fetch from a
 * string (`image-set(`, `image(`, `src(`, `cross-fade(`, `element(`); `@import` and any at-rule;
 * `expression(` (old IE), `behavior:` (IE HTCs), `-moz-binding` (XBL), `javascript:` /
 * `vbscript:` anywhere; `position: fixed` (an overlay escaping the island to cover the page);
 * backslashes and braces left over, which only make sense in an attack.
 */

import { decodeEntities } from './urls.js'

function decodeCssEscapes(s: string): string {
  return s.replace(/\\(?:([0-9a-f]{1,6})[ \t\n\r\f]?|(\r\n|[\n\r\f])|([\s\S]))/gi, (_, hex: string | undefined, nl: string | undefined, ch: string | undefined) => {
    if (hex !== undefined) {
      const cp = parseInt(hex, 16)
      return cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '\ufffd' : String.fromCodePoint(cp)
    }
    if (nl !== undefined) return ''
    return ch ?? ''
  })
}

/** The CSS as judged: comments out, escapes and character references decoded until stable, lower-cased. */
export function normalizeCss(value: string): string {
  let s = value
  for (let i = 0; i < 4; i++) {
    const next = decodeCssEscapes(decodeEntities(s.replace(/\/\*[\s\S]*?(?:\*\/|$)/g, '')))
    if (next === s) break
    s = next
  }
  // Controls and invisible characters could split a keyword for us but not for a lenient parser.
  return s.replace(/[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2060-\u2064\ufeff]/g, '').toLowerCase()
}

const FETCHING_FUNCTIONS = /(?:^|[^a-z0-9_-])(-[a-z]+-)?(image-set|image|src|cross-fade|element)\s*\(/
const LOCAL_REF = /^#[a-z_\u0080-\uffff][\w\u0080-\uffff.:-]*$/i

/** null when the CSS may be rendered, else why not. */
export function checkCss(value: string): string | null {
  if (!/[\\(@:&/]/.test(value) && !/url|expression|binding|behavio/i.test(value)) return null // the common case: plain values
  const s = normalizeCss(value)
  if (s.includes('@')) return 'CSS at-rules (@import) are not allowed'
  if (/expression\s*\(/.test(s)) return 'CSS expression() is not allowed'
  if (/behaviou?r\s*:/.test(s)) return 'CSS behavior is not allowed'
  if (s.includes('-moz-binding') || /(?:^|[^a-z-])binding\s*:/.test(s)) return 'CSS -moz-binding is not allowed'
  if (/(?:java|vb|live)script\s*:/.test(s)) return 'a script URL in CSS'
  if (/(?:^|[;{\s])position\s*:\s*fixed/.test(s)) return 'position: fixed would escape the island'
  const fetching = FETCHING_FUNCTIONS.exec(s)
  if (fetching) return `CSS ${fetching[2]}() is not allowed`
  if (s.includes('\\')) return 'a backslash left after decoding CSS escapes'
  if (/[{}]/.test(s)) return 'braces are not allowed in a declaration list'
  const urls = /url\s*\(/g
  let m: RegExpExecArray | null
  while ((m = urls.exec(s)) !== null) {
    const rest = s.slice(m.index + m[0].length)
    const end = rest.indexOf(')')
    if (end < 0) return 'an unterminated url('
    const arg = rest.slice(0, end).trim().replace(/^(['"])([\s\S]*)\1$/, '$2').trim()
    if (!LOCAL_REF.test(arg)) return 'CSS url() other than a #id of this document is not allowed'
  }
  return null
}
