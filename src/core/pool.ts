/**
 * The client's own undici pool: making it (newAgent), and closing it: requests under way may finish within a grace period, the rest is
 * destroyed. Effect-free.
 * @internal
 */
import type * as Undici from "undici"
import { Agent as UndiciAgent } from "undici"
import type { InFlight } from "./exchange.js"

/** Whether undici still holds requests; a dispatcher that keeps no `stats` (a proxy agent) is taken as busy. */
const busy = (agent: Undici.Dispatcher): boolean => {
  const stats = (agent as Partial<Undici.Agent>).stats
  if (stats === undefined) return true
  for (const pool of Object.values(stats)) if (pool.size > 0) return true
  return false
}

/**
 * Lets the transport's requests under way finish for up to `graceMillis`, then destroys whatever is left (undici's
 * `destroy` after `close` would wait for them instead); what undici still holds after the last of ours ended (an
 * abandoned request queued behind a connection attempt that hangs) is destroyed at once. Real time on purpose:
 * this is about sockets, at shutdown, not about the program's logic, so a test's virtual clock must not stall it.
 * @internal
 */
export const closeGracefully = async (
  agent: Undici.Dispatcher,
  graceMillis: number,
  inFlight: InFlight
): Promise<void> => {
  const until = performance.now() + graceMillis
  while (inFlight.count > 0 && performance.now() < until) {
    await new Promise<void>((resolve) => setTimeout(resolve, Math.min(10, Math.max(1, until - performance.now()))))
  }
  if (inFlight.count > 0 || busy(agent)) await agent.destroy()
  else await agent.close()
}

/**
 * The client's own pool's settings, times in milliseconds (undefined: the default).
 * @internal
 */
export interface AgentSettings {
  readonly connections?: number | undefined
  readonly pipelining?: number | undefined
  readonly keepAliveMillis: number
  readonly keepAliveMaxMillis?: number | undefined
  readonly headersTimeoutMillis?: number | undefined
  readonly bodyTimeoutMillis?: number | undefined
  /** undici's connector, or the options undici builds one from */
  readonly connect: Undici.buildConnector.connector | Record<string, unknown>
}

/**
 * The pool: an undici `Agent`, 128 connections per origin, keep-alive; undici's own timeouts far above an
 * attempt's (the attempt timeout is ours).
 * @internal
 */
export const newAgent = (settings: AgentSettings): Undici.Agent =>
  new UndiciAgent({ ...poolOptionsOf(settings), connect: settings.connect as any })

/**
 * What every per-origin pool is built with (the pools a proxy agent makes, the proxy's own included): the
 * settings' limits with their defaults, without the connector.
 * @internal
 */
export const poolOptionsOf = (settings: Omit<AgentSettings, "connect">): Undici.Pool.Options => ({
  connections: settings.connections ?? 128,
  pipelining: settings.pipelining ?? 1,
  keepAliveTimeout: settings.keepAliveMillis,
  keepAliveMaxTimeout: settings.keepAliveMaxMillis ?? 600_000,
  headersTimeout: settings.headersTimeoutMillis ?? 300_000,
  bodyTimeout: settings.bodyTimeoutMillis ?? 300_000
})

/**
 * How long an idle pooled connection is kept (the `keepAliveTimeout` client option's default), in milliseconds.
 * @internal
 */
export const defaultKeepAliveMillis = 4_000

/**
 * How long requests under way may finish when the client closes (the `gracePeriod` option's default), in ms.
 * @internal
 */
export const defaultGraceMillis = 5_000

/**
 * A `lookup` function as undici's connector takes it (`dns.lookup`'s shape).
 * @internal
 */
export type Lookup = (hostname: string, options: any, callback: (...args: Array<any>) => void) => void

/**
 * What undici's connector is built from: TLS settings, connect timeout (ms), lookup.
 * @internal
 */
export const connectOptionsOf = (
  tls: TlsOptions | undefined,
  lookup: Lookup | undefined,
  connectTimeoutMillis: number | undefined
): Record<string, unknown> => {
  const connect: Record<string, unknown> = {}
  if (tls) {
    const { ca, cert, key, rejectUnauthorized, servername } = tls
    if (ca !== undefined) connect.ca = ca
    if (cert !== undefined) connect.cert = cert
    if (key !== undefined) connect.key = key
    if (rejectUnauthorized !== undefined) connect.rejectUnauthorized = rejectUnauthorized
    if (servername !== undefined) connect.servername = servername
  }
  if (lookup) connect.lookup = lookup
  if (connectTimeoutMillis !== undefined) connect.timeout = connectTimeoutMillis
  return connect
}

/**
 * The pool's TLS settings (the `tls` client option), as undici's connector takes them.
 * @internal
 */
export interface TlsOptions {
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer> | undefined
  readonly cert?: string | Buffer | undefined
  readonly key?: string | Buffer | undefined
  readonly rejectUnauthorized?: boolean | undefined
  readonly servername?: string | undefined
}
