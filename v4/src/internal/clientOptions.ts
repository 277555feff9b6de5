/**
 * The options of `ResilientClient.layer` and their resolution: each option read and checked once per layer (a bad
 * one throws a `RangeError` naming it), its default applied.
 * @internal
 */
import * as Duration from "effect/Duration"
import type * as Schedule from "effect/Schedule"
import { type AcceptStatus, isAcceptStatus, toAcceptStatus } from "../../../src/core/acceptStatus.js"
import { bulkheadDefaults } from "../../../src/core/bulkhead.js"
import { type CookieJar, cookiesExpected, isCookieJar, isCookiesOption } from "../../../src/core/cookies.js"
import { millisDuration, nonNegativeDuration, positiveDuration } from "../../../src/core/durationRules.js"
import { type HeadersInput, lowerCaseHeaders } from "../../../src/core/headers.js"
import type { CommonClientOptions, PoolOptionsOf } from "../../../src/core/options.js"
import { defaultGraceMillis, defaultKeepAliveMillis, type TlsOptions } from "../../../src/core/pool.js"
import {
  isProxyOption,
  ProxyEnvError,
  proxyExpected,
  type ProxyOption,
  type ProxySettings,
  proxyUrlExpected,
  resolveProxy
} from "../../../src/core/proxy.js"
import { RetryBudgetAccount, RetryBudgetRegistry } from "../../../src/core/retryBudget.js"
import { redactValue, Secrets } from "../../../src/core/secrets.js"
import type { UrlParamsInput } from "../../../src/core/url.js"
import * as CircuitBreaker from "../CircuitBreaker.js"
import type { HttpResilientError } from "../HttpResilientError.js"
import type * as Events from "../ResilientEvent.js"
import { type RetryBudgetOptions, settingsOf as budgetSettings } from "../RetryBudget.js"
import type { AcceptResponse } from "./acceptResponse.js"
import { Bulkhead, type BulkheadOptions } from "./bulkhead.js"
import { type HedgeOptions, settingsOf as hedgeOf } from "./hedge.js"
import { type Interceptor, interceptorsOf } from "./interceptor.js"
import { BadOption, badOption, millisOf, numberOf, optionalMillis } from "./options.js"
import { type RateLimiterOptions, settingsOf as rateLimiterSettings } from "./rateLimiter.js"
import { checkKey, type RouteOptions, routesOf } from "./routes.js"

/** A hook: a function of the event; it may return an Effect or a Promise. Failures are logged, never fail a call. */
export type Hook<E> = (event: E) => unknown

