import { describe, expect, it } from 'vitest'
import DOMPurify from 'dompurify'
import { createPolicy, describeRefusal, ISLAND_KEY, PROFILES, profileFor, type Policy, type Refusal } from '../../src/policy/index.js'
import { checkCss } from '../../src/policy/css.js'
import { readAttrKey, readElementKey } from '../../src/policy/names.js'
import { checkUrl, normalizeUrl, srcsetUrls } from '../../src/policy/urls.js'
import { HTML_URLS, SVG_URLS } from '../../src/policy/profiles.js'
import { FORM_ATTRIBUTES, HTML_TEXT_ATTRIBUTES, HTML_TEXT_ELEMENTS, FORM_ELEMENTS, SVG_ATTRIBUTES, SVG_ELEMENTS } from '../../src/policy/lists.js'
import { VECTORS, type Category, type VariantName, type XNode } from '../fixtures/xss/corpus.js'
import { LEGIT } from '../fixtures/xss/legit.js'
import { ISLAND_OF, judge, policyOf } from '../fixtures/xss/variants.js'

describe('the XSS corpus', () => {
  it('has at least 150 vectors with unique ids, each marking what must be refused, in every category', () => {
    expect(VECTORS.length).toBeGreaterThanOrEqual(150)
    expect(new Set(VECTORS.map((v) => v.id)).size).toBe(VECTORS.length)
    const marks = (n: XNode): number =>
      (n.el.includes('!') ? 1 : 0) + Object.keys(n.attrs ?? {}).filter((k) => k.includes('!')).length + (n.children ?? []).reduce((s, c) => s + (typeof c === 'string' ? 0 : marks(c)), 0)
    for (const v of VECTORS) {
      expect(marks(v.marked), v.id).toBeGreaterThan(0)
      expect(JSON.stringify(v.tree), v.id).not.toContain('"!')
      expect(v.refusedBy.length, v.id).toBeGreaterThan(0)
    }
    const categories: Category[] = ['event-handler', 'url-scheme', 'srcdoc', 'foreign-object', 'svg-reference', 'animation', 'css', 'base-meta-link', 'embedding', 'script-style-template', 'form', 'namespace', 'entities-control', 'clobbering', 'gadget']
    for (const c of categories) expect(VECTORS.some((v) => v.category === c), c).toBe(true)
  })

  // Each vector through each profile that must refuse it, with the parent's key given (as the
  // engine should ask) and without (as it asks today): what is marked is never rendered.
  for (const context of [true, false]) {
    describe(context ? 'with the parent element known' : 'without the parent element', () => {
      for (const v of VECTORS) {
        it(`${v.id} ${v.name}: refused by ${v.refusedBy.join(', ')}`, () => {
          for (const variant of v.refusedBy) {
            if (!context && v.contextOnly.includes(variant)) continue
            const verdict = judge(policyOf(variant), v.marked, ISLAND_OF[variant].key, context)
            expect(verdict.leaked, `${variant} rendered what it must refuse`).toEqual([])
            for (const r of verdict.refusals) {
              expect(r.reason.length).toBeGreaterThan(0)
              expect(describeRefusal(r, 'mallory')).toMatch(/^refused .* from mallory: /s)
            }
          }
        })
      }
    })
  }
})

describe('legitimate content', () => {
  for (const { name, variant, nodes } of LEGIT) {
    it(`${name} renders whole with the ${variant} profile`, () => {
      const policy = policyOf(variant)
      const parent = variant.startsWith('svg') ? 'svg:svg' : variant === 'form' ? 'form' : 'div'
      for (const context of [true, false]) {
        const refused: string[] = []
        for (const node of nodes) {
          const verdict = judge(policy, node, parent, context)
          refused.push(...verdict.extra)
        }
        expect(refused, context ? 'with context' : 'without context').toEqual([])
      }
    })
  }

  it('the demo page islands render whole: shapes with fills, notes with headings and paragraphs', () => {
    const svg = createPolicy('svg')
    for (const [el, attrs] of [
      ['svg:rect', { x: '60', y: '60', width: '140', height: '90', rx: '12', fill: '#4e79a7' }],
      ['svg:circle', { cx: '330', cy: '120', r: '55', fill: '#f28e2b' }],
      ['svg:ellipse', { cx: '470', cy: '250', rx: '80', ry: '45', fill: '#59a14f' }],
      ['svg:polygon', { points: '160,320 210,220 260,320', fill: '#e15759' }],
      ['svg:g', { id: 'shapes', transform: 'translate(3 4)' }],
    ] as const) {
      expect(svg.checkElement(el, 'svg:svg')).toBeNull()
      for (const [k, v] of Object.entries(attrs)) expect(svg.checkAttribute(el, k, v), `${el}@${k}`).toBeNull()
    }
    expect(svg.checkAttribute(ISLAND_KEY, 'viewBox', '0 0 600 360')).toBeNull()
    const html = createPolicy('html')
    for (const el of ['h3', 'p', 'div', 'br', 'span', 'b', 'i']) expect(html.checkElement(el, 'article')).toBeNull()
    expect(html.checkText('Everything in this box is shared: edit any paragraph, press Enter for a new one.', 'p')).toBeNull()
  })
})

