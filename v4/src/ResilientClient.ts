/**
 * The client of the v4 edition: a v4 `Context.Service` (the root entry's is a v3 `Context.Tag`), its layers, and
 * what it can tell (circuit state, events). The same option names and defaults as the root entry.
 *
 * `layer(options)` takes options in code; `layerConfig(prefix)` reads them from v4's `Config` (the environment by
 * default), and `ResilientClientLive` is `layerConfig()`.
 *
 * `layerFromHttpClient(options)` runs the client over any `effect/http` `HttpClient` (`FetchHttpClient.layer`).
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as PubSub from "effect/PubSub"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Undici from "undici"
import type { CircuitState } from "../../src/core/circuitBreaker.js"
import type * as Cookies from "../../src/core/cookies.js"
import type * as coreHealth from "../../src/core/health.js"
import type { HttpResilientError, InvalidRequestError } from "./HttpResilientError.js"
import { type ClientOptions as Options, defaults as clientDefaults, make } from "./internal/client.js"
import * as configEnv from "./internal/configEnv.js"
import * as healthOps from "./internal/health.js"
import { httpClientTransport } from "./internal/httpClient.js"
import { ResilientClient, type ResilientClientService as Service } from "./internal/service.js"
import { overDispatcher } from "./internal/transport.js"
import * as warmUpOps from "./internal/warmUp.js"
import type { ResilientEvent } from "./ResilientEvent.js"
import { Transport } from "./Transport.js"

export {
  /**
   * The client's tag.
   * @since 0.1.0
   * @category tags
   */
  ResilientClient
}

/**
 * @since 0.1.0
 * @category models
 */
export type ResilientClientService = Service

/**
 * @since 0.1.0
 * @category models
 */
export type ClientOptions = Options

/**
 * What the `cookies` option takes besides `true`: tough-cookie's `CookieJar` (versions 5 and 6, any store) has all
 * it needs, `getCookieString(url)` and `setCookie(cookie, url, { ignoreError })`.
 *
 * @example
 * ```ts
 * import { CookieJar } from "tough-cookie"
 * import { ResilientClient } from "effect-http-resilient/v4"
 *
 * // one jar for two clients, kept by the application
 * const jar = new CookieJar()
 * const Api = ResilientClient.layer({ baseUrl: "https://api.example.com", cookies: jar })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type CookieJar = Cookies.CookieJar

/**
 * @since 0.1.0
 * @category defaults
 */
export const defaults = clientDefaults

