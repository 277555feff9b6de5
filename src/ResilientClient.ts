/**
 * The client service and its layers.
 *
 * `ResilientClientLive` is the client with every default, overridable from the environment
 * (`HTTP_RESILIENT_BASE_URL`, `HTTP_RESILIENT_TIMEOUT`, `HTTP_RESILIENT_MAX_CONNECTIONS` …).
 * `layer(options)` takes options in code; `layerConfig(prefix)` reads them from `Config`.
 * Every option is validated when the layer is built: a bad one fails the layer with a
 * `ConfigError` that names the option and says what is wrong with its value.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, ResilientClient } from "effect-http-resilient"
 *
 * const Client = ResilientClient.layer({ baseUrl: "https://api.example.com/v1", timeout: "5 seconds" })
 * const program = HttpResilient.get("users/1").pipe(Effect.provide(Client))
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type * as Undici from "undici"
import type { HttpResilientError, InvalidRequestError } from "./HttpResilientError.js"
import * as internal from "./internal/client.js"
import * as clientOps from "./internal/clientOps.js"
import type * as config from "./internal/config.js"
import * as configEnv from "./internal/configEnv.js"
import type * as cookieJar from "./internal/cookies.js"
import * as healthOps from "./internal/health.js"
import * as layers from "./internal/layers.js"
import type * as routes from "./internal/routes.js"
import type { CircuitState, ResilientEvent } from "./ResilientEvent.js"
import type * as Transport from "./Transport.js"

/**
 * The client service, what the tag `ResilientClient` holds: `request(method, url, options)`, one whole call (the
 * request's or the client's retry policy around attempts), and `subscribe`, a queue of the client's events for as
 * long as the scope lasts. The verbs of `HttpResilient` are built on `request`, `events` on `subscribe`.
 *
 * A service provided by hand (`Layer.succeed(ResilientClient, { request, subscribe })`, e.g. a stub) serves the
 * buffered verbs (`get`, `post` …) and `events`; the operations that need the parts of a client built by this
 * module's layers or `HttpResilientTest.layer` (`execute`, the streaming verbs, `warmUp`, `circuitState`,
 * `RetryBudget.available`) die with a defect saying so, and retry policies and `hedge` run as without a client (no
 * events, no retry budget).
 *
 * @since 0.1.0
 * @category models
 */
export type ResilientClientService = internal.ResilientClientService

/**
 * The client's tag.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ResilientClient } from "effect-http-resilient"
 *
 * // the service: a whole call, as the verbs make it
 * const status = Effect.flatMap(ResilientClient.ResilientClient, (client) =>
 *   Effect.map(client.request("GET", "https://api.example.com/health", undefined), (response) => response.status))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export const ResilientClient: typeof internal.ResilientClient = internal.ResilientClient

/**
 * @since 0.1.0
 * @category tags
 */
export type ResilientClient = internal.ResilientClient

/**
 * Statuses the client accepts: a predicate, or a list of statuses and inclusive `[from, to]` ranges.
 *
 * @since 0.1.0
 * @category models
 */
export type AcceptStatus = config.AcceptStatus

