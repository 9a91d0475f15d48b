// A loopback TCP proxy whose link can be cut, frozen and restored: a network fault for one client
// only, while the server and everyone else carry on. With `tls`, it also ends TLS in front of a
// plain port (wss:// to Prosody's HTTP port, with a certificate a test made).
import net from 'node:net'
import { createServer as createTlsServer } from 'node:tls'

export interface CuttableLink {
  port: number
  /** Drops every open connection and refuses new ones until restore(). */
  cut(): void
  /** Stops carrying bytes on the open connections, closing nothing (a link gone silent). */
  freeze(): void
  restore(): void
  close(): Promise<void>
}

export async function cuttableLink(targetPort: number, options: { tls?: { key: string; cert: string } } = {}): Promise<CuttableLink> {
  const open = new Set<net.Socket>()
  let down = false
  const onClient = (client: net.Socket): void => {
    if (down) return void client.destroy()
    const upstream = net.connect(targetPort, '127.0.0.1')
    for (const s of [client, upstream]) {
      open.add(s)
      s.on('close', () => open.delete(s))
      s.on('error', () => undefined)
    }
    client.pipe(upstream).pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  }
  const server = options.tls ? createTlsServer(options.tls, onClient) : net.createServer(onClient)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      down = true
      for (const s of open) s.destroy()
    },
    freeze() {
      for (const s of open) {
        s.unpipe()
        s.pause()
      }
    },
    restore() {
      down = false
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy()
        server.close(() => resolve())
      }),
  }
}
