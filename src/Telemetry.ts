/**
 * What the client tells the outside world: metrics, span attributes and the redaction rules that keep
 * secrets out of them.
 *
 * - Metrics are `effect` `Metric`s: read them with `Metric.value`, or export them with `@effect/opentelemetry`.
 *   `requestDuration` is updated once per attempt (attributes `http.request.method`, `server.address`,
 *   `server.port`, `http.response.status_code`, `error.type`).
 * - Spans: one per attempt, kind client, named `HTTP {method}`, child of the caller's span, with the attributes in
 *   `attributes` and `http.request.resend_count` from the second attempt on. The W3C `traceparent` sent names the
 *   attempt's span. Spans are made only when a tracer other than Effect's built-in one is installed (for example
 *   `@effect/opentelemetry`'s `NodeSdk.layer`), or with the client option `tracing: true`; `tracing: false` turns
 *   them off.
 * - Debug logs: `Effect.logDebug` lines around each attempt, annotated with `method`, the redacted `url` and
 *   `attempt`, built only when the fiber's minimum log level lets Debug through.
 * - Redaction: one rule decides which names are secret (names compare case-insensitively):
 *   - headers: `builtInRedactedHeaders`; any name containing one of `secretNameFragments` (token, secret, password,
 *     passwd, signature, credential, apikey, api_key, api-key, session, auth) or ending in `-key` / `_key`, except
 *     `notSecretHeaders` (standard headers that describe authentication, and nonces such as `idempotency-key`);
 *     and the client option `redactHeaders`;
 *   - query parameters (percent-decoded names; also a fragment shaped like parameters): any name containing one of
 *     `secretNameFragments`; `secretQueryNames` (code, jwt, key, pass, private_key, pwd, sig); and the client option
 *     `redactQueryParams`;
 *   - URL userinfo, always.
 *   Secret values never reach events, logs, metrics, spans or errors. The same header rule decides what a redirect
 *   to another origin drops.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { HttpResilient, Telemetry } from "effect-http-resilient"
 *
 * const program = Effect.gen(function*() {
 *   yield* HttpResilient.get("https://api.example.com/health")
 *   const ok = Telemetry.requestDurationFor({ method: "GET", host: "api.example.com", port: 443, status: 200 })
 *   const histogram = yield* Metric.value(ok)
 *   return histogram.count
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as Metric from "effect/Metric"
import * as redact from "./core/secrets.js"
import * as backlog from "./internal/eventBacklog.js"
import * as internal from "./internal/telemetry.js"

/**
 * Span and metric attribute names (OpenTelemetry HTTP semantic conventions).
 *
 * @example
 * ```ts
 * import { Telemetry } from "effect-http-resilient"
 *
 * // e.g. to pick the retried attempts out of exported spans
 * assert.strictEqual(Telemetry.attributes.resendCount, "http.request.resend_count")
 * assert.strictEqual(Telemetry.attributes.statusCode, "http.response.status_code")
 * ```
 *
 * @since 0.1.0
 * @category names
 */
export const attributes: {
  readonly method: "http.request.method"
  readonly urlFull: "url.full"
  readonly serverAddress: "server.address"
  readonly serverPort: "server.port"
  readonly statusCode: "http.response.status_code"
  readonly errorType: "error.type"
  readonly resendCount: "http.request.resend_count"
} = internal.attributes

/**
 * Metric names.
 *
 * @example
 * ```ts
 * import { Telemetry } from "effect-http-resilient"
 *
 * assert.strictEqual(Telemetry.metricNames.requestDuration, "http.client.request.duration")
 * assert.strictEqual(Telemetry.metricNames.retries, "http_resilient.retries")
 * ```
 *
 * @since 0.1.0
 * @category names
 */
export const metricNames: {
  readonly requestDuration: "http.client.request.duration"
  readonly retries: "http_resilient.retries"
  readonly circuitTransitions: "http_resilient.circuit.transitions"
  readonly retryBudgetRejections: "http_resilient.retry_budget.rejections"
  readonly bulkheadRejections: "http_resilient.bulkhead.rejections"
  readonly eventsDropped: "http_resilient.events.dropped"
} = internal.metricNames

