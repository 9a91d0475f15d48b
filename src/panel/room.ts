/**
 * The room a page's readers share when the tag names none: the page's own URL (its canonical
 * link, else origin and path, so that `?utm=...` and `#section` land in one room), hashed into a
 * MUC room name. Plain JavaScript: `crypto.subtle` exists only in secure contexts, and a CMS page
 * may well be plain http. Not a secret: anyone who knows the URL can compute it (README says so).
 */

/** The URL that names the page: its `<link rel="canonical">` (without a hash), else origin + path. */
export function pageUrl(doc: Document): string {
  const canonical = doc.querySelector<HTMLLinkElement>('link[rel~="canonical" i][href]')
  if (canonical) {
    try {
      const url = new URL(canonical.getAttribute('href')!, doc.baseURI)
      url.hash = ''
      return url.href
    } catch {
      // an unusable href: fall back to the location
    }
  }
  const { origin, pathname } = doc.location
  return origin + pathname
}

/** 64 bits of FNV-1a over the UTF-8 bytes (two 32-bit lanes with different offsets), base 36. */
export function hashName(text: string): string {
  const bytes = new TextEncoder().encode(text)
  let a = 0x811c9dc5
  let b = 0x2f3d5a71
  for (const byte of bytes) {
    a = Math.imul(a ^ byte, 0x01000193)
    b = Math.imul(b ^ byte, 0x01000193) ^ (a >>> 15)
  }
  return (a >>> 0).toString(36).padStart(7, '0') + (b >>> 0).toString(36).padStart(7, '0')
}

/** The page's derived room: `page-` and the hash, a valid MUC node (lower case, digits, `-`). */
export const pageRoom = (doc: Document): string => `page-${hashName(pageUrl(doc))}`
