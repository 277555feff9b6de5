/**
 * The one error union of the Effect v4 edition: the same tags, fields and messages as the root (v3) entry's
 * `HttpResilientError`. Differences forced by v4: each error is a v4 `Data.TaggedError` (yieldable in v4's
 * `Effect.gen`), `StatusError.response` is an `effect/http` `HttpClientResponse` (its `request` carries the
 * redacted URL and headers, so nothing secret is reachable from an error), `retryAfter` is a v4 `Option`.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import type * as Option from "effect/Option"
import { errorMessage } from "../../src/core/errorText.js"
import type * as Models from "../../src/core/models.js"
import * as Replay from "../../src/core/replay.js"
import type { TransportReason } from "../../src/core/transportFailure.js"
import * as Verdicts from "../../src/core/verdicts.js"

/**
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: unique symbol = Symbol.for("effect-http-resilient/HttpResilientError")

/**
 * @since 0.1.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * What every error says about the request: method, redacted URL, attempt (1 for the first).
 * @since 0.1.0
 * @category models
 */
export interface RequestInfo extends Models.RequestInfo {}

/**
 * Why a call gave up (the `Failed` event's `reason`).
 * @since 0.1.0
 * @category models
 */
export type FailureReason = Models.FailureReason

/**
 * The facts of the call an error came from, which the retry policy reads: not enumerable, so they never show in
 * logs or equality. (`refusal` stays undefined here: a v4 policy fails with the refusal itself.)
 * @since 0.1.0
 * @category models
 */
export interface CallInfo extends Models.CallInfo<HttpResilientError> {}

/**
 * @since 0.1.0
 * @category models
 */
export type TransportErrorReason = TransportReason

/** What every error class carries beside its fields. */
interface Marks {
  readonly [TypeId]: TypeId
  /** the call's facts (see {@link CallInfo}); `undefined` for an error made outside a call */
  call: CallInfo | undefined
}

/**
 * Connection refused or reset, DNS, TLS, protocol error, aborted … (`reason` says which).
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Data.TaggedError("TransportError")<Models.TransportFields> {}
/** @since 0.1.0 */
export interface TransportError extends Marks {}

/**
 * An attempt timed out (`scope: "attempt"`) or the call's deadline passed (`scope: "deadline"`).
 * @since 0.1.0
 * @category errors
 */
export class TimeoutError extends Data.TaggedError("TimeoutError")<Models.TimeoutFields<Duration.Duration>> {}
/** @since 0.1.0 */
export interface TimeoutError extends Marks {}

/**
 * The status is not accepted (default: outside 2xx–3xx); carries the response, its redacted headers and the
 * server's wait (Retry-After, else RateLimit-Reset).
 * @since 0.1.0
 * @category errors
 */
export class StatusError extends Data.TaggedError("StatusError")<
  Models.StatusFields<HttpClientResponse.HttpClientResponse, Option.Option<Duration.Duration>>
> {
  constructor(fields: Models.StatusFields<HttpClientResponse.HttpClientResponse, Option.Option<Duration.Duration>>) {
    super(fields)
    // readable, but not enumerable: a response carries the headers as the server sent them, and no rendering of the
    // error (JSON, inspect, Cause.pretty) may show a secret one (`headers` above is the redacted copy)
    Object.defineProperty(this, "response", { value: fields.response, enumerable: false, configurable: true })
  }
}
/** @since 0.1.0 */
export interface StatusError extends Marks {}

/**
 * The origin's circuit is open, or half-open without a free probe: no request was sent.
 * @since 0.1.0
 * @category errors
 */
export class CircuitOpenError extends Data.TaggedError("CircuitOpenError")<Models.CircuitOpenFields> {}
/** @since 0.1.0 */
export interface CircuitOpenError extends Marks {}

/**
 * @since 0.1.0
 * @category models
 */
export type BulkheadRejectionReason = "full" | "queue-timeout"

/**
 * No bulkhead slot, and the queue is full or the wait timed out.
 * @since 0.1.0
 * @category errors
 */
export class BulkheadRejectedError
  extends Data.TaggedError("BulkheadRejectedError")<Models.BulkheadRejectedFields<Duration.Duration>>
{}
/** @since 0.1.0 */
export interface BulkheadRejectedError extends Marks {}

/**
 * The local rate limiter would wait past the deadline.
 * @since 0.1.0
 * @category errors
 */
export class RateLimitedError
  extends Data.TaggedError("RateLimitedError")<Models.RateLimitedFields<Duration.Duration>>
{}
/** @since 0.1.0 */
export interface RateLimitedError extends Marks {}

/**
 * A retry was due but the client's retry budget is empty; `lastError` is the error it would have retried.
 * @since 0.1.0
 * @category errors
 */
export class RetryBudgetExhaustedError
  extends Data.TaggedError("RetryBudgetExhaustedError")<Models.RetryBudgetExhaustedFields<HttpResilientError>>
{}
/** @since 0.1.0 */
export interface RetryBudgetExhaustedError extends Marks {}

/**
 * The server asked to wait longer than `maxRetryAfter`, or past the deadline.
 * @since 0.1.0
 * @category errors
 */
export class RetryAfterTooLongError extends Data.TaggedError("RetryAfterTooLongError")<
  Models.RetryAfterTooLongFields<Duration.Duration, HttpResilientError>
