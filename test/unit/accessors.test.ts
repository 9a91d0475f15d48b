import { afterEach, describe, expect, it, vi } from 'vitest'
import { accessorHooks } from '../../src/island/accessors.js'

/** A prototype with a plain accessor and a method, as the DOM's are (own, configurable). */
function shape() {
  class Shape {
    private v = 0
    get x(): number {
      return this.v
    }
    set x(v: number) {
      this.v = v
    }
    move(dx: number, dy: number): number {
      this.v += dx + dy
      return this.v
    }
  }
  return Shape
}

const descriptor = (proto: object, name: string) => Object.getOwnPropertyDescriptor(proto, name)!

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('accessor hooks: one registry per window, for kinds that see what the DOM reports to nobody', () => {
  it('one registry per window: two asks give the same one, another window its own', () => {
    expect(accessorHooks(window)).toBe(accessorHooks(window))
    expect(accessorHooks({})).not.toBe(accessorHooks(window))
  })

  it('a setter hook hears each value after the original setter stored it', () => {
    const Shape = shape()
    const heard: Array<[number, unknown]> = []
    const s = new Shape()
    const off = accessorHooks({}).hook(Shape.prototype, 'x', (self, args) => heard.push([(self as InstanceType<typeof Shape>).x, args[0]]))
    s.x = 5
    expect(heard).toEqual([[5, 5]])
    expect(s.x).toBe(5)
    off()
    s.x = 6
    expect(heard).toHaveLength(1)
  })

  it('a method hook hears the arguments; the method returns what it returned', () => {
    const Shape = shape()
    const heard: unknown[][] = []
    accessorHooks({}).hook(Shape.prototype, 'move', (_self, args) => heard.push([...args]))
    expect(new Shape().move(2, 3)).toBe(5)
    expect(heard).toEqual([[2, 3]])
  })

  it('a getter hook hears what each read returned; the setter side stays a pass-through', () => {
    const Shape = shape()
    const heard: unknown[] = []
    const s = new Shape()
    s.x = 3
    const off = accessorHooks({}).hook(Shape.prototype, 'x', (self, args, result) => heard.push([self === s, args.length, result]), 'get')
    expect(s.x).toBe(3)
    s.x = 4
    expect(s.x).toBe(4)
    expect(heard).toEqual([[true, 0, 3], [true, 0, 4]])
    off()
  })

  it('a method hook hears what the method returned', () => {
    const Shape = shape()
    const heard: unknown[] = []
    const off = accessorHooks({}).hook(Shape.prototype, 'move', (_self, args, result) => heard.push([...args, result]))
    new Shape().move(1, 2)
    expect(heard).toEqual([[1, 2, 3]])
    off()
  })

  it('getter and setter hooks of one property share one wrap; the last of both leaving puts back the original', () => {
    const Shape = shape()
    const hooks = accessorHooks({})
    const original = descriptor(Shape.prototype, 'x')
    const reads: unknown[] = []
    const writes: unknown[] = []
    const offGet = hooks.hook(Shape.prototype, 'x', (_s, _a, r) => reads.push(r), 'get')
    const wrapped = descriptor(Shape.prototype, 'x')
    const offSet = hooks.hook(Shape.prototype, 'x', (_s, [v]) => writes.push(v))
    expect(descriptor(Shape.prototype, 'x'), 'one wrap for both sides').toEqual(wrapped)
    const s = new Shape()
    s.x = 1
    void s.x
    offGet()
    void s.x
    s.x = 2
    expect([reads, writes]).toEqual([[1], [1, 2]])
    expect(descriptor(Shape.prototype, 'x').get).toBe(wrapped.get)
    offSet()
    expect(descriptor(Shape.prototype, 'x')).toEqual(original)
  })

  it('a getter listener that throws never breaks the read', () => {
    const later: Array<() => void> = []
    vi.stubGlobal('queueMicrotask', (fn: () => void) => later.push(fn))
    const Shape = shape()
    const off = accessorHooks({}).hook(Shape.prototype, 'x', () => {
      throw new Error('kind bug')
    }, 'get')
    const s = new Shape()
    s.x = 8
    expect(s.x).toBe(8)
    expect(later).toHaveLength(1)
    off()
  })

  it('refuses a getter hook on a method or a setter-only property', () => {
    const hooks = accessorHooks({})
    const Shape = shape()
    const proto = Shape.prototype as object
    expect(() => hooks.hook(proto, 'move', () => undefined, 'get')).toThrow(/no getter/)
    const only = {}
    Object.defineProperty(only, 'w', { set() {}, configurable: true })
    expect(() => hooks.hook(only, 'w', () => undefined, 'get')).toThrow(/no getter/)
  })

  it('two users share one wrap; the first leaving keeps it, the last puts back the very descriptor it found', () => {
    const Shape = shape()
    const hooks = accessorHooks({})
    const original = descriptor(Shape.prototype, 'x')
    const originalMove = descriptor(Shape.prototype, 'move')
    const a: unknown[] = []
    const b: unknown[] = []
    const offA = hooks.hook(Shape.prototype, 'x', (_s, [v]) => a.push(v))
    const wrappedSet = descriptor(Shape.prototype, 'x').set
    expect(wrappedSet).not.toBe(original.set)
    const offB = hooks.hook(Shape.prototype, 'x', (_s, [v]) => b.push(v))
    expect(descriptor(Shape.prototype, 'x').set, 'the second user wraps nothing again').toBe(wrappedSet)
    const offMove = hooks.hook(Shape.prototype, 'move', () => undefined)
    const s = new Shape()
    s.x = 1
    offA()
    offA() // twice: still one user fewer, not two
    s.x = 2
    expect([a, b]).toEqual([[1], [1, 2]])
    expect(descriptor(Shape.prototype, 'x').set).toBe(wrappedSet)
    offB()
    expect(descriptor(Shape.prototype, 'x').set).toBe(original.set)
    expect(descriptor(Shape.prototype, 'x').get).toBe(original.get)
    expect(descriptor(Shape.prototype, 'x')).toEqual(original)
    offMove()
    expect(descriptor(Shape.prototype, 'move').value).toBe(originalMove.value)
  })

  it('the same listener hooked twice stays until unhooked twice', () => {
    const Shape = shape()
    const hooks = accessorHooks({})
    const heard: unknown[] = []
    const listener = (_s: object, [v]: readonly unknown[]) => void heard.push(v)
    const off1 = hooks.hook(Shape.prototype, 'x', listener)
    const off2 = hooks.hook(Shape.prototype, 'x', listener)
    const s = new Shape()
    s.x = 1
    off1()
    s.x = 2
    off2()
    s.x = 3
    expect(heard).toEqual([1, 1, 2])
  })

  it("a listener that throws never breaks the page's call: its error comes later, on its own", () => {
    const later: Array<() => void> = []
    vi.stubGlobal('queueMicrotask', (fn: () => void) => later.push(fn))
    const Shape = shape()
    const heard: unknown[] = []
    const hooks = accessorHooks({})
    hooks.hook(Shape.prototype, 'x', () => {
      throw new Error('kind bug')
    })
    hooks.hook(Shape.prototype, 'x', (_s, [v]) => heard.push(v))
    const s = new Shape()
    expect(() => (s.x = 4)).not.toThrow()
    expect([s.x, heard]).toEqual([4, [4]])
    expect(later).toHaveLength(1)
    expect(() => later[0]!()).toThrow('kind bug')
  })

  it('a live DOM property: HTMLInputElement.prototype.value, set by script, is heard and restored', () => {
    const proto = window.HTMLInputElement.prototype
    const original = descriptor(proto, 'value')
    const heard: unknown[] = []
    const input = document.createElement('input')
    const off = accessorHooks(window).hook(proto, 'value', (self, [v]) => heard.push([self === input, v]))
    input.value = 'typed by script'
    off()
    expect(input.value).toBe('typed by script')
    expect(heard).toEqual([[true, 'typed by script']])
    expect(descriptor(proto, 'value')).toEqual(original)
  })

  it('refuses what it cannot wrap: an inherited or missing property, a plain value', () => {
    const hooks = accessorHooks({})
    const Shape = shape()
    class Sub extends Shape {}
    expect(() => hooks.hook(Sub.prototype, 'x', () => undefined)).toThrow(/no own property/)
    const plain = { n: 1 }
    expect(() => hooks.hook(plain, 'n', () => undefined)).toThrow(/neither an accessor nor a method/)
    expect(Object.getOwnPropertyDescriptor(plain, 'n')).toEqual({ value: 1, writable: true, enumerable: true, configurable: true })
  })
})

