import { describe, expect, it } from 'vitest'
import { Network, type TestPeer } from '../helpers/pages.js'

// Issue 11: an edit made while another page moves its node (or an ancestor) ends on the moved
// node, on every page. The matrix: move kinds x edit kinds x delivery order x 2 and 3 pages.
// Each case ends with the canonical islands equal on every page and the edit present (or, for a
// delete, the node gone everywhere).

const SVG = 'http://www.w3.org/2000/svg'
const PAGE =
  '<div data-sync-island="main"><svg id="s" viewBox="0 0 100 100">' +
  '<g id="g1"><rect id="z" x="0"/><g id="a" fill="red" stroke="black"><rect id="a1" x="1"/><text id="a2">tip</text></g><rect id="b" x="2"/></g>' +
  '<g id="g2"><circle id="d" r="1"/></g>' +
  '</svg></div>'

const byId = (p: TestPeer, id: string): Element | null => p.doc.getElementById(id)
const count = (p: TestPeer, id: string): number => p.island().querySelectorAll(`#${id}`).length

const MOVES: Record<string, (p: TestPeer) => void> = {
  'within its parent': (p) => byId(p, 'g1')!.appendChild(byId(p, 'a')!),
  'to another parent': (p) => byId(p, 'g2')!.insertBefore(byId(p, 'a')!, byId(p, 'd')),
  'of an ancestor': (p) => byId(p, 's')!.appendChild(byId(p, 'g1')!),
}

interface Edit {
  make(p: TestPeer): void
  check(p: TestPeer): void
}

const EDITS: Record<string, Edit> = {
  'attribute set': {
    make: (p) => byId(p, 'a')!.setAttribute('fill', 'blue'),
    check: (p) => expect(byId(p, 'a')!.getAttribute('fill'), p.id).toBe('blue'),
  },
  'attribute removed': {
    make: (p) => byId(p, 'a')!.removeAttribute('stroke'),
    check: (p) => expect(byId(p, 'a')!.hasAttribute('stroke'), p.id).toBe(false),
  },
  'child added': {
    make: (p) => {
      const c = p.doc.createElementNS(SVG, 'circle')
      c.id = 'new'
      c.setAttribute('r', '4')
      byId(p, 'a')!.insertBefore(c, byId(p, 'a2'))
    },
    check: (p) => {
      expect(count(p, 'new'), p.id).toBe(1)
      expect(byId(p, 'new')!.parentElement!.id).toBe('a')
      expect(Array.from(byId(p, 'a')!.children, (e) => e.id)).toEqual(['a1', 'new', 'a2'])
    },
  },
  'child removed': {
    make: (p) => byId(p, 'a1')!.remove(),
    check: (p) => {
      expect(count(p, 'a1'), p.id).toBe(0)
      expect(Array.from(byId(p, 'a')!.children, (e) => e.id)).toEqual(['a2'])
    },
  },
  'text inserted': {
    make: (p) => (byId(p, 'a2')!.firstChild as Text).insertData(3, '!'),
    check: (p) => expect(byId(p, 'a2')!.textContent, p.id).toBe('tip!'),
  },
  'text deleted': {
    make: (p) => (byId(p, 'a2')!.firstChild as Text).deleteData(0, 1),
    check: (p) => expect(byId(p, 'a2')!.textContent, p.id).toBe('ip'),
  },
  'a second move': {
    make: (p) => byId(p, 's')!.insertBefore(byId(p, 'a')!, byId(p, 'g1')),
    check: (p) => {
      expect(count(p, 'a'), p.id).toBe(1)
      expect(count(p, 'a1'), p.id).toBe(1)
    },
  },
  'a child moved inside it': {
    make: (p) => byId(p, 'a')!.appendChild(byId(p, 'a1')!),
    check: (p) => {
      expect(count(p, 'a1'), p.id).toBe(1)
      expect(Array.from(byId(p, 'a')!.children, (e) => e.id), p.id).toEqual(['a2', 'a1'])
    },
  },
  'delete (versus the move)': {
    make: (p) => byId(p, 'a')!.remove(),
    check: (p) => {
      expect(count(p, 'a'), p.id).toBe(0)
      expect(count(p, 'a1'), p.id).toBe(0)
    },
  },
}

/**
 * Page 0 moves, page 1 edits, at the same time; `first` says whose update every other page
 * gets first (the other page's waits unread in its outgoing element until then).
 */
async function run(pages: number, move: (p: TestPeer) => void, edit: Edit, first: 'move' | 'edit'): Promise<TestPeer[]> {
  const net = new Network()
  const peers = Array.from({ length: pages }, () => net.join(PAGE))
  await net.settle()
  const [mover, editor] = peers as [TestPeer, TestPeer]
  const held = first === 'move' ? editor : mover
  net.bus.pause(held.id)
  move(mover)
  edit.make(editor)
  await net.settle()
  net.bus.resume(held.id)
  await net.settle()
  expectConverged(net, peers, edit.check)
  return peers
}