> {}
/** @since 0.1.0 */
export interface RetryAfterTooLongError extends Marks {}

/**
 * Bad input found before any I/O (URL, method, header, body, option).
 * @since 0.1.0
 * @category errors
 */
export class InvalidRequestError extends Data.TaggedError("InvalidRequestError")<Models.InvalidRequestFields> {}
/** @since 0.1.0 */
export interface InvalidRequestError extends Marks {}

/**
 * The body is not valid JSON or fails the schema.
 * @since 0.1.0
 * @category errors
 */
export class DecodeError extends Data.TaggedError("DecodeError")<Models.DecodeFields> {}
/** @since 0.1.0 */
export interface DecodeError extends Marks {}

/**
 * An interceptor failed.
 * @since 0.1.0
 * @category errors
 */
export class InterceptorError extends Data.TaggedError("InterceptorError")<Models.InterceptorFields> {}
/** @since 0.1.0 */
export interface InterceptorError extends Marks {}

/**
 * @since 0.1.0
 * @category models
 */
export type HttpResilientError =
  | TransportError
  | TimeoutError
  | StatusError
  | CircuitOpenError
  | BulkheadRejectedError
  | RateLimitedError
  | RetryBudgetExhaustedError
  | RetryAfterTooLongError
  | InvalidRequestError
  | DecodeError
  | InterceptorError
  | ResponseRejectedError

const formatDuration = (duration: unknown): string | undefined =>
  Duration.isFinite(duration as Duration.Duration) ? Duration.format(duration as Duration.Duration) : undefined

/** What every error class shows and carries: its tag id, its call facts, its message, a rendering without secrets. */
const installViews = (C: { readonly prototype: object }): void => {
  Object.defineProperties(C.prototype, {
    [TypeId]: { value: TypeId },
    call: { value: undefined, writable: true, enumerable: false, configurable: true },
    message: {
      get(this: HttpResilientError) {
        return errorMessage(this, formatDuration)
      },
      configurable: true
    },
    // what JSON, inspect and Cause.pretty show: the fields, the response only as its status and redacted headers,
    // never the call's bookkeeping
    toJSON: {
      value(this: HttpResilientError) {
        const view: Record<string, unknown> = { ...this }
        if (this._tag === "StatusError" || this._tag === "ResponseRejectedError") {
          view.response = { status: this.status, headers: this.headers }
        }
        return view
      },
      configurable: true,
      writable: true
    }
  })
}

for (
  const C of [
    TransportError,
    TimeoutError,
    StatusError,
    CircuitOpenError,
    BulkheadRejectedError,
    RateLimitedError,
    RetryBudgetExhaustedError,
    RetryAfterTooLongError,
    InvalidRequestError,
    DecodeError,
    InterceptorError
  ]
) installViews(C)

/**
 * Sets an error's call facts (not enumerable: they never show in a rendering or in equality).
 * @internal
 */
export const setCall = (error: HttpResilientError, call: CallInfo | undefined): void => {
  Object.defineProperty(error, "call", { value: call, enumerable: false, writable: true, configurable: true })
}

/**
 * @since 0.1.0
 * @category refinements
 */
export const isHttpResilientError = (u: unknown): u is HttpResilientError =>
  typeof u === "object" && u !== null && TypeId in u

/**
 * The statuses worth retrying by default: 408, 429, 500, 502, 503, 504.
 * @since 0.1.0
 * @category constants
 */
export const transientStatuses: ReadonlySet<number> = Verdicts.transientStatuses

/**
 * Whether trying again later may succeed (the same rule as the root entry's).
 * @since 0.1.0
 * @category predicates
 */
export const isTransient = (error: HttpResilientError): boolean => Verdicts.isTransientFacts(error)

/**
 * Methods that may be repeated without changing the outcome (RFC 9110 §9.2.2), plus QUERY.
 * @since 0.1.0
 * @category constants
 */
export const idempotentMethods: ReadonlySet<string> = Replay.idempotentMethods

/**
 * Whether `error`, from a request with `method`, may be retried: transient, and the method idempotent or
 * POST/PATCH with an `Idempotency-Key`.
 * @since 0.1.0
 * @category predicates
 */
export const isRetryable = (error: HttpResilientError, method: string, hasIdempotencyKey = false): boolean =>
  Verdicts.isTransientFacts(error) && Replay.mayRepeat(method.toUpperCase(), hasIdempotencyKey)

/**
 * An `acceptResponse` check (the client's or the request's) said no to a response whose status was accepted: the
 * answer is not the one wanted yet (a job not done, a body without the field). Transient: a retry policy retries
 * it by default. `response` is the response, body in memory; `headers` are redacted.
 * @since 0.1.0
 * @category errors
 */
export class ResponseRejectedError extends Data.TaggedError("ResponseRejectedError")<
  Models.RequestInfo & {
    readonly status: number
    readonly statusText: string
    /** Response headers, redacted. */
    readonly headers: Readonly<Record<string, string>>
    /** The response, body in memory. */
    readonly response: HttpClientResponse.HttpClientResponse
  }
> {}
/** @since 0.1.0 */
export interface ResponseRejectedError extends Marks {}

installViews(ResponseRejectedError)
