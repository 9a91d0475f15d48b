// Found while making the slideshow's deck an island in send mode for the presenter: an island
// restarted on the same element (its data-sync-island removed, then put back with another
// data-sync-island-mode) by a page whose peer id is already in the session. Started in
// `receive` mode from the first, the page got the content; restarted into it, it ended empty.
// Fixed with the receive-mode join (a read-only page merges when the session holds its seed).
import { expect, it } from 'vitest'
import { Network } from '../helpers/pages.js'

const PAGE = '<main data-sync-island="deck"><section><h1>A</h1></section><section><h2>B</h2></section></main>'

it('an island restarted in receive mode keeps the session content', async () => {
  const net = new Network()
  net.join(PAGE, 'a')
  const b = net.join(PAGE, 'b')
  await net.settle()
  const el = b.island('deck')
  el.removeAttribute('data-sync-island')
  await net.step()
  el.setAttribute('data-sync-island-mode', 'receive')
  el.setAttribute('data-sync-island', 'deck')
  await net.settle()
  expect(b.session.islands.get('deck')?.state).toBe('synced')
  expect(net.canonical('deck')[1]).toBe(net.canonical('deck')[0])
})
