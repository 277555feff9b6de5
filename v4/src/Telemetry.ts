/**
 * The metrics the v4 edition records, as v4 `Metric`s under the same names as the root entry's
 * (`http.client.request.duration`, `http_resilient.retries`, `http_resilient.circuit.transitions`,
 * `http_resilient.retry_budget.rejections`); read them with `Metric.value`. Spans: one per attempt, named
 * `HTTP {method}`, kind client, with `http.request.resend_count` from the second attempt, when the client option
 * `tracing` is `true` (the v3 entry also turns them on when a tracer is installed; here it is the option only).
 *
 * @since 0.1.0
 */
import * as Metric from "effect/Metric"
import { attributes, durationBuckets, metricNames } from "../../src/core/telemetryNames.js"

export {
  /**
   * @since 0.1.0
   * @category names
   */
  attributes,
  /**
   * @since 0.1.0
   * @category names
   */
  metricNames
}

/**
 * Attempt durations in seconds (OpenTelemetry's advised buckets).
 * @since 0.1.0
 * @category metrics
 */
export const requestDuration = Metric.histogram(metricNames.requestDuration, {
  description: "Duration of HTTP client attempts, in seconds",
  boundaries: durationBuckets
})

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