/**
 * What the `cookies` option takes besides `true`: tough-cookie's `CookieJar` (versions 5 and 6, any store) has all
 * it needs, `getCookieString(url)` and `setCookie(cookie, url, { ignoreError })`.
 *
 * @example
 * ```ts
 * import { CookieJar } from "tough-cookie"
 * import { ResilientClient } from "effect-http-resilient"
 *
 * // one jar for two clients, kept by the application
 * const jar = new CookieJar()
 * const Api = ResilientClient.layer({ baseUrl: "https://api.example.com", cookies: jar })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type CookieJar = cookieJar.CookieJar

/**
 * Options of a client. Every field is optional.
 *
 * - `baseUrl`: relative request URLs are appended to its path (`https://api/v1` + `users/1` → `https://api/v1/users/1`);
 *   its userinfo is sent as `Authorization: Basic` to its own origin, like a request URL's.
 * - `headers`: sent with every request; names are case-insensitive and a request's own headers win.
 * - `urlParams`: query parameters sent with every request, after the URL's own query and before the request's
 *   `urlParams` option (appended: a name in both is sent twice, the client's value first).
 * - `timeout`: per attempt, headers and body together. @default "10 seconds"
 * - `deadline`: for a call retried by the `retry` option, all attempts and waits together. @default "30 seconds"
 * - `maxConnections`: sockets per origin. @default 128
 * - `maxOrigins`: origins whose state the client keeps (circuit breakers, rate limiter pauses and in-memory quotas),
 *   freed when its scope closes. Past it the least recently used is forgotten — for breakers only a closed one: an
 *   open or half-open breaker is never forgotten to make room (a new origin's breaker is then not kept until one
 *   closes). @default 1000
 * - `acceptStatus`: statuses that are not an error. @default 200–399
 * - `acceptResponse`: a check on every buffered response whose status is accepted, `(response) => boolean` or an
 *   `Effect<boolean>`; `false` fails the attempt with `ResponseRejectedError` carrying the response, which
 *   `RetryPolicy` retries by default; a check that throws or fails is an `InterceptorError` (not retried). A
 *   request's own replaces it. @default none
 * - `maxResponseSize`: bytes read into memory per response; above it, `TransportError` `ResponseTooLarge`. @default 32 MiB
 * - `maxResponseSize`: bytes read into memory per response (decoded bytes, see `decompress`); above it,
 *   `TransportError` `ResponseTooLarge`. @default 32 MiB
 * - `decompress`: send `Accept-Encoding: gzip, deflate, br` (unless set) and decode such bodies, buffered and
 *   streamed; a corrupt encoded body is `TransportError` `ProtocolError`. @default true
 * - `followRedirects`: `false`, `true` (10) or the most redirects to follow within an attempt. A hop to another origin
 *   drops every secret header (see `redactHeaders`) and the request's `Host`. @default 10
 * - `allowInsecureRedirects`: follow a redirect from https: to http:; otherwise it fails with `TransportError`
 *   reason `InsecureRedirect` and nothing is sent in cleartext. @default false
 * - `cookies`: `true` keeps cookies in a jar of the client's own (tough-cookie, an optional peer loaded only then;
 *   without it the layer fails with a `ConfigError` naming `cookies`), or pass a tough-cookie `CookieJar`. Stored and
 *   sent by the jar's RFC 6265 rules, on every redirect hop; streams too. @default false
 * - `redactHeaders`: header names that are secret beside the rule: built-in `authorization`, `proxy-authorization`,
 *   `cookie`, `set-cookie`, `x-api-key`, `x-auth-token`, and any name containing `token`, `secret`, `password`,
 *   `passwd`, `signature`, `credential`, `apikey`, `api_key`, `api-key`, `session` or `auth`, or ending in `-key` /
 *   `_key` (except the standard `www-authenticate`, `proxy-authenticate`, `authentication-info`,
 *   `proxy-authentication-info`, `access-control-allow-credentials`, `idempotency-key`, `x-idempotency-key`,
 *   `sec-websocket-key`). A secret header's value is redacted everywhere it is shown, and the header is dropped by a
 *   redirect to another origin. Case-insensitive. @default []
 * - `redactQueryParams`: query parameter names that are secret beside the rule: any name containing one of the
 *   fragments above, and `code`, `jwt`, `key`, `pass`, `private_key`, `pwd`, `sig`. Their values are redacted in every
 *   URL shown (errors, events, logs, span `url.full`). Case-insensitive. @default []
 * - `retry`: a policy applied to every call (don't also retry at the call site). @default none
 * - pool: `keepAliveTimeout`, `connectTimeout`, `headersTimeout`, `bodyTimeout`, `pipelining`, `gracePeriod`, `tls`, `lookup` (see `Transport.UndiciPoolOptions`).
 * - `proxy`: a proxy URL (userinfo: Basic credentials), `{ uri, token?, noProxy? }` or `"env"` (`HTTP_PROXY`,
 *   `HTTPS_PROXY`, `NO_PROXY`): https: origins through a `CONNECT` tunnel, http: ones through a forward proxy;
 *   its credentials are redacted everywhere. @default none
 * - `tracing`: force spans on (`true`) or off (`false`); by default only when a tracer other than Effect's built-in one is installed.
 * - `interceptors`: request/response interceptors run on every attempt, in order (see `Interceptor`).
 * - `onRequest`, `onRetry`, `onSuccess`, `onFailure`: hooks taking the event (see `ResilientEvent`). A hook may
 *   return nothing, an Effect or a Promise; one that throws, fails or rejects is logged at Warning level with the
 *   hook's name and never fails the call nor reaches `unhandledRejection`.
 * - `circuitBreaker`: per-origin breakers — a strategy, `CircuitBreaker.CircuitBreakerOptions`, or `false`.
 *   @default ratio: ≥ 50 % of at least 20 attempts failing in 10 s; open 5 s; 1 probe
 * - `bulkhead`: attempts running at once, per client — `Bulkhead.BulkheadOptions` or `false`.
 *   @default 1000 concurrent, no queue
 * - `rateLimiter`: a quota per origin or key — `RateLimiter.RateLimiterOptions` or `false`. @default off
 * - `retryBudget`: per-origin cap on retries and hedges, following the origin's health —
 *   `RetryBudget.RetryBudgetOptions` or `false`. @default 80 % × the share of the origin's attempts that succeeded
 *   in 10 s, plus 10 per second
 * - `hedge`: `{ delay, maxHedges }` hedges every attempt of every call (idempotent requests only), like
 *   `HttpResilient.hedge` around each one. @default off
 * - `routes`: per-route policies (see `RouteOptions`): the first route whose `match` holds for a call sets its
 *   `retry`, `timeout`, `deadline`, `acceptStatus`, `circuitBreaker` and `bulkhead`; what it leaves unset, and every
 *   call no route matches, has the client's. @default none
 *
 * Each attempt passes, in order: deadline → rate limiter → bulkhead → circuit breaker → interceptors → transport.
 *
 * @since 0.1.0
 * @category models
 */