/**
 * The options of `ResilientClient.layer` (the same names and defaults as the root entry's): `baseUrl`, `headers`,
 * `timeout` (each attempt's, default 10 s), `deadline` (each call's across its retries, default 30 s),
 * `maxConnections` (per origin, default 128), `maxOrigins` (breakers and retry budgets remembered, default 1000), `acceptStatus`
 * (default 2xx–3xx), `maxResponseSize` (default 32 MiB), `redactHeaders`, and the ones below.
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions
  extends CommonClientOptions<Duration.Input, AcceptStatus, HeadersInput>, PoolOptionsOf<Duration.Input>
{
  /** query parameters added to every request, after the URL's own and before the request's `urlParams` */
  readonly urlParams?: UrlParamsInput | undefined
  /** retries around every call (don't also retry at the call site) @default none */
  readonly retry?: Schedule.Schedule<unknown, HttpResilientError, HttpResilientError> | false | undefined
  /** @default ratio: ≥ 50 % failing of ≥ 20 attempts in 10 s; open 5 s; 1 probe */
  readonly circuitBreaker?: CircuitBreaker.Strategy | CircuitBreaker.CircuitBreakerOptions | false | undefined
  /** follow redirects inside an attempt (`true`: up to 10; a number: up to that many) @default 10 */
  readonly followRedirects?: boolean | number | undefined
  /** follow a redirect from https: to http: (else `TransportError` reason `InsecureRedirect`) @default false */
  readonly allowInsecureRedirects?: boolean | undefined
  /**
   * Undo a gzip, deflate or br `Content-Encoding` (several stacked, too), for buffered and streamed bodies, and send
   * `Accept-Encoding: gzip, deflate, br` unless the client's or the request's headers set one. `maxResponseSize`
   * counts decoded bytes (a decompression bomb stops at the limit with `TransportError` `ResponseTooLarge`, the
   * socket closed). A decoded response has no `content-encoding` nor `content-length` header. A body that is not
   * what its `Content-Encoding` says is `TransportError` `ProtocolError` (not retried). An unknown coding is passed
   * through with its header. `false`: no `Accept-Encoding` is sent and every body is passed through as received.
   * Applies to the client's undici pool and `layerFromDispatcher`; the test kit's scripted transport does not decode.
   * @since 0.1.0
   * @default true
   * @example
   * ```ts
   * import { ResilientClient } from "effect-http-resilient/v4"
   *
   * // keep the bytes as the server sent them (a proxy, a cache of encoded bodies)
   * const Client = ResilientClient.layer({ decompress: false })
   * ```
   */
  readonly decompress?: boolean | undefined
  /** TLS settings of the pool's connections */
  readonly tls?: TlsOptions | undefined
  /**
   * Send every request through an HTTP proxy: `https:` origins through a `CONNECT` tunnel, `http:` origins as
   * absolute-form requests to the proxy (a forward proxy). A proxy URL (its userinfo becomes `Proxy-Authorization:
   * Basic …`), or `{ uri, token?, noProxy? }` (`token`: the whole `Proxy-Authorization` value, e.g. `"Bearer …"`,
   * used instead of the userinfo; `noProxy`: hosts that go direct, as a `NO_PROXY` string or a list), or `"env"`:
   * `HTTP_PROXY` for http: origins, `HTTPS_PROXY` for https: ones and `NO_PROXY` (lower-case names first, as curl
   * reads them), read when the layer is built; neither set means no proxy. A `noProxy` entry is a host name (its
   * subdomains too), `host:port`, or `*` for every host. The same rules as the root entry's (src/core/proxy.ts).
   * Proxy credentials are secrets: the URL's userinfo and the token are redacted wherever the value is shown (a
   * bad value fails the layer with a `ConfigError` naming `proxy`, the redacted value and why). A proxy that
   * refuses the credentials (407) is `InvalidRequestError` (reason `InvalidOption`: not retried); one that cannot
   * reach the origin (a `CONNECT` answered otherwise) is `TransportError` `ConnectionRefused`. `warmUp` is not
   * available through a proxy. `layerConfig` reads it from `PREFIX_PROXY` (a proxy URL, or `env`).
   * @since 0.1.0
   * @category options
   * @default none (direct connections)
   * @example
   * ```ts
   * import { ResilientClient } from "effect-http-resilient/v4"
   *
   * const Corporate = ResilientClient.layer({
   *   proxy: { uri: "http://proxy.internal:3128", token: "Basic dXNlcjpwYXNz", noProxy: ["localhost", ".internal"] }
   * })
   * // or from HTTP_PROXY / HTTPS_PROXY / NO_PROXY
   * const FromEnv = ResilientClient.layer({ proxy: "env" })
   * ```
   */
  readonly proxy?: ProxyOption | undefined
  /**
   * Cookies: `true` keeps them in a jar of the client's own (tough-cookie's `CookieJar` in memory, loaded when the
   * layer is built and only then — when it cannot be loaded the layer fails with a `ConfigError` naming `cookies`
   * and how to install it), or give a `CookieJar` of yours (shared, persisted, inspected). Every `Set-Cookie` is
   * stored by the jar's RFC 6265 rules and every request carries the cookies the jar sends to its URL, on every
   * redirect hop too: a hop to another origin carries only what the jar sends there (the request's own `cookie`
   * header is dropped like any secret header). A jar that fails (its store) fails the attempt with
   * `InterceptorError` (interceptor `"cookies"`). Cookie values stay secret: never shown by errors, events, logs or
   * spans. Streams too. Not read from the environment.
   * @since 0.1.0
   * @category options
   * @default false
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { HttpResilient, ResilientClient } from "effect-http-resilient/v4"
   *
   * // the session cookie set by the login is sent with the next calls to the same site
   * const Client = ResilientClient.layer({ baseUrl: "https://app.example.com", cookies: true })
   * const me = HttpResilient.post("login", { json: { user: "ada", password: "…" } }).pipe(
   *   Effect.andThen(HttpResilient.get("me")),
   *   Effect.provide(Client)
   * )
   * ```
   */
  readonly cookies?: boolean | CookieJar | undefined
  /** @default 1000 concurrent attempts, queue 0 */
  readonly bulkhead?: BulkheadOptions | false | undefined
  /** run on every attempt, in order (see `Interceptor`) @default none */
  readonly interceptors?: ReadonlyArray<Interceptor> | undefined
  /** a quota of attempts per window and/or a pause per origin after a 429 (see `RateLimiter`) @default off */
  readonly rateLimiter?: RateLimiterOptions | false | undefined
  /** one per origin @default 80 % of first attempts × the origin's health, in 10 s, plus 10 retries/s */
  readonly retryBudget?: RetryBudgetOptions | false | undefined
  /**
   * Hedges every attempt of requests that may be sent twice: a second copy when the first has not answered after
   * `delay` (up to `maxHedges` more), paid for from the retry budget of the request's origin; the first success
   * wins. See `HttpResilient.hedge`.
   * @default false
   * @example
   * ```ts
   * import { ResilientClient } from "effect-http-resilient/v4"
   *
   * const Client = ResilientClient.layer({ hedge: { delay: "50 millis" } })
   * ```
   */
  readonly hedge?: HedgeOptions | false | undefined
  /**
   * A check on a response whose status was accepted, its body in memory: `true` accepts it, `false` fails the
   * attempt with `ResponseRejectedError` (transient: retried by default); a check that throws, fails or answers
   * something else fails the attempt with `InterceptorError` (interceptor `"acceptResponse"`), not retried. A
   * request's own `acceptResponse` replaces it.
   * @default none
   * @example
   * ```ts
   * import * as Effect from "effect/Effect"
   * import { ResilientClient } from "effect-http-resilient/v4"
   *
   * // a job endpoint answers 200 until it is done: not done yet is not an answer
   * const Client = ResilientClient.layer({
   *   acceptResponse: (response) => Effect.map(response.json, (body) => (body as { done: boolean }).done)
   * })
   * ```
   */
  readonly acceptResponse?: AcceptResponse | undefined
  /**
   * Per-route policies, as the root entry's: the first route whose `match` (`origin`, `pathPrefix`, `method`; every
   * field given must hold) holds for a call sets its `retry`, `timeout`, `deadline`, `acceptStatus`,
   * `circuitBreaker` and `bulkhead`; what it leaves unset is the client's, `false` turns the client's off. A route's
   * own breakers are kept per origin, per route (`key: "route"`) or per a key of the request's; its own bulkhead
   * bounds its calls alone. A client without routes pays nothing per request for them.
   * @since 0.1.0
   * @default none
   * @example
   * ```ts
   * import { ResilientClient } from "effect-http-resilient/v4"
   *
   * const Client = ResilientClient.layer({
   *   routes: [
   *     { match: { pathPrefix: "/reports" }, timeout: "60 seconds", retry: false },
   *     { match: { origin: "https://payments.example.com" }, circuitBreaker: { key: "route" }, bulkhead: { maxConcurrent: 8 } }
   *   ]
   * })
   * ```
   */
  readonly routes?: ReadonlyArray<RouteOptions> | undefined
  /** query parameter names redacted beside the rule */
  readonly redactQueryParams?: ReadonlyArray<string> | undefined
  /**
   * A span per attempt (`HTTP {method}`, kind client): `true` always, `false` never; unset, when a tracer is installed
   * (the fiber's `Tracer` is not v4's `nativeTracer`, e.g. an OpenTelemetry layer), as the root entry decides.
   * @default undefined (spans follow the installed tracer)
   */
  readonly tracing?: boolean | undefined
  readonly onRequest?: Hook<Events.RequestStarted> | undefined
  readonly onRetry?: Hook<Events.RetryScheduled> | undefined
  readonly onSuccess?: Hook<Events.Succeeded> | undefined
  readonly onFailure?: Hook<Events.Failed> | undefined
}

