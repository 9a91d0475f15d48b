// Types for demo/server.mjs (plain JavaScript, run by `node` directly).

export interface DemoProsody {
  websocketUrl: string
  domain: string
  anonDomain: string
  mucDomain: string
}

export type DemoConfig =
  | { bridge: 'xmpp'; websocketUrl: string; domain: string; anonDomain: string; mucDomain: string }
  | { bridge: 'broadcast'; reason: string }

export function demoConfig(prosody?: DemoProsody, reason?: string): DemoConfig

export interface DemoServerOptions {
  /** First port to try (default 8080; 0: any free port). A busy port moves on to the next. */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** A running Prosody (scripts/prosody.mjs): the page uses XMPP. Absent: BroadcastChannel. */
  prosody?: DemoProsody
  /** Why there is no XMPP, shown on the page. */
  reason?: string
  /** More origins the whiteboard's CSP lets pages connect to (`wss://host:port` of a TLS proxy in front of Prosody). */
  connectSrc?: string[]
}

export interface DemoServer {
  url: string
  port: number
  close(): Promise<void>
}

export function startDemoServer(options?: DemoServerOptions): Promise<DemoServer>

/** The Content-Security-Policy sent with the whiteboard's pages (/whiteboard/..., /whiteboard-pair.html). */
export function whiteboardCsp(prosody?: DemoProsody, connectSrc?: string[]): string

/** A CMS page's one tag filled in with this Prosody's addresses (without one: `data-connection="tabs"`). */
export function fillTag(html: string, prosody?: DemoProsody): string
