// Joins through the real Prosody (issue 9): pages opened at the same moment, and two editing
// pages after the server is killed and started again. Each page is a happy-dom page in this Node
// process with its own engine and XMPP bridge (@xmpp/client over `ws`, anonymous login). This
// suite starts a Prosody of its own, since it kills it. The times are wall-clock milliseconds on
// a shared machine: read them beside the retry count, which is exact.
import { syncIslands, xmppBridge } from '../../index.ts'
import { check, median } from './common.js'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const ISLAND = '<div data-sync-island="main"><ul><li>one</li></ul></div>'

async function waitFor(cond, what, ms) {
  const t = Date.now()
  while (!cond()) {
    if (Date.now() - t > ms) throw new Error(`join: timed out after ${ms} ms waiting for ${what}`)
    await sleep(2)
  }
}

/** `backoff` undefined: the bridge's own (what a page gets), as in the restart case. */
function openPage(env, server, room, WebSocket, errors, backoff = { minDelay: 50, maxDelay: 400 }) {
  const page = env.newPage()
  page.doc.body.innerHTML = ISLAND
  const session = syncIslands({ root: page.doc })
  session.addEventListener('sync-error', (e) => errors.push(e.detail))
  const bridge = xmppBridge({ service: server.websocketUrl, domain: server.anonDomain, room, document: page.doc, WebSocket, ...(backoff ? { backoff } : {}) })
  const island = () => page.doc.querySelector('[data-sync-island]')
  const main = () => session.islands.get('main')
  return { page, session, bridge, island, main }
}

async function closeAll(pages) {
  for (const p of pages) p.session.stop()
  await Promise.all(pages.map((p) => p.bridge.close()))
  for (const p of pages) await p.page.close()
}

/** `size` pages opened in one tick: ms until every one is synced and lists every other. */
async function together(env, server, size, WebSocket, errors) {
  const room = `together-${size}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}@${server.mucDomain}`
  const t0 = performance.now()
  const pages = Array.from({ length: size }, () => openPage(env, server, room, WebSocket, errors))
  try {
    await waitFor(() => pages.every((p) => p.main()?.state === 'synced' && p.session.peers.size === size - 1), `${size} pages to sync`, 20000)
    const ms = performance.now() - t0
    return { ms, retries: pages.reduce((n, p) => n + p.main().retries, 0) }
  } finally {
    await closeAll(pages)
  }
}

/**
 * Two synced pages; the server killed; one edit each while it is down; started again. With the
 * bridge's own reconnect backoff, as a page has it: restart to online is mostly that backoff (the
 * next attempt after the server is back), online to converged is the rejoin handshake.
 */
async function restart(env, server, WebSocket, errors) {
  const room = `restart-${Date.now().toString(36)}@${server.mucDomain}`
  const pages = [openPage(env, server, room, WebSocket, errors, undefined), openPage(env, server, room, WebSocket, errors, undefined)]
  try {
    await waitFor(() => pages.every((p) => p.main()?.state === 'synced' && p.session.peers.size === 1), 'both pages to sync', 20000)
    await server.kill()
    await waitFor(() => pages.every((p) => !p.bridge.online), 'both bridges to notice', 20000)
    pages.forEach((p, i) => {
      const li = p.page.doc.createElement('li')
      li.textContent = `offline ${i}`
      p.island().querySelector('ul').appendChild(li)
    })
    const t0 = performance.now()
    await server.restart()
    await waitFor(() => pages.every((p) => p.bridge.online), 'both bridges online', 20000)
    const t1 = performance.now()
    const html = (p) => p.island().innerHTML
    await waitFor(() => html(pages[0]) === html(pages[1]) && pages[0].island().querySelectorAll('li').length === 3, 'both edits on both pages', 20000)
    const t2 = performance.now()
    return { toOnline: t1 - t0, toConverged: t2 - t1, retries: pages.reduce((n, p) => n + p.main().retries, 0) }
  } finally {
    await closeAll(pages)
  }
}

export async function joinSuite(env, opts) {
  const WebSocket = env.nodeModules.ws
  const server = await env.nodeModules.prosody.startProsody()
  const errors = []
  try {
    const runs = { 2: [], 4: [] }
    const restarts = []
    for (let r = 0; r < opts.rounds; r++) {
      for (const size of [2, 4]) runs[size].push(await together(env, server, size, WebSocket, errors))
      restarts.push(await restart(env, server, WebSocket, errors))
    }
    const retries = [...runs[2], ...runs[4], ...restarts].reduce((n, r) => n + r.retries, 0)
    check(errors.length === 0, `join: errors ${JSON.stringify(errors.slice(0, 3))}`)
    const ms = (list, key) => median(list.map((x) => x[key]))
    env.log(`join: together 2 ${ms(runs[2], 'ms').toFixed(0)} ms, 4 ${ms(runs[4], 'ms').toFixed(0)} ms; restart to online ${ms(restarts, 'toOnline').toFixed(0)} ms, online to converged ${ms(restarts, 'toConverged').toFixed(0)} ms; ${retries} retries`)
    const p = 'node.join'
    return {
      figures: [
        { name: `${p}.retries`, value: retries, unit: 'retries', target: 0 },
        { name: `${p}.together_2.synced_ms`, value: ms(runs[2], 'ms'), unit: 'ms' },
        { name: `${p}.together_4.synced_ms`, value: ms(runs[4], 'ms'), unit: 'ms' },
        { name: `${p}.restart.to_online_ms`, value: ms(restarts, 'toOnline'), unit: 'ms' },
        { name: `${p}.restart.online_to_converged_ms`, value: ms(restarts, 'toConverged'), unit: 'ms' },
      ],
      info: { together2: runs[2], together4: runs[4], restarts },
    }
  } finally {
    await server.stop()
  }
}
