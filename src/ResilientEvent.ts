/**
 * The events a client publishes on `ResilientClient.events` and passes to the layer's hooks
 * (`onRequest`, `onRetry`, `onSuccess`, `onFailure`).
 *
 * Every event carries `method`, the redacted `url`, the `attempt` number and `timestamp`
 * (epoch milliseconds by the `Clock`, so `TestClock` controls it). For 503 → 503 → 200 the order is:
 * `RequestStarted`, `AttemptFailed`, `RetryScheduled`, `RequestStarted`, `AttemptFailed`,
 * `RetryScheduled`, `RequestStarted`, `Succeeded`.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type { HttpResilientError } from "./HttpResilientError.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface EventInfo {
  readonly method: string
  /** The URL, redacted. */
  readonly url: string
  readonly attempt: number
  /** Epoch milliseconds by the `Clock`. */
  readonly timestamp: number
  /** The request's `tag` option, if any. */
  readonly tag?: string | undefined
}

/**
 * Before every attempt, once the request is valid.
 *
 * @since 0.1.0
 * @category events
 */
export class RequestStarted extends Data.TaggedClass("RequestStarted")<EventInfo> {}

/**
 * An attempt failed (with a tagged error). Whether it is retried is told by the next event.
 *
 * @since 0.1.0
 * @category events
 */
export class AttemptFailed
  extends Data.TaggedClass("AttemptFailed")<EventInfo & { readonly error: HttpResilientError }>
{}

/**
 * Why a retry waits what it waits: the backoff's delay, or the server's (`Retry-After`, `RateLimit-Reset`).
 *
 * @since 0.1.0
 * @category models
 */
export type RetryReason = "backoff" | "retry-after" | "rate-limit-reset" | "hedge"

/**
 * A retry policy decided to try again after `delay`.
 *
 * @since 0.1.0
 * @category events
 */
export class RetryScheduled extends Data.TaggedClass("RetryScheduled")<
  EventInfo & { readonly delay: Duration.Duration; readonly reason: RetryReason; readonly error: HttpResilientError }
> {}

/**
 * Why a retry policy gave up.
 *
 * @since 0.1.0
 * @category models
 */
export type FailureReason = "exhausted" | "not-retryable" | "budget" | "deadline" | "retry-after-too-long"

/**
 * A retry policy gave up; `error` is what the call fails with.
 *
 * @since 0.1.0
 * @category events
 */
export class Failed extends Data.TaggedClass("Failed")<
  EventInfo & { readonly reason: FailureReason; readonly error: HttpResilientError }
> {}

/**
 * An attempt got an accepted response.
 *
 * @since 0.1.0
 * @category events
 */
export class Succeeded extends Data.TaggedClass("Succeeded")<
  EventInfo & { readonly status: number; readonly duration: Duration.Duration }
> {}

/**
 * The state of a circuit breaker.
 *
 * @since 0.1.0
 * @category models
 */
export type CircuitState = "closed" | "open" | "half-open"

/**
 * An origin's circuit breaker changed state.
 *
 * @since 0.1.0
 * @category events
 */
export class CircuitStateChanged extends Data.TaggedClass("CircuitStateChanged")<{
  readonly origin: string
  readonly from: CircuitState
  readonly to: CircuitState
  readonly timestamp: number
}> {}

/**
 * A retry was refused because the client's retry budget was empty.
 *
 * @since 0.1.0
 * @category events
 */
export class RetryBudgetExhausted extends Data.TaggedClass("RetryBudgetExhausted")<EventInfo> {}

/**
 * @since 0.1.0
 * @category models
 */
export type ResilientEvent =
  | RequestStarted
  | AttemptFailed
  | RetryScheduled
  | Failed
  | Succeeded
  | CircuitStateChanged
  | RetryBudgetExhausted
