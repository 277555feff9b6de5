/**
 * The client-wide retry budget, on by default (after Finagle and Linkerd): retries — and hedges — are
 * allowed while the retries in the last `window` stay within `ratio` of the first attempts in it, plus a
 * reserve of `minRetriesPerSecond` × the window in seconds so that a quiet client can still retry.
 *
 * With the defaults (20 %, 10 s, 10 per second) a client sending 100 calls per second into an outage sends
 * at most about 130 requests per second, whatever its retry policy says — retries cannot turn an outage
 * into a retry storm. Every attempt is recorded; a retry policy asks the budget before each retry and, when
 * it is empty, fails with `RetryBudgetExhaustedError` (publishing `RetryBudgetExhausted`). Counting is O(1)
 * per attempt in bucketed counters (the window in 10 slices; nothing is forgotten before a full window).
 * `retryBudget: false` turns it off.
 *
 * @example
 * ```ts
 * import { ResilientClient } from "effect-http-resilient"
 *
 * const Client = ResilientClient.layer({ retryBudget: { ratio: 0.1, window: "30 seconds", minRetriesPerSecond: 5 } })
 * ```
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as client from "./internal/client.js"
import * as internal from "./internal/retryBudget.js"
import { checkRetryBudget } from "./internal/schema/protections.js"

/**
 * Options of the client's `retryBudget` (`false` turns it off).
 *
 * - `ratio`: retries allowed per first attempt in the window. @default 0.2
 * - `window`: how far back attempts and retries are counted. @default "10 seconds"
 * - `minRetriesPerSecond`: the reserve, per second of the window, available whatever the traffic. @default 10
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryBudgetOptions {
  readonly ratio?: number | undefined
  readonly window?: Duration.DurationInput | undefined
  readonly minRetriesPerSecond?: number | undefined
}

/**
 * A retry budget: `recordRequest` for every attempt, `tryRetry` before every retry or hedge (it spends one
 * when it answers `true`), `available` to look.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryBudget {
  readonly recordRequest: (nowMillis: number) => void
  readonly tryRetry: (nowMillis: number) => boolean
  readonly available: (nowMillis: number) => number
}

/**
 * The defaults: ratio 0.2, window 10 s, 10 retries per second in reserve.
 *
 * @example
 * ```ts
 * import { Duration } from "effect"
 * import { RetryBudget } from "effect-http-resilient"
 *
 * assert.strictEqual(RetryBudget.defaults.ratio, 0.2)
 * assert.strictEqual(Duration.toSeconds(RetryBudget.defaults.window), 10)
 * assert.strictEqual(RetryBudget.defaults.minRetriesPerSecond, 10)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: typeof internal.defaults = internal.defaults

/**
 * A standalone budget (the client makes its own from its `retryBudget` option). Times are epoch ms by the
 * `Clock`. Throws a `RangeError` naming the bad option.
 *
 * @example
 * ```ts
 * import { RetryBudget } from "effect-http-resilient"
 *
 * const budget = RetryBudget.make({ ratio: 0.2, minRetriesPerSecond: 0 })
 * for (let i = 0; i < 10; i++) budget.recordRequest(0)
 * budget.tryRetry(0) // true: 1 retry ≤ 20 % of 10 requests
 * budget.tryRetry(0) // true
 * budget.tryRetry(0) // false
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: RetryBudgetOptions): RetryBudget => {
  const checked = checkRetryBudget(options ?? {})
  if (Either.isLeft(checked)) throw new RangeError(`RetryBudget.make: ${String(checked.left)}`)
  const budget = new internal.RetryBudget(internal.resolve(options))
  return {
    recordRequest: (now) => budget.recordRequest(now),
    tryRetry: (now) => budget.tryRetry(now),
    available: (now) => budget.available(now)
  }
}

/**
 * How many retries the client's budget would grant now (`Infinity` when `retryBudget: false`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilientTest, RetryBudget } from "effect-http-resilient"
 *
 * // a fresh client has its reserve: 10 retries per second of the 10 s window
 * const TestClient = HttpResilientTest.layer([HttpResilientTest.reply(200)])
 * Effect.runPromise(Effect.provide(RetryBudget.available, TestClient)).then((n) => assert.strictEqual(n, 100))
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const available: Effect.Effect<number, never, client.ResilientClient> = Effect.flatMap(
  client.ResilientClient,
  (service) => {
    const budget = client.internalsOf(service).protections.retryBudget
    return budget === undefined
      ? Effect.succeed(Number.POSITIVE_INFINITY)
      : Effect.map(Clock.currentTimeMillis, (now) => budget.available(now))
  }
)
