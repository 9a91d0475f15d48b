import { afterEach, describe, expect, it } from 'vitest'
import { Network, tick } from '../helpers/pages.js'
import { registerKind, type IslandKind, type KindHooks, type KindHost, type Policy } from '../../index.js'

// A kind plugged into the engine the way islands/ kinds are: what the engine tells it, and what
// it can make the engine do through its host.

let unregister: Array<() => void> = []
afterEach(() => {
  for (const off of unregister) off()
  unregister = []
})

interface Seen {
  hosts: KindHost[]
  stopped: Element[]
  patched: Array<[string, string[]]>
}

/** A kind for islands marked `data-kind="probe"`, recording what the engine calls; `hooks` adds behaviour. */
function probe(hooks: (host: KindHost) => Partial<KindHooks> = () => ({}), extra: Partial<IslandKind> = {}): Seen {
  const seen: Seen = { hosts: [], stopped: [], patched: [] }
  const kind: IslandKind = {
    name: 'probe',
    matches: (el) => el.getAttribute('data-kind') === 'probe',
    attach(host) {
      seen.hosts.push(host)
      return {
        patched: (el, keys) => void seen.patched.push([el.id || el.localName, [...keys]]),
        ...hooks(host),
        stop: () => void seen.stopped.push(host.root),
      }
    },
    ...extra,
  }
  unregister.push(registerKind(kind))
  return seen
}

const PAGE = '<div data-sync-island="main" data-kind="probe"><p id="p">hello</p></div><div data-sync-island="plain"><p>plain</p></div>'

