// Two frames of the whiteboard app, each made a peer of one shared drawing: into each frame's
// page (same origin) go the engine's script bundle and whiteboard-sync.js, as a bookmarklet
// would add them. The app's own files are not touched.
;(() => {
  'use strict'
  const params = new URLSearchParams(location.search)
  const room = (params.get('room') || 'whiteboard').toLowerCase().replace(/[^a-z0-9_-]/g, '') || 'whiteboard'

  function addScript(doc, src, data) {
    return new Promise((resolve, reject) => {
      const s = doc.createElement('script')
      s.src = src
      Object.assign(s.dataset, data || {})
      s.onload = resolve
      s.onerror = () => reject(new Error(`${src} did not load`))
      doc.head.appendChild(s)
    })
  }

  for (const frame of document.querySelectorAll('iframe[data-peer]')) {
    const caption = document.querySelector(`[data-status="${frame.dataset.peer}"]`)
    const show = (text, tone) => {
      caption.textContent = text
      caption.className = tone || ''
    }
    frame.addEventListener('load', async () => {
      try {
        await addScript(frame.contentDocument, '/dist/xml-sync-islands.iife.js')
        await addScript(frame.contentDocument, '/whiteboard-sync.js', { room })
      } catch (err) {
        show(`${err.message} (run \`npm run build\`)`, 'bad')
        return
      }
      setInterval(() => {
        const sync = frame.contentWindow && frame.contentWindow.whiteboardSync
        if (!sync) return
        const session = sync.session
        const island = session && session.islands.get('whiteboard')
        const peers = session ? session.peers.size : 0
        const parts = [sync.text, `${peers} other${peers === 1 ? '' : 's'} here`, island ? `drawing ${island.state}` : 'no island']
        if (sync.errors.length) parts.push(`${sync.errors.length} error(s), last: ${sync.errors[sync.errors.length - 1]}`)
        show(parts.join(' · '), sync.errors.length ? 'bad' : island && island.state === 'synced' && peers > 0 ? 'ok' : '')
      }, 300)
    })
    frame.src = '/whiteboard/'
  }
})()
