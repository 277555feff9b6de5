/**
 * undici's pool for the client's own transport: the agent's options and its connector's options (closing it is
 * src/core/pool.ts).
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Undici from "undici"
import type { PoolOptionsOf } from "../../core/options.js"
import {
  connectOptionsOf as coreConnectOptions,
  defaultKeepAliveMillis,
  newAgent,
  type TlsOptions
} from "../../core/pool.js"
import { newProxyAgent, type ProxySettings } from "../../core/proxy.js"

/** @internal */
export interface UndiciPoolOptions extends PoolOptionsOf<Duration.DurationInput> {
  readonly connections?: number | undefined
  readonly keepAliveMaxTimeout?: Duration.DurationInput | undefined
  readonly tls?: TlsOptions | undefined
  /** the client's `proxy`, resolved (src/core/proxy.ts) */
  readonly proxy?: ProxySettings | undefined
}

const millis = (d: Duration.DurationInput | undefined): number | undefined =>
  d === undefined ? undefined : Duration.toMillis(Duration.decode(d))

/**
 * What undici's connector is built from: TLS settings, connect timeout, lookup (the core's rule).
 * @internal
 */
export const connectOptionsOf = (options: UndiciPoolOptions): Record<string, unknown> =>
  coreConnectOptions(options.tls, options.lookup, millis(options.connectTimeout))

/** @internal */
export const keepAliveMillis = (options: UndiciPoolOptions): number =>
  millis(options.keepAliveTimeout) ?? defaultKeepAliveMillis

/** The client's pool limits in milliseconds (the core's `AgentSettings` without the connector). */
const limitsOf = (options: UndiciPoolOptions) => ({
  connections: options.connections,
  pipelining: options.pipelining,
  keepAliveMillis: keepAliveMillis(options),
  keepAliveMaxMillis: millis(options.keepAliveMaxTimeout),
  headersTimeoutMillis: millis(options.headersTimeout),
  bodyTimeoutMillis: millis(options.bodyTimeout)
})

/**
 * The pool. `connector`, when given, replaces undici's own (it must be built from `connectOptionsOf(options)`).
 * @internal
 */
export const makeAgent = (options: UndiciPoolOptions, connector?: Undici.buildConnector.connector): Undici.Agent =>
  newAgent({ ...limitsOf(options), connect: connector ?? connectOptionsOf(options) })

/**
 * The pool through the client's proxy (the core's `newProxyAgent`), with the client's limits and connector options.
 * @internal
 */
export const makeProxyAgent = (options: UndiciPoolOptions, proxy: ProxySettings): Undici.Dispatcher =>
  newProxyAgent(limitsOf(options), connectOptionsOf(options), proxy)