describe('island kinds, through the engine', () => {
  it('attaches to the islands it matches, once each, and stops with the island or the session', async () => {
    const seen = probe()
    const net = new Network()
    const a = net.join(PAGE)
    await net.settle()
    expect(seen.hosts.map((h) => h.root)).toEqual([a.island('main')])
    expect(seen.stopped).toEqual([])

    const main = a.island('main')
    main.remove()
    await net.settle()
    expect(seen.stopped).toEqual([main])

    a.doc.body.insertAdjacentHTML('beforeend', '<section data-sync-island="late" data-kind="probe"></section>')
    await net.settle()
    expect(seen.hosts.map((h) => h.root)).toEqual([main, a.island('late')])
    a.session.stop()
    expect(seen.stopped).toEqual([main, a.island('late')])
  })

  it('is told which attributes a remote update changed on which element, the island element included', async () => {
    const seen = probe()
    const net = new Network()
    const a = net.join(PAGE)
    const b = net.join(PAGE)
    await net.settle()
    seen.patched.length = 0
    b.island().querySelector('p')!.setAttribute('title', 'from b')
    b.island().setAttribute('lang', 'fr')
    await net.settle()
    expect(seen.patched).toEqual(expect.arrayContaining([['p', ['title']], ['div', ['lang']]]))
    expect(a.island().querySelector('p')!.getAttribute('title')).toBe('from b')
    // A page's own edits are no patch for it: of two pages, only the other hears one.
    seen.patched.length = 0
    a.island().querySelector('p')!.setAttribute('title', 'from a')
    await net.settle()
    expect(seen.patched).toEqual([['p', ['title']]])
  })

  it('marks what changed without a mutation record, and commit sends it', async () => {
    // happy-dom gives no record for `attr.value = x`: a change only a kind can report.
    const seen = probe()
    const net = new Network()
    const a = net.join(PAGE)
    const b = net.join(PAGE)
    await net.settle()
    const host = seen.hosts.find((h) => h.root === a.island())!
    const p = a.island().querySelector('p')!
    p.setAttribute('title', 'one')
    await net.settle()
    p.getAttributeNode('title')!.value = 'two'
    await net.settle()
    expect(b.island().querySelector('p')!.getAttribute('title'), 'no record, nothing sent').toBe('one')
    host.markChanged([p])
    host.commit()
    await net.settle()
    expect(b.island().querySelector('p')!.getAttribute('title')).toBe('two')
  })

  it('island.rescan() and a remote update ask the kind first (rescan, beforeRemoteApply)', async () => {
    const calls: string[] = []
    let pending: Element | null = null
    probe((host) => ({
      rescan: () => {
        calls.push('rescan')
        if (pending) host.markChanged([pending])
      },
      beforeRemoteApply: () => {
        calls.push('beforeRemoteApply')
        if (pending) host.markChanged([pending])
      },
    }))
    const net = new Network()
    const a = net.join(PAGE)
    const b = net.join(PAGE)
    await net.settle()
    calls.length = 0
    const p = a.island().querySelector('p')!
    p.setAttribute('title', 'one')
    await net.settle()
    p.getAttributeNode('title')!.value = 'rescanned'
    pending = p
    a.session.islands.get('main')!.rescan()
    await net.settle()
    expect(b.island().querySelector('p')!.getAttribute('title')).toBe('rescanned')
    expect(calls).toContain('rescan')

    // A change only the kind knows of goes into the doc before a remote one is applied over it.
    calls.length = 0
    p.getAttributeNode('title')!.value = 'a, unreported'
    b.island().querySelector('p')!.setAttribute('lang', 'de')
    await net.settle()
    expect(calls[0]).toBe('beforeRemoteApply')
    expect(b.island().querySelector('p')!.getAttribute('title')).toBe('a, unreported')
    expect(a.island().querySelector('p')!.getAttribute('lang')).toBe('de')
  })

  it('keeps the attributes it names local, as data-sync-ignore-attrs does', async () => {
    probe(() => ({ localAttributes: (el) => (el.localName === 'p' ? ['aria-selected'] : null) }))
    const html = '<div data-sync-island="main" data-kind="probe"><p aria-selected="false">hello</p><span aria-selected="false">s</span></div>'
    const net = new Network()
    const a = net.join(html)
    const b = net.join(html)
    await net.settle()
    a.island().querySelector('p')!.setAttribute('aria-selected', 'true')
    a.island().querySelector('span')!.setAttribute('aria-selected', 'true')
    await net.settle()
    expect(b.island().querySelector('p')!.getAttribute('aria-selected'), 'local').toBe('false')
    expect(b.island().querySelector('span')!.getAttribute('aria-selected'), 'shared').toBe('true')
    expect(net.canonical()[0]).toBe(net.canonical()[1])
  })

  it("brings its island's profile, unless the island names one with data-sync-policy", async () => {
    probe(undefined, { profile: () => 'form' })
    const net = new Network()
    const a = net.join(PAGE + '<div data-sync-island="named" data-kind="probe" data-sync-policy="svg"></div>')
    await net.settle()
    const policy = (name: string) => (a.session.islands.get(name)!.policy as Policy).name
    expect([policy('main'), policy('named'), policy('plain')]).toEqual(['form', 'svg', 'html'])
  })

  it('a kind that throws gives a sync-error, and the island goes on', async () => {
    probe(() => ({
      patched: () => {
        throw new Error('kind bug')
      },
    }))
    const net = new Network()
    const a = net.join(PAGE)
    const b = net.join(PAGE)
    await net.settle()
    b.island().querySelector('p')!.setAttribute('title', 'x')
    await net.settle()
    expect(a.errors.map((e) => [e.condition, e.island])).toEqual([['internal', 'main']])
    expect(a.island().querySelector('p')!.getAttribute('title')).toBe('x')
    b.island().querySelector('p')!.textContent = 'still syncing'
    await net.settle()
    expect(a.island().textContent).toBe('still syncing')
  })

  it('its accessor hooks are guarded, and removed when the island stops even if the kind forgot', async () => {
    const proto = window.HTMLInputElement.prototype
    const original = Object.getOwnPropertyDescriptor(proto, 'value')!
    const heard: string[] = []
    probe((host) => {
      host.accessors.hook(proto, 'value', (_self, [v]) => {
        heard.push(String(v))
        if (v === 'boom') throw new Error('listener bug')
      })
      return {}
    })
    const net = new Network()
    const a = net.join(PAGE)
    await net.settle()
    const input = a.doc.createElement('input')
    input.value = 'set by script'
    input.value = 'boom'
    await tick()
    expect(heard).toEqual(['set by script', 'boom'])
    expect(a.errors.map((e) => e.condition)).toEqual(['internal'])
    a.session.stop()
    expect(Object.getOwnPropertyDescriptor(proto, 'value')).toEqual(original)
  })
})
