/**
 * Gives one @xmpp/client connection a WebSocket implementation of our choosing.
 *
 * @xmpp/websocket calls the global `WebSocket`, which Node 20 lacks; patching the global would
 * change every other library in the process. Instead the client's own WebSocket transport is
 * subclassed for this client only, found at run time so the bridge imports nothing but
 * @xmpp/client (the browser bundle stubs the rest).
 */

/** The constructor shape both the browser's WebSocket and the `ws` package have. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: object) => unknown

/**
 * For `ws`: one message event per task, as browsers dispatch them. By default `ws` emits every
 * frame of a TCP chunk synchronously, and @xmpp/stream-management 0.14 resets its count of
 * received stanzas after an `await` on `<enabled/>`: stanzas in the same chunk were counted, then
 * wiped, its acks went backwards, and Prosody's mod_smacks ended the stream ("Client
 * acknowledged less stanzas than already acknowledged"). Browsers ignore the argument.
 */
const WS_OPTIONS = { allowSynchronousEvents: false }

interface TransportPrototype {
  socketParameters(service: string): unknown
  Socket: SocketClass
}
interface TransportClass {
  new (...args: any[]): TransportPrototype
  prototype: TransportPrototype
}
interface SocketClass {
  new (): SocketLike
  prototype: SocketLike
}
interface SocketLike {
  url: string | null
  secure: boolean
  _attachSocket(socket: unknown): void
}

/** The same rule as @xmpp/websocket: TLS, or loopback, is secure enough for PLAIN. */
export function isSecureUrl(url: string): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (parsed.protocol === 'wss:') return true
  return ['localhost', '127.0.0.1', '[::1]', '::1'].includes(parsed.hostname)
}

const isWebSocketTransport = (T: TransportClass): boolean => {
  try {
    return T.prototype.socketParameters('ws://probe.invalid/') !== undefined
  } catch {
    return false
  }
}

/** Replaces, on this client only, the WebSocket transport by one that uses `Impl`. */
export function useWebSocket(client: { transports?: unknown[] }, Impl: WebSocketConstructor): void {
  const transports = client.transports as TransportClass[] | undefined
  if (!transports) throw new Error('xmppBridge: this client has no transports to give a WebSocket to')
  let found = false
  client.transports = transports.map((T) => {
    if (!isWebSocketTransport(T)) return T
    found = true
    const BaseSocket = T.prototype.Socket
    class Socket extends BaseSocket {
      connect(url: string): void {
        this.url = url
        this.secure = isSecureUrl(url)
        // RFC 7395 §3.1: the "xmpp" subprotocol.
        this._attachSocket(new Impl(url, ['xmpp'], WS_OPTIONS))
      }
    }
    const Transport = class extends T {} as unknown as TransportClass
    Transport.prototype.Socket = Socket as unknown as SocketClass
    return Transport
  })
  if (!found) throw new Error('xmppBridge: this client has no WebSocket transport')
}
