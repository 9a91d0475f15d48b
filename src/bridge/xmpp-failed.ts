import { emitBridgeEvent } from './bridge.js'
import type { Timers } from './xmpp-connection.js'
import { emptyStats, type XmppBridge, type XmppBridgeErrorDetail } from './xmpp-options.js'

/** A bridge that only reports why it is not one, once its creator has had a chance to listen. */
export function failedBridge(detail: XmppBridgeErrorDetail, timers: Timers): XmppBridge {
  const events = new EventTarget()
  let closed = false
  const timer = timers.setTimeout(() => {
    if (!closed) emitBridgeEvent(events, 'error', detail)
  }, 0)
  return Object.defineProperties(events, {
    stats: { value: emptyStats(), enumerable: true },
    online: { value: false, enumerable: true },
    self: { value: undefined, enumerable: true },
    jid: { value: undefined, enumerable: true },
    close: {
      value: async (): Promise<void> => {
        closed = true
        timers.clearTimeout(timer)
      },
    },
  }) as XmppBridge
}
