/** The built-in island kinds, in the order the package entry registers them. */
import { svgKind } from './svg/index.js'
import { formsKind } from './forms/index.js'

export { svgKind, formsKind }
export const KINDS = [svgKind, formsKind] as const
