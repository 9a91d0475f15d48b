/** The built-in island kinds, in the order the package entry registers them. */
import { createSvgKind, svgKind, type SvgKindOptions } from './svg/index.js'
import { formsKind } from './forms/index.js'

export { createSvgKind, svgKind, type SvgKindOptions, formsKind }
export const KINDS = [svgKind, formsKind] as const