/**
 * A client with these options over its own undici pool, closed with the layer's scope. A bad option fails the
 * layer with a `ConfigError` naming it, its value and why.
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: ClientOptions = {}): Layer.Layer<ResilientClient, Config.ConfigError> =>
  Layer.effect(ResilientClient, make(options))

/**
 * A client over an undici dispatcher you own (an `Agent` with your settings, a `ProxyAgent`, a `MockAgent`); it is
 * never closed by the client. `warmUp` needs the client's own pool, so over a dispatcher it fails with
 * `InvalidRequestError`. A bad option fails the layer with a `ConfigError` naming it, its value and why.
 *
 * @example
 * ```ts
 * import { ProxyAgent } from "undici"
 * import { ResilientClient } from "effect-http-resilient/v4"
 *
 * // through a proxy; the agent is yours to close
 * const proxy = new ProxyAgent("http://proxy.internal:3128")
 * const Client = ResilientClient.layerFromDispatcher(proxy, { timeout: "5 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromDispatcher = (
  dispatcher: Undici.Dispatcher,
  options: ClientOptions = {}
): Layer.Layer<ResilientClient, Config.ConfigError> =>
  Layer.effect(ResilientClient, make(options, overDispatcher(dispatcher)))

/**
 * A client with these options over the `Transport` in the context (`Transport.layerUndici`,
 * `Transport.layerFromDispatcher`, one of your own); the transport's layer owns it (the client never closes it). A
 * bad option fails the layer with a `ConfigError` naming it, its value and why.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { ResilientClient, Transport } from "effect-http-resilient/v4"
 *
 * const Client = ResilientClient.layerWithTransport({ timeout: "5 seconds" }).pipe(
 *   Layer.provide(Transport.layerUndici({ keepAliveTimeout: "30 seconds" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithTransport = (
  options: ClientOptions = {}
): Layer.Layer<ResilientClient, Config.ConfigError, Transport> =>
  Layer.effect(ResilientClient, Effect.flatMap(Effect.service(Transport), (transport) => make(options, transport)))

/**
 * A client with these options over the `effect/http` `HttpClient` in the context, e.g. `FetchHttpClient.layer`:
 * `layerWithTransport(options)` over `Transport.layerHttpClient`. Retries, the retry budget, breakers, the bulkhead,
 * the rate limiter, timeouts and the deadline, redirects, cookies, interceptors, events, metrics and spans apply as
 * over the client's own pool, with the same errors; the spans are the client's only (the `HttpClient` makes none for
 * these requests). Redirects follow the client's rules: fetch is asked for `redirect: "manual"` and never follows one
 * itself; a custom `FetchHttpClient.Fetch` is used when it is provided where this layer (or the call) sees it.
 * `warmUp` fails with `InvalidRequestError` (no pool of the client's); the pool options, `proxy` and `tls` shape the
 * client's own pool and do nothing here. A bad option fails the layer with a `ConfigError` naming it, its value and
 * why.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { FetchHttpClient } from "effect/http"
 * import { ResilientClient } from "effect-http-resilient/v4"
 *
 * // over the global fetch (browsers, Deno, Bun, edge runtimes)
 * const Client = ResilientClient.layerFromHttpClient({ timeout: "5 seconds" }).pipe(
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromHttpClient = (
  options: ClientOptions = {}
): Layer.Layer<ResilientClient, Config.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(ResilientClient, Effect.flatMap(httpClientTransport, (transport) => make(options, transport)))

/**
 * Opens `connections` sockets to `origin` (an absolute URL, or relative to `baseUrl`; only its origin counts) and
 * returns once they are open and idle, so that the next that many concurrent requests to it open none and skip the
 * TCP and TLS handshakes. Sockets already warm for the origin count. A warm socket left unused for the pool's
 * keep-alive time (4 s) is closed, like an idle keep-alive connection.
 *
 * Works with the client's own pool (`layer`, `layerConfig`, `ResilientClientLive`); a client over a given
 * dispatcher (or the test kit's script) fails with `InvalidRequestError`, as does a `connections` that is not an
 * integer from 1 to 65536. A connect failure is a `TransportError`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, ResilientClient } from "effect-http-resilient/v4"
 *
 * const program = Effect.gen(function*() {
 *   yield* ResilientClient.warmUp("https://api.example.com", 8)
 *   // up to 8 concurrent requests now start on open sockets
 *   yield* Effect.forEach([1, 2, 3], (id) => HttpResilient.get(`https://api.example.com/items/${id}`), {
 *     concurrency: 8
 *   })
 * })
 * ```
 *
 * @since 0.1.0
 * @category pool
 */
export const warmUp: (
  origin: string | URL,
  connections: number
) => Effect.Effect<void, HttpResilientError, ResilientClient> = warmUpOps.warmUp