export type ClientOptions = config.ClientOptions

/**
 * Which calls a route takes (`RouteOptions.match`); every field given must hold, and an empty `match` takes every
 * call.
 *
 * - `origin`: the origin of the call's URL (joined to `baseUrl`), e.g. `"https://api.example.com"` — no path.
 * - `pathPrefix`: the URL's path (the whole path, `baseUrl`'s included) is this or goes on below it: `"/v1/search"`
 *   takes `/v1/search` and `/v1/search/x`, not `/v1/searches` (a prefix ending in `/` takes any path starting with
 *   it).
 * - `method`: the request's method, or one of a list (`"GET"`, `["PUT", "PATCH"]`; standard methods in any case).
 *
 * @since 0.1.0
 * @category models
 */
export type RouteMatch = routes.RouteMatch

/**
 * One entry of the client option `routes`: what it `match`es, and the client options it sets for those calls. The
 * first route that matches a call (in the order of `routes`) wins; an option it leaves unset is the client's, and a
 * request's own `retry`, `timeout`, `deadline` and `acceptStatus` still win over the route's. A call's route is
 * chosen once, from its method and its URL (a `failover` URL keeps the primary's route). A client without routes
 * does no matching at all.
 *
 * - `retry`: the route's retry policy, or `false` for none. @default the client's
 * - `timeout`, `deadline`: as the client's options of those names. @default the client's
 * - `acceptStatus`: statuses that are not an error for the route's calls. @default the client's
 * - `circuitBreaker`: the route's own breakers (a strategy or `CircuitBreaker.CircuitBreakerOptions`, kept apart from
 *   the client's, by their own `key`), or `false` for none. Unset, the route uses the client's breakers; with the
 *   client's `circuitBreaker.key: "route"` it has its own breaker per origin among them. @default the client's
 * - `bulkhead`: the route's own compartment (`Bulkhead.BulkheadOptions`: its own slots and queue), or `false`
 *   for none. @default the client's (shared with every call that has no compartment of its own)
 *
 * The rate limiter, the retry budget, hedging and everything else stay the client's. Streamed calls (`stream`,
 * `lines`, `ndjson`, `sse`) take the client's policies.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, ResilientClient, RetryPolicy } from "effect-http-resilient"
 *
 * const Client = ResilientClient.layer({
 *   baseUrl: "https://api.example.com",
 *   retry: RetryPolicy.default,
 *   // a failing /search opens only its own breaker: the rest of the origin keeps working
 *   circuitBreaker: { key: "route", strategy: CircuitBreaker.consecutive(5) },
 *   routes: [
 *     { match: { pathPrefix: "/search" }, timeout: "2 seconds", bulkhead: { maxConcurrent: 20 } },
 *     { match: { method: "POST", pathPrefix: "/payments" }, retry: false, acceptStatus: [[200, 299], 409] }
 *   ]
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type RouteOptions = routes.RouteOptions

/**
 * A client with the given options over a scoped undici pool.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, ResilientClient, RetryPolicy } from "effect-http-resilient"
 *
 * const GitHub = ResilientClient.layer({
 *   baseUrl: "https://api.github.com",
 *   headers: { accept: "application/vnd.github+json" },
 *   timeout: "5 seconds",
 *   retry: RetryPolicy.default
 * })
 * const repo = HttpResilient.get("repos/Effect-TS/effect").pipe(Effect.provide(GitHub))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (options?: ClientOptions) => Layer.Layer<ResilientClient, ConfigError.ConfigError> = layers.layer

/**
 * A client whose options come from `Config` under `prefix` (from the environment by default:
 * `PREFIX_BASE_URL`, `PREFIX_TIMEOUT`, `PREFIX_DEADLINE`, `PREFIX_MAX_CONNECTIONS`, `PREFIX_MAX_RESPONSE_SIZE`,
 * `PREFIX_FOLLOW_REDIRECTS`, `PREFIX_KEEP_ALIVE_TIMEOUT`, `PREFIX_CONNECT_TIMEOUT`, `PREFIX_REDACT_HEADERS`,
 * `PREFIX_REDACT_QUERY_PARAMS`, `PREFIX_ALLOW_INSECURE_REDIRECTS`, `PREFIX_TRACING`, `PREFIX_DECOMPRESS`, `PREFIX_PROXY`
 * (a proxy URL, or `env`), and the protections' sections
 * below), with `overrides` on top.
 *
 * Each protection is a section: a switch (`false` turns it off, `true` keeps its defaults) and its settings, the
 * option's path in SCREAMING_SNAKE; unset, a setting keeps its default.
 * - `PREFIX_CIRCUIT_BREAKER`; `PREFIX_CIRCUIT_BREAKER_THRESHOLD`, `_MIN_THROUGHPUT`, `_WINDOW` (the default ratio
 *   strategy's, checked by `CircuitBreaker.ratio` as they are read), `_BREAK_DURATION`, `_BACKOFF_FACTOR`,
 *   `_MAX_BREAK_DURATION`, `_PROBES`
 * - `PREFIX_BULKHEAD`; `PREFIX_BULKHEAD_MAX_CONCURRENT`, `_MAX_QUEUE`, `_QUEUE_TIMEOUT`
 * - `PREFIX_RETRY_BUDGET`; `PREFIX_RETRY_BUDGET_RATIO`, `_WINDOW`, `_MIN_RETRIES_PER_SECOND`
 * - `PREFIX_RATE_LIMITER`; `PREFIX_RATE_LIMITER_LIMIT` and `_WINDOW` (together they turn a limiter on), `_ALGORITHM`
 *   (`token-bucket` or `fixed-window`)
 *
 * A switch `false` beside a setting of its section is a `ConfigError` naming both.
 *
 * A value read from the environment that is not valid fails the layer with a `ConfigError` at the variable's
 * config path that names the variable, then the option:
 * `HTTP_RESILIENT_MAX_CONNECTIONS (maxConnections): 0 is not an integer from 1 to 65536`, or for a section's setting
 * `HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT (bulkhead.maxConcurrent): 0 is not an integer ≥ 1` at
 * `HTTP_RESILIENT.BULKHEAD.MAX_CONCURRENT` (a value that does not parse at all, such as
 * `HTTP_RESILIENT_MAX_CONNECTIONS=many`, is reported by `Config` at the same path). An option in `overrides` replaces
 * the environment's value — a protection given there replaces the environment's whole section — which is then not
 * read at all (whatever its variables hold), and its errors name the option, as `layer`'s do.
 *
 * @example
 * ```ts
 * import { ResilientClient } from "effect-http-resilient"
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
) => Layer.Layer<ResilientClient, ConfigError.ConfigError> = configEnv.layerConfig

/**
 * The options `layerConfig` reads, as a `Config`: the options it lists, each only when its variable is set, and a
 * protection's section as `false` (switched off) or its options object (the circuit breaker's ratio knobs made into
 * `strategy: CircuitBreaker.ratio(...)`). The values are checked by the layer, not here, but for a section switched
 * off beside its settings and a ratio knob `CircuitBreaker.ratio` rejects.
 *
 * @example
 * ```ts
 * import { ConfigProvider, Effect } from "effect"
 * import { ResilientClient } from "effect-http-resilient"
 *
 * const env = ConfigProvider.fromJson({ PAYMENTS: { BASE_URL: "https://pay.example.com", BULKHEAD: "false" } })
 * const options = Effect.runSync(Effect.withConfigProvider(ResilientClient.optionsFromConfig("PAYMENTS"), env))
 * assert.deepStrictEqual(options, { baseUrl: "https://pay.example.com", bulkhead: false })
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const optionsFromConfig: (prefix: string) => Config.Config<ClientOptions> = configEnv.optionsFromConfig

/**
 * The client with every default, configurable from the environment with the `HTTP_RESILIENT_` prefix, protections
 * included (`HTTP_RESILIENT_CIRCUIT_BREAKER=false`, `HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT=50` …): it is
 * `layerConfig()` (see there for every variable), and a bad value names its variable
 * (`HTTP_RESILIENT_TIMEOUT (timeout): 0 is not a positive …`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, ResilientClient } from "effect-http-resilient"
 *
 * // HTTP_RESILIENT_TIMEOUT="5 seconds" HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT=50 … tune it without a code change
 * const main = HttpResilient.get("https://api.example.com/health").pipe(
 *   Effect.provide(ResilientClient.ResilientClientLive)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const ResilientClientLive: Layer.Layer<ResilientClient, ConfigError.ConfigError> = layerConfig()

/**
 * A client over any `@effect/platform` `HttpClient` in context, e.g. `FetchHttpClient.layer`.
 *
 * Redirects follow the client's rules as over undici: fetch is asked for `redirect: "manual"` and never follows one
 * itself. A custom `FetchHttpClient.Fetch` is used when it is provided where this layer (or the call) sees it.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 * import { ResilientClient } from "effect-http-resilient"
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
export const layerFromHttpClient: (
  options?: ClientOptions
) => Layer.Layer<ResilientClient, ConfigError.ConfigError, HttpClient.HttpClient> = layers.layerFromHttpClient

/**
 * A client over an undici dispatcher you own; it is never closed by the client.
 *
 * @example
 * ```ts
 * import { ProxyAgent } from "undici"
 * import { ResilientClient } from "effect-http-resilient"
 *
 * // through a proxy; the agent is yours to close
 * const proxy = new ProxyAgent("http://proxy.internal:3128")
 * const Client = ResilientClient.layerFromDispatcher(proxy, { timeout: "5 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromDispatcher: (
  dispatcher: Undici.Dispatcher,
  options?: ClientOptions
) => Layer.Layer<ResilientClient, ConfigError.ConfigError> = layers.layerFromDispatcher

/**
 * A client over whatever `Transport` is in context (the test kit's scripted transport, for example).
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { ResilientClient, Transport } from "effect-http-resilient"
 *
 * const Client = ResilientClient.layerWithTransport({ timeout: "5 seconds" }).pipe(
 *   Layer.provide(Transport.layerUndici({ connections: 16, keepAliveTimeout: "30 seconds" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithTransport: (
  options?: ClientOptions
) => Layer.Layer<ResilientClient, ConfigError.ConfigError, Transport.Transport> = layers.layerWithTransport

/**
 * Opens `connections` sockets to `origin` (an absolute URL, or relative to `baseUrl`; only its origin counts) and
 * returns once they are open and idle, so that the next that many concurrent requests to it open none and skip the
 * TCP and TLS handshakes. Sockets already warm for the origin count. A warm socket left unused for the pool's
 * `keepAliveTimeout` is closed, like an idle keep-alive connection.
 *
 * Works with the client's own pool (`layer`, `layerConfig`, `ResilientClientLive`); a client over a given
 * dispatcher or `HttpClient` fails with `InvalidRequestError`. A connect failure is a `TransportError`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, ResilientClient } from "effect-http-resilient"
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
) => Effect.Effect<void, HttpResilientError, ResilientClient> = clientOps.warmUp

/**
 * Everything the client publishes from the moment the stream is run (`RequestStarted`, `AttemptFailed`,
 * `Succeeded` from every attempt; `RetryScheduled`, `Failed` from retry policies; `CircuitStateChanged`,
 * `RetryBudgetExhausted` from the protections). The stream subscribes when it starts running: to miss nothing
 * of a call made right after, use `subscribe`. Its backlog is bounded as `subscribe`'s.
 *
 * @example
 * ```ts
 * import { Duration, Effect, Stream } from "effect"
 * import { ResilientClient } from "effect-http-resilient"
 *
 * // log every retry the client schedules; fork it next to the application
 * const logRetries = ResilientClient.events.pipe(
 *   Stream.runForEach((event) =>
 *     event._tag === "RetryScheduled"
 *       ? Effect.logInfo(`retrying ${event.url} in ${Duration.format(event.delay)} (${event.reason})`)
 *       : Effect.void
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category events
 */
