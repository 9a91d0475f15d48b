/** The built-in island kinds, in the order the package entry registers them. */
import { createSvgKind, svgKind, type SvgKindOptions } from './svg/index.js'

export { createSvgKind, svgKind, type SvgKindOptions }
export const KINDS = [svgKind] as const