/**
 * A client whose options come from v4's `Config` under `prefix` (the environment by default), with `overrides` on
 * top. The variables are the root entry's, for the options this edition has: `PREFIX_BASE_URL`, `PREFIX_TIMEOUT`,
 * `PREFIX_DEADLINE`, `PREFIX_MAX_CONNECTIONS`, `PREFIX_MAX_ORIGINS`, `PREFIX_MAX_RESPONSE_SIZE`,
 * `PREFIX_FOLLOW_REDIRECTS`, `PREFIX_REDACT_HEADERS`, `PREFIX_REDACT_QUERY_PARAMS` (comma-separated lists),
 * `PREFIX_ALLOW_INSECURE_REDIRECTS`, `PREFIX_TRACING`, `PREFIX_PROXY` (a proxy URL, or `env`), and the protections'
 * sections below.
 *
 * Each protection is a section: a switch (`false` turns it off, `true` keeps its defaults) and its settings, the
 * option's path in SCREAMING_SNAKE; unset, a setting keeps its default.
 * - `PREFIX_CIRCUIT_BREAKER`; `PREFIX_CIRCUIT_BREAKER_THRESHOLD`, `_MIN_THROUGHPUT`, `_WINDOW` (the default ratio
 *   strategy's, checked by `CircuitBreaker.ratio` as they are read), `_BREAK_DURATION`, `_BACKOFF_FACTOR`,
 *   `_MAX_BREAK_DURATION`, `_PROBES`
 * - `PREFIX_BULKHEAD`; `PREFIX_BULKHEAD_MAX_CONCURRENT`, `_MAX_QUEUE`, `_QUEUE_TIMEOUT`
 * - `PREFIX_RETRY_BUDGET`; `PREFIX_RETRY_BUDGET_RATIO`, `_WINDOW`, `_MIN_RETRIES_PER_SECOND`, `_ADAPTIVE`
 *
 * A switch `false` beside a setting of its section is a `ConfigError` naming both.
 *
 * A bad value fails the layer with v4's `Config.ConfigError` naming the variable, then the option, the value and
 * why: `HTTP_RESILIENT_MAX_CONNECTIONS (maxConnections): 0 is not a positive integer`, or, for a value that does
 * not parse, `HTTP_RESILIENT_TIMEOUT (timeout): "soon" is not a duration (e.g. "10 seconds")`. An option in
 * `overrides` replaces the environment's value — a protection given there replaces the environment's whole
 * section — which is then not read at all (whatever its variables hold), and its errors name the option, as
 * `layer`'s do.
 *
 * @example
 * ```ts
 * import { ResilientClient } from "effect-http-resilient/v4"
 *
 * // PAYMENTS_BASE_URL, PAYMENTS_TIMEOUT, PAYMENTS_CIRCUIT_BREAKER … from the environment; the headers from code
 * const Payments = ResilientClient.layerConfig("PAYMENTS", { headers: { "x-client": "checkout" } })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: (
  prefix?: string,
  overrides?: ClientOptions
) => Layer.Layer<ResilientClient, Config.ConfigError> = configEnv.layerConfig

/**
 * The options `layerConfig` reads, as a v4 `Config`: the options it lists, each only when its variable is set, and
 * a protection's section as `false` (switched off) or its options object (the circuit breaker's ratio knobs made
 * into `strategy: CircuitBreaker.ratio(...)`). The values are checked by the layer, not here, but for a value that
 * does not parse, a section switched off beside its settings and a ratio knob `CircuitBreaker.ratio` rejects.
 *
 * @example
 * ```ts
 * import { ConfigProvider, Effect } from "effect"
 * import { ResilientClient } from "effect-http-resilient/v4"
 *
 * const env = ConfigProvider.fromUnknown({ PAYMENTS: { BASE_URL: "https://pay.example.com", BULKHEAD: "false" } })
 * const options = Effect.runSync(ResilientClient.optionsFromConfig("PAYMENTS").parse(env))
 * // { baseUrl: "https://pay.example.com", bulkhead: false }
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const optionsFromConfig = (prefix: string): Config.Config<ClientOptions> => configEnv.optionsFromConfig(prefix)

/**
 * The client with every default, configurable from the environment with the `HTTP_RESILIENT_` prefix, protections
 * included (`HTTP_RESILIENT_CIRCUIT_BREAKER=false`, `HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT=50` …): it is
 * `layerConfig()` (see there for every variable), and a bad value names its variable. Nothing set: retry budget and
 * circuit breaker on, 10 s attempts, 30 s deadline.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, ResilientClientLive } from "effect-http-resilient/v4"
 *
 * // HTTP_RESILIENT_TIMEOUT="5 seconds" HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT=50 … tune it without a code change
 * const main = HttpResilient.get("https://api.example.com/health").pipe(Effect.provide(ResilientClientLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const ResilientClientLive: Layer.Layer<ResilientClient, Config.ConfigError> = layerConfig()

/**
 * An origin's breaker state (`"closed"` for one never seen); fails with `InvalidRequestError` for something that
 * names no origin.
 * @since 0.1.0
 * @category getters
 */