/**
 * The histogram buckets of `requestDuration`, in seconds: OpenTelemetry's advised boundaries.
 *
 * @example
 * ```ts
 * import { Metric, MetricBoundaries } from "effect"
 * import { Telemetry } from "effect-http-resilient"
 *
 * // a histogram of your own, comparable with the client's
 * const checkoutDuration = Metric.histogram(
 *   "checkout.duration",
 *   MetricBoundaries.fromIterable(Telemetry.durationBuckets),
 *   "seconds"
 * )
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const durationBuckets: ReadonlyArray<number> = internal.durationBuckets

/**
 * `http.client.request.duration`: the duration of every attempt, in seconds. Tagged per attempt with
 * `http.request.method`, `server.address` (host only), `server.port`, and `http.response.status_code` and/or
 * `error.type` (the status of a `StatusError`, the reason of a `TransportError`, `timeout`, or the error's tag).
 * Past `maxServerAddresses` servers, the address and port are `_OTHER`; so is a method OpenTelemetry does not list.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Telemetry } from "effect-http-resilient"
 *
 * // every attempt, all tags together: Metric.snapshot lists each tagged series
 * const series = Effect.map(Metric.snapshot, (pairs) =>
 *   pairs.filter((pair) => pair.metricKey.name === Telemetry.metricNames.requestDuration))
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const requestDuration: Metric.Metric.Histogram<number> = internal.requestDuration

/**
 * How many distinct `server.address` + `server.port` pairs get series of their own in `requestDuration`. Effect's
 * metric registry is global and keeps every series for the life of the process, so the bound is process-wide: the
 * first 1,000 servers any client talks to are tagged as they are, later ones `server.address` and `server.port`
 * `_OTHER` (OpenTelemetry's convention for a bounded attribute). A method OpenTelemetry does not list (anything
 * but CONNECT, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, QUERY, TRACE) is tagged `_OTHER` too.
 *
 * @example
 * ```ts
 * import { Telemetry } from "effect-http-resilient"
 *
 * // servers past this many are tagged server.address "_OTHER" in the duration histogram
 * assert.strictEqual(Telemetry.maxServerAddresses, 1000)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const maxServerAddresses: number = internal.maxServerAddresses

/**
 * `requestDuration` tagged the way the client tags it (tag order is part of a metric's identity, so prefer this
 * to tagging by hand): `status` for attempts that got a response, `errorType` for failed ones (both for a
 * `StatusError`).
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Telemetry } from "effect-http-resilient"
 *
 * const failures503 = Telemetry.requestDurationFor({
 *   method: "GET", host: "api.example.com", port: 443, status: 503, errorType: "503"
 * })
 * const count = Effect.map(Metric.value(failures503), (state) => state.count)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const requestDurationFor: (options: {
  readonly method: string
  readonly host: string
  readonly port: number | string
  readonly status?: number | undefined
  readonly errorType?: string | undefined
}) => Metric.Metric.Histogram<number> = internal.requestDurationFor

/**
 * `http_resilient.retries`: retries scheduled, tagged `reason` (`backoff`, `retry-after`, `rate-limit-reset`,
 * `hedge`).
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Telemetry } from "effect-http-resilient"
 *
 * // retries that waited for the server's Retry-After
 * const afterRetryAfter = Telemetry.retries.pipe(Metric.tagged("reason", "retry-after"))
 * const honoured = Effect.map(Metric.value(afterRetryAfter), (state) => state.count)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const retries: Metric.Metric.Counter<number> = internal.retries

/**
 * `http_resilient.circuit.transitions`: circuit breaker state changes, tagged `from` and `to`.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Telemetry } from "effect-http-resilient"
 *
 * const opened = Telemetry.circuitTransitions.pipe(Metric.tagged("from", "closed"), Metric.tagged("to", "open"))
 * const timesOpened = Effect.map(Metric.value(opened), (state) => state.count)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const circuitTransitions: Metric.Metric.Counter<number> = internal.circuitTransitions

/**
 * `http_resilient.retry_budget.rejections`: retries refused because the retry budget was empty.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Telemetry } from "effect-http-resilient"
 *
 * const refused = Effect.map(Metric.value(Telemetry.retryBudgetRejections), (state) => state.count)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const retryBudgetRejections: Metric.Metric.Counter<number> = internal.retryBudgetRejections

/**
 * `http_resilient.bulkhead.rejections`: attempts rejected by a full bulkhead.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Telemetry } from "effect-http-resilient"
 *
 * const shed = Effect.map(Metric.value(Telemetry.bulkheadRejections), (state) => state.count)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const bulkheadRejections: Metric.Metric.Counter<number> = internal.bulkheadRejections

/**
 * `http_resilient.events.dropped`: events dropped from a subscription's backlog (`ResilientClient.subscribe`,
 * `ResilientClient.events`) that was not drained in time. A subscription holds at most `eventBacklog.capacity`
 * events (1,024), and the response bodies their errors carry at most `eventBacklog.maxBodyBytes` (16 MiB) together;
 * past either, the oldest events are dropped (the newest is always kept) and counted here.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Telemetry } from "effect-http-resilient"
 *
 * // alert when a subscriber falls behind
 * const dropped = Effect.map(Metric.value(Telemetry.eventsDropped), (state) => state.count)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const eventsDropped: Metric.Metric.Counter<number> = internal.eventsDropped

/**
 * The bounds of a subscription's backlog: at most `capacity` events, and at most `maxBodyBytes` of response bodies
 * kept alive by the errors they carry. Past either, the oldest events are dropped and counted by `eventsDropped`.
 *
 * @example
 * ```ts
 * import { Telemetry } from "effect-http-resilient"
 *
 * assert.strictEqual(Telemetry.eventBacklog.capacity, 1024)
 * assert.strictEqual(Telemetry.eventBacklog.maxBodyBytes, 16 * 1024 * 1024)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const eventBacklog: { readonly capacity: number; readonly maxBodyBytes: number } = {
  capacity: backlog.capacity,
  maxBodyBytes: backlog.maxBodyBytes
}

/**
 * Header names whose values are always secret (lower case), besides the names the rule matches (see the module
 * docs). The client option `redactHeaders` adds to them.
 *
 * @example
 * ```ts
 * import { Telemetry } from "effect-http-resilient"
 *
 * assert.strictEqual(Telemetry.builtInRedactedHeaders.includes("authorization"), true)
 * assert.strictEqual(Telemetry.builtInRedactedHeaders.includes("x-api-key"), true)
 * ```
 *
 * @since 0.1.0
 * @category redaction
 */
