/**
 * The names of the span attributes and metrics both editions report, and the duration histogram's buckets.
 * Effect-free.
 * @internal
 */

/**
 * @internal
 */
export const attributes = {
  method: "http.request.method",
  urlFull: "url.full",
  serverAddress: "server.address",
  serverPort: "server.port",
  statusCode: "http.response.status_code",
  errorType: "error.type",
  resendCount: "http.request.resend_count",
  /** the request's `tag` option (not a semantic convention: this library's own) */
  tag: "http_resilient.tag"
} as const

/**
 * @internal
 */
export const metricNames = {
  requestDuration: "http.client.request.duration",
  retries: "http_resilient.retries",
  circuitTransitions: "http_resilient.circuit.transitions",
  retryBudgetRejections: "http_resilient.retry_budget.rejections",
  bulkheadRejections: "http_resilient.bulkhead.rejections",
  eventsDropped: "http_resilient.events.dropped"
} as const

/** OpenTelemetry's advised buckets for `http.client.request.duration`, in seconds. @internal */
export const durationBuckets: ReadonlyArray<number> = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.075,
  0.1,
  0.25,
  0.5,
  0.75,
  1,
  2.5,
  5,
  7.5,
  10
]
