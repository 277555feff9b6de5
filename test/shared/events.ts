/**
 * Event sequences the tests of both editions expect (plain data).
 */

/** The events of one call answered 503, 503, 200 under a retry policy, in order. */
export const twoRetriesThenSuccess = [
  "RequestStarted",
  "AttemptFailed",
  "RetryScheduled",
  "RequestStarted",
  "AttemptFailed",
  "RetryScheduled",
  "RequestStarted",
  "Succeeded"
] as const
