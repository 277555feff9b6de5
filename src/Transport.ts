/**
 * The one place that touches the network.
 *
 * A `Transport` sends one exchange and hands back the status, headers and body. The default is an
 * undici `Agent` acquired as a scoped resource ({@link layerUndici}); {@link layerFromDispatcher} uses a
 * dispatcher you own (never closed by us); {@link layerHttpClient} runs over any `@effect/platform`
 * `HttpClient`, such as `FetchHttpClient`. Most users never touch this module: `ResilientClient.layer`
 * builds the undici transport from its pool options.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Layer from "effect/Layer"
import type * as Undici from "undici"
import * as internal from "./internal/transport.js"

/**
 * @since 0.1.0
 * @category models
 */
export type TransportService = internal.TransportService

/**
 * @since 0.1.0
 * @category models
 */
export type TransportRequest = internal.TransportRequest

/**
 * @since 0.1.0
 * @category models
 */
export type StreamingResponse = internal.StreamingResponse

/**
 * The failure a transport reports; the client turns it into a tagged `HttpResilientError`.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { Transport } from "effect-http-resilient"
 *
 * // wraps the transport in context: buffered requests to *.internal fail without leaving the process
 * const BlockInternal = Layer.effect(
 *   Transport.Transport,
 *   Effect.map(Transport.Transport, (inner) => ({
 *     ...inner,
 *     send: (request) =>
 *       request.url.hostname.endsWith(".internal")
 *         ? Effect.fail(new Transport.TransportFailure("ConnectionRefused", undefined, "blocked host"))
 *         : inner.send(request)
 *   }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export const TransportFailure: typeof internal.TransportFailure = internal.TransportFailure

/**
 * @since 0.1.0
 * @category models
 */
export type TransportFailure = internal.TransportFailure

/**
 * The transport service tag.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { HttpResilient, ResilientClient, Transport } from "effect-http-resilient"
 *
 * // a network that is down: every exchange is refused
 * const refused = Effect.fail(new Transport.TransportFailure("ConnectionRefused"))
 * const Offline = Layer.succeed(Transport.Transport, { send: () => refused, stream: () => refused, warmUp: () => refused })
 * const Client = ResilientClient.layerWithTransport().pipe(Layer.provide(Offline))
 * const error = HttpResilient.get("https://api.example.com/").pipe(Effect.flip, Effect.provide(Client))
 * Effect.runPromise(error).then((e) => assert.strictEqual(e._tag === "TransportError" && e.reason, "ConnectionRefused"))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export const Transport: typeof internal.Transport = internal.Transport

/**
 * @since 0.1.0
 * @category tags
 */
export type Transport = internal.Transport

/**
 * Options of the undici connection pool.
 *
 * - `connections`: sockets per origin. @default 128
 * - `keepAliveTimeout`: how long an idle socket is kept. @default "4 seconds"
 * - `keepAliveMaxTimeout`: the most a server's `Keep-Alive: timeout` may extend it to. @default "10 minutes"
 * - `connectTimeout`: TCP + TLS connect. @default "10 seconds"
 * - `headersTimeout` / `bodyTimeout`: undici's own idle timeouts, a backstop behind the attempt timeout. @default "5 minutes"
 * - `pipelining`: requests in flight per socket. @default 1
 * - `gracePeriod`: on scope close, how long in-flight requests may finish before sockets are destroyed. @default "5 seconds"
 * - `tls`: `ca`, `cert`, `key`, `rejectUnauthorized`, `servername`.
 * - `lookup`: a `dns.lookup`-compatible function (tests, service discovery).
 *
 * A proxy is a client option (`ResilientClient.layer({ proxy })`), not one of these.
 *
 * @since 0.1.0
 * @category models
 */
export type UndiciPoolOptions = Omit<internal.UndiciPoolOptions, "proxy">

/**
 * An undici `Agent` per layer: opened when the layer is built, closed gracefully when its scope closes.
 *
 * @example
 * ```ts
 * import { Transport } from "effect-http-resilient"
 *
 * const transport = Transport.layerUndici({ connections: 16, keepAliveTimeout: "10 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerUndici: (options?: UndiciPoolOptions) => Layer.Layer<Transport> = internal.layerUndici

/**
 * A transport over a dispatcher you own (an `Agent`, a `Pool`, a `MockAgent`, a `ProxyAgent` …). It is
 * never closed by this library.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { MockAgent } from "undici"
 * import { HttpResilient, ResilientClient, Transport } from "effect-http-resilient"
 *
 * const agent = new MockAgent()
 * agent.disableNetConnect()
 * agent.get("https://api.example.com").intercept({ path: "/users/1" }).reply(200, { id: 1 })
 * const Client = ResilientClient.layerWithTransport().pipe(Layer.provide(Transport.layerFromDispatcher(agent)))
 * const user = HttpResilient.get("https://api.example.com/users/1").pipe(Effect.flatMap((r) => r.json))
 * Effect.runPromise(Effect.provide(user, Client)).then((body) => assert.deepStrictEqual(body, { id: 1 }))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromDispatcher: (dispatcher: Undici.Dispatcher) => Layer.Layer<Transport> =
  internal.layerFromDispatcher

/**
 * A transport over any `@effect/platform` `HttpClient` in context (e.g. `FetchHttpClient.layer`).
 * Slower than undici's dispatcher, but it runs wherever that client runs. fetch is asked for manual redirects (the
 * `FetchHttpClient.Fetch` of the call, else of this layer's context, else the global `fetch`), so that the client's
 * redirect stage decides: every 3xx comes back to it as it is.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 * import { ResilientClient, Transport } from "effect-http-resilient"
 *
 * const Client = ResilientClient.layerWithTransport().pipe(
 *   Layer.provide(Transport.layerHttpClient),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttpClient: Layer.Layer<Transport, never, HttpClient.HttpClient> = internal.layerHttpClient

/**
 * Builds a transport over an undici dispatcher.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { Agent } from "undici"
 * import { Transport } from "effect-http-resilient"
 *
 * // buffered requests to *.internal through a pool of their own, the rest through the transport in context
 * const internalPool = Transport.makeUndici(new Agent({ connections: 4 }))
 * const Routed = Layer.effect(
 *   Transport.Transport,
 *   Effect.map(Transport.Transport, (inner) => ({
 *     ...inner,
 *     send: (request) => (request.url.hostname.endsWith(".internal") ? internalPool : inner).send(request)
 *   }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeUndici: (dispatcher: Undici.Dispatcher) => TransportService = internal.makeUndiciTransport