export const events: Stream.Stream<ResilientEvent, never, ResilientClient> = clientOps.events

/**
 * A queue of events, subscribed when this returns: subscribe, then call, and miss nothing.
 *
 * The queue is sliding and bounded: it holds at most 1,024 events (`Telemetry.eventBacklog.capacity`), and the
 * response bodies carried by their errors at most 16 MiB together (`Telemetry.eventBacklog.maxBodyBytes`). An
 * undrained subscription drops its oldest events to make room (the newest is always kept); each dropped event is
 * counted in `Telemetry.eventsDropped` (`http_resilient.events.dropped`).
 *
 * @example
 * ```ts
 * import { Chunk, Effect, Queue } from "effect"
 * import { HttpResilient, HttpResilientTest, ResilientClient } from "effect-http-resilient"
 *
 * const program = Effect.gen(function*() {
 *   const events = yield* ResilientClient.subscribe
 *   yield* HttpResilient.get("http://api.test/x")
 *   return Chunk.toArray(yield* Queue.takeAll(events)).map((event) => event._tag)
 * }).pipe(Effect.scoped, Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)])))
 * Effect.runPromise(program).then((tags) => assert.deepStrictEqual(tags, ["RequestStarted", "Succeeded"]))
 * ```
 *
 * @since 0.1.0
 * @category events
 */
