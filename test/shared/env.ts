/**
 * Environment records both editions' configuration tests read (`ResilientClient.optionsFromConfig`,
 * `layerConfig`): the same variables must land in the same options in both.
 */

/** Every setting of the protections' sections (circuit breaker with a ratio strategy, bulkhead, retry budget). */
export const protectionVariables = {
  HTTP_RESILIENT_CIRCUIT_BREAKER_THRESHOLD: "0.25",
  HTTP_RESILIENT_CIRCUIT_BREAKER_MIN_THROUGHPUT: "7",
  HTTP_RESILIENT_CIRCUIT_BREAKER_WINDOW: "30 seconds",
  HTTP_RESILIENT_CIRCUIT_BREAKER_BREAK_DURATION: "2 seconds",
  HTTP_RESILIENT_CIRCUIT_BREAKER_BACKOFF_FACTOR: "2",
  HTTP_RESILIENT_CIRCUIT_BREAKER_MAX_BREAK_DURATION: "40 seconds",
  HTTP_RESILIENT_CIRCUIT_BREAKER_PROBES: "3",
  HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT: "4",
  HTTP_RESILIENT_BULKHEAD_MAX_QUEUE: "2",
  HTTP_RESILIENT_BULKHEAD_QUEUE_TIMEOUT: "50 millis",
  HTTP_RESILIENT_RETRY_BUDGET_RATIO: "0.5",
  HTTP_RESILIENT_RETRY_BUDGET_WINDOW: "20 seconds",
  HTTP_RESILIENT_RETRY_BUDGET_MIN_RETRIES_PER_SECOND: "1.5"
} as const
