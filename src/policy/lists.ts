/**
 * Allow-lists, taken from DOMPurify 3.4 (https://github.com/cure53/DOMPurify, (c) Cure53 and
 * other contributors, Apache-2.0 OR MPL-2.0; used here under Apache-2.0): `tags.ts` (html, svg,
 * svgFilters, mathMl) and `attrs.ts` (html, svg, mathMl, xml).
 *
 * Why copied rather than imported: DOMPurify's package exports only the sanitizer, not its lists,
 * and the whole sanitizer is 30.6 KB minified, 12.1 KB gzipped, against a core IIFE of about
 * 62 KB gzipped under a 75 KB budget; and its `isValidAttribute(tag, attr, value)` is
 * namespace-blind and lower-cases names, while island keys are namespaced and SVG is
 * case-sensitive. So: the same lists, trimmed per profile, SVG names given their real case, and
 * DOMPurify kept as a dev dependency that test/unit/policy.test.ts uses as an oracle (every
 * element and attribute a built-in profile allows must be one DOMPurify allows too, except the
 * documented additions below).
 *
 * Additions to DOMPurify's lists, each guarded by a rule of ours in rules.ts:
 * - SVG `use` (references limited to `#id`), `animate`, `set` (attributeName and values checked),
 *   `foreignObject` (only when a profile allows it, its content through the html profile);
 * - SVG attributes `from`, `to`, `calcMode`, `fr` (animation values checked like `values`).
 * Removals: everything a profile does not need (see profiles.ts).
 */

/** Lists as space-separated words: smaller in the bundle than arrays of strings. */
const words = (s: string): readonly string[] => s.split(' ')

/** XHTML elements DOMPurify allows, minus what the profiles leave out on purpose (see profiles.ts). */
export const HTML_TEXT_ELEMENTS: readonly string[] = words(
  'a abbr address article aside b bdi bdo blockquote br caption cite code col colgroup data dd del ' +
  'details dfn div dl dt em figcaption figure footer h1 h2 h3 h4 h5 h6 header hgroup hr i img ins kbd ' +
  'li main mark nav ol p picture pre q rp rt ruby s samp section small source span strong sub summary ' +
  'sup table tbody td tfoot th thead time tr u ul var wbr',
)

/** XHTML attributes DOMPurify allows that the html profile keeps (aria-* are allowed by pattern). */
export const HTML_TEXT_ATTRIBUTES: readonly string[] = words(
  'align alt cite class colspan datetime decoding dir headers height hidden href hreflang id lang ' +
  'loading media name open rel reversed role rowspan scope sizes span src srcset start style summary ' +
  'tabindex title translate type valign value width',
)

/** Form controls, from DOMPurify's html list (no `form`: a shared form's submission stays the page's). */
export const FORM_ELEMENTS: readonly string[] = words(
  'button datalist fieldset input label legend meter optgroup option output progress select textarea',
)

/** What form controls need, from DOMPurify's html attributes (no action, formaction, form, autocomplete, autofocus). */
export const FORM_ATTRIBUTES: readonly string[] = words(
  'checked cols disabled for high inputmode label list low max maxlength min minlength multiple optimum ' +
  'pattern placeholder readonly required rows selected size spellcheck step wrap',
)

/**
 * SVG elements: DOMPurify's svg and svgFilters lists in their real case (DOMPurify lower-cases
 * them), then ours (`use`, `animate`, `set`: DOMPurify refuses them; rules.ts guards them).
 */
export const SVG_ELEMENTS: readonly string[] = words(
  'svg a animateMotion animateTransform circle clipPath defs desc ellipse filter g image line ' +
  'linearGradient marker mask metadata mpath path pattern polygon polyline radialGradient rect stop ' +
  'switch symbol text textPath title tspan view feBlend feColorMatrix feComponentTransfer feComposite ' +
  'feConvolveMatrix feDiffuseLighting feDisplacementMap feDistantLight feDropShadow feFlood feFuncA ' +
  'feFuncB feFuncG feFuncR feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset ' +
  'fePointLight feSpecularLighting feSpotLight feTile feTurbulence use animate set',
)