export const subscribe: Effect.Effect<Queue.Dequeue<ResilientEvent>, never, ResilientClient | Scope.Scope> =
  clientOps.subscribe

/**
 * The state of the circuit breaker of an origin (`"closed"` for an origin never called, or when breakers are
 * off). Pass an origin or any URL on it — absolute, or relative to the client's `baseUrl`, as a request's URL
 * would be. An open breaker whose break is over reads — and becomes — half-open.
 *
 * Something that is not an http: or https: URL (or a relative one with no `baseUrl`) names no origin: it fails
 * with `InvalidRequestError` `reason: "InvalidUrl"` (its `detail` says what is wrong), instead of reading as the
 * `"closed"` breaker of an origin that cannot exist.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ResilientClient } from "effect-http-resilient"
 *
 * const state = ResilientClient.circuitState("https://api.example.com")
 * // Effect<"closed" | "open" | "half-open", InvalidRequestError, ResilientClient>
 * ```
 *
 * @since 0.1.0
 * @category circuit breaker
 */
export const circuitState: (
  origin: string | URL
) => Effect.Effect<CircuitState, InvalidRequestError, ResilientClient> = clientOps.circuitState

/**
 * One circuit breaker of the client in `Health.origins`: per origin under the default `circuitBreaker.key`, else per
 * key (`"route"`: per route and origin; a function: per value it returned).
 *
 * - `key`: the breaker's key (the origin under the default key); `origin`: the origin of the calls it counts;
 *   `route`: the route (`routes[i]`) whose own breaker it is, or that it is kept for under `key: "route"`.
 * - `state`: `"closed"`, `"open"` or `"half-open"` (reading it turns an open breaker whose break is over half-open).
 * - `inFlight`: attempts the breaker let through that have not ended.
 * - `retryAt`: when an open breaker lets a probe through (epoch ms by the `Clock`); `undefined` unless open.
 * - `lastFailureAt`: when an attempt last failed by the breaker's rule (epoch ms by the `Clock`); `undefined`: never.
 * - `retryBudget`: retries the origin's retry budget would grant now (`undefined` when it is off).
 *
 * @since 0.1.0
 * @category health
 */