describe('accessor hooks: living beside other code on the page', () => {
  it('two copies of the engine on one page (two bundles) share the window’s registry', async () => {
    const view = {}
    const first = accessorHooks(view)
    vi.resetModules()
    const again = await import('../../src/island/accessors.js')
    expect(again.accessorHooks).not.toBe(accessorHooks) // another copy of the module
    expect(again.accessorHooks(view)).toBe(first)
  })

  it('a page that wrapped the property after us keeps its wrap when the last user leaves; a later hook reuses ours', () => {
    const Shape = shape()
    const hooks = accessorHooks({})
    const heard: unknown[] = []
    const off = hooks.hook(Shape.prototype, 'x', (_s, args) => heard.push(args[0]))
    // The page's own wrap, on top of ours.
    const ours = descriptor(Shape.prototype, 'x')
    const pageHeard: unknown[] = []
    Object.defineProperty(Shape.prototype, 'x', {
      ...ours,
      set(this: object, v: unknown) {
        pageHeard.push(v)
        ours.set!.call(this, v)
      },
    })
    const theirs = descriptor(Shape.prototype, 'x')
    off()
    expect(descriptor(Shape.prototype, 'x').set).toBe(theirs.set)
    const s = new Shape()
    s.x = 3
    expect(pageHeard).toEqual([3])
    expect(heard).toEqual([]) // ours is a pass-through now
    expect(s.x).toBe(3)
    const off2 = hooks.hook(Shape.prototype, 'x', (_s, args) => heard.push(args[0]))
    s.x = 4
    expect(heard).toEqual([4])
    expect(pageHeard).toEqual([3, 4])
    expect(descriptor(Shape.prototype, 'x').set).toBe(theirs.set) // still one wrap of ours, under theirs
    off2()
  })
})
