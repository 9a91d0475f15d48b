// An esbuild plugin for the browser bundles, for code they carry but never run:
// - @xmpp/client's Node transports (@xmpp/resolve's browser field maps ./lib/dns while its
//   code imports ./lib/dns.js): every `node:*` import, and bare dns/net/tls, becomes a module with
//   the same export names, each throwing only if called. The WebSocket transport with an
//   explicit `service` never calls them.
// - is-unsafe, which fast-xml-parser 5.12 imports to judge the entities a DOCTYPE declares. The
//   engine refuses every DOCTYPE before fast-xml-parser sees a stanza and parses with entity
//   processing off (src/protocol/xml.ts), so that check never runs; the package would add 18 KB
//   (its SQL, shell and NoSQL patterns cannot be tree-shaken). Here it judges every value unsafe.
// - fast-xml-parser's DocTypeReader, for the same reason: the engine refuses every DOCTYPE before
//   the parser sees a stanza, so the reader of DOCTYPE declarations never runs. The stub refuses.
// - lib0/logging, which Yjs imports for one warning (a peer reusing this page's client id). Its
//   browser half pulls in lib0/dom and lib0/schema, whose module-level schema objects cannot be
//   tree-shaken: 9 KB for one console line. Here the warning goes to console.warn as plain text.
// Used by scripts/build.mjs and the bench.
const STUBBED_BARE = new Set(['dns', 'net', 'tls'])

const DOCTYPE_STUB = [
  '// Never called: see scripts/node-stubs.mjs. Were it called, it would refuse.',
  'export default class DocTypeReader {',
  '  readDocType() {',
  "    throw new Error('DOCTYPE is not accepted')",
  '  }',
  '}',
].join('\n')

const LOGGING_STUB = [
  '// See scripts/node-stubs.mjs: what Yjs uses of lib0/logging, printed as plain text.',
  "const style = (name) => ({ style: name })",
  "export const BOLD = style('bold'), UNBOLD = style('unbold'), RED = style('red'), ORANGE = style('orange')",
  "export const GREEN = style('green'), BLUE = style('blue'), GREY = style('grey'), PURPLE = style('purple'), UNCOLOR = style('uncolor')",
  "export const print = (...args) => console.warn(args.filter((a) => typeof a !== 'object').join(''))",
  'export const warn = print',
].join('\n')

const IS_UNSAFE_STUB = [
  '// Never called: see scripts/node-stubs.mjs. Were it called, it would refuse.',
  'export const HTML = []',
  'export const XML = []',
  'export const isUnsafe = () => true',
].join('\n')

export const nodeStubs = {
  name: 'node-builtins-stub',
  setup(b) {
    b.onResolve({ filter: /\/DocTypeReader\.js$/ }, (a) =>
      a.importer.includes('fast-xml-parser') ? { path: 'DocTypeReader', namespace: 'doctype-stub' } : undefined,
    )
    b.onLoad({ filter: /.*/, namespace: 'doctype-stub' }, () => ({ contents: DOCTYPE_STUB, loader: 'js' }))
    b.onResolve({ filter: /^lib0\/logging$/ }, () => ({ path: 'lib0/logging', namespace: 'logging-stub' }))
    b.onLoad({ filter: /.*/, namespace: 'logging-stub' }, () => ({ contents: LOGGING_STUB, loader: 'js' }))
    b.onResolve({ filter: /^is-unsafe$/ }, () => ({ path: 'is-unsafe', namespace: 'unreachable-stub' }))
    b.onLoad({ filter: /.*/, namespace: 'unreachable-stub' }, () => ({ contents: IS_UNSAFE_STUB, loader: 'js' }))
    b.onResolve({ filter: /^node:|^(dns|net|tls)$/ }, (a) => {
      if (!a.path.startsWith('node:') && !STUBBED_BARE.has(a.path)) return undefined
      return { path: a.path.startsWith('node:') ? a.path : `node:${a.path}`, namespace: 'node-stub' }
    })
    b.onLoad({ filter: /.*/, namespace: 'node-stub' }, async (a) => {
      let names = []
      try {
        names = Object.keys(await import(a.path)).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n))
      } catch {
        // not a module this Node knows: a default export only
      }
      const lines = [
        `const u = (n) => function () { throw new Error(${JSON.stringify(a.path)} + '.' + n + ' is not available in a browser') }`,
        ...names.map((n) => `export const ${n} = u(${JSON.stringify(n)})`),
        `export default { ${names.join(', ')} }`,
      ]
      return { contents: lines.join('\n'), loader: 'js' }
    })
  },
}