export type OriginHealth = healthOps.OriginHealth

/**
 * One bulkhead compartment in `Health.bulkheads`: the client's (`route: undefined`) or a route's own; `inFlight`
 * attempts hold a slot, `queued` wait for one, out of `maxConcurrent` and `maxQueue`.
 *
 * @since 0.1.0
 * @category health
 */
export type BulkheadHealth = healthOps.BulkheadHealth

/**
 * What `health` reports: `healthy` (every breaker closed), `origins` (one entry per breaker the client keeps — at
 * most `maxOrigins` per set of breakers, least recently used first; empty when breakers are off or nothing was
 * called), `bulkheads` (the client's compartment, then each route's own; empty when off), `retryBudget` (retries the
 * budget of the origin called last would grant now, as `RetryBudget.available`; `undefined` when off; each origin's
 * own is in `origins`) and `at` (when it was read, epoch ms by the `Clock`).
 *
 * @since 0.1.0
 * @category health
 */
export type Health = healthOps.Health

/**
 * The client's health now, from its protections' own state: for each breaker (per origin, or per route or key) its
 * state, attempts in flight, when it lets a probe through and when an attempt last failed; each bulkhead
 * compartment's attempts in flight and queued; the retry budget left. Reading it sends nothing.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ResilientClient } from "effect-http-resilient"
 *
 * // log what is not closed
 * const report = Effect.flatMap(ResilientClient.health, (health) =>
 *   Effect.forEach(
 *     health.origins.filter((origin) => origin.state !== "closed"),
 *     (origin) => Effect.logWarning(`${origin.key} is ${origin.state}, ${origin.inFlight} in flight`)
 *   ))
 * ```
 *
 * @since 0.1.0
 * @category health
 */
export const health: Effect.Effect<Health, never, ResilientClient> = healthOps.health

/**
 * For readiness probes: `true` when every circuit breaker of the client is closed — of `origin`'s calls only, when
 * given (an origin or any URL on it, absolute or relative to `baseUrl`, as `circuitState` takes it; with
 * `circuitBreaker.key` `"route"` or a function, every breaker counting calls to that origin). An open or half-open
 * breaker makes it `false`; bulkheads and the retry budget are in `health`, not here. A client with breakers off is
 * always healthy. Something that names no origin fails with `InvalidRequestError`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ResilientClient } from "effect-http-resilient"
 *
 * // a /ready handler: 503 while the payments upstream's breaker is not closed
 * const ready = Effect.map(ResilientClient.healthy("https://payments.example.com"), (ok) => (ok ? 200 : 503))
 * ```
 *
 * @since 0.1.0
 * @category health
 */
export const healthy: {
  (): Effect.Effect<boolean, never, ResilientClient>
  (origin: string | URL): Effect.Effect<boolean, InvalidRequestError, ResilientClient>
} = healthOps.healthy
