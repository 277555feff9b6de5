/**
 * The metrics the v4 edition records, as v4 `Metric`s under the same names as the root entry's
 * (`http.client.request.duration`, `http_resilient.retries`, `http_resilient.circuit.transitions`,
 * `http_resilient.retry_budget.rejections`, `http_resilient.bulkhead.rejections`, `http_resilient.events.dropped`),
 * with the same attributes and bounds; read them with `Metric.value` (`requestDurationFor` names a duration series).
 * Spans: one per attempt, named `HTTP {method}`, kind client, with `http.request.resend_count` from the second
 * attempt, when a tracer is installed (the fiber's `Tracer` is not v4's `nativeTracer`) or the client option `tracing`
 * is `true`; `tracing: false` turns them off, as in the root entry.
 *
 * @since 0.1.0
 */
import * as Metric from "effect/Metric"
import * as Attributes from "../../src/core/durationAttributes.js"
import * as backlog from "../../src/core/eventBacklog.js"
import { attributes, durationBuckets, metricNames } from "../../src/core/telemetryNames.js"
import * as Duration from "./internal/durationSeries.js"

export {
  /**
   * @since 0.1.0
   * @category names
   */
  attributes,
  /**
   * The bucket boundaries of `requestDuration`, in seconds (OpenTelemetry's advised buckets for HTTP durations).
   * @since 0.1.0
   * @category metrics
   */
  durationBuckets,
  /**
   * @since 0.1.0
   * @category names
   */
  metricNames
}

/**
 * `http.client.request.duration`: attempt durations in seconds (OpenTelemetry's advised buckets), updated once per
 * attempt and tagged as `requestDurationFor` says; past `maxServerAddresses` servers the address and port are
 * `_OTHER`, and so is a method OpenTelemetry does not list.
 * @since 0.1.0
 * @category metrics
 */
export const requestDuration: Metric.Histogram<number> = Duration.requestDuration

/**
 * How many distinct `server.address` + `server.port` pairs get series of their own in `requestDuration` (the root
 * entry's bound). v4's metric registry is global and keeps every series for the life of the process, so the bound is
 * process-wide: the first 1,000 servers any client talks to are tagged as they are, later ones `server.address` and
 * `server.port` `_OTHER` (OpenTelemetry's convention for a bounded attribute). A method OpenTelemetry does not list
 * (anything but CONNECT, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, QUERY, TRACE) is tagged `_OTHER` too.
 *
 * @example
 * ```ts
 * import { Telemetry } from "effect-http-resilient/v4"
 *
 * // servers past this many are tagged server.address "_OTHER" in the duration histogram
 * assert.strictEqual(Telemetry.maxServerAddresses, 1000)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const maxServerAddresses: number = Attributes.maxServerAddresses

/**
 * `requestDuration` tagged the way the client tags it, as the root entry's: `http.request.method`, `server.address`
 * (the host), `server.port` (always, the scheme's default included), `http.response.status_code` for attempts that
 * got a response, `error.type` for failed ones (both for a `StatusError`: `error.type` is its status; a
 * `TransportError`'s is its reason, a `TimeoutError`'s `timeout`, any other error's its tag). Interrupted attempts
 * are not recorded.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Telemetry } from "effect-http-resilient/v4"
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
export const requestDurationFor = (options: Attributes.DurationSeriesOptions): Metric.Histogram<number> =>
  Duration.withAttributes(Attributes.requestedValues(options))

/**
 * Retries scheduled, by `reason`.
 * @since 0.1.0
 * @category metrics
 */
export const retries = Metric.counter(metricNames.retries, { description: "Retries scheduled, by reason" })

/**
 * Breaker state changes, by `from` and `to`.
 * @since 0.1.0
 * @category metrics
 */
export const circuitTransitions = Metric.counter(metricNames.circuitTransitions, {
  description: "Circuit breaker state changes, by from and to state"
})

/**
 * Retries refused because the budget was empty.
 * @since 0.1.0
 * @category metrics
 */
export const retryBudgetRejections = Metric.counter(metricNames.retryBudgetRejections, {
  description: "Retries refused because the retry budget was empty"
})

/**
 * `http_resilient.bulkhead.rejections`: attempts the bulkhead refused (`BulkheadRejectedError`, a full queue or a
 * queue wait that timed out), as the root entry counts them.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Telemetry } from "effect-http-resilient/v4"
 *
 * const rejected = Effect.map(Metric.value(Telemetry.bulkheadRejections), (state) => state.count)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const bulkheadRejections = Metric.counter(metricNames.bulkheadRejections, {
  description: "Attempts rejected by the bulkhead",
  incremental: true
})

/**
 * `http_resilient.events.dropped`: events dropped from a subscription's backlog (`ResilientClient.subscribe`,
 * `ResilientClient.events`) that was not drained in time, as the root entry counts them. A subscription holds at most
 * `eventBacklog.capacity` events (1,024), and the response bodies their errors carry at most
 * `eventBacklog.maxBodyBytes` (16 MiB) together; past either, the oldest events are dropped (the newest is always
 * kept) and counted here.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Telemetry } from "effect-http-resilient/v4"
 *
 * // alert when a subscriber falls behind
 * const dropped = Effect.map(Metric.value(Telemetry.eventsDropped), (state) => state.count)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const eventsDropped = Metric.counter(metricNames.eventsDropped, {
  description: "Events dropped from a subscription's full backlog (the oldest first)",
  incremental: true
})

/**
 * The bounds of a subscription's backlog (the root entry's): at most `capacity` events, and at most `maxBodyBytes`
 * of response bodies kept alive by the errors they carry. Past either, the oldest events are dropped and counted by
 * `eventsDropped`.
 *
 * @example
 * ```ts
 * import { Telemetry } from "effect-http-resilient/v4"
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

export {
  /**
   * Header names whose values are always secret (lower case), besides the names the rule matches; the client option
   * `redactHeaders` adds to them. The root entry's list.
   * @since 0.1.0
   * @category redaction
   */
  builtInRedactedHeaders,
  /**
   * Header names that are secret only by the fragments they contain, but are not (`www-authenticate`,
   * `idempotency-key`, …).
   * @since 0.1.0
   * @category redaction
   */
  notSecretHeaders,
  /**
   * What stands in for a secret wherever one is shown.
   * @since 0.1.0
   * @category redaction
   */
  REDACTED,
  /**
   * Headers as the client shows them: secret values (the built-in rule plus `extra` names) replaced by `REDACTED`,
   * e.g. `redactHeaders({ "X-Session": "abc", "Accept": "text/plain" }, ["x-session"])` is
   * `{ "X-Session": "<redacted>", "Accept": "text/plain" }`.
   * @since 0.1.0
   * @category redaction
   */
  redactHeadersWith as redactHeaders,
  /**
   * A URL as the client shows it: no userinfo, secret query values redacted by the built-in rule, e.g.
   * `redactUrl("https://u:p@api.example.com/x?token=abc&page=2")` is
   * `"https://api.example.com/x?token=<redacted>&page=2"`.
   * @since 0.1.0
   * @category redaction
   */
  redactUrl,
  /**
   * Fragments that make a header or query parameter name secret when the name contains one (case-insensitive).
   * @since 0.1.0
   * @category redaction
   */
  secretNameFragments,
  /**
   * Query parameter names that are secret besides those containing a fragment (`code`, `jwt`, `key`, `pass`, …).
   * @since 0.1.0
   * @category redaction
   */
  secretQueryNames
} from "../../src/core/secrets.js"
