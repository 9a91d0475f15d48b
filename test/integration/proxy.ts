// A loopback TCP proxy whose link can be cut and restored: a network fault for one client only,
// while the server and everyone else carry on.
import net from 'node:net'

export interface CuttableLink {
  port: number
  /** Drops every open connection and refuses new ones until restore(). */
  cut(): void
  restore(): void
  close(): Promise<void>
}

export async function cuttableLink(targetPort: number): Promise<CuttableLink> {
  const open = new Set<net.Socket>()
  let down = false
  const server = net.createServer((client) => {
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
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      down = true
      for (const s of open) s.destroy()
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
