/**
 * The client's options as a user writes them (`ResilientClient.layer(options)`), with their docs; checked and
 * resolved in config.ts.
 * @internal
 */
import type * as Duration from "effect/Duration"
import type * as Schedule from "effect/Schedule"
import type { AcceptStatus } from "../core/acceptStatus.js"
import type { HeadersInput } from "../core/headers.js"
import type { CommonClientOptions } from "../core/options.js"
import type { UrlParamsInput } from "../core/url.js"
import type { HttpResilientError } from "../HttpResilientError.js"
import type { Failed, RequestStarted, RetryScheduled, Succeeded } from "../ResilientEvent.js"
import type { AcceptResponse } from "./acceptResponse.js"
import type { BulkheadOptions } from "./bulkhead.js"
import type { CircuitBreakerOptions, Strategy } from "./circuitBreaker.js"
import type { CookieJar } from "./cookies.js"
import type { HedgeOptions } from "./hedge.js"
import type { Interceptor } from "./interceptor.js"
import type { RateLimiterOptions } from "./rateLimiter.js"
import type { RetryBudgetOptions } from "./schema/protections.js"
import type { ProxyOption } from "./schema/proxy.js"
import type { RouteOptions } from "./schema/routes.js"
import type { UndiciPoolOptions } from "./transport.js"

/**
 * A hook: a plain function, or one returning an Effect or a Promise. A hook that throws, fails or rejects is logged
 * (Warning, naming the hook) and ignored.
 * @internal
 */
export type Hook<E> = (event: E) => unknown