describe('the policy API', () => {
  it('answers as a RenderFilter with booleans, and check* gives the refusal with its reason', () => {
    const p: Policy = createPolicy('svg')
    expect(p.name).toBe('svg')
    expect(p.element('svg:rect')).toBe(true)
    expect(p.element('svg:script')).toBe(false)
    expect(p.checkElement('svg:script')).toMatchObject({ node: 'element', name: 'svg:script', rule: 'never' })
    expect(p.attribute('svg:rect', 'onclick', 'x()')).toBe(false)
    const onclick = p.checkAttribute('svg:rect', 'onclick', 'x()')
    expect(onclick).toMatchObject({ node: 'attribute', name: 'onclick', element: 'svg:rect', rule: 'event-handler' })
    expect(p.attribute('svg:rect', 'fill', 'red')).toBe(true)
    expect(p.checkAttribute('svg:rect', 'fill', 'red')).toBeNull()
    expect(describeRefusal(onclick as Refusal, 'room@muc/mallory')).toBe('refused attribute onclick on <svg:rect> from room@muc/mallory: event handler attributes are never rendered')
    expect(p.text('hello')).toBe(true)
    expect(p.text('x', 'svg:script')).toBe(false)
    expect(p.checkText('x', 'svg:script')).toMatchObject({ node: 'text', element: 'svg:script', rule: 'never' })
  })

  it('names its refusals by rule', () => {
    const svg = createPolicy('svg')
    const html = createPolicy('html')
    expect(html.checkAttribute('a', 'href', 'javascript:x')?.rule).toBe('url')
    expect(html.checkAttribute('div', 'style', 'background:url(https://x/)')?.rule).toBe('css')
    expect(html.checkAttribute('img', 'name', 'getElementById')?.rule).toBe('clobbering')
    expect(svg.checkAttribute('svg:set', 'attributeName', 'href')?.rule).toBe('animation')
    expect(createPolicy('form').checkElement('svg:rect')?.rule).toBe('not-allowed')
    expect(html.checkElement('{urn:x}y')?.reason).toMatch(/namespace urn:x/)
    expect(html.checkElement('x:p')?.rule).toBe('name')
    expect(svg.checkElement('svg:foreignObject')?.reason).toMatch(/foreignObject/)
    expect(createPolicy('form').checkAttribute('input', 'type', 'password')?.rule).toBe('value')
  })

  it('limits attribute values and texts, configurably', () => {
    const p = createPolicy({ profile: 'html', maxAttributeLength: 10, maxTextLength: 5 })
    expect(p.limits).toEqual({ maxAttributeLength: 10, maxTextLength: 5 })
    expect(p.checkAttribute('p', 'title', 'x'.repeat(10))).toBeNull()
    expect(p.checkAttribute('p', 'title', 'x'.repeat(11))?.rule).toBe('too-long')
    expect(p.checkText('12345')).toBeNull()
    expect(p.checkText('123456')?.rule).toBe('too-long')
    const d = createPolicy('svg').limits
    expect(d.maxAttributeLength).toBe(256 * 1024)
    expect(d.maxTextLength).toBe(1024 * 1024)
  })

  it('refuses text in raw-text elements when the parent is known', () => {
    const p = createPolicy('html')
    expect(p.checkText('alert(1)', 'script')?.rule).toBe('never')
    expect(p.checkText('alert(1)', 'svg:script')?.rule).toBe('never')
    expect(p.checkText('<script>alert(1)</script>', 'p')).toBeNull() // text is text
  })

  it('sends HTML in SVG only through foreignObject, when the parent is known', () => {
    const p = createPolicy({ profile: 'svg', foreignObject: true })
    expect(p.name).toBe('svg+foreignObject')
    expect(p.checkElement('div', 'svg:foreignObject')).toBeNull()
    expect(p.checkElement('p', 'div')).toBeNull()
    expect(p.checkElement('img', 'svg:g')?.rule).toBe('context')
    expect(p.checkAttribute('img', 'src', 'https://example.com/a.png')).toBeNull() // the html profile's rules
    expect(p.checkAttribute('svg:image', 'href', 'https://example.com/a.png')?.rule).toBe('url') // the svg profile's
  })

  it('custom profiles add elements, attributes and namespaces, and cannot lift the never-rules', () => {
    const INK = 'http://www.inkscape.org/namespaces/inkscape'
    const SODI = 'http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd'
    const p = createPolicy({ profile: 'svg', namespaces: [INK, SODI], elements: ['svg:animateColor', 'script'], attributes: ['onclick', 'data-x', `{${INK}}label`] })
    expect(p.checkElement(`{${SODI}}sodipodi:namedview`)).toBeNull()
    expect(p.checkAttribute(`{${SODI}}sodipodi:namedview`, 'pagecolor', '#fff')).toBeNull()
    expect(p.checkAttribute('svg:g', `{${INK}}label`, 'Layer 1')).toBeNull()
    expect(p.checkAttribute('svg:g', `{${INK}}groupmode`, 'layer')).toBeNull()
    expect(p.checkElement('svg:animateColor')).toBeNull()
    expect(p.checkAttribute('svg:rect', 'data-x', '1')).toBeNull()
    expect(p.checkElement('script')?.rule).toBe('never')
    expect(p.checkElement(`{${INK}}script`)?.rule).toBe('never')
    expect(p.checkAttribute('svg:rect', 'onclick', 'x')?.rule).toBe('event-handler')
    expect(p.checkAttribute('svg:g', `{${INK}}onload`, 'x')?.rule).toBe('event-handler')
    // Inert (an attribute in another namespace), refused all the same: SVG values go through the CSS check.
    expect(p.checkAttribute('svg:g', `{${INK}}href`, 'javascript:x')?.rule).toBe('css')
    const only = createPolicy({ elements: ['p', 'svg:rect'], attributes: ['class'] })
    expect(only.name).toBe('custom')
    expect(only.checkElement('p')).toBeNull()
    expect(only.checkElement('div')?.rule).toBe('not-allowed')
    expect(only.checkAttribute('p', 'class', 'a')).toBeNull()
    expect(only.checkAttribute('p', 'title', 'a')?.rule).toBe('not-allowed')
    expect(() => createPolicy('nope' as 'svg')).toThrow(/unknown policy profile/)
    const both = createPolicy(['html', 'svg'])
    expect(both.name).toBe('html+svg')
    expect([both.checkElement('p'), both.checkElement('svg:rect')]).toEqual([null, null])
    expect(createPolicy({ profile: ['html', 'form'] }).checkElement('input')).toBeNull()
    expect(createPolicy({ profile: 'svg', urls: { externalReferences: true } }).checkAttribute('svg:use', 'href', 'https://cdn.example.com/s.svg#a')).toBeNull()
  })

  it('judges the island element\'s own attributes strictly', () => {
    const p = createPolicy('svg')
    expect(p.checkAttribute(ISLAND_KEY, 'viewBox', '0 0 1 1')).toBeNull()
    expect(p.checkAttribute(ISLAND_KEY, 'onload', 'x')?.rule).toBe('event-handler')
    expect(p.checkAttribute(ISLAND_KEY, 'style', 'background:url(https://x/)')?.rule).toBe('css')
    expect(p.checkAttribute(ISLAND_KEY, 'href', 'https://x/')?.rule).toBe('url')
    expect(p.checkAttribute(ISLAND_KEY, 'data-sync-island', 'other')?.rule).toBe('never')
  })

  it('chooses a profile per island: data-sync-policy, else by the element', () => {
    const doc = document.implementation.createHTMLDocument('')
    doc.body.innerHTML = '<svg id="a"></svg><div id="b"></div><form id="c"></form><div id="d"><input></div><svg id="e" data-sync-policy="html"></svg><div id="f" data-sync-policy="nope"></div>'
    const $ = (id: string): Element => doc.getElementById(id)!
    // Never by content (#d holds an input): peers' contents differ, their choice must not.
    expect(['a', 'b', 'c', 'd', 'e', 'f'].map((id) => profileFor($(id)))).toEqual(['svg', 'html', 'form', 'html', 'html', 'html'])
  })
})

