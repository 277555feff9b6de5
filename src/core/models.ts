/**
 * The shapes both editions share (what errors, events and the test kit's recorder tell about a request): plain
 * TypeScript, no Effect type; each edition's public module re-declares them under its own name and docs.
 * @internal
 */

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
