// The site's own script (not XML Sync Islands): a diagram box clicked is marked as the slow one,
// and a "Latest" list rewritten every 100 ms, as a news ticker would be.
const SLOW = '#f4a3a3'
const NORMAL = '#dbe7f6'
document.getElementById('diagram')?.addEventListener('click', (e) => {
  const rect = e.target.closest('.box')?.querySelector('rect')
  if (rect) rect.setAttribute('fill', rect.getAttribute('fill') === SLOW ? NORMAL : SLOW)
})
const ticker = document.getElementById('ticker')
if (ticker) {
  let n = 0
  setInterval(() => {
    n++
    const items = ['Markets', 'Weather', 'Sport'].map((topic) => {
      const li = document.createElement('li')
      li.textContent = `${topic}: update ${n}`
      return li
    })
    ticker.replaceChildren(...items)
  }, 100)
}
