/**
 * The retry budget, on by default (after Finagle and Linkerd), one per origin: retries to an origin are allowed
 * while the retries in the last `window` stay within `ratio` × the origin's health × the first attempts in it, plus
 * a reserve of `minRetriesPerSecond` × the window in seconds so that a quiet client can still retry. The health is
 * the share of the origin's attempts that ended in the window that succeeded (`adaptive: false` keeps it at 1, the
 * classic budget). The same options, defaults and accounting as the root entry's (the shared core's
 * `RetryBudgetRegistry`).
 *
 * So the allowance follows the origin: with the defaults (ratio 0.8, 10 s, 10 per second) an origin failing
 * 30 % of attempts gets 0.56 retries per call — more than the 0.42 that three retries need — while one failing
 * every attempt gets the reserve alone: a client sending 100 calls per second into an outage sends at most about
 * 110 requests per second, whatever its retry policy says. Every attempt is recorded on its origin's budget with
 * how it ended (counted as the circuit breaker counts outcomes); a retry policy asks the budget before each retry
 * and, when it is empty, fails with `RetryBudgetExhaustedError` (publishing `RetryBudgetExhausted`). One origin's
 * failures never spend another's budget; budgets are kept for at most `maxOrigins` origins (least recently used
 * forgotten first) and freed with the client's scope. `retryBudget: false` turns it off.
 *
 * @example
 * ```ts
 * import { ResilientClient } from "effect-http-resilient/v4"
 *
 * const Client = ResilientClient.layer({ retryBudget: { ratio: 0.1, window: "30 seconds", minRetriesPerSecond: 5 } })
 * ```
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { millisDuration } from "../../src/core/durationRules.js"
import type { RetryBudgetOf, RetryBudgetOptionsOf } from "../../src/core/options.js"
import {
  budgetView,
  RetryBudgetAccount,
  retryBudgetDefaults,
  retryBudgetLimits,
  type RetryBudgetSettings
} from "../../src/core/retryBudget.js"
import { normaliseOrigin } from "../../src/core/url.js"
import { badOption, millisOf, numberOf } from "./internal/options.js"
import { ResilientClient } from "./internal/service.js"

/**
 * Options of the client's `retryBudget` (`false` turns it off).
 *
 * - `ratio`: retries allowed per first attempt in the window while the origin succeeds. @default 0.8
 * - `window`: how far back attempts, outcomes and retries are counted. @default "10 seconds"
 * - `minRetriesPerSecond`: the reserve, per second of the window, available whatever the traffic. @default 10
 * - `adaptive`: scale `ratio` by the share of the origin's recent attempts that succeeded (1 before any ended);
 *   `false`: the whole `ratio` whatever the origin does (Finagle's budget). @default true
 *
 * @example
 * ```ts
 * import { ResilientClient } from "effect-http-resilient/v4"
 *
 * // the classic Finagle budget: 20 % of first attempts whatever the origin's health
 * const Classic = ResilientClient.layer({ retryBudget: { ratio: 0.2, adaptive: false } })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryBudgetOptions extends RetryBudgetOptionsOf<Duration.Input> {}

/**
 * A retry budget: `recordRequest` for every attempt, `recordSuccess` / `recordFailure` as attempts end (the
 * health an adaptive budget follows; a budget told no outcome counts its origin healthy), `tryRetry` before every
 * retry (it spends one when it answers `true`), `available` to look.
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
 * import * as Duration from "effect/Duration"
 * import { RetryBudget } from "effect-http-resilient/v4"
 *
 * console.log(RetryBudget.defaults.ratio, RetryBudget.defaults.adaptive, Duration.toSeconds(RetryBudget.defaults.window))
 * // 0.8 true 10
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaults = {
  ratio: retryBudgetDefaults.ratio,
  window: Duration.millis(retryBudgetDefaults.windowMillis),
  minRetriesPerSecond: retryBudgetDefaults.minRetriesPerSecond,
  adaptive: retryBudgetDefaults.adaptive
} as const

/**
 * The settings of `options` (checked: a bad one throws a `RangeError` naming it, as `fn`'s).
 * @internal
 */
export const settingsOf = (options: RetryBudgetOptions, fn = "ResilientClient.layer"): RetryBudgetSettings => {
  const adaptive = options.adaptive ?? defaults.adaptive
  if (typeof adaptive !== "boolean") throw badOption(fn, "retryBudget.adaptive", adaptive, "true or false")
  return {
    ratio: numberOf(fn, "retryBudget.ratio", options.ratio ?? defaults.ratio, {
      min: 0,
      max: retryBudgetLimits.ratio,
      expected: `a number from 0 to ${retryBudgetLimits.ratio}`
    }),
    windowMillis: millisOf(fn, "retryBudget.window", options.window ?? defaults.window, millisDuration),
    minRetriesPerSecond: numberOf(
      fn,
      "retryBudget.minRetriesPerSecond",
      options.minRetriesPerSecond ?? defaults.minRetriesPerSecond,
      {
        min: 0,
        max: retryBudgetLimits.minRetriesPerSecond,
        expected: `a number from 0 to ${retryBudgetLimits.minRetriesPerSecond}`
      }
    ),
    adaptive
  }
}

/**
 * A standalone budget (the client makes its own, one per origin, from its `retryBudget` option). Times are epoch
 * ms by the `Clock`. Throws a `RangeError` naming the bad option.
 *
 * @example
 * ```ts
 * import { RetryBudget } from "effect-http-resilient/v4"
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
  return budgetView(new RetryBudgetAccount(settingsOf(options ?? {}, "RetryBudget.make")))
}

/**
 * How many retries the client would grant now to the origin it sent to last (a fresh origin's reserve before any
 * request; `Infinity` when `retryBudget: false`). `availableFor` reads a given origin's budget.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { HttpResilientTest, RetryBudget } from "effect-http-resilient/v4"
 *
 * // a fresh client has its reserve: 10 retries per second of the 10 s window
 * const TestClient = HttpResilientTest.layer([HttpResilientTest.reply(200)])
 * Effect.runPromise(Effect.provide(RetryBudget.available, TestClient)).then(console.log) // 100
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const available: Effect.Effect<number, never, ResilientClient> = Effect.flatMap(
  Effect.service(ResilientClient),
  (client) =>
    Effect.map(Clock.currentTimeMillis, (now) => client.internals.retryBudget?.available(undefined, now) ?? Infinity)
)

/**
 * How many retries the client would grant now to `origin` (a URL or an origin; a fresh origin's reserve when
 * nothing was sent to it yet; `Infinity` when `retryBudget: false`).
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { HttpResilientTest, RetryBudget } from "effect-http-resilient/v4"
 *
 * const TestClient = HttpResilientTest.layer([HttpResilientTest.reply(200)])
 * Effect.runPromise(Effect.provide(RetryBudget.availableFor("http://api.test"), TestClient)).then(console.log) // 100
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const availableFor = (origin: string | URL): Effect.Effect<number, never, ResilientClient> =>
  Effect.flatMap(
    Effect.service(ResilientClient),
    (client) =>
      Effect.map(
        Clock.currentTimeMillis,
        (now) => client.internals.retryBudget?.available(normaliseOrigin(origin), now) ?? Infinity
      )
  )
