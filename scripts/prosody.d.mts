// Types for scripts/prosody.mjs (plain JavaScript, so that node scripts can import it too).

export interface ProsodyAccount {
  user: string
  password: string
}

export interface ProsodyOptions {
  /** Accounts on `domain`, created before the server starts. */
  accounts?: ProsodyAccount[]
  /** The main VirtualHost (default `localhost`); the others are `rooms.` and `anon.` it. */
  domain?: string
  /** Prosody's log level for `<dir>/prosody.log` (default `info`). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error'
  /** Load mod_smacks (XEP-0198 stream management, as public servers commonly do); default: env PROSODY_SMACKS=1, else off. */
  smacks?: boolean
  /** Overrides the site config's c2s_stanza_size_limit (64 KiB), for a test of a more permissive server. */
  stanzaSizeLimit?: number
  /** Seconds mod_smacks keeps a dropped session for resumption (default 600, Prosody's own). */
  smacksHibernation?: number
}

export interface ProsodyInstance {
  /** VirtualHost with accounts (PLAIN login allowed: loopback only). */
  readonly domain: string
  /** The MUC component: rooms are `name@<mucDomain>`, unlocked, without history. */
  readonly mucDomain: string
  /** VirtualHost with SASL ANONYMOUS login, for public pages. */
  readonly anonDomain: string
  /** Whether mod_smacks is loaded. */
  readonly smacks: boolean
  /** `ws://127.0.0.1:<httpPort>/xmpp-websocket` (RFC 7395). */
  readonly websocketUrl: string
  readonly c2sPort: number
  readonly httpPort: number
  /** The temporary directory: config, data, log, pidfile. Removed by stop(). */
  readonly dir: string
  /** The generated config file. */
  readonly config: string
  /** The running server's process id, undefined while it is down. */
  readonly pid: number | undefined
  /** Creates an account on `domain`; works while the server runs. */
  createAccount(user: string, password: string): Promise<void>
  /** SIGKILL, like a crash: no stream is closed cleanly. Resolves once the process is gone. */
  kill(): Promise<void>
  /** Kills (if running) and starts again on the same ports and data. */
  restart(): Promise<void>
  /** SIGTERM (SIGKILL after 5 s), then removes the temporary directory. */
  stop(): Promise<void>
}

/** Starts a private Prosody; throws (saying `apt-get install -y prosody`) if it is not installed. */
export function startProsody(options?: ProsodyOptions): Promise<ProsodyInstance>

/** The path of prosody/prosody.cfg.lua: the site's configuration, as docs/DEPLOY.md includes it. */
export const SITE_CONFIG: string