describe('names as the DOM reads them', () => {
  it('elements', () => {
    expect(readElementKey('p')).toMatchObject({ ns: 'http://www.w3.org/1999/xhtml', canonical: 'p', locals: ['p'] })
    expect(readElementKey('svg:rect')).toMatchObject({ kind: 'svg', canonical: 'svg:rect' })
    expect(readElementKey('{http://www.w3.org/2000/svg}rect').canonical).toBe('svg:rect')
    expect(readElementKey('{http://www.w3.org/1999/xhtml}p').canonical).toBe('p')
    expect(readElementKey('x:script')).toMatchObject({ canonical: null, locals: ['x:script', 'script'] })
    expect(readElementKey('svg:svg:script').locals).toEqual(['svg:script', 'script'])
    expect(readElementKey('{}p')).toMatchObject({ ns: null, canonical: '{}p' })
    expect(readElementKey('{urn:x}a:b')).toMatchObject({ ns: 'urn:x', canonical: '{urn:x}b' })
  })
  it('attributes', () => {
    const svg = readElementKey('svg:a')
    const html = readElementKey('a')
    expect(readAttrKey('xlink:href', svg)).toMatchObject({ canonical: 'xlink:href' })
    expect(readAttrKey('{http://www.w3.org/1999/xlink}href', svg).canonical).toBe('xlink:href')
    expect(readAttrKey('HREF', html).canonical).toBe('href')
    expect(readAttrKey('viewBox', readElementKey('svg:svg')).canonical).toBe('viewBox')
    expect(readAttrKey('{}on:click', html)).toMatchObject({ canonical: null })
    expect(readAttrKey('{}onclick', html).canonical).toBe('onclick')
  })
})

