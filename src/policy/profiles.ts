/**
 * The built-in profiles, as data: which elements and attributes an island of each kind renders
 * from a remote peer. The rules in rules.ts apply on top of every profile and cannot be lifted.
 *
 * - `svg`: a drawing. SVG shapes, text, gradients, patterns, masks, filters, `use` (`#id` only),
 *   animation (never of links, handlers or styling), `a` links, `image` from data: rasters only.
 *   No `foreignObject` unless `foreignObject: true`, and then its HTML goes through `html`.
 * - `html`: an article. Text-level and sectioning elements, lists, tables, figures, links
 *   (http, https, mailto, tel, xmpp, relative), images from https: or data: rasters, and inline
 *   SVG under the svg profile's rules (SVG in HTML is ordinary page content, as in DOMPurify's
 *   default). No forms, media, embeds, styles or scripts.
 * - `form`: form controls and the text around them. No `form` element, no `action`/`formaction`,
 *   no password, file or image inputs, no autocomplete or autofocus.
 */

import {
  FORM_ATTRIBUTES, FORM_ELEMENTS, HTML_TEXT_ATTRIBUTES, HTML_TEXT_ELEMENTS, MATH_ATTRIBUTES, SVG_ATTRIBUTES,
  SVG_ELEMENTS,
} from './lists.js'
import type { UrlRules } from './urls.js'

export type ProfileName = 'svg' | 'html' | 'form'

export interface Profile {
  readonly name: string
  /** Element keys as the binding writes them: `p`, `svg:rect`, `math:mi`, `{uri}local`. */
  readonly elements: readonly string[]
  /**
   * Attribute keys (`x`, `xlink:href`, `{uri}local`) allowed on the profile's elements, by the
   * namespace of the element: XHTML names lower-case, SVG names in their real case.
   */
  readonly attributes: { readonly html?: readonly string[]; readonly svg?: readonly string[]; readonly math?: readonly string[] }
  /** Foreign namespaces (not XHTML, SVG or MathML) whose every element and attribute is allowed. */
  readonly namespaces?: readonly string[]
  /** SVG `foreignObject`, its content through the html profile (default false). */
  readonly foreignObject?: boolean
  /** `data-*` attributes (default false: page scripts act on them, e.g. htmx's `data-hx-get`). */
  readonly dataAttributes?: boolean
  /** URL rules for this profile's elements (defaults: see HTML_URLS and SVG_URLS). */
  readonly urls?: Partial<UrlRules>
}

const LINK_SCHEMES = ['http', 'https', 'mailto', 'tel', 'xmpp'] as const

/** URLs in XHTML elements: links as DOMPurify allows them (fewer schemes), images from https: and data: rasters. */
export const HTML_URLS: UrlRules = {
  linkSchemes: LINK_SCHEMES,
  resourceSchemes: ['https'],
  relativeResources: false,
  dataImages: true,
  externalReferences: false,
}

/** URLs in SVG elements: links as in HTML; `use`, gradients and the like reference `#id` only; images from data: rasters only. */
export const SVG_URLS: UrlRules = {
  linkSchemes: LINK_SCHEMES,
  resourceSchemes: [],
  relativeResources: false,
  dataImages: true,
  externalReferences: false,
}

const svgKeys = (names: readonly string[]): string[] => names.map((n) => `svg:${n}`)

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  svg: {
    name: 'svg',
    elements: svgKeys(SVG_ELEMENTS),
    attributes: { svg: SVG_ATTRIBUTES },
  },
  html: {
    name: 'html',
    elements: [...HTML_TEXT_ELEMENTS, ...svgKeys(SVG_ELEMENTS)],
    attributes: { html: HTML_TEXT_ATTRIBUTES, svg: SVG_ATTRIBUTES },
  },
  form: {
    name: 'form',
    elements: [
      ...FORM_ELEMENTS,
      ...['div', 'span', 'p', 'br', 'hr', 'b', 'i', 'em', 'strong', 'small', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'dl', 'dt', 'dd',
        'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'details', 'summary'],
    ],
    attributes: {
      html: [
        ...FORM_ATTRIBUTES,
        ...['class', 'id', 'name', 'title', 'lang', 'dir', 'hidden', 'role', 'style', 'tabindex', 'type', 'value', 'colspan',
          'rowspan', 'headers', 'scope', 'open', 'alt'],
      ],
    },
  },
}

/** Attributes of MathML elements, for custom profiles that list MathML elements. */
export const MATH_PROFILE_ATTRIBUTES = MATH_ATTRIBUTES
