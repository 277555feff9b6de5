/**
 * The retry budget, on by default (after Finagle and Linkerd), one per origin: retries — and hedges — to an
 * origin are allowed while the retries in the last `window` stay within `ratio` × the origin's health × the
 * first attempts in it, plus a reserve of `minRetriesPerSecond` × the window in seconds so that a quiet client
 * can still retry. The health is the share of the origin's attempts that ended in the window that succeeded
 * (`adaptive: false` keeps it at 1, the classic budget).
 *
 * So the allowance follows the origin: with the defaults (ratio 0.8, 10 s, 10 per second) an origin failing
 * 30 % of attempts gets 0.56 retries per call — more than the 0.42 that three retries need — while one failing
 * every attempt gets the reserve alone: a client sending 100 calls per second into an outage sends at most about
 * 110 requests per second, whatever its retry policy says — retries cannot turn an outage into a retry storm.
 * Every attempt is recorded on its origin's budget with how it ended (counted as the circuit breaker counts
 * outcomes); a retry policy asks the budget before each retry and, when it is empty, fails with
 * `RetryBudgetExhaustedError` (publishing `RetryBudgetExhausted`). One origin's failures never spend another's
 * budget; budgets are kept for at most `maxOrigins` origins (least recently used forgotten first) and freed with
 * the client's scope. Counting is O(1) per attempt in bucketed counters (the window in 10 slices; nothing is
 * forgotten before a full window). `retryBudget: false` turns it off.
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
import type { RetryBudgetOf, RetryBudgetOptionsOf } from "./core/options.js"
import { budgetView } from "./core/retryBudget.js"
import { normaliseOrigin } from "./internal/circuitBreaker.js"
import * as client from "./internal/client.js"
import * as internal from "./internal/retryBudget.js"
import { checkRetryBudget } from "./internal/schema/protections.js"

/**
 * Options of the client's `retryBudget` (`false` turns it off).
 *
 * - `ratio`: retries allowed per first attempt in the window while the origin succeeds. @default 0.8
 * - `window`: how far back attempts, outcomes and retries are counted. @default "10 seconds"
 * - `minRetriesPerSecond`: the reserve, per second of the window, available whatever the traffic. @default 10
 * - `adaptive`: scale `ratio` by the share of the origin's recent attempts that succeeded. @default true
 *
 * @example
 * ```ts
 * import { ResilientClient } from "effect-http-resilient"
 *
 * // the classic Finagle budget: 20 % of first attempts whatever the origin's health
 * const Classic = ResilientClient.layer({ retryBudget: { ratio: 0.2, adaptive: false } })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryBudgetOptions extends RetryBudgetOptionsOf<Duration.DurationInput> {}

/**
 * A retry budget: `recordRequest` for every attempt, `recordSuccess` / `recordFailure` as attempts end (the
 * health an adaptive budget follows; a budget told no outcome counts its origin healthy), `tryRetry` before every
 * retry or hedge (it spends one when it answers `true`), `available` to look.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryBudget extends RetryBudgetOf {}

/**
 * The defaults: ratio 0.8 scaled by the origin's health, window 10 s, 10 retries per second in reserve.
 *
 * @example
 * ```ts
 * import { Duration } from "effect"
 * import { RetryBudget } from "effect-http-resilient"
 *
 * assert.strictEqual(RetryBudget.defaults.ratio, 0.8)
 * assert.strictEqual(RetryBudget.defaults.adaptive, true)
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
 *
 * // adaptive (the default): the allowance shrinks as the origin fails
 * const failing = RetryBudget.make({ ratio: 0.5, minRetriesPerSecond: 0 })
 * for (let i = 0; i < 10; i++) failing.recordRequest(0)
 * for (let i = 0; i < 10; i++) failing.recordFailure(0)
 * failing.tryRetry(0) // false: health 0
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: RetryBudgetOptions): RetryBudget => {
  const checked = checkRetryBudget(options ?? {})
  if (Either.isLeft(checked)) throw new RangeError(`RetryBudget.make: ${String(checked.left)}`)
  return budgetView(new internal.RetryBudget(internal.resolve(options)))
}

/**
 * How many retries the client would grant now to the origin it sent to last (a fresh origin's reserve before any
 * request; `Infinity` when `retryBudget: false`). `availableFor` reads a given origin's budget.
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
    const budgets = client.internalsOf(service).protections.retryBudget
    return budgets === undefined
      ? Effect.succeed(Number.POSITIVE_INFINITY)
      : Effect.map(Clock.currentTimeMillis, (now) => budgets.available(undefined, now))
  }
)

/**
 * How many retries the client would grant now to `origin` (a URL or an origin; a fresh origin's reserve when
 * nothing was sent to it yet; `Infinity` when `retryBudget: false`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, HttpResilientTest, RetryBudget } from "effect-http-resilient"
 *
 * const TestClient = HttpResilientTest.layer([HttpResilientTest.reply(503)], { circuitBreaker: false })
 * const program = Effect.gen(function*() {
 *   for (let i = 0; i < 20; i++) yield* Effect.either(HttpResilient.get("http://down.test/x"))
 *   // the failing origin has its reserve alone; another origin is not touched
 *   return [yield* RetryBudget.availableFor("http://down.test"), yield* RetryBudget.availableFor("http://up.test")]
 * })
 * Effect.runPromise(Effect.provide(program, TestClient)).then((n) => assert.deepStrictEqual(n, [100, 100]))
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const availableFor = (origin: string | URL): Effect.Effect<number, never, client.ResilientClient> =>
  Effect.flatMap(
    client.ResilientClient,
    (service) => {
      const budgets = client.internalsOf(service).protections.retryBudget
      return budgets === undefined
        ? Effect.succeed(Number.POSITIVE_INFINITY)
        : Effect.map(Clock.currentTimeMillis, (now) => budgets.available(normaliseOrigin(origin), now))
    }
  )