export const circuitState = (
  origin: string | URL
): Effect.Effect<CircuitState, InvalidRequestError, ResilientClient> =>
  Effect.flatMap(Effect.service(ResilientClient), (client) => client.circuitState(origin))

/**
 * The client's events, from the moment this returns. Each subscription has its own bounded backlog
 * (`Telemetry.eventBacklog`: 1,024 events, 16 MiB of response bodies kept alive by their errors); past either the
 * oldest are dropped (the newest is always kept) and counted in `Telemetry.eventsDropped`.
 * @since 0.1.0
 * @category events
 */
export const subscribe: Effect.Effect<PubSub.Subscription<ResilientEvent>, never, ResilientClient | Scope.Scope> =
  Effect.flatMap(Effect.service(ResilientClient), (client) => client.subscribe)

/**
 * The client's events as a stream (what is published after it starts).
 * @since 0.1.0
 * @category events
 */
export const events: Stream.Stream<ResilientEvent, never, ResilientClient> = Stream.unwrap(
  Effect.map(subscribe, Stream.fromSubscription)
)

export type {
  /**
   * The bulkhead in `Health.bulkheads`: attempts holding a slot (`inFlight`) and waiting (`queued`), out of
   * `maxConcurrent` and `maxQueue`.
   * @since 0.1.0
   * @category health
   */
  BulkheadHealth,
  /**
   * What `health` reports, in the root entry's shape: `healthy` (every breaker closed); `origins`, one
   * `OriginHealth` per breaker the client keeps in memory (at most `maxOrigins`, least recently used first; none when
   * breakers are off or kept in a store by `CircuitBreaker.persisted`); `bulkheads`, the client's compartment (none
   * when off); `retryBudget`, what the budget of the origin called last would grant now (`undefined` when off); `at`,
   * when it was read (epoch ms by the `Clock`).
   * @since 0.1.0
   * @category health
   */
  Health,
  /**
   * One breaker in `Health.origins` (this edition keys breakers by origin, so `key` is `origin` and `route` is
   * `undefined`): its `state`, attempts let through and not ended (`inFlight`), `retryAt` (when open),
   * `lastFailureAt`, and what the origin's retry budget would grant now (`retryBudget`).
   * @since 0.1.0
   * @category health
   */
  OriginHealth
} from "../../src/core/health.js"

/**
 * The client's health now, read from its breakers, bulkhead and retry budget; it sends nothing.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ResilientClient } from "effect-http-resilient/v4"
 *
 * // the origins whose breaker is not closed, with when each lets a probe through
 * const blocked = Effect.map(ResilientClient.health, ({ origins }) =>
 *   origins.flatMap(({ origin, retryAt, state }) => (state === "closed" ? [] : [{ origin, state, retryAt }])))
 * ```
 *
 * @since 0.1.0
 * @category health
 */
export const health: Effect.Effect<coreHealth.Health, never, ResilientClient> = healthOps.health

/**
 * For readiness probes: whether every breaker of the client is closed, or `origin`'s (an origin or a URL on it,
 * absolute or relative to `baseUrl`); bulkheads and the budget are in `health`. Breakers off: always `true`. Under
 * `CircuitBreaker.persisted`, `healthy(origin)` asks the store and `healthy()` sees no breaker. Something that names
 * no origin fails with `InvalidRequestError`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ResilientClient } from "effect-http-resilient/v4"
 *
 * // ready while the search upstream takes calls
 * const status = Effect.map(ResilientClient.healthy("https://search.example.com/v2"), (ready) => ready ? 200 : 503)
 * ```
 *
 * @since 0.1.0
 * @category health
 */
export const healthy: {
  (): Effect.Effect<boolean, never, ResilientClient>
  (origin: string | URL): Effect.Effect<boolean, InvalidRequestError, ResilientClient>
} = healthOps.healthy