describe('URLs', () => {
  it('normalises what browsers strip or decode', () => {
    expect(normalizeUrl(' \u0001Ja\tVa\nScRiPt:x ')).toBe('javascript:x')
    expect(normalizeUrl('&#x6A;ava&#115;cript&colon;x')).toBe('javascript:x')
    expect(normalizeUrl('&amp;#106;avascript:x')).toBe('javascript:x')
    expect(normalizeUrl('%6Aavascript:x')).toBe('javascript:x')
  })
  it('judges by kind', () => {
    const ok = (v: string, k: Parameters<typeof checkUrl>[1], r = HTML_URLS): boolean => checkUrl(v, k, r) === null
    expect(ok('https://a/b', 'link')).toBe(true)
    expect(ok('mailto:a@b', 'link')).toBe(true)
    expect(ok('../x?y#z', 'link')).toBe(true)
    expect(ok('#top', 'link')).toBe(true)
    expect(ok('ftp://a/', 'link')).toBe(false)
    expect(ok('data:image/png;base64,AA', 'link')).toBe(false)
    expect(ok('data:image/png;base64,AA', 'image')).toBe(true)
    expect(ok('data:image/webp,AA', 'image')).toBe(true)
    expect(ok('data:image/svg+xml,<svg/>', 'image')).toBe(false)
    expect(ok('data:image/png;base64,AA', 'media')).toBe(false)
    expect(ok('https://a/b.png', 'image')).toBe(true)
    expect(ok('https://a/b.png', 'image', SVG_URLS)).toBe(false)
    expect(ok('/b.png', 'image')).toBe(false)
    expect(ok('#a', 'reference', SVG_URLS)).toBe(true)
    expect(ok('#a', 'image', SVG_URLS)).toBe(false)
    expect(ok('x.svg#a', 'reference', SVG_URLS)).toBe(false)
    expect(ok('', 'image')).toBe(true)
  })
  it('splits srcset as the HTML spec does (commas inside data: URLs stay)', () => {
    expect(srcsetUrls('a.png 1x, b.png 2x')).toEqual(['a.png', 'b.png'])
    expect(srcsetUrls('data:image/png;base64,AAA 1x,javascript:x 2x')).toEqual(['data:image/png;base64,AAA', 'javascript:x'])
    expect(srcsetUrls('a.png,b.png')).toEqual(['a.png,b.png'])
    expect(srcsetUrls('a.png, ,b.png (x, y) 1x, c.png')).toEqual(['a.png', 'b.png', 'c.png'])
  })
})