/**
 * @since 0.1.0
 * @category defaults
 */
export const defaults = {
  timeout: Duration.seconds(10),
  deadline: Duration.seconds(30),
  maxConnections: 128,
  maxOrigins: 1000,
  maxResponseSize: 32 * 1024 * 1024
} as const

/** The name bad options are reported under. */
export const fn = "ResilientClient.layer"

/** The breaker options as one shape (a bad `key` throws a `RangeError` naming it). */
const breakerOptionsOf = (option: ClientOptions["circuitBreaker"]): CircuitBreaker.CircuitBreakerOptions | false => {
  if (option === false) return false
  if (option === undefined) return {}
  if (CircuitBreaker.isStrategy(option)) return { strategy: option }
  checkKey(fn, "circuitBreaker.key", option.key)
  return option
}

/** Reads the options; a bad one throws a `RangeError` naming it. */
export const read = (options: ClientOptions) => {
  let baseUrl: URL | undefined
  if (options.baseUrl !== undefined) {
    try {
      baseUrl = new URL(options.baseUrl)
    } catch {
      throw badOption(fn, "baseUrl", String(options.baseUrl), "an absolute http: or https: URL")
    }
  }
  if (options.acceptResponse !== undefined && typeof options.acceptResponse !== "function") {
    throw badOption(fn, "acceptResponse", options.acceptResponse, "a function of the response answering a boolean")
  }
  if (options.decompress !== undefined && typeof options.decompress !== "boolean") {
    throw badOption(fn, "decompress", options.decompress, "a boolean")
  }
  if (options.cookies !== undefined && !isCookiesOption(options.cookies)) {
    throw badOption(fn, "cookies", options.cookies, cookiesExpected)
  }
  if (options.acceptStatus !== undefined && !isAcceptStatus(options.acceptStatus)) {
    throw badOption(fn, "acceptStatus", options.acceptStatus, "a predicate or a non-empty list of statuses")
  }
  const maxOrigins = numberOf(fn, "maxOrigins", options.maxOrigins ?? defaults.maxOrigins, {
    integer: true,
    min: 1,
    expected: "a positive integer"
  })
  return {
    baseUrl,
    headers: lowerCaseHeaders(options.headers ?? {}),
    urlParams: options.urlParams,
    acceptResponse: options.acceptResponse,
    followRedirects: options.followRedirects === false
      ? 0
      : options.followRedirects === true || options.followRedirects === undefined
      ? 10
      : numberOf(fn, "followRedirects", options.followRedirects, {
        integer: true,
        min: 0,
        expected: "a boolean or a non-negative integer"
      }),
    allowInsecureRedirects: options.allowInsecureRedirects === true,
    secrets: new Secrets(options.redactHeaders, options.redactQueryParams),
    timeoutMillis: millisOf(fn, "timeout", options.timeout ?? defaults.timeout, positiveDuration),
    deadlineMillis: millisOf(fn, "deadline", options.deadline ?? defaults.deadline, positiveDuration),
    maxConnections: numberOf(fn, "maxConnections", options.maxConnections ?? defaults.maxConnections, {
      integer: true,
      min: 1,
      expected: "a positive integer"
    }),
    maxOrigins,
    maxResponseSize: numberOf(fn, "maxResponseSize", options.maxResponseSize ?? defaults.maxResponseSize, {
      integer: true,
      min: 0,
      expected: "a non-negative number of bytes"
    }),
    decompress: options.decompress !== false,
    pool: poolOf(options),
    proxy: proxyOf(options.proxy),
    cookieJar: isCookieJar(options.cookies) ? options.cookies : undefined,
    accept: toAcceptStatus(options.acceptStatus),
    retryBudget: options.retryBudget === false ? undefined : budgetsOf(options.retryBudget ?? {}, maxOrigins),
    breaker: breakerOptionsOf(options.circuitBreaker),
    bulkhead: options.bulkhead === false ? undefined : bulkheadOf(options.bulkhead ?? {}),
    interceptors: interceptorsOf(fn, options.interceptors),
    rateLimiter: options.rateLimiter === false || options.rateLimiter === undefined
      ? undefined
      : rateLimiterSettings(fn, options.rateLimiter),
    hedge: options.hedge === false || options.hedge === undefined ? undefined : hedgeOf(fn, "hedge.", options.hedge),
    routes: routesOf(fn, options.routes)
  }
}

