/**
 * `createPolicy(profile | options)`: a RenderFilter for an island's remote content that can also
 * say why it refused something.
 *
 * The engine keeps every update in the doc and renders through the policy (docs/PROTOCOL.md,
 * "What a receiver renders": refusing updates would leave later ones pending forever), so every peer with the same policy renders
 * the same island. A refused element is not rendered with its whole subtree; a refused attribute
 * is not set; refused text is not rendered.
 */

import { ISLAND_KEY, type Refusal, type RefusalRule, type RenderFilter } from '../binding/context.js'
import { AUTHORING_PREFIX } from '../binding/filter.js'
import { checkCss } from './css.js'
import { ARIA_ATTR, DATA_ATTR, HTML_TEXT_ATTRIBUTES, HTML_TEXT_ELEMENTS, MATH_ATTRIBUTES } from './lists.js'
import { NS, PLAIN_NAME, readAttrKey, readElementKey, type AttrName, type ElementName, type NsKind } from './names.js'
import { HTML_URLS, PROFILES, SVG_URLS, type Profile, type ProfileName } from './profiles.js'
import {
  ANIMATION_ELEMENTS, BUTTON_TYPES, clobbers, FOREIGN_OBJECT, forbiddenAnimationTarget, INPUT_TYPES, NEVER_ATTRIBUTES,
  NEVER_ELEMENTS, RAW_TEXT_ELEMENTS, urlKindOf,
} from './rules.js'
import { checkUrl, normalizeUrl, schemeOf, srcsetUrls, type UrlRules } from './urls.js'

export interface PolicyLimits {
  /** Longest attribute value rendered, in UTF-16 units (default 256 Ki: a path or a data: image). */
  readonly maxAttributeLength: number
  /** Longest text node rendered, in UTF-16 units (default 1 Mi). */
  readonly maxTextLength: number
}

export const DEFAULT_LIMITS: PolicyLimits = { maxAttributeLength: 256 * 1024, maxTextLength: 1024 * 1024 }

export interface PolicyOptions extends Partial<PolicyLimits> {
  /** The base profile(s), merged; none: only what `elements` and `attributes` list. */
  readonly profile?: ProfileName | Profile | ReadonlyArray<ProfileName | Profile>
  /** More element keys (`svg:foo`, `{uri}local`), or keys listed verbatim. */
  readonly elements?: readonly string[]
  /** More attribute keys, allowed on every allowed element (`x`, `xlink:title`, `{uri}local`). */
  readonly attributes?: readonly string[]
  /** Foreign namespaces whose every element and attribute is allowed (the never-rules still apply). */
  readonly namespaces?: readonly string[]
  /** SVG `foreignObject`, with its content through the html profile. */
  readonly foreignObject?: boolean
  /** `data-*` attributes. */
  readonly dataAttributes?: boolean
  /** URL rules for every namespace, over the profiles' own. */
  readonly urls?: Partial<UrlRules>
}

/**
 * A RenderFilter (booleans, safe to combine with `&&`) that can also say why: `check*` give the
 * Refusal, or null when allowed. The engine asks `check*` after a no, to name the reason.
 */
export interface Policy extends RenderFilter {
  /** The profile names it was made from, joined with `+` (`svg`, `svg+foreignObject`, `custom`). */
  readonly name: string
  readonly limits: PolicyLimits
  /** `parentKey`: the key of the element it would be rendered in, when the engine knows it. */
  element(key: string, parentKey?: string): boolean
  attribute(elementKey: string, attrKey: string, value: string): boolean
  text(value: string, parentKey?: string): boolean
  checkElement(key: string, parentKey?: string): Refusal | null
  checkAttribute(elementKey: string, attrKey: string, value: string): Refusal | null
  checkText(value: string, parentKey?: string): Refusal | null
}

/** What checkAttribute decides from an attribute's and its element's names alone. */
interface AttributeName {
  el: ElementName | null
  attr: AttrName
  /** Refused whatever the value, before the value is looked at. */
  never: [RefusalRule, string] | null
  /** Refused whatever the value, after the value's length and markup checks. */
  refused: [RefusalRule, string] | null
}
const NAMES_LIMIT = 10_000

/**
 * DOMPurify's ATTR_VALUE_BREAKOUT (SAFE_FOR_XML): values that end a comment, a CDATA section or
 * a raw-text element, the stuff of mutation XSS once an app serializes the island and parses it
 * again (the HTML serializer does not escape `<` and `>` in attribute values).
 */
const ATTR_VALUE_BREAKOUT = /((--!?|])>)|<\/(style|script|title|xmp|textarea|noscript|iframe|noembed|noframes)/i

type Kind = 'html' | 'svg' | 'math'

