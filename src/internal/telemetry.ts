/** @internal */
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricKey from "effect/MetricKey"
import * as MetricLabel from "effect/MetricLabel"
import * as Attributes from "../core/durationAttributes.js"
import * as Names from "../core/telemetryNames.js"
import type { HttpResilientError } from "../HttpResilientError.js"

// ---------------------------------------------------------------------------
// names
// ---------------------------------------------------------------------------

/** @internal */
export const attributes = Names.attributes

/** @internal */
export const metricNames = Names.metricNames

/** OpenTelemetry's advised buckets for `http.client.request.duration`, in seconds. @internal */
export const durationBuckets: ReadonlyArray<number> = Names.durationBuckets

// ---------------------------------------------------------------------------
// metrics
// ---------------------------------------------------------------------------

const durationKey = MetricKey.histogram(
  metricNames.requestDuration,
  MetricBoundaries.fromIterable(durationBuckets),
  "Duration of HTTP client attempts, in seconds"
)

/** @internal */
export const requestDuration: Metric.Metric.Histogram<number> = Metric.fromMetricKey(durationKey)

const retriesKey = MetricKey.counter(metricNames.retries, {
  description: "Retries scheduled, by reason",
  incremental: true
})

const transitionsKey = MetricKey.counter(metricNames.circuitTransitions, {
  description: "Circuit breaker state changes, by from and to state",
  incremental: true
})

/** @internal */
export const retries: Metric.Metric.Counter<number> = Metric.fromMetricKey(retriesKey)

/** @internal */
export const circuitTransitions: Metric.Metric.Counter<number> = Metric.fromMetricKey(transitionsKey)

/** @internal */
export const retryBudgetRejections: Metric.Metric.Counter<number> = Metric.counter(
  metricNames.retryBudgetRejections,
  { description: "Retries refused because the retry budget was empty", incremental: true }
)

/** @internal */
export const bulkheadRejections: Metric.Metric.Counter<number> = Metric.counter(metricNames.bulkheadRejections, {
  description: "Attempts rejected by the bulkhead",
  incremental: true
})

/** @internal */
export const eventsDropped: Metric.Metric.Counter<number> = Metric.counter(metricNames.eventsDropped, {
  description: "Events dropped from a subscription's full backlog (the oldest first)",
  incremental: true
})

const MAX_CACHED = 2048
const noLabels: ReadonlyArray<MetricLabel.MetricLabel> = []

/**
 * Pre-tagged metrics cached by their label values: tagging builds a new key, and looking a key up in the
 * registry hashes it, so the hot path does neither after the first use of a combination.
 */
const makeCache = <In, Out>(
  key: MetricKey.MetricKey<any>,
  labelNames: ReadonlyArray<string>
) => {
  const cache = new Map<string, Metric.Metric<any, In, Out>>()
  /** the series cached under `id`, if any */
  const cached = (id: string): Metric.Metric<any, In, Out> | undefined => cache.get(id)
  /** makes and caches the series of `values` under `id` */
  const add = (id: string, values: ReadonlyArray<string | undefined>): Metric.Metric<any, In, Out> => {
    const labels: Array<MetricLabel.MetricLabel> = []
    for (let i = 0; i < labelNames.length; i++) {
      const value = values[i]
      if (value !== undefined) labels.push(MetricLabel.make(labelNames[i], value))
    }
    const metric = Metric.fromMetricKey(MetricKey.taggedWithLabels(key, labels)) as any as Metric.Metric<any, In, Out>
    if (cache.size >= MAX_CACHED) cache.clear()
    cache.set(id, metric)
    return metric
  }
  /** `id` identifies `values` (they are only read on a miss) */
  const get = (id: string, values: ReadonlyArray<string | undefined>): Metric.Metric<any, In, Out> =>
    cache.get(id) ?? add(id, values)
  return { cached, add, get }
}

const durationLabels = Attributes.durationLabels
const durationFor = makeCache<number, unknown>(durationKey, durationLabels)
const retriesFor = makeCache<number, unknown>(retriesKey, ["reason"])
const transitionsFor = makeCache<number, unknown>(transitionsKey, ["from", "to"])

/**
 * Counts one scheduled retry. `reason`: `backoff`, `retry-after`, `rate-limit-reset`, `hedge` …
 * @internal
 */
export const recordRetry = (reason: string): void => {
  retriesFor.get(reason, [reason]).unsafeUpdate(1, noLabels)
}

/** @internal */
export const recordCircuitTransition = (from: string, to: string): void => {
  transitionsFor.get(`${from}\u0000${to}`, [from, to]).unsafeUpdate(1, noLabels)
}

/** @internal */
export const recordRetryBudgetRejection = (): void => {
  retryBudgetRejections.unsafeUpdate(1, noLabels)
}

/** @internal */
export const recordBulkheadRejection = (): void => {
  bulkheadRejections.unsafeUpdate(1, noLabels)
}

/** Counts events dropped from a subscription's full backlog. @internal */
export const recordEventsDropped = (count: number): void => {
  eventsDropped.unsafeUpdate(count, noLabels)
}

/** The port a URL talks to, default ports included. @internal */
export const portOf: (url: URL) => string = Attributes.portOf

