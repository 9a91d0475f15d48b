// @xmpp/client 0.14 ships no types. This declares only the part the XMPP bridge uses;
// the bridge picks the members it uses from Client (XmppClient in xmpp-options.ts), so fakes can stand in.
declare module '@xmpp/client' {
  /** An ltx element, as @xmpp/xml builds and parses them. */
  export interface Element {
    name: string
    attrs: Record<string, string | undefined>
    children: Array<Element | string>
    getChild(name: string, xmlns?: string): Element | undefined
    getChildren(name: string, xmlns?: string): Element[]
    getChildElements(): Element[]
    toString(): string
    text(): string
  }

  export function xml(
    name: string,
    attrs?: Record<string, string | undefined> | null,
    ...children: Array<Element | string>
  ): Element

  export interface ClientOptions {
    service?: string
    domain?: string
    resource?: string
    username?: string
    password?: string
    timeout?: number
    /** Either credentials, or a function that picks the SASL mechanism and authenticates. */
    credentials?:
      | { username?: string; password?: string }
      | ((
          authenticate: (credentials: { username?: string; password?: string }, mechanism: string) => Promise<void>,
          mechanisms: string[],
          fast: unknown,
          entity: { isSecure(): boolean },
        ) => Promise<void>)
  }

  export interface Client {
    status: string
    jid: { toString(): string } | null
    options: ClientOptions
    socket: unknown
    transports: unknown[]
    reconnect: { stop(): void; start(): void }
    on(event: string, listener: (...args: any[]) => void): this
    removeListener(event: string, listener: (...args: any[]) => void): this
    start(): Promise<unknown>
    stop(): Promise<unknown>
    connect(service: string): Promise<unknown>
    open(options: { domain?: string; lang?: string }): Promise<unknown>
    disconnect(): Promise<unknown>
    send(element: Element): Promise<void>
    isSecure(): boolean
  }

  export function client(options?: ClientOptions): Client
}