class PolicyImpl implements Policy {
  readonly limits: PolicyLimits
  private readonly elements = new Set<string>()
  private readonly attrs: Record<Kind, Set<string>> = { html: new Set(), svg: new Set(), math: new Set() }
  private readonly extraAttrs: Set<string>
  private readonly namespaces: Set<string>
  private readonly foreignObject: boolean
  private readonly dataAttributes: boolean
  private readonly urls: Record<'html' | 'svg', UrlRules>

  constructor(readonly name: string, profiles: readonly Profile[], options: PolicyOptions) {
    this.limits = {
      maxAttributeLength: options.maxAttributeLength ?? DEFAULT_LIMITS.maxAttributeLength,
      maxTextLength: options.maxTextLength ?? DEFAULT_LIMITS.maxTextLength,
    }
    let htmlUrls: Partial<UrlRules> = {}
    let svgUrls: Partial<UrlRules> = {}
    for (const p of profiles) {
      for (const e of p.elements) this.elements.add(e)
      for (const k of ['html', 'svg', 'math'] as const) for (const a of p.attributes[k] ?? []) this.attrs[k].add(a)
      if (p.urls) {
        if (p.name === 'svg') svgUrls = { ...svgUrls, ...p.urls }
        else if (p.name === 'html' || p.name === 'form') htmlUrls = { ...htmlUrls, ...p.urls }
        else {
          svgUrls = { ...svgUrls, ...p.urls }
          htmlUrls = { ...htmlUrls, ...p.urls }
        }
      }
    }
    for (const e of options.elements ?? []) this.elements.add(e)
    this.extraAttrs = new Set(options.attributes ?? [])
    const foreign = [...profiles.flatMap((p) => p.namespaces ?? []), ...(options.namespaces ?? [])]
    this.namespaces = new Set(foreign.filter((ns) => !(Object.values(NS) as string[]).includes(ns)))
    this.foreignObject = options.foreignObject ?? profiles.some((p) => p.foreignObject === true)
    this.dataAttributes = options.dataAttributes ?? profiles.some((p) => p.dataAttributes === true)
    if (this.foreignObject) {
      // foreignObject's content goes through the html profile.
      this.elements.add('svg:foreignObject')
      for (const e of HTML_TEXT_ELEMENTS) this.elements.add(e)
      for (const a of HTML_TEXT_ATTRIBUTES) this.attrs.html.add(a)
    }
    if ([...this.elements].some((e) => e.startsWith('math:')) && this.attrs.math.size === 0) for (const a of MATH_ATTRIBUTES) this.attrs.math.add(a)
    this.urls = {
      html: { ...HTML_URLS, ...htmlUrls, ...options.urls },
      svg: { ...SVG_URLS, ...svgUrls, ...options.urls },
    }
    if (this.urls.svg.externalReferences && this.urls.svg.resourceSchemes.length === 0) this.urls.svg = { ...this.urls.svg, resourceSchemes: ['https'] }
  }

  element(key: string, parentKey?: string): boolean {
    return this.checkElement(key, parentKey) === null
  }

  attribute(elementKey: string, attrKey: string, value: string): boolean {
    return this.checkAttribute(elementKey, attrKey, value) === null
  }

  text(value: string, parentKey?: string): boolean {
    return this.checkText(value, parentKey) === null
  }

  checkElement(key: string, parentKey?: string): Refusal | null {
    const no = (rule: RefusalRule, reason: string): Refusal => ({ node: 'element', name: key, rule, reason })
    if (typeof key !== 'string' || key === '' || key.startsWith('#')) return no('name', 'not an element name')
    const el = readElementKey(key)
    for (const local of el.locals) {
      const l = local.toLowerCase()
      if (NEVER_ELEMENTS.has(l)) return no('never', `<${l}> can run script, load a document or restyle the page`)
      if (l === FOREIGN_OBJECT && !(this.foreignObject && el.kind === 'svg' && local === 'foreignObject' && el.locals.length === 1)) {
        return no('never', 'foreignObject is not allowed in this profile')
      }
    }
    // A foreign namespace's element may carry a prefix of its own (`{uri}p:local`); others may not.
    const parts = el.kind === 'other' ? el.name.split(':') : el.locals
    if (parts.length > 2 || !parts.every((l) => PLAIN_NAME.test(l))) return no('name', 'not a plain element name')
    const verbatim = this.elements.has(key)
    if (el.canonical === null && !verbatim) return no('name', 'a prefixed element name')
    if (parentKey !== undefined && parentKey !== ISLAND_KEY && !parentKey.startsWith('#')) {
      const parent = readElementKey(parentKey)
      const pl = parent.locals.map((l) => l.toLowerCase())
      if (pl.some((l) => RAW_TEXT_ELEMENTS.has(l))) return no('context', `inside <${pl[0]}>`)
      if (el.kind === 'html' && parent.kind === 'svg' && parent.name !== 'foreignObject') return no('context', 'HTML in SVG outside foreignObject')
    }
    if (verbatim || this.elements.has(el.canonical!)) return null
    if (el.kind === 'other' && this.namespaces.has(el.ns!)) return null
    if (el.kind === 'other' || el.kind === 'none') return no('not-allowed', `the namespace ${el.ns ?? '(none)'} is not allowed`)
    return no('not-allowed', `<${el.canonical}> is not in the ${this.name} profile`)
  }