/**
 * `error.type` of a failed attempt: the status for a `StatusError`, the reason for a `TransportError`,
 * `timeout` for a `TimeoutError`, the tag otherwise.
 * @internal
 */
export const errorType: (error: HttpResilientError) => string = Attributes.errorTypeOf

/** `_OTHER`: the value of a bounded attribute past its bound. @internal */
export const OTHER = Attributes.OTHER

/**
 * How many distinct `server.address` + `server.port` pairs get series of their own in
 * `http.client.request.duration`; later servers are recorded as `_OTHER` (process-wide, as the registry).
 * @internal
 */
export const maxServerAddresses = Attributes.maxServerAddresses

/** The `server.address` and `server.port` a series is tagged with, this edition's registry's bound. */
const addressCap = Attributes.makeAddressCap()

/** Series of attempts that ended in a response (no error), by origin, method and status: no key string to build. */
const answered = new Map<string, Map<string, Map<number, Metric.Metric<any, number, unknown>>>>()
let answeredSize = 0

/**
 * Records one attempt's duration in `http.client.request.duration`. Its attributes are bounded: a method
 * OpenTelemetry does not list is `_OTHER`, and so are the address and port past `maxServerAddresses` servers.
 * `origin` is `url.origin` (which names the server as the attributes do), given by a caller that has it already.
 * @internal
 */
export const recordDuration = (
  method: string,
  origin: string,
  url: URL,
  seconds: number,
  status: number | undefined,
  error: HttpResilientError | undefined
): void => {
  // the common case (a response, no error): three lookups, nothing allocated
  const byStatus = error === undefined && status !== undefined ? answered.get(origin)?.get(method) : undefined
  let series = byStatus?.get(status!)
  if (series === undefined) {
    series = durationSeries(method, url, status, error)
    if (error === undefined && status !== undefined) {
      if (answeredSize >= MAX_CACHED) {
        answered.clear()
        answeredSize = 0
      }
      let byMethod = answered.get(origin)
      if (byMethod === undefined) answered.set(origin, byMethod = new Map())
      let statuses = byMethod.get(method)
      if (statuses === undefined) byMethod.set(method, statuses = new Map())
      statuses.set(status, series)
      answeredSize++
    }
  }
  series.unsafeUpdate(seconds, noLabels)
}

/** The series of one attempt's attributes, found by a key built from them (made on first use). */
const durationSeries = (
  method: string,
  url: URL,
  status: number | undefined,
  error: HttpResilientError | undefined
): Metric.Metric<any, number, unknown> => {
  const protocol = url.protocol
  const type = error === undefined ? "" : errorType(error)
  // `host` (the hostname and any port that is not the scheme's) names the server as well as hostname and port
  const id = `${method} ${protocol}${url.host} ${status ?? ""} ${type}`
  const series = durationFor.cached(id)
  if (series !== undefined) return series
  return durationFor.add(
    id,
    Attributes.durationValues(addressCap, method, url, status, error === undefined ? undefined : type)
  )
}

/**
 * The duration histogram tagged as the pipeline tags it (the order of tags is part of a metric's identity).
 * @internal
 */
export const requestDurationFor = (options: Attributes.DurationSeriesOptions): Metric.Metric.Histogram<number> => {
  const values = Attributes.requestedValues(options)
  return Metric.fromMetricKey(
    MetricKey.taggedWithLabels(
      durationKey,
      values.flatMap((value, i) => value === undefined ? [] : [MetricLabel.make(durationLabels[i], value)])
    )
  ) as Metric.Metric.Histogram<number>
}

/** The status and the error an attempt ended with (none when interrupted or a defect). @internal */
export const statusOf = (exit: Exit.Exit<{ readonly status: number }, HttpResilientError>): {
  status: number | undefined
  error: HttpResilientError | undefined
} => {
  if (exit._tag === "Success") return { status: exit.value.status, error: undefined }
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (failure === undefined) return { status: undefined, error: undefined }
  return { status: failure._tag === "StatusError" ? failure.status : undefined, error: failure }
}

/**
 * Measures an attempt by `clock` and records it in the duration histogram. Interrupted attempts and defects are
 * not recorded.
 * @internal
 */
export const measured = <A extends { readonly status: number }, R>(
  self: Effect.Effect<A, HttpResilientError, R>,
  method: string,
  url: URL,
  origin: string,
  clock: Clock.Clock,
  startMillis: number
): Effect.Effect<A, HttpResilientError, R> =>
  // one continuation, no interruption mask: cheaper than onExit on the hot path
  Effect.matchCauseEffect(self, {
    onSuccess: (response) => {
      const seconds = (clock.unsafeCurrentTimeMillis() - startMillis) / 1000
      recordDuration(method, origin, url, seconds, response.status, undefined)
      return Effect.succeed(response)
    },
    onFailure: (cause) => {
      if (cause._tag === "Fail") {
        const error = cause.error
        const status = error._tag === "StatusError" ? error.status : undefined
        recordDuration(method, origin, url, (clock.unsafeCurrentTimeMillis() - startMillis) / 1000, status, error)
      }
      return Effect.failCause(cause)
    }
  })
