/**
 * The panel's look, as a constructed stylesheet (`adoptedStyleSheets`): a page with a strict
 * `style-src` blocks <style> elements and style attributes in markup, not constructed sheets.
 * `:host` declarations are `!important` so that they win over the page's own rules on the host
 * element (for important declarations the shadow tree's win; for normal ones the page's would),
 * and `all: initial` keeps the page's inherited CSS out.
 */
export const PANEL_CSS = `
:host { all: initial !important; position: fixed !important; inset: auto 12px 12px auto !important;
  z-index: 2147483647 !important; display: block !important; visibility: visible !important;
  opacity: 1 !important; transform: none !important; contain: layout style !important; }
:host([hidden]) { display: none !important; }
:host([data-picking]) { pointer-events: none !important; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.box { font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330; background: #fdfdfb;
  border: 1px solid #b9bfcc; border-radius: 8px; box-shadow: 0 6px 24px rgba(20, 30, 50, .22);
  width: 320px; max-height: calc(100vh - 24px); overflow: auto; padding: 10px 12px; text-align: left; }
header { display: flex; align-items: center; gap: 8px; margin: 0 0 8px; }
header b { font-weight: 650; flex: 1; }
.dot { width: 10px; height: 10px; border-radius: 50%; background: #b9bfcc; }
.dot[data-state=online] { background: #2f9e44; }
.dot[data-state=connecting], .dot[data-state=offline] { background: #f08c00; }
.dot[data-state=failed] { background: #e03131; }
label { display: block; margin: 6px 0 2px; font-weight: 600; font-size: 12px; color: #47506a; }
input[type=text], input[type=password], input:not([type]) { width: 100%; font: inherit; padding: 3px 6px;
  border: 1px solid #b9bfcc; border-radius: 4px; background: #fff; color: inherit; }
.row { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin: 4px 0; }
.row input { flex: 1; min-width: 0; }
.choice { display: flex; gap: 6px; align-items: center; font-weight: 400; color: inherit; margin: 2px 0; }
button { font: inherit; padding: 3px 10px; border: 1px solid #8e97ad; border-radius: 4px; background: #eef0f5;
  color: inherit; cursor: pointer; }
button:hover { background: #e2e6ef; }
button.primary { background: #1c5fd1; border-color: #1c5fd1; color: #fff; }
button.quiet { border-color: transparent; background: transparent; padding: 0 6px; font-size: 16px; line-height: 1; }
.value { font-family: ui-monospace, monospace; font-size: 12px; word-break: break-all; }
.hint { font-size: 12px; color: #5f6882; margin: 2px 0; }
.status { margin: 4px 0; }
ul { margin: 4px 0; padding: 0 0 0 18px; }
.errors li { color: #a61e1e; }
.problem { margin: 8px 0 0; padding: 6px 8px; border-radius: 4px; background: #fff0f0; color: #a61e1e;
  border: 1px solid #f1aeb5; font-weight: 600; }
.box.picking { opacity: .3; pointer-events: none; }
.pick-box { position: fixed; pointer-events: none; border: 2px solid #1c5fd1; background: rgba(28, 95, 209, .12);
  border-radius: 2px; z-index: 2147483647; }
.pick-label { position: fixed; pointer-events: none; font: 12px/18px ui-monospace, monospace; color: #fff;
  background: #1c5fd1; padding: 0 6px; border-radius: 3px; white-space: nowrap; z-index: 2147483647; }
`

/** Adopts the panel's sheet into `root`; false where the browser has no constructed stylesheets. */
export function adoptStyles(root: ShadowRoot): boolean {
  const View = root.ownerDocument.defaultView as (Window & typeof globalThis) | null
  const Sheet = View?.CSSStyleSheet
  if (!Sheet || !('adoptedStyleSheets' in root) || typeof Sheet.prototype.replaceSync !== 'function') return false
  const sheet = new Sheet()
  sheet.replaceSync(PANEL_CSS)
  root.adoptedStyleSheets = [sheet]
  return true
}
