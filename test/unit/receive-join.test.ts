import { describe, expect, it } from 'vitest'
import { Network } from '../helpers/pages.js'

// A receive-mode page whose content is the session's (the same page) kept nothing of it: it
// adopted a doc built from the answer alone, which (computed against its state vector, seed
// included) leaves the seed out. It merges now, which for a page whose doc is its seed is the same.

const PAGE = '<div data-sync-island="main"><p id="p">shared text</p></div>'
const VIEWER = PAGE.replace('<div data-sync-island="main">', '<div data-sync-island="main" data-sync-island-mode="receive">')

describe('a receive-mode page with the session\'s own content', () => {
  for (const together of [true, false]) {
    it(`keeps it and follows the session (${together ? 'joining together' : 'joining later'})`, async () => {
      const net = new Network()
      const a = net.join(PAGE)
      if (!together) await net.settle()
      const v = net.join(VIEWER)
      await net.settle()
      expect(v.doc.getElementById('p')?.textContent).toBe('shared text')
      a.doc.getElementById('p')!.append(' and more')
      await net.settle()
      expect(v.doc.getElementById('p')?.textContent).toBe('shared text and more')
      expect(net.canonical()[1]).toBe(net.canonical()[0])
    })
  }
})
