/** The built-in island kinds, in the order the package entry registers them. */
import { svgKind } from './svg/index.js'

export { svgKind }
export const KINDS = [svgKind] as const