describe('CSS', () => {
  it('lets plain declarations and #id references through', () => {
    for (const ok of ['fill: red; stroke: blue', 'color:#fff;font: 12px/1.2 "Helvetica Neue", sans-serif', 'fill:url(#g)', "fill: url('#a-b')", 'background: linear-gradient(to right, red, blue)', 'transform: rotate(45deg)', 'position: absolute; top: 0']) {
      expect(checkCss(ok), ok).toBeNull()
    }
  })
  it('refuses fetches, script and escapes', () => {
    for (const bad of ['background:url(x)', 'b:\\75 rl(x)', 'b:\\000055RL(x)', 'b:u/**/rl(x)', '@import "x"', 'w:expression(1)', 'w:e\\78pression(1)', 'behavior:url(x)', '-moz-binding:url(x)', 'b:image-set("x" 1x)', 'b:url(#a) , url(https://x)', 'b:url(javascript:x)', 'position : FIXED', 'x:y}body{z:w', 'a:\\']) {
      expect(checkCss(bad), bad).not.toBeNull()
    }
  })
})

/**
 * DOMPurify as an oracle: every element and attribute the built-in profiles allow is one
 * DOMPurify's defaults allow (lower-cased, as DOMPurify sees them), except our documented
 * additions; and no URL DOMPurify refuses in a[href] or img[src] is one we let through.
 */
describe('DOMPurify as an oracle', () => {
  /** DOMPurify's default ALLOWED_TAGS, read through its uponSanitizeElement hook (the lists are not exported). */
  const defaultTags = (): Set<string> => {
    let tags: Record<string, boolean> = {}
    DOMPurify.addHook('uponSanitizeElement', (_node, data) => {
      tags = data.allowedTags
    })
    DOMPurify.sanitize('<p>x</p>')
    DOMPurify.removeAllHooks()
    return new Set(Object.keys(tags).filter((k) => tags[k]))
  }

  it('the profiles\' lists are within DOMPurify\'s, plus our documented additions', () => {
    const tags = defaultTags()
    expect(tags.size).toBeGreaterThan(100)
    const OURS = new Set(['use', 'animate', 'set', 'foreignobject'])
    for (const t of [...HTML_TEXT_ELEMENTS, ...FORM_ELEMENTS, ...SVG_ELEMENTS]) if (!OURS.has(t.toLowerCase())) expect(tags.has(t.toLowerCase()), t).toBe(true)
    // isValidAttribute(tag, attr, value) is DOMPurify's own check of a name on a tag, value aside.
    const OUR_ATTRS = new Set(['from', 'to', 'calcmode', 'fr', 'xml:lang'])
    for (const a of [...HTML_TEXT_ATTRIBUTES, ...FORM_ATTRIBUTES]) expect(DOMPurify.isValidAttribute(a === 'for' ? 'label' : 'p', a, 'x'), a).toBe(true)
    expect(createPolicy('form').checkAttribute('p', 'for', 'x')?.rule).toBe('not-allowed') // as DOMPurify: only label and output
    for (const a of SVG_ATTRIBUTES) if (!OUR_ATTRS.has(a.toLowerCase())) expect(DOMPurify.isValidAttribute('rect', a.toLowerCase(), 'x'), a).toBe(true)
    for (const a of OUR_ATTRS) expect(DOMPurify.isValidAttribute('rect', a, 'x'), a).toBe(false)
  })

  it('we are at least as strict as DOMPurify on every URL in the corpus and the legit content', () => {
    const urls = new Set<string>()
    const collect = (n: XNode): void => {
      for (const [k, v] of Object.entries(n.attrs ?? {})) if (/href|src|action|cite|poster|background/i.test(k)) urls.add(v)
      for (const c of n.children ?? []) if (typeof c !== 'string') collect(c)
    }
    for (const v of VECTORS) collect(v.tree)
    for (const l of LEGIT) l.nodes.forEach(collect)
    expect(urls.size).toBeGreaterThan(80)
    const html = createPolicy('html')
    let theyRefuse = 0
    for (const u of urls) {
      for (const [tag, attr] of [['a', 'href'], ['img', 'src']] as const) {
        if (!DOMPurify.isValidAttribute(tag, attr, u)) {
          theyRefuse++
          expect(html.checkAttribute(tag, attr, u), `${tag}@${attr}=${JSON.stringify(u)}`).not.toBeNull()
        }
      }
    }
    expect(theyRefuse).toBeGreaterThan(20)
  })
})

// Which profile a vector is *not* listed for is not a promise either way; this keeps the list honest.
describe('refusedBy lists', () => {
  it('every vector names profiles that exist', () => {
    const names: VariantName[] = ['svg', 'svg+fo', 'html', 'form']
    for (const v of VECTORS) for (const r of v.refusedBy) expect(names).toContain(r)
  })
})
