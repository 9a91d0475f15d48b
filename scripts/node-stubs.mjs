// An esbuild plugin for browser bundles of @xmpp/client (DESIGN.md: its browser field points at
// ./lib/dns while the code imports ./lib/dns.js): every `node:*` import, and bare dns/net/tls,
// becomes a module with the same export names, each throwing only if called. The WebSocket
// transport with an explicit `service` never calls them. Used by scripts/build.mjs and the bench.
const STUBBED_BARE = new Set(['dns', 'net', 'tls'])

export const nodeStubs = {
  name: 'node-builtins-stub',
  setup(b) {
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