  checkAttribute(elementKey: string, attrKey: string, value: string): Refusal | null {
    const no = (rule: RefusalRule, reason: string): Refusal => ({ node: 'attribute', name: attrKey, element: elementKey, rule, reason })
    if (typeof attrKey !== 'string' || attrKey === '' || attrKey.startsWith('#')) return no('name', 'not an attribute name')
    if (typeof value !== 'string') return no('value', 'not a string')
    const name = this.attributeName(elementKey, attrKey)
    if (name.never) return no(name.never[0], name.never[1])
    if (value.length > this.limits.maxAttributeLength) return no('too-long', `a value of ${value.length} characters (at most ${this.limits.maxAttributeLength})`)
    if (ATTR_VALUE_BREAKOUT.test(value)) return no('value', 'a value that would break out of its markup if the island were serialized and parsed again')
    if (name.refused) return no(name.refused[0], name.refused[1])
    const why = this.checkValue(name.el, name.attr.canonical!, name.attr, value)
    return why ? no(why[0], why[1]) : null
  }

  // What checkAttribute decides from the names alone, kept per (element, attribute): a dragged
  // shape asks about the same attribute with a new value on every tick. Bounded like gate.ts's memo.
  private readonly names = new Map<string, AttributeName>()

  private attributeName(elementKey: string, attrKey: string): AttributeName {
    const k = `${elementKey}\u0000${attrKey}`
    let name = this.names.get(k)
    if (name !== undefined) return name
    const el = elementKey === ISLAND_KEY || elementKey.startsWith('#') ? null : readElementKey(elementKey)
    const attr = readAttrKey(attrKey, el)
    name = { el, attr, never: null, refused: null }
    for (const l of attr.locals) {
      const low = l.toLowerCase()
      if (low.startsWith('on')) name.never ??= ['event-handler', 'event handler attributes are never rendered']
      if (NEVER_ATTRIBUTES.has(low)) name.never ??= ['never', `${low} is never rendered`]
      if (low.startsWith(AUTHORING_PREFIX)) name.never ??= ['never', 'authoring attributes stay local']
      if (name.never) break
    }
    if (name.never === null) {
      if (attr.ns === NS.xmlns) name.never = ['never', 'namespace declarations are not content']
      else if (attr.ns === NS.xml && !['xml:space', 'xml:lang'].includes(attr.canonical ?? '')) name.never = ['not-allowed', `${attr.canonical} is not allowed`]
    }
    const last = attr.qname.slice(attr.qname.indexOf(':') + 1)
    if (!PLAIN_NAME.test(last) || (attr.ns !== null && attr.qname.split(':').length > 2)) name.refused = ['name', 'not a plain attribute name']
    else if (!this.allowsName(el, attr.key, attr.canonical, attr.ns)) {
      name.refused = ['not-allowed', `${attr.canonical ?? attrKey} is not allowed on ${el ? `<${el.canonical ?? elementKey}>` : 'the island'} in the ${this.name} profile`]
    }
    // Long names (no real attribute has one) are not kept: a peer could fill the cache with them.
    if (k.length > 128) return name
    if (this.names.size >= NAMES_LIMIT) this.names.clear()
    this.names.set(k, name)
    return name
  }

  private allowsName(el: ElementName | null, key: string, canonical: string | null, ns: string | null): boolean {
    if (this.extraAttrs.has(key)) return true
    if (canonical === null) return false
    if (this.extraAttrs.has(canonical)) return true
    if (ns === null && ARIA_ATTR.test(canonical)) return true
    if (ns === null && this.dataAttributes && DATA_ATTR.test(canonical)) return true
    if (ns !== null && ns !== NS.xlink && ns !== NS.xml) return this.namespaces.has(ns)
    if (el === null) return this.attrs.html.has(canonical) || this.attrs.svg.has(canonical) || this.attrs.math.has(canonical)
    const kind = el.kind as NsKind
    if (kind === 'html' || kind === 'svg' || kind === 'math') return this.attrs[kind].has(canonical)
    // A foreign element of an allowed namespace keeps its own no-namespace attributes.
    return kind === 'other' && ns === null && this.namespaces.has(el.ns!)
  }

