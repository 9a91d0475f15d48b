/** What a remote update may render: profiles, the never-rules, and why something was refused. */
export {
  createPolicy, describeRefusal, DEFAULT_LIMITS,
  type Policy, type PolicyLimits, type PolicyOptions,
} from './policy.js'
export { ISLAND_KEY, type Refusal, type RefusalRule } from '../binding/context.js'
export { PROFILES, HTML_URLS, SVG_URLS, type Profile, type ProfileName } from './profiles.js'
export { ATTR_POLICY, policyFor, profileFor } from './select.js'
export type { UrlRules, UrlKind } from './urls.js'
