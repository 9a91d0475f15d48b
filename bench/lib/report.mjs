// Writes bench/results/latest.json (every figure as { name, value, unit, target?, met? }),
// latest.md (the table, targets first, a note beside each missed target) and latest.svg (each
// target's value against its target), and prints the table.
import { writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { longNote, noteFor, notesFor } from './notes.mjs'

const round = (v) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) return v
  if (Number.isInteger(v)) return v
  const a = Math.abs(v)
  const digits = a >= 100 ? 1 : a >= 10 ? 2 : a >= 1 ? 3 : 4
  return Number(v.toFixed(digits))
}

/** Every target in this bench is an upper bound: met when value <= target. */
export function finalize(figures) {
  return figures.map((f) => {
    const out = { name: f.name, value: round(f.value), unit: f.unit }
    if (f.target !== undefined) {
      out.target = f.target
      out.met = Number.isFinite(f.value) && f.value <= f.target
    }
    return out
  })
}

const fmt = (v) => (typeof v === 'number' ? (Number.isFinite(v) ? String(round(v)) : String(v)) : String(v))

export function writeResults(dir, figures, meta, base = 'latest') {
  mkdirSync(dir, { recursive: true })
  const list = finalize(figures)
  writeFileSync(join(dir, `${base}.json`), `${JSON.stringify(list, null, 2)}\n`)
  writeFileSync(join(dir, `${base}.md`), markdown(list, meta))
  writeFileSync(join(dir, `${base}.svg`), chart(list, meta))
  return list
}

function markdown(list, meta) {
  const lines = []
  lines.push(`# Benchmark results (${meta.mode} run)`)
  lines.push('')
  lines.push(`${meta.date} · commit ${meta.commit} · ${meta.machine} · Node ${meta.node} · ${meta.chromium} · ${meta.yjs} · run time ${meta.seconds.toFixed(0)} s`)
  lines.push('')
  lines.push('Produced by `npm run bench` (bench/run.mjs); see bench/README.md for what each workload does and how it is measured. ' +
    'Every figure is a median of several runs after a warm-up; baselines ran in the same process and run as the engine. ' +
    'Every target is an upper bound. Times are on a shared 2-core machine: compare ratios, not absolute times.')
  lines.push('')
  const targets = list.filter((f) => f.target !== undefined)
  const met = targets.filter((f) => f.met).length
  lines.push(`## Targets: ${met} of ${targets.length} met`)
  lines.push('')
  lines.push('| figure | value | target | met | note |')
  lines.push('| --- | --: | --: | :-: | --- |')
  for (const f of targets) lines.push(`| ${f.name} | ${fmt(f.value)} ${f.unit} | ≤ ${f.target} | ${f.met ? 'yes' : '**no**'} | ${f.met ? '' : noteFor(f.name, f, meta)} |`)
  lines.push('')
  const used = [...new Set(targets.filter((f) => !f.met).flatMap((f) => notesFor(f.name)))]
  if (used.length) {
    lines.push('### What stands in the way')
    lines.push('')
    for (const k of used) lines.push(`- **note ${k}**: ${longNote(k)}`)
    lines.push('')
  }
  lines.push('## All figures')
  lines.push('')
  lines.push('| figure | value | unit | target | met |')
  lines.push('| --- | --: | --- | --: | :-: |')
  for (const f of list) lines.push(`| ${f.name} | ${fmt(f.value)} | ${f.unit} | ${f.target !== undefined ? `≤ ${f.target}` : ''} | ${f.target !== undefined ? (f.met ? 'yes' : 'no') : ''} |`)
  lines.push('')
  if (meta.scope?.length) {
    lines.push('## Scope of this run')
    lines.push('')
    for (const s of meta.scope) lines.push(`- ${s}`)
    lines.push('')
  }
  if (meta.failures?.length) {
    lines.push('## Failures')
    lines.push('')
    for (const f of meta.failures) lines.push(`- **${f.suite}**: ${f.error}`)
    lines.push('')
  }
  lines.push('## Time per suite')
  lines.push('')
  lines.push('| suite | seconds |')
  lines.push('| --- | --: |')
  for (const [k, v] of Object.entries(meta.durations)) lines.push(`| ${k} | ${v.toFixed(1)} |`)
  lines.push('')
  return `${lines.join('\n')}\n`
}

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c])

/** Each targeted figure as a bar of value / target on a log scale; the target is the line at 1. */
function chart(list, meta) {
  const rows = list.filter((f) => f.target !== undefined)
  const W = 1100
  const left = 520
  const right = 70
  const rowH = 20
  const top = 64
  const H = top + rows.length * rowH + 48
  const min = 0.1
  const max = Math.max(10, ...rows.map((f) => (f.target > 0 ? f.value / f.target : f.value > 0 ? 10 : 0)).filter(Number.isFinite))
  const lo = Math.log10(min)
  const hi = Math.log10(max * 1.2)
  const x = (v) => left + ((Math.log10(Math.max(min, v)) - lo) / (hi - lo)) * (W - left - right)
  const out = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`)
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`)
  out.push(`<text x="16" y="24" font-size="16" font-weight="600">XML Sync Islands benchmark: value / target (log scale; at most 1 is met)</text>`)
  out.push(`<text x="16" y="44" fill="#555">${esc(`${meta.mode} run · ${meta.date} · commit ${meta.commit} · ${rows.filter((f) => f.met).length} of ${rows.length} targets met`)}</text>`)
  for (const t of [0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000].filter((t) => t <= max * 1.2)) {
    const gx = x(t).toFixed(1)
    out.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${top + rows.length * rowH}" stroke="${t === 1 ? '#222' : '#ddd'}" stroke-width="${t === 1 ? 1.5 : 1}"/>`)
    out.push(`<text x="${gx}" y="${top + rows.length * rowH + 16}" text-anchor="middle" fill="#555">${t}×</text>`)
  }
  rows.forEach((f, i) => {
    const y = top + i * rowH
    const ratio = f.target > 0 ? f.value / f.target : f.value > 0 ? 10 : min * 1.15
    const colour = f.met ? '#2a9d8f' : '#e76f51'
    out.push(`<text x="${left - 8}" y="${y + 14}" text-anchor="end">${esc(f.name)}</text>`)
    out.push(`<rect x="${x(min)}" y="${y + 3}" width="${Math.max(3, x(ratio) - x(min)).toFixed(1)}" height="${rowH - 6}" fill="${colour}"/>`)
    out.push(`<text x="${(x(ratio) + 4).toFixed(1)}" y="${y + 14}" fill="#333">${esc(`${fmt(f.value)} / ${f.target}`)}</text>`)
  })
  out.push(`<text x="${left}" y="${H - 10}" fill="#555">green: met · orange: missed · bars start at 0.1×</text>`)
  out.push('</svg>')
  return `${out.join('\n')}\n`
}

export function printTable(list) {
  const w = Math.max(...list.map((f) => f.name.length))
  for (const f of list) {
    const t = f.target !== undefined ? `  (target ≤ ${f.target}: ${f.met ? 'met' : 'MISSED'})` : ''
    console.log(`${f.name.padEnd(w)}  ${fmt(f.value).padStart(10)} ${f.unit}${t}`)
  }
}