  private checkValue(el: ElementName | null, canonical: string, attr: ReturnType<typeof readAttrKey>, value: string): [RefusalRule, string] | null {
    const low = canonical.toLowerCase()
    const elLocal = el ? el.locals[el.locals.length - 1]!.toLowerCase() : ''
    if ((low === 'id' || low === 'name') && value !== '' && clobbers(value)) return ['clobbering', `${low}="${value}" would shadow a property of the document or the engine's channel`]
    if (low === 'style' || el === null || el.kind === 'svg' || el.kind === 'other') {
      const css = checkCss(value)
      if (css) return ['css', css]
    }
    const urls = el?.kind === 'html' ? this.urls.html : this.urls.svg
    if (attr.locals.some((l) => l.toLowerCase() === 'srcset')) {
      for (const u of srcsetUrls(value)) {
        const bad = checkUrl(u, 'image', urls)
        if (bad) return ['url', `srcset: ${bad}`]
      }
      return null
    }
    const kind = urlKindOf(el, attr)
    if (kind) {
      if (elLocal === 'feimage' && el?.kind === 'svg' && normalizeUrl(value).startsWith('#')) return null
      const bad = checkUrl(value, kind, urls)
      if (bad) return ['url', bad]
    }
    if (el?.kind === 'svg' && ANIMATION_ELEMENTS.has(elLocal)) {
      if (low === 'attributename' && forbiddenAnimationTarget(value)) return ['animation', `animating ${value.trim()} is not allowed`]
      if (low === 'values' || low === 'from' || low === 'to' || low === 'by') {
        for (const item of value.split(';')) {
          const n = normalizeUrl(item)
          if (schemeOf(n) !== null || n.includes('script')) return ['animation', 'an animation value that is a URL']
        }
      }
    }
    // DOMPurify's patch-linkage rule: `for` only where it names a control (label, output).
    if (low === 'for' && el?.kind === 'html' && elLocal !== 'label' && elLocal !== 'output') return ['not-allowed', '`for` is allowed on label and output only']
    if (el?.kind === 'html' && low === 'type') {
      const t = value.trim().toLowerCase()
      if (elLocal === 'input' && !INPUT_TYPES.has(t)) return ['value', `<input type="${t}"> is not allowed`]
      if (elLocal === 'button' && !BUTTON_TYPES.has(t)) return ['value', `<button type="${t}"> is not allowed`]
    }
    return null
  }

  checkText(value: string, parentKey?: string): Refusal | null {
    const no = (rule: RefusalRule, reason: string): Refusal => ({ node: 'text', name: '#text', ...(parentKey !== undefined ? { element: parentKey } : {}), rule, reason })
    if (typeof value !== 'string') return no('value', 'not a string')
    if (value.length > this.limits.maxTextLength) return no('too-long', `a text of ${value.length} characters (at most ${this.limits.maxTextLength})`)
    if (parentKey !== undefined && !parentKey.startsWith('#')) {
      const parent = readElementKey(parentKey)
      if (parent.locals.some((l) => RAW_TEXT_ELEMENTS.has(l.toLowerCase()))) return no('never', `text inside <${parent.name}> would run or style`)
    }
    return null
  }
}

/**
 * A policy from a profile name (`'svg'`, `'html'`, `'form'`), a profile object, a list of them
 * (merged), or options that merge profiles and add to them. The never-rules (rules.ts) hold whatever the options say.
 */
export function createPolicy(spec: ProfileName | Profile | ReadonlyArray<ProfileName | Profile> | PolicyOptions = 'svg'): Policy {
  const options: PolicyOptions = typeof spec === 'string' || Array.isArray(spec) || isProfile(spec) ? { profile: spec as ProfileName } : (spec as PolicyOptions)
  const list = options.profile === undefined ? [] : Array.isArray(options.profile) ? options.profile : [options.profile as ProfileName | Profile]
  const profiles = list.map((p) => {
    if (typeof p !== 'string') return p
    const found = PROFILES[p as ProfileName]
    if (!found) throw new TypeError(`unknown policy profile: ${String(p)}`)
    return found
  })
  const names = profiles.map((p) => p.name)
  if (options.foreignObject ?? profiles.some((p) => p.foreignObject)) names.push('foreignObject')
  return new PolicyImpl(names.length ? names.join('+') : 'custom', profiles, options)
}

function isProfile(x: unknown): x is Profile {
  return typeof x === 'object' && x !== null && Array.isArray((x as Profile).elements) && typeof (x as Profile).attributes === 'object' && typeof (x as Profile).name === 'string'
}

/** A one-line account of a refusal, for a `not-allowed` error event. */
export function describeRefusal(r: Refusal, peer?: string): string {
  const what = r.node === 'element' ? `element <${r.name}>` : r.node === 'attribute' ? `attribute ${r.name} on <${r.element ?? '?'}>` : `text${r.element ? ` in <${r.element}>` : ''}`
  return `refused ${what}${peer ? ` from ${peer}` : ''}: ${r.reason}`
}