export const builtInRedactedHeaders: ReadonlyArray<string> = redact.builtInRedactedHeaders

/**
 * A header or query parameter name containing one of these (case-insensitive) is secret.
 *
 * @example
 * ```ts
 * import { Telemetry } from "effect-http-resilient"
 *
 * // x-refresh-token, client_secret, X-Session-Id: each contains a fragment, so each is secret
 * assert.strictEqual(Telemetry.secretNameFragments.includes("token"), true)
 * assert.strictEqual(Telemetry.redactUrl("https://h/cb?client_secret=s&page=2"), "https://h/cb?client_secret=<redacted>&page=2")
 * ```
 *
 * @since 0.1.0
 * @category redaction
 */
export const secretNameFragments: ReadonlyArray<string> = redact.secretNameFragments

/**
 * Query parameter names that are secret although they contain none of `secretNameFragments` (lower case).
 *
 * @example
 * ```ts
 * import { Telemetry } from "effect-http-resilient"
 *
 * assert.strictEqual(Telemetry.secretQueryNames.includes("jwt"), true)
 * assert.strictEqual(Telemetry.redactUrl("https://h/?jwt=e30&page=2"), "https://h/?jwt=<redacted>&page=2")
 * ```
 *
 * @since 0.1.0
 * @category redaction
 */
export const secretQueryNames: ReadonlyArray<string> = redact.secretQueryNames

/**
 * Standard header names the rule would match that are not secret unless the client option `redactHeaders` names
 * them: `www-authenticate`, `proxy-authenticate`, `authentication-info`, `proxy-authentication-info`,
 * `access-control-allow-credentials`, `idempotency-key`, `x-idempotency-key`, `sec-websocket-key`.
 *
 * @example
 * ```ts
 * import { Telemetry } from "effect-http-resilient"
 *
 * // contains "auth", yet a standard header whose value is no secret
 * assert.strictEqual(Telemetry.notSecretHeaders.includes("www-authenticate"), true)
 * ```
 *
 * @since 0.1.0
 * @category redaction
 */
export const notSecretHeaders: ReadonlyArray<string> = redact.notSecretHeaders

/**
 * What a redacted value is replaced with.
 *
 * @example
 * ```ts
 * import { Telemetry } from "effect-http-resilient"
 *
 * const shown = Telemetry.redactHeaders({ authorization: "Bearer s3cret", accept: "text/plain" })
 * assert.deepStrictEqual(shown, { authorization: Telemetry.REDACTED, accept: "text/plain" })
 * ```
 *
 * @since 0.1.0
 * @category redaction
 */
export const REDACTED: string = redact.REDACTED

/**
 * A URL as it may be shown: no userinfo, values of secret query parameters (`token`, `api_key`, `sig` …, by the rule in
 * the module docs) replaced. A string that is not a URL is redacted by the same rules. The client option
 * `redactQueryParams` is applied by the client itself; this function knows the built-in rule.
 *
 * @example
 * ```ts
 * import { Telemetry } from "effect-http-resilient"
 *
 * Telemetry.redactUrl("https://user:pw@api.example.com/x?token=abc&page=2")
 * // "https://api.example.com/x?token=<redacted>&page=2"
 * ```
 *
 * @since 0.1.0
 * @category redaction
 */
export const redactUrl: (url: string | URL) => string = redact.redactUrl

/**
 * A copy of `headers` with the values of secret names (by the rule in the module docs) replaced; `extra` adds names,
 * as the client option `redactHeaders` does.
 *
 * @example
 * ```ts
 * import { Telemetry } from "effect-http-resilient"
 *
 * const shown = Telemetry.redactHeaders({ "X-Session": "abc", "Accept": "text/plain" }, ["x-session"])
 * assert.deepStrictEqual(shown, { "X-Session": Telemetry.REDACTED, "Accept": "text/plain" })
 * ```
 *
 * @since 0.1.0
 * @category redaction
 */
export const redactHeaders: (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>,
  extra?: ReadonlyArray<string>
) => Record<string, string> = redact.redactHeadersWith
