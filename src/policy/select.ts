/**
 * Which profile an island uses: `data-sync-policy="svg|html|form"` on the island element, else
 * by the element itself: an SVG element is a drawing, a `<form>` a form, anything else an
 * article. Never by the island's content: every peer must choose the same profile, and content
 * differs between peers (and changes) while the element does not.
 */

import { NS } from './names.js'
import { createPolicy, type Policy, type PolicyOptions } from './policy.js'
import { PROFILES, type ProfileName } from './profiles.js'

export const ATTR_POLICY = 'data-sync-policy'

export function profileFor(island: Element): ProfileName {
  const named = island.getAttribute(ATTR_POLICY)?.trim().toLowerCase()
  if (named && Object.prototype.hasOwnProperty.call(PROFILES, named)) return named as ProfileName
  if (island.namespaceURI === NS.svg) return 'svg'
  if (island.namespaceURI === NS.xhtml && island.localName === 'form') return 'form'
  return 'html'
}

/** The policy for an island element: its profile, with `options` on top (limits, URL rules, ...). */
export function policyFor(island: Element, options: Omit<PolicyOptions, 'profile'> = {}): Policy {
  return createPolicy({ ...options, profile: profileFor(island) })
}
