/**
 * The shapes both editions share (what errors, events and the test kit's recorder tell about a request): plain
 * TypeScript, no Effect type; each edition's public module re-declares them under its own name and docs.
 * @internal
 */
import type { InvalidRequestReason, TransportReason } from "./transportFailure.js"

/**
 * What every error knows about the request that failed.
 * @internal
 */
export interface RequestInfo {
  /** The HTTP method, upper case. */
  readonly method: string
  /** The URL, userinfo removed and sensitive query values redacted. */
  readonly url: string
  /** The attempt that failed: 1 for the first, 2 for the first retry … */
  readonly attempt: number
}

/**
 * Why a retry policy gave up.
 * @internal
 */
export type FailureReason = "exhausted" | "not-retryable" | "budget" | "deadline" | "retry-after-too-long"

/**
 * The facts of the call an error came from (see the editions' `HttpResilientError.CallInfo`).
 * @internal
 */
export interface CallInfo<E = unknown> {
  /** The attempt that failed: 1 for the first, 2 for the first retry … (the error's `attempt`). */
  readonly attempt: number
  /**
   * The `Idempotency-Key` header the attempt sent, if any. A generated key (`idempotencyKey: true`) is the same on
   * every attempt of the call, also when a plain `Effect.retry` runs the call again. A policy retries POST and PATCH
   * only when there is one.
   */
  readonly idempotencyKey: string | undefined
  /** Whether the request's body can be sent again: false for a one-shot `stream` body, which is never retried. */
  readonly replayable: boolean
  /**
   * The call's deadline, epoch milliseconds by the `Clock`, if it has one: its `deadline` option, else the client's
   * `deadline` when the call has a retry policy of its own (the `retry` option). A policy schedules no wait past it.
   */
  readonly deadlineAt: number | undefined
  /** The request's `tag` option, as events and spans show it. */
  readonly tag: string | undefined
  /**
   * Set when the call's final failure was reported (`Failed`) with this error: by a `RetryPolicy` that gave up
   * after it, by the client's retry driver when a plain `Schedule` ended (`exhausted`), or by a call with no retry
   * around it (`exhausted`, or `deadline`); why. An enclosing policy that sees the same error does not report it
   * again.
   */
  readonly gaveUp: FailureReason | undefined
  /**
   * Set when a `RetryPolicy` refused a retry that was due after this error — the retry budget is empty
   * (`RetryBudgetExhaustedError`), the server's wait is too long (`RetryAfterTooLongError`), or the wait would end
   * past the deadline (`TimeoutError` deadline): the error the call ends with instead.
   */
  readonly refusal: E | undefined
}

/**
 * What every request event carries.
 * @internal
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
 * A request the scripted transport saw.
 * @internal
 */
export interface RecordedRequest {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
  /** epoch ms by the Clock when the transport received it */
  readonly at: number
}

/**
 * The fields of each error of the union, over the edition's types: `D` its Duration, `R` its response, `O` an
 * Option of a Duration, `E` the union itself.
 * @internal
 */

/**
 * The fields of `TransportError`.
 * @internal
 */
export interface TransportFields extends RequestInfo {
  readonly reason: TransportReason
  readonly detail?: string | undefined
  readonly cause?: unknown
}

/**
 * The fields of `TimeoutError`.
 * @internal
 */
export interface TimeoutFields<D> extends RequestInfo {
  readonly scope: "attempt" | "deadline"
  readonly timeout: D
}

/**
 * The fields of an error that carries the response: `ResponseRejectedError`'s, and `StatusError`'s but its wait.
 * @internal
 */
export interface ResponseFields<R> extends RequestInfo {
  readonly status: number
  readonly statusText: string
  /** Response headers, redacted. */
  readonly headers: Readonly<Record<string, string>>
  /** The response, body in memory. */
  readonly response: R
}

/**
 * The fields of `StatusError`.
 * @internal
 */
export interface StatusFields<R, O> extends ResponseFields<R> {
  /** The server's wait (Retry-After, else RateLimit-Reset / X-RateLimit-Reset), if it gave a valid one. */
  readonly retryAfter: O
}

/**
 * The fields of `CircuitOpenError`.
 * @internal
 */
export interface CircuitOpenFields extends RequestInfo {
  readonly origin: string
  /** Epoch milliseconds (by the `Clock`) from which trying again may be let through; see the class. */
  readonly retryAt: number
  /** The breaker's state: `"open"`, or `"half-open"` with no free probe. */
  readonly state?: "open" | "half-open" | undefined
  /** With `state: "half-open"`: the probes in flight (all of the breaker's `probes`). */
  readonly probes?: number | undefined
}

/**
 * The fields of `BulkheadRejectedError`.
 * @internal
 */
export interface BulkheadRejectedFields<D> extends RequestInfo {
  readonly limit: number
  readonly queued: number
  /** Why: the queue was full, or the wait in it timed out. */
  readonly reason?: "full" | "queue-timeout" | undefined
  /** With `reason: "queue-timeout"`: how long the attempt waited in the queue (the bulkhead's `queueTimeout`). */
  readonly queueTimeout?: D | undefined
}

/**
 * The fields of `RateLimitedError`.
 * @internal
 */
export interface RateLimitedFields<D> extends RequestInfo {
  readonly waitFor: D
}

/**
 * The fields of `RetryBudgetExhaustedError`.
 * @internal
 */
export interface RetryBudgetExhaustedFields<E> extends RequestInfo {
  readonly lastError: E
}

/**
 * The fields of `RetryAfterTooLongError`.
 * @internal
 */
export interface RetryAfterTooLongFields<D, E> extends RequestInfo {
  readonly retryAfter: D
  readonly limit: D
  readonly lastError?: E | undefined
}

/**
 * The fields of `InvalidRequestError`.
 * @internal
 */
export interface InvalidRequestFields extends RequestInfo {
  readonly reason: InvalidRequestReason
  readonly detail: string
  readonly cause?: unknown
}

/**
 * The fields of `DecodeError`.
 * @internal
 */
export interface DecodeFields extends RequestInfo {
  readonly cause: unknown
  readonly line?: number | undefined
}

/**
 * The fields of `InterceptorError`.
 * @internal
 */
export interface InterceptorFields extends RequestInfo {
  readonly interceptor: string
  readonly cause: unknown
}

/**
 * Why a retry waits what it waits.
 * @internal
 */
export type RetryReason = "backoff" | "retry-after" | "rate-limit-reset" | "hedge"

/**
 * The fields of each event, over the edition's types: `D` its Duration, `E` the error union, `S` a breaker state.
 * @internal
 */
export interface AttemptFailedFields<E> extends EventInfo {
  readonly error: E
}

/** @internal */
export interface RetryScheduledFields<D, E> extends EventInfo {
  readonly delay: D
  readonly reason: RetryReason
  readonly error: E
}

/** @internal */
export interface FailedFields<E> extends EventInfo {
  readonly reason: FailureReason
  readonly error: E
}

/** @internal */
export interface SucceededFields<D> extends EventInfo {
  readonly status: number
  readonly duration: D
}

/** @internal */
export interface CircuitStateChangedFields<S> {
  readonly origin: string
  readonly from: S
  readonly to: S
  readonly timestamp: number
}