/** The pool's settings (the client's own undici pool), each checked as the root entry checks it. @internal */
export const poolOf = (options: PoolOptionsOf<Duration.Input>) => {
  if (options.lookup !== undefined && typeof options.lookup !== "function") {
    throw badOption(fn, "lookup", options.lookup, "a function")
  }
  return {
    keepAliveMillis: optionalMillis(fn, "keepAliveTimeout", options.keepAliveTimeout, positiveDuration) ??
      defaultKeepAliveMillis,
    connectTimeoutMillis: optionalMillis(fn, "connectTimeout", options.connectTimeout, positiveDuration),
    headersTimeoutMillis: optionalMillis(fn, "headersTimeout", options.headersTimeout, positiveDuration),
    bodyTimeoutMillis: optionalMillis(fn, "bodyTimeout", options.bodyTimeout, positiveDuration),
    pipelining: options.pipelining === undefined ? undefined : numberOf(fn, "pipelining", options.pipelining, {
      integer: true,
      min: 1,
      max: 128,
      expected: "an integer from 1 to 128"
    }),
    graceMillis: optionalMillis(fn, "gracePeriod", options.gracePeriod, nonNegativeDuration) ?? defaultGraceMillis,
    lookup: options.lookup
  }
}

/** The `proxy` option resolved (the core's rules, src/core/proxy.ts); a bad one is shown redacted. */
const proxyOf = (option: ProxyOption | undefined): ProxySettings | undefined => {
  if (option !== undefined && !isProxyOption(option)) throw badOption(fn, "proxy", redactValue(option), proxyExpected)
  const proxy = resolveProxy(option)
  if (proxy instanceof ProxyEnvError) throw new BadOption(fn, "proxy", "env", proxyUrlExpected, proxy.reason)
  return proxy
}

/** The retry budgets, one per origin, at most `maxOrigins` remembered (the core's registry). */
const budgetsOf = (options: RetryBudgetOptions, maxOrigins: number): RetryBudgetRegistry => {
  const settings = budgetSettings(options)
  return new RetryBudgetRegistry(() => new RetryBudgetAccount(settings), maxOrigins)
}

/** A bulkhead of `options`, their bad ones named under `at` (`bulkhead`, `routes[i].bulkhead`). @internal */
export const bulkheadOf = (options: BulkheadOptions, at = "bulkhead"): Bulkhead =>
  new Bulkhead(
    numberOf(fn, `${at}.maxConcurrent`, options.maxConcurrent ?? bulkheadDefaults.maxConcurrent, {
      integer: true,
      min: 1,
      expected: "a positive integer"
    }),
    numberOf(fn, `${at}.maxQueue`, options.maxQueue ?? bulkheadDefaults.maxQueue, {
      integer: true,
      min: 0,
      expected: "a non-negative integer"
    }),
    optionalMillis(fn, `${at}.queueTimeout`, options.queueTimeout, millisDuration)
  )

/** The options as read by {@link read}. */
export type Settings = ReturnType<typeof read>
