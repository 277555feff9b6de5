/**
 * Retry policies: `Schedule`s that decide, from an `HttpResilientError` and the request it came from, whether
 * and when a call is tried again. Use one with a plain `Effect.retry`, compose it with Effect's `Schedule`
 * combinators, or set it as a client's or a request's `retry` option.
 *
 * A policy retries:
 * - **what**: transient errors only (see `HttpResilientError.isTransient`): transport failures, attempt timeouts,
 *   `StatusError` 408, 429, 500, 502, 503, 504 — 413 only with a Retry-After — and `ResponseRejectedError` (an
 *   `acceptResponse` check said no). Open circuits, bulkhead
 *   rejections, invalid requests and the deadline are never retried. Errors that are not `HttpResilientError`s
 *   are never retried either.
 * - **which requests**: idempotent methods (GET HEAD OPTIONS PUT DELETE TRACE QUERY); POST and PATCH only when the
 *   request carried an `Idempotency-Key` (request option `idempotencyKey: true` generates one, and every attempt of
 *   the call sends the same one — also when a plain `Effect.retry` runs the whole `HttpResilient.post(...)` again).
 *   A request with a stream body is never retried.
 * - **when**: after the backoff's delay — or, on a status, after the server's wait (`Retry-After`, else
 *   `RateLimit-Reset` / `X-RateLimit-Reset`), which replaces the backoff exactly: no jitter, and `Retry-After: 0`
 *   retries at once. A server's wait above `maxRetryAfter`, or one that would end past the deadline, fails at once
 *   with `RetryAfterTooLongError` (with `onRetryAfterTooLong: "clamp"` the policy waits `maxRetryAfter` instead).
 *   A backoff delay that would end past the deadline fails at once with `TimeoutError { scope: "deadline" }`. The
 *   deadline is the request's `deadline` option, `HttpResilient.withDeadline`, or the client's `deadline` for
 *   calls retried by a `retry` option.
 * - **whether the fleet can afford it**: inside a client with a retry budget, every retry spends from it; when it
 *   is empty the call fails with `RetryBudgetExhaustedError { lastError }`.
 *
 * Inside a client the policy publishes `RetryScheduled { delay, reason }` before each wait, `Failed { reason }`
 * when it gives up (`exhausted`, `not-retryable`, `budget`, `deadline`, `retry-after-too-long`) and
 * `RetryBudgetExhausted`. Outside a client (no `ResilientClient` in context) it retries the same way, without
 * budget or events.
 *
 * How a refusal becomes the call's error under a plain `Effect.retry`: `Effect.retry` always fails with the last
 * error its effect produced, so when the policy refuses a retry (budget empty, Retry-After too long, deadline) it
 * records the refusal on the last error and lets the effect run once more, at once; the first `HttpResilient` call
 * in that run fails with the refusal without any I/O, and the policy then stops. (An effect that reaches no
 * `HttpResilient` call is run once more for real; under a combinator that delays it, such as
 * `Schedule.intersect(policy, Schedule.spaced(d))`, the refusal comes after that delay.)
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Backoff, HttpResilient, RetryPolicy } from "effect-http-resilient"
 *
 * const policy = RetryPolicy.make({
 *   retries: 5,
 *   backoff: Backoff.exponential({ base: "200 millis", max: "5 seconds" }).pipe(Backoff.fullJitter),
 *   maxRetryAfter: "30 seconds"
 * })
 * const order = HttpResilient.post("https://api.example.com/orders", { json: { sku: "A1" }, idempotencyKey: true })
 *   .pipe(Effect.retry(policy))
 * ```
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Schedule from "effect/Schedule"
import * as internal from "./internal/retryPolicy.js"

/**
 * A retry policy: a `Schedule` whose input is the error (any error; only `HttpResilientError`s are retried) and
 * whose output is the delay before the next attempt. It is a `Schedule<unknown, HttpResilientError>` too, so it
 * fits every `retry` option.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryPolicy = Schedule.Schedule<Duration.Duration, unknown>

/**
 * Options of {@link make}. Every field is optional.
 *
 * - `retries`: the most retries (attempts = retries + 1); `Infinity` for no limit. @default 3
 * - `backoff`: the delays between attempts, any `Schedule` (see `Backoff`); when it stops, the policy stops.
 *   @default exponential 100 ms × 2, capped at 20 s, full jitter
 * - `statuses`: the statuses worth retrying, replacing the default list (and its 413-with-Retry-After rule).
 *   @default 408, 429, 500, 502, 503, 504 (and 413 with Retry-After)
 * - `methods`: the methods retried without an `Idempotency-Key`; POST and PATCH are retried with one in any case.
 *   @default GET, HEAD, OPTIONS, PUT, DELETE, TRACE, QUERY
 * - `retryOn`: decides which errors are worth retrying, replacing the transient/statuses rule (the method,
 *   idempotency and replayable-body rules still apply).
 * - `respectRetryAfter`: whether the server's wait replaces the backoff on a retryable status. @default true
 * - `maxRetryAfter`: the longest server wait honoured. @default "60 seconds"
 * - `onRetryAfterTooLong`: `"fail"` (at once, with `RetryAfterTooLongError`) or `"clamp"` (wait `maxRetryAfter`).
 *   @default "fail"
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends internal.RetryPolicyOptions {}

/**
 * A retry policy. Bad options throw an `IllegalArgumentException` (from `effect/Cause`) naming the option and the
 * value, e.g. `RetryPolicy.make: option "retries" must be a non-negative integer (or Infinity), got -1`; so does an
 * option it does not know, naming it and the known ones (`RetryPolicy.make: unknown option "retires" (known:
 * retries, backoff, …; did you mean "retries"?)`), so a misspelt option is never silently ignored.
 *
 * @example
 * ```ts
 * import { Effect, Schedule } from "effect"
 * import { Backoff, HttpResilient, RetryPolicy } from "effect-http-resilient"
 *
 * const policy = RetryPolicy.make({ retries: 3, backoff: Backoff.constant("1 second") })
 * // composes with Effect's own combinators: also stop after 10 seconds in all
 * const bounded = Schedule.intersect(policy, Schedule.upTo(Schedule.forever, "10 seconds"))
 * const user = HttpResilient.get("https://api.example.com/users/1").pipe(Effect.retry(bounded))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => RetryPolicy = internal.make

/**
 * The policy with every default: 3 retries, exponential backoff from 100 ms with full jitter capped at 20 s,
 * statuses 408 429 500 502 503 504, Retry-After honoured up to 60 s.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, RetryPolicy } from "effect-http-resilient"
 *
 * const user = HttpResilient.get("https://api.example.com/users/1").pipe(Effect.retry(RetryPolicy.default))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultPolicy: RetryPolicy = internal.defaultPolicy

export {
  /**
   * The policy with every default (see {@link defaultPolicy}).
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { HttpResilient, RetryPolicy } from "effect-http-resilient"
   *
   * const user = HttpResilient.get("https://api.example.com/users/1").pipe(Effect.retry(RetryPolicy.default))
   * assert.strictEqual(RetryPolicy.default, RetryPolicy.defaultPolicy)
   * ```
   *
   * @since 0.1.0
   * @category constructors
   */
  defaultPolicy as default
}

/**
 * Never retries (and publishes nothing). As a request's `retry` option it turns a client's policy off, like
 * `retry: false`.
 *
 * @example
 * ```ts
 * import { HttpResilient, ResilientClient, RetryPolicy } from "effect-http-resilient"
 *
 * const Client = ResilientClient.layer({ retry: RetryPolicy.default })
 * // a health check is sent once, whatever the client's policy
 * const health = HttpResilient.get("https://api.example.com/health", { retry: RetryPolicy.none })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const none: RetryPolicy = internal.none
