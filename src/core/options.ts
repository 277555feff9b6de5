/**
 * The option shapes both editions share, over each edition's own types: `D` a duration input, `S` a schedule or
 * strategy, `E` the error union, `A` the accepted statuses, `H` the headers input, `P` the query parameters input.
 * Each edition's public module names and documents them (`RetryPolicy.Options`, `ResilientClient.ClientOptions` …).
 * @internal
 */
import type { Lookup } from "./pool.js"

/**
 * `RetryPolicy.make`'s options.
 * @internal
 */
export interface RetryPolicyOptionsOf<D, B, E> {
  readonly retries?: number | undefined
  readonly backoff?: B | undefined
  readonly statuses?: ReadonlyArray<number> | undefined
  readonly methods?: ReadonlyArray<string> | undefined
  readonly retryOn?: ((error: E) => boolean) | undefined
  readonly respectRetryAfter?: boolean | undefined
  readonly maxRetryAfter?: D | undefined
  readonly onRetryAfterTooLong?: "fail" | "clamp" | undefined
}

/**
 * The `retryBudget` client option (each edition documents it in its `RetryBudget` module).
 * @internal
 */
export interface RetryBudgetOptionsOf<D> {
  /** Retries allowed per first attempt in the window while the origin succeeds. @default 0.8 */
  readonly ratio?: number | undefined
  /** How far back attempts, outcomes and retries are counted. @default "10 seconds" */
  readonly window?: D | undefined
  /** The reserve, per second of the window, available whatever the traffic. @default 10 */
  readonly minRetriesPerSecond?: number | undefined
  /**
   * Scale `ratio` by the origin's health: the share of its attempts that ended in the window that succeeded
   * (1 before any ended). `false`: the whole `ratio` whatever the origin does (Finagle's budget).
   * @default true
   */
  readonly adaptive?: boolean | undefined
}

/**
 * A standalone retry budget, as `RetryBudget.make` returns it.
 * @internal
 */
export interface RetryBudgetOf {
  readonly recordRequest: (nowMillis: number) => void
  readonly recordSuccess: (nowMillis: number) => void
  readonly recordFailure: (nowMillis: number) => void
  readonly tryRetry: (nowMillis: number) => boolean
  readonly available: (nowMillis: number) => number
}

/**
 * The `circuitBreaker` client option.
 * @internal
 */
export interface CircuitBreakerOptionsOf<D, S, E> {
  readonly strategy?: S | undefined
  readonly breakDuration?: D | undefined
  readonly backoffFactor?: number | undefined
  readonly maxBreakDuration?: D | undefined
  readonly probes?: number | undefined
  readonly isFailure?: ((error: E) => boolean) | undefined
}

/**
 * The request options both editions have.
 * @internal
 */
export interface CommonRequestOptions<D, H, P> {
  readonly headers?: H | undefined
  readonly urlParams?: P | undefined
  readonly timeout?: D | undefined
  readonly deadline?: D | undefined
  readonly idempotencyKey?: boolean | string | undefined
  readonly tag?: string | undefined
}

/**
 * The client options both editions have.
 * @internal
 */
export interface CommonClientOptions<D, A, H> {
  readonly baseUrl?: string | URL | undefined
  readonly headers?: H | undefined
  readonly timeout?: D | undefined
  readonly deadline?: D | undefined
  readonly maxConnections?: number | undefined
  readonly maxOrigins?: number | undefined
  readonly acceptStatus?: A | undefined
  readonly maxResponseSize?: number | undefined
  readonly redactHeaders?: ReadonlyArray<string> | undefined
}

/**
 * The client's own undici pool's options, both editions' (`D`: the edition's duration input). They apply to the
 * client's pool, not to a transport given by the user.
 * @internal
 */
export interface PoolOptionsOf<D> {
  /**
   * How long an idle pooled connection is kept open for the next request (`layerConfig` reads `PREFIX_KEEP_ALIVE_TIMEOUT`).
   * @since 0.1.0
   * @category options
   * @default 4 seconds
   * @example
   * ```ts
   * import { ResilientClient } from "effect-http-resilient"
   *
   * const Client = ResilientClient.layer({ keepAliveTimeout: "30 seconds" })
   * ```
   */
  readonly keepAliveTimeout?: D | undefined
  /**
   * How long opening a connection (TCP and TLS) may take before the attempt fails with `TransportError`
   * `ConnectTimeout` (`layerConfig` reads `PREFIX_CONNECT_TIMEOUT`).
   * @since 0.1.0
   * @category options
   * @default 10 seconds (undici's)
   * @example
   * ```ts
   * import { ResilientClient } from "effect-http-resilient"
   *
   * const Client = ResilientClient.layer({ connectTimeout: "2 seconds" })
   * ```
   */
  readonly connectTimeout?: D | undefined
  /**
   * How long the pool waits for a response's headers once the request is sent (`TransportError` `Timeout` after it;
   * the attempt's `timeout` usually ends the attempt first).
   * @since 0.1.0
   * @category options
   * @default 300 seconds
   * @example
   * ```ts
   * import { ResilientClient } from "effect-http-resilient"
   *
   * const Client = ResilientClient.layer({ headersTimeout: "5 seconds" })
   * ```
   */
  readonly headersTimeout?: D | undefined
  /**
   * How long the pool waits between two pieces of a response's body (`TransportError` `BodyTimeout` after it; the
   * attempt's `timeout` usually ends a buffered attempt first, a stream's body has only this and the deadline).
   * @since 0.1.0
   * @category options
   * @default 300 seconds
   * @example
   * ```ts
   * import { ResilientClient } from "effect-http-resilient"
   *
   * const Client = ResilientClient.layer({ bodyTimeout: "30 seconds" })
   * ```
   */
  readonly bodyTimeout?: D | undefined
  /**
   * Requests sent on one connection before the first answer (HTTP/1.1 pipelining), 1 to 128.
   * @since 0.1.0
   * @category options
   * @default 1
   * @example
   * ```ts
   * import { ResilientClient } from "effect-http-resilient"
   *
   * const Client = ResilientClient.layer({ pipelining: 4 })
   * ```
   */
  readonly pipelining?: number | undefined
  /**
   * When the client's scope closes, how long requests and streams under way may finish before their sockets are
   * destroyed (real time).
   * @since 0.1.0
   * @category options
   * @default 5 seconds
   * @example
   * ```ts
   * import { ResilientClient } from "effect-http-resilient"
   *
   * const Client = ResilientClient.layer({ gracePeriod: "1 second" })
   * ```
   */
  readonly gracePeriod?: D | undefined
  /**
   * Resolves host names for the pool's connections (`dns.lookup`'s shape): a fixed address, a service registry.
   * An error it reports is `TransportError` `DnsFailure`.
   * @since 0.1.0
   * @category options
   * @default `dns.lookup`
   * @example
   * ```ts
   * import { ResilientClient } from "effect-http-resilient"
   *
   * const Client = ResilientClient.layer({
   *   lookup: (_hostname, _options, callback) => callback(null, [{ address: "127.0.0.1", family: 4 }])
   * })
   * ```
   */
  readonly lookup?: Lookup | undefined
}
