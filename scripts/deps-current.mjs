// Exit 0 when node_modules holds every package package-lock.json asks for, at its version; else
// exit 1 and say what is missing. Used by scripts/setup.sh to decide whether to run `npm ci`:
// content, not file times (a checkout touches package-lock.json without changing it).
// Optional packages (other platforms' esbuild binaries) may be absent.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = process.argv[2] ?? process.cwd()
let lock
try {
  lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'))
} catch {
  console.error('no readable package-lock.json')
  process.exit(1)
}
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const wanted = { ...pkg.dependencies, ...pkg.devDependencies }
const lockedRoot = lock.packages?.[''] ?? {}
const lockedWanted = { ...lockedRoot.dependencies, ...lockedRoot.devDependencies }
for (const [name, range] of Object.entries(wanted)) {
  if (lockedWanted[name] !== range) {
    console.error(`package.json asks for ${name}@${range}, package-lock.json has ${lockedWanted[name] ?? 'nothing'}`)
    process.exit(1)
  }
}
for (const [path, entry] of Object.entries(lock.packages ?? {})) {
  if (path === '' || entry.link) continue
  let installed
  try {
    installed = JSON.parse(readFileSync(join(root, path, 'package.json'), 'utf8')).version
  } catch {
    if (entry.optional) continue
    console.error(`missing ${path}`)
    process.exit(1)
  }
  if (entry.version && installed !== entry.version) {
    console.error(`${path} is ${installed}, package-lock.json wants ${entry.version}`)
    process.exit(1)
  }
}
