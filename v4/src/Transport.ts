/**
 * The transport under the v4 edition's client: the one place that touches the network. The client's own is an undici
 * pool; `ResilientClient.layerWithTransport(options)` runs a client over the `Transport` in the context instead, so
 * a program can plug its own (a dispatcher of its own, a recording or faulty transport in tests).
 * `layerHttpClient` runs it over any `effect/http` `HttpClient` in the context (`FetchHttpClient.layer`, another
 * runtime's client).
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import type * as Undici from "undici"
import type { PoolOptionsOf } from "../../src/core/options.js"
import type { TlsOptions } from "../../src/core/pool.js"
import * as Failure from "../../src/core/transportFailure.js"
import { configError } from "./internal/client.js"
import { defaults, fn, poolOf } from "./internal/clientOptions.js"
import { httpClientTransport } from "./internal/httpClient.js"
import { numberOf } from "./internal/options.js"
import * as internal from "./internal/transport.js"

/**
 * What a transport does: `send` one buffered exchange, `stream` one whose body stays in the socket (the scope owns
 * it). A transport that ends a request itself after its `timeoutMillis` sets `timesOut`; otherwise the client runs
 * `send` under an Effect timeout.
 * @since 0.1.0
 * @category models
 */
export type TransportService = internal.Transport

/**
 * A request as a transport takes it: URL parsed, headers lower-case, the body in memory.
 * @since 0.1.0
 * @category models
 */
export type TransportRequest = internal.TransportRequest

/**
 * A response whose head arrived, its body a `Stream` read from the socket with backpressure.
 * @since 0.1.0
 * @category models
 */
export type StreamingResponse = internal.StreamingResponse

/**
 * Why a transport failed (`reason`: `ConnectionRefused`, `Timeout`, `DnsFailure` …); the client makes it a
 * `TransportError` (or a `TimeoutError` for `Timeout`), as the root entry's.
 * @since 0.1.0
 * @category errors
 */
export const TransportFailure: typeof Failure.TransportFailure = Failure.TransportFailure

/**
 * @since 0.1.0
 * @category errors
 */
export type TransportFailure = Failure.TransportFailure

/**
 * The transport service `ResilientClient.layerWithTransport` runs over.
 * @since 0.1.0
 * @category tags
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { ResilientClient, Transport } from "effect-http-resilient/v4"
 * import { Agent } from "undici"
 *
 * const Client = ResilientClient.layerWithTransport({ timeout: "5 seconds" }).pipe(
 *   Layer.provide(Transport.layerFromDispatcher(new Agent()))
 * )
 * ```
 */
export class Transport extends Context.Service<Transport, TransportService>()(
  "effect-http-resilient/v4/Transport"
) {}

/**
 * The options of the client's own undici pool: `connections` per origin (the client's `maxConnections`, default
 * 128), `tls`, and the pool options of `ResilientClient.layer` with their defaults.
 * @since 0.1.0
 * @category models
 */
export interface UndiciPoolOptions extends PoolOptionsOf<Duration.Input> {
  /** @default 128 */
  readonly connections?: number | undefined
  readonly tls?: TlsOptions | undefined
}

/**
 * The client's own undici pool as a `Transport`, closed (after `gracePeriod`) with the layer's scope. A bad option
 * fails the layer with a `ConfigError` naming it, its value and why.
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { ResilientClient, Transport } from "effect-http-resilient/v4"
 *
 * const Client = ResilientClient.layerWithTransport().pipe(
 *   Layer.provide(Transport.layerUndici({ connections: 16, keepAliveTimeout: "30 seconds" }))
 * )
 * ```
 */
export const layerUndici = (options: UndiciPoolOptions = {}): Layer.Layer<Transport, Config.ConfigError> =>
  Layer.effect(
    Transport,
    Effect.flatMap(
      Effect.try({
        try: () => ({
          ...poolOf(options),
          connections: numberOf(fn, "connections", options.connections ?? defaults.maxConnections, {
            integer: true,
            min: 1,
            expected: "a positive integer"
          }),
          tls: options.tls
        }),
        catch: configError
      }),
      internal.undici
    )
  )

/**
 * A `Transport` over an undici dispatcher you own (an `Agent`, a `ProxyAgent`, a `MockAgent`): never closed by the
 * client.
 * @since 0.1.0
 * @category constructors
 */
export const makeUndici: (dispatcher: Undici.Dispatcher) => TransportService = internal.overDispatcher

/**
 * `makeUndici(dispatcher)` as a layer.
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { ResilientClient, Transport } from "effect-http-resilient/v4"
 * import { MockAgent } from "undici"
 *
 * const mock = new MockAgent()
 * const Client = ResilientClient.layerWithTransport().pipe(Layer.provide(Transport.layerFromDispatcher(mock)))
 * ```
 */
export const layerFromDispatcher = (dispatcher: Undici.Dispatcher): Layer.Layer<Transport> =>
  Layer.succeed(Transport, internal.overDispatcher(dispatcher))

/**
 * A `Transport` over the `effect/http` `HttpClient` in the context (`FetchHttpClient.layer`, another runtime's
 * client): slower than the client's own undici pool, but it runs wherever that client runs. Everything the client
 * does around the transport applies as over undici — retries, the retry budget, breakers, the bulkhead, the rate
 * limiter, timeouts and the deadline (on the fiber's clock), redirects, cookies, interceptors, events, metrics and
 * spans — and the `HttpClient`'s failures become the root entry's errors (a refused connection is a `TransportError`
 * `ConnectionRefused`, a body the client cannot encode an `InvalidRequestError` `InvalidBody` …).
 *
 * The spans are the client's only: the `HttpClient` makes none of its own for these requests and sends no
 * `traceparent`. fetch never follows a redirect itself: the `FetchHttpClient.Fetch` of the call, else of this
 * layer's context, else the global `fetch`, is asked for `redirect: "manual"`, so every 3xx comes back to the
 * client's redirect rules. What it does not do: `warmUp` (an `InvalidRequestError`: no pool of the client's), the
 * pool options, `proxy` and `tls` (they shape the client's own pool), `decompress` (fetch decodes on its own).
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { FetchHttpClient } from "effect/http"
 * import { ResilientClient, Transport } from "effect-http-resilient/v4"
 *
 * const Client = ResilientClient.layerWithTransport({ timeout: "5 seconds" }).pipe(
 *   Layer.provide(Transport.layerHttpClient),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttpClient: Layer.Layer<Transport, never, HttpClient.HttpClient> = Layer.effect(
  Transport,
  httpClientTransport
)
