import { describe, expect, it } from 'vitest'
import { accessorHooks } from '../../src/island/accessors.js'

// The SVG DOM's own prototypes in Chromium, where writes make no mutation record: a wrap hears
// them, and the last unhook puts back the very descriptors Chromium defined.

describe('accessor hooks on the SVG DOM, in Chromium', () => {
  it('hear SVGLength.value and SVGTransform.setTranslate; two users, then the original descriptors again', () => {
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg')
    const rect = document.createElementNS('http://www.w3.org/2000/svg', 'rect')
    rect.setAttribute('transform', 'translate(0 0)')
    svg.appendChild(rect)
    document.body.appendChild(svg)
    const length = Object.getOwnPropertyDescriptor(SVGLength.prototype, 'value')!
    const translate = Object.getOwnPropertyDescriptor(SVGTransform.prototype, 'setTranslate')!
    const hooks = accessorHooks(window)
    const heard: string[] = []
    const offA = hooks.hook(SVGLength.prototype, 'value', (_self, [v]) => heard.push(`a ${v}`))
    const offB = hooks.hook(SVGLength.prototype, 'value', (_self, [v]) => heard.push(`b ${v}`))
    const offT = hooks.hook(SVGTransform.prototype, 'setTranslate', (self, args) => heard.push(`t ${args.join(' ')} ${(self as SVGTransform).matrix.e}`))
    try {
      rect.x.baseVal.value = 42
      rect.transform.baseVal.getItem(0).setTranslate(5, 6)
      offA()
      rect.x.baseVal.value = 43
      expect(rect.getAttribute('x')).toBe('43')
      expect(rect.transform.baseVal.getItem(0).matrix.e).toBe(5)
      expect(heard).toEqual(['a 42', 'b 42', 't 5 6 5', 'b 43'])
    } finally {
      offB()
      offT()
      svg.remove()
    }
    const after = Object.getOwnPropertyDescriptor(SVGLength.prototype, 'value')!
    expect([after.get, after.set]).toEqual([length.get, length.set])
    expect(after.get).toBe(length.get)
    expect(after.set).toBe(length.set)
    expect(Object.getOwnPropertyDescriptor(SVGTransform.prototype, 'setTranslate')!.value).toBe(translate.value)
  })

  it('hear getters with what they returned: SVGRectElement.x gives one SVGAnimatedLength; descriptors back after', () => {
    const rect = document.createElementNS('http://www.w3.org/2000/svg', 'rect')
    const x = Object.getOwnPropertyDescriptor(SVGRectElement.prototype, 'x')!
    const baseVal = Object.getOwnPropertyDescriptor(SVGAnimatedLength.prototype, 'baseVal')!
    const hooks = accessorHooks(window)
    const got: unknown[] = []
    const offX = hooks.hook(SVGRectElement.prototype, 'x', (self, _a, result) => got.push([self === rect, result]), 'get')
    const offB = hooks.hook(SVGAnimatedLength.prototype, 'baseVal', (_self, _a, result) => got.push(result), 'get')
    try {
      const animated = rect.x
      const length = animated.baseVal
      length.value = 7
      expect(rect.getAttribute('x')).toBe('7')
      expect(got).toEqual([[true, animated], length])
    } finally {
      offX()
      offB()
    }
    expect(Object.getOwnPropertyDescriptor(SVGRectElement.prototype, 'x')).toEqual(x)
    expect(Object.getOwnPropertyDescriptor(SVGAnimatedLength.prototype, 'baseVal')).toEqual(baseVal)
  })
})
