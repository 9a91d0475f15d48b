/**
 * The channel contract between the engine and any bridge (see docs/PROTOCOL.md, "Channel").
 *
 * Two elements, `#xmpp-outgoing` (engine writes, bridge reads) and `#xmpp-incoming` (bridge
 * writes, engine reads). One stanza per child element, carried as the child's `textContent`:
 * the channel never holds live markup from a peer. A reader removes each child it has read and,
 * when it starts, first drains the children already waiting.
 */

export const OUTGOING_ID = 'xmpp-outgoing'
export const INCOMING_ID = 'xmpp-incoming'

/**
 * The element with `id`, created hidden when missing: a child of the document element, beside
 * <body>, so outside every island and outside what the engine watches for new islands (every
 * stanza adds and removes a child here; a subtree observer above would make each of those cost
 * twice as much in Chromium: measured 2-4 us without, 7 us with).
 */
export function channelElement(doc: Document, id: string): HTMLElement {
  const found = doc.getElementById(id)
  if (found) return found
  const el = doc.createElement('div')
  el.id = id
  el.hidden = true
  // Important, and inline: a page's own `div { display: block !important }` or `[hidden] { ... }`
  // beats anything but an important declaration of the element's own (CSSOM, so a strict
  // style-src allows it).
  el.style.setProperty('display', 'none', 'important')
  el.setAttribute('aria-hidden', 'true')
  doc.documentElement.appendChild(el)
  return el
}

/** Whether `el` is one of the two channel elements. */
export const isChannelElement = (el: Element): boolean => el.id === OUTGOING_ID || el.id === INCOMING_ID

/** Appends one stanza (as text) to a channel element. */
export function writeStanza(channel: Element, stanza: string): Element {
  const child = channel.ownerDocument.createElement('div')
  child.textContent = stanza
  channel.appendChild(child)
  return child
}

export interface ChannelReader {
  /** Stop reading for good. */
  stop(): void
  /** Leave children unread (backpressure) until `resume()`. */
  pause(): void
  /** Drain what waits, then read children as they arrive. */
  resume(): void
  readonly paused: boolean
}

/**
 * Reads a channel element: every child element's text is handed to `onStanza` once, and the
 * child is removed. A throwing handler never stops the reader.
 */
export function readChannel(channel: Element, onStanza: (stanza: string) => void): ChannelReader {
  const view = channel.ownerDocument.defaultView
  const Observer = view?.MutationObserver ?? globalThis.MutationObserver
  let paused = true
  let stopped = false

  const drain = (): void => {
    while (!paused && !stopped) {
      const child = channel.firstElementChild
      if (!child) break
      const text = child.textContent ?? ''
      child.remove()
      try {
        onStanza(text)
      } catch (err) {
        // The reader is infrastructure: a handler's bug must not stall the channel.
        queueMicrotask(() => {
          throw err
        })
      }
    }
    // Text nodes or comments written by mistake would otherwise stay forever.
    if (channel.childNodes.length !== channel.children.length) {
      for (const node of Array.from(channel.childNodes)) if (node.nodeType !== 1) node.remove()
    }
    // Everything here is read: the records of our own removals would only call us again.
    if (!paused && !stopped) observer.takeRecords()
  }
  const observer = new Observer(() => drain())

  const reader: ChannelReader = {
    get paused() {
      return paused
    },
    stop() {
      stopped = true
      observer.disconnect()
    },
    pause() {
      paused = true
      observer.disconnect()
    },
    resume() {
      if (stopped || !paused) return
      paused = false
      observer.observe(channel, { childList: true })
      drain()
    },
  }
  reader.resume()
  return reader
}