/** Every page's canonical island equal, no errors, #a at most once; then `check` on every page. */
function expectConverged(net: Network, peers: TestPeer[], check: (p: TestPeer) => void): void {
  const canon = net.canonical()
  for (let i = 1; i < canon.length; i++) expect(canon[i], `page ${i} differs from page 0`).toBe(canon[0])
  for (const p of peers) {
    expect(p.errors).toEqual([])
    expect(count(p, 'a') <= 1, `${p.id}: #a at most once`).toBe(true)
    check(p)
  }
  for (const p of peers) p.session.stop()
}

describe('nothing lost to a concurrent move', () => {
  for (const [moveName, move] of Object.entries(MOVES)) {
    describe(`a move ${moveName}`, () => {
      for (const [editName, edit] of Object.entries(EDITS)) {
        for (const pages of [2, 3]) {
          for (const first of ['move', 'edit'] as const) {
            it(`${editName}, ${pages} pages, the ${first} delivered first`, async () => {
              await run(pages, move, edit, first)
            })
          }
        }
      }
    })
  }
})

describe('edits of two pages under one move', () => {
  // Page 0 moves; page 1 appends to the text, page 2 deletes its first character, all at once.
  // `seen`: whether pages 1 and 2 see each other's edit before the move reaches them.
  for (const [moveName, move] of Object.entries(MOVES)) {
    for (const seen of [false, true]) {
      it(`text inserted and text deleted by two pages, a move ${moveName}${seen ? ', the editors seeing each other first' : ''}`, async () => {
        const net = new Network()
        const peers = [0, 1, 2].map(() => net.join(PAGE))
        await net.settle()
        const [mover, a, b] = peers as [TestPeer, TestPeer, TestPeer]
        for (const p of peers) net.bus.pause(p.id)
        move(mover)
        ;(byId(a, 'a2')!.firstChild as Text).insertData(3, '!')
        ;(byId(b, 'a2')!.firstChild as Text).deleteData(0, 1)
        await net.settle()
        if (seen) {
          net.bus.resume(a.id)
          net.bus.resume(b.id)
          await net.settle()
          net.bus.resume(mover.id)
        } else {
          net.bus.resume(mover.id)
          await net.settle()
          net.bus.resume(a.id)
          net.bus.resume(b.id)
        }
        await net.settle()
        expectConverged(net, peers, (p) => expect(byId(p, 'a2')!.textContent, p.id).toBe('ip!'))
      })
    }
  }
})

describe('edits on a copy a page made by moving the node itself', () => {
  // Both pages move #a at once; page 1 then edits inside its own copy. Whichever copy wins (the
  // random client ids decide), the edit ends on it: runs a few times for both outcomes.
  const EDITS_ON_OWN_COPY: Record<string, Edit> = {
    'text inserted': EDITS['text inserted']!,
    'text deleted': EDITS['text deleted']!,
    'attribute set': EDITS['attribute set']!,
    'child added': EDITS['child added']!,
  }
  for (const [editName, edit] of Object.entries(EDITS_ON_OWN_COPY)) {
    it(`${editName}, after its own move`, async () => {
      for (let run = 0; run < 6; run++) {
        const net = new Network()
        const peers = [0, 1].map(() => net.join(PAGE))
        await net.settle()
        const [mover, editor] = peers as [TestPeer, TestPeer]
        for (const p of peers) net.bus.pause(p.id)
        MOVES['to another parent']!(mover)
        MOVES['within its parent']!(editor)
        await net.settle()
        edit.make(editor)
        await net.settle()
        for (const p of peers) net.bus.resume(p.id)
        await net.settle()
        expectConverged(net, peers, edit.check)
      }
    })
  }
})

describe('a move of a copy that another move contests', () => {
  // Pages A and C move #a at once; B moves A's copy again before C's copy reaches it, and C's
  // copy reaches A before B's move does. Whatever the client ids (the runs vary them), #a ends
  // once, on every page.
  it('ends as one node, the same on every page', async () => {
    for (let run = 0; run < 24; run++) {
      const net = new Network()
      const peers = [0, 1, 2].map(() => net.join(PAGE))
      await net.settle()
      const [a, b, c] = peers as [TestPeer, TestPeer, TestPeer]
      net.bus.pause(a.id)
      net.bus.pause(c.id)
      MOVES['within its parent']!(a)
      MOVES['to another parent']!(c)
      await net.settle()
      net.bus.pauseIncoming(c.id) // C sends its copy before it sees A's
      net.bus.resume(a.id)
      await net.settle()
      net.bus.pause(b.id)
      byId(b, 's')!.insertBefore(byId(b, 'a')!, byId(b, 'g1')) // A's copy, moved again
      await net.settle()
      net.bus.pauseIncoming(b.id) // B moved before C's copy reached it
      net.bus.resume(c.id)
      await net.settle()
      for (const p of peers) {
        net.bus.resumeIncoming(p.id)
        net.bus.resume(p.id)
      }
      await net.settle()
      expectConverged(net, peers, (p) => {
        expect(count(p, 'a'), `run ${run}, ${p.id}: #a once`).toBe(1)
        expect(count(p, 'a1'), `run ${run}, ${p.id}: #a1 once`).toBe(1)
      })
    }
  })
})