/** SVG attributes: DOMPurify's svg list in real case, plus `from`, `to`, `calcMode`, `fr`. */
export const SVG_ATTRIBUTES: readonly string[] = words(
  'accent-height accumulate additive alignment-baseline amplitude ascent attributeName attributeType ' +
  'azimuth baseFrequency baseline-shift begin bias by class clip clipPathUnits clip-path clip-rule ' +
  'color color-interpolation color-interpolation-filters color-rendering cx cy d dx dy diffuseConstant ' +
  'direction display divisor dominant-baseline dur edgeMode elevation end exponent fill fill-opacity ' +
  'fill-rule filter filterUnits flood-color flood-opacity font-family font-size font-size-adjust ' +
  'font-stretch font-style font-variant font-weight fx fy g1 g2 glyph-name gradientUnits ' +
  'gradientTransform height href id image-rendering in in2 intercept k k1 k2 k3 k4 kerning keyPoints ' +
  'keySplines keyTimes lang lengthAdjust letter-spacing kernelMatrix kernelUnitLength lighting-color ' +
  'local marker-end marker-mid marker-start markerHeight markerUnits markerWidth maskContentUnits ' +
  'maskUnits max mask mask-type media method mode min name numOctaves offset operator opacity order ' +
  'orient orientation origin overflow paint-order path pathLength patternContentUnits patternTransform ' +
  'patternUnits pointer-events points preserveAlpha preserveAspectRatio primitiveUnits r rx ry radius ' +
  'refX refY repeatCount repeatDur restart result rotate scale seed shape-rendering slope ' +
  'specularConstant specularExponent spreadMethod startOffset stdDeviation stitchTiles stop-color ' +
  'stop-opacity stroke-dasharray stroke-dashoffset stroke-linecap stroke-linejoin stroke-miterlimit ' +
  'stroke-opacity stroke stroke-width style surfaceScale systemLanguage tabindex tableValues targetX ' +
  'targetY transform transform-origin text-anchor text-decoration text-orientation text-rendering ' +
  'textLength type u1 u2 unicode values vector-effect viewBox visibility version vert-adv-y ' +
  'vert-origin-x vert-origin-y width word-spacing wrap writing-mode xChannelSelector yChannelSelector x ' +
  'x1 x2 y y1 y2 z zoomAndPan ' +
  // DOMPurify's xml list (xml:id and xmlns:xlink aside: ids go through `id`, namespace declarations are
  // not stored); `role`, from DOMPurify's html list, which it allows on every element; then ours.
  'xlink:href xlink:title xml:space role from to calcMode fr xml:lang',
)

/** MathML, for custom profiles: DOMPurify's mathMl lists (no `maction`, no `href`). */
export const MATH_ELEMENTS: readonly string[] = words(
  'math menclose merror mfenced mfrac mglyph mi mlabeledtr mmultiscripts mn mo mover mpadded mphantom ' +
  'mroot mrow ms mspace msqrt mstyle msub msup msubsup mtable mtd mtext mtr munder munderover ' +
  'mprescripts',
)

export const MATH_ATTRIBUTES: readonly string[] = words(
  'accent accentunder align bevelled close columnalign columnlines columnspacing columnspan denomalign ' +
  'depth dir display displaystyle encoding fence frame height id largeop length linethickness lquote ' +
  'lspace mathbackground mathcolor mathsize mathvariant maxsize minsize movablelimits notation numalign ' +
  'open rowalign rowlines rowspacing rowspan rspace rquote scriptlevel scriptminsize ' +
  'scriptsizemultiplier selection separator separators stretchy subscriptshift supscriptshift symmetric ' +
  'voffset width class style',
)

/** aria-* (DOMPurify's ARIA_ATTR) is allowed on every element of every profile. */
export const ARIA_ATTR = /^aria-[-\w]+$/
/** data-* (DOMPurify's DATA_ATTR), allowed only when a profile says so (`dataAttributes`). */
export const DATA_ATTR = /^data-[-\w.\u00B7-\uFFFF]+$/