/** @internal */
export interface ClientOptions extends CommonClientOptions<Duration.DurationInput, AcceptStatus, HeadersInput> {
  /**
   * Query parameters added to every request, in the shapes the request option `urlParams` takes. A request's URL
   * keeps its own query first; then come these, then the request's `urlParams` option, appended: nothing is
   * replaced, so a name given by both is sent twice, the client's value first (a server that reads the last value
   * sees the request's). Secret names are redacted wherever the URL is shown, like any query parameter. Not read
   * from the environment (a map of names to values, like `headers`).
   * @since 0.1.0
   * @default none
   * @example
   * ```ts
   * import { ResilientClient } from "effect-http-resilient"
   *
   * // every request carries ?api-version=2024-06-01 (before the request's own urlParams)
   * const Client = ResilientClient.layer({ urlParams: { "api-version": "2024-06-01" } })
   * ```
   */
  readonly urlParams?: UrlParamsInput | undefined
  /**
   * A check on every buffered response whose status `acceptStatus` accepted: `true` (or an Effect succeeding with
   * `true`) makes it the answer; `false` fails the attempt with `ResponseRejectedError` carrying the response, which
   * `RetryPolicy` retries by default. A check that throws, fails, dies or answers something other than a boolean
   * fails the attempt with `InterceptorError` (interceptor `"acceptResponse"`), not retried. A request's own
   * `acceptResponse` replaces it. Streamed responses are not checked (their body is not in memory).
   * @since 0.1.0
   * @default none (every accepted status is the answer)
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { ResilientClient } from "effect-http-resilient"
   *
   * // a 200 whose JSON says { "status": "pending" } is not an answer yet: retried like a 503
   * const Client = ResilientClient.layer({
   *   acceptResponse: (response) =>
   *     Effect.map(response.json, (body) => (body as { status?: string }).status !== "pending")
   * })
   * ```
   */
  readonly acceptResponse?: AcceptResponse | undefined
  /**
   * Undo a gzip, deflate or br `Content-Encoding` (several stacked, too), for buffered and streamed bodies
   * (`stream`, `lines`, `ndjson`, `sse`), and send `Accept-Encoding: gzip, deflate, br` unless the client's or the
   * request's headers set one. `maxResponseSize` counts decoded bytes: a decompression bomb stops at the limit with
   * `TransportError` `ResponseTooLarge` and the socket is closed, not read to its end. A decoded response has no
   * `content-encoding` nor `content-length` header any more (they described the encoded bytes). A body that is not
   * what its `Content-Encoding` says is `TransportError` `ProtocolError` (the server broke the protocol; not
   * transient, so not retried). An unknown coding (`zstd`, `compress`) is passed through with its header. `false`:
   * no `Accept-Encoding` is sent and every body is passed through as received. Applies to the client's undici
   * transport (`layer`, `layerFromDispatcher`, `Transport.layerUndici`); another transport decodes, or not, as it does.
   * @since 0.1.0
   * @default true
   * @example
   * ```ts
   * import { ResilientClient } from "effect-http-resilient"
   *
   * // keep the bytes as the server sent them (a proxy, a cache of encoded bodies)
   * const Client = ResilientClient.layer({ decompress: false })
   * ```
   */
  readonly decompress?: boolean | undefined
  readonly followRedirects?: boolean | number | undefined
  /**
   * Query parameter names that are secret beside the rule (see `Telemetry`); case-insensitive.
   * @since 0.1.0
   * @default []
   */
  readonly redactQueryParams?: ReadonlyArray<string> | undefined
  /**
   * Follow a redirect from https: to http: (otherwise `TransportError` reason `InsecureRedirect`).
   * @since 0.1.0
   * @default false
   */
  readonly allowInsecureRedirects?: boolean | undefined
  /**
   * Cookies: `true` keeps them in a jar of the client's own (tough-cookie's `CookieJar` in memory; tough-cookie is
   * an optional peer, loaded when the layer is built and only then — without it the layer fails with a `ConfigError`
   * naming `cookies` and how to install it), or give a `CookieJar` of yours (shared, persisted, inspected). Every
   * `Set-Cookie` is stored by the jar's RFC 6265 rules and every request carries the cookies the jar sends to its
   * URL, on every redirect hop too: a hop to another origin carries only what the jar sends there (the request's own
   * `cookie` header is dropped like any secret header). Cookie values stay secret: never shown by errors, events,
   * logs or spans. Streams too. Not read from the environment.
   * @since 0.1.0
   * @default false
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { HttpResilient, ResilientClient } from "effect-http-resilient"
   *
   * // the session cookie set by the login is sent with the next calls to the same site
   * const Client = ResilientClient.layer({ baseUrl: "https://app.example.com", cookies: true })
   * const me = HttpResilient.post("login", { form: { user: "ada", password: "…" } }).pipe(
   *   Effect.zipRight(HttpResilient.get("me")),
   *   Effect.provide(Client)
   * )
   * ```
   */
  readonly cookies?: boolean | CookieJar | undefined
  readonly retry?: Schedule.Schedule<unknown, HttpResilientError, never> | false | undefined
  readonly keepAliveTimeout?: Duration.DurationInput | undefined
  readonly connectTimeout?: Duration.DurationInput | undefined
  readonly headersTimeout?: Duration.DurationInput | undefined
  readonly bodyTimeout?: Duration.DurationInput | undefined
  readonly pipelining?: number | undefined
  readonly gracePeriod?: Duration.DurationInput | undefined
  readonly tls?: UndiciPoolOptions["tls"]
  /**
   * Send every request through an HTTP proxy: `https:` origins through a `CONNECT` tunnel, `http:` origins as
   * absolute-form requests to the proxy (a forward proxy). A proxy URL (its userinfo becomes `Proxy-Authorization:
   * Basic …`), or `{ uri, token?, noProxy? }` (`token`: the whole `Proxy-Authorization` value, e.g. `"Bearer …"`,
   * used instead of the userinfo; `noProxy`: hosts that go direct, as a `NO_PROXY` string or a list), or `"env"`:
   * `HTTP_PROXY` for http: origins, `HTTPS_PROXY` for https: ones and `NO_PROXY` (lower-case names first, as curl
   * reads them), read when the layer is built; neither set means no proxy. A `noProxy` entry is a host name (its
   * subdomains too), `host:port`, or `*` for every host. Built on undici's `EnvHttpProxyAgent` / `ProxyAgent`.
   * Proxy credentials are secrets: the URL's userinfo and the token are redacted wherever the value is shown (a
   * bad value fails the layer with a `ConfigError` naming `proxy`, the redacted value and why). A proxy that
   * refuses the credentials (407) is `InvalidRequestError` (reason `InvalidOption`: not retried); one that cannot
   * reach the origin (a `CONNECT` answered otherwise) is `TransportError` `ConnectionRefused`. `warmUp` is not
   * available through a proxy.
   * @since 0.1.0
   * @default none (direct connections)
   * @example
   * ```ts
   * import { ResilientClient } from "effect-http-resilient"
   *
   * const Corporate = ResilientClient.layer({
   *   proxy: { uri: "http://proxy.internal:3128", token: "Basic dXNlcjpwYXNz", noProxy: ["localhost", ".internal"] }
   * })
   * // or from HTTP_PROXY / HTTPS_PROXY / NO_PROXY
   * const FromEnv = ResilientClient.layer({ proxy: "env" })
   * ```
   */
  readonly proxy?: ProxyOption | undefined
  readonly lookup?: UndiciPoolOptions["lookup"]
  readonly tracing?: boolean | undefined
  readonly interceptors?: ReadonlyArray<Interceptor> | undefined
  readonly onRequest?: Hook<RequestStarted> | undefined
  readonly onRetry?: Hook<RetryScheduled> | undefined
  readonly onSuccess?: Hook<Succeeded> | undefined
  readonly onFailure?: Hook<Failed> | undefined
  readonly circuitBreaker?: Strategy | CircuitBreakerOptions | false | undefined
  readonly bulkhead?: BulkheadOptions | false | undefined
  readonly rateLimiter?: RateLimiterOptions | false | undefined
  readonly retryBudget?: RetryBudgetOptions | false | undefined
  readonly hedge?: HedgeOptions | false | undefined
  /**
   * Per-route policies: the first route whose `match` holds for a call sets its `retry`, `timeout`, `deadline`,
   * `acceptStatus`, `circuitBreaker` and `bulkhead`; what it leaves unset is the client's (see `routes.ts`).
   * @since 0.1.0
   * @default none
   */
  readonly routes?: ReadonlyArray<RouteOptions> | undefined
}
