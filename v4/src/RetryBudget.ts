/**
 * The client-wide retry budget (Finagle, Linkerd): retries may be at most `ratio` of the requests in a `window`,
 * plus a reserve of `minRetriesPerSecond`. On by default; the same options and defaults as the root entry, kept by
 * the shared core's account.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { RetryBudgetSettings } from "../../src/core/retryBudget.js"
import { millisOf, numberOf } from "./internal/options.js"
import { ResilientClient } from "./internal/service.js"

/**
 * The client's `retryBudget` option.
 * @since 0.1.0
 * @category models
 */
export interface RetryBudgetOptions {
  /** retries per first attempt in the window @default 0.2 */
  readonly ratio?: number | undefined
  /** @default 10 seconds */
  readonly window?: Duration.Input | undefined
  /** the reserve, per second of the window @default 10 */
  readonly minRetriesPerSecond?: number | undefined
}

/**
 * @since 0.1.0
 * @category defaults
 */
export const defaults = { ratio: 0.2, window: Duration.seconds(10), minRetriesPerSecond: 10 } as const

/** @internal */
export const settingsOf = (options: RetryBudgetOptions): RetryBudgetSettings => {
  const fn = "ResilientClient.layer"
  return {
    ratio: numberOf(fn, "retryBudget.ratio", options.ratio ?? defaults.ratio, {
      min: 0,
      expected: "a non-negative number"
    }),
    windowMillis: millisOf(fn, "retryBudget.window", options.window ?? defaults.window),
    minRetriesPerSecond: numberOf(
      fn,
      "retryBudget.minRetriesPerSecond",
      options.minRetriesPerSecond ?? defaults.minRetriesPerSecond,
      { min: 0, expected: "a non-negative number" }
    ),
    // the classic budget: the edition keeps one client-wide account and records no outcomes for it
    adaptive: false
  }
}

/**
 * How many retries the client's budget would grant now (Infinity without a budget).
 * @since 0.1.0
 * @category getters
 */
export const available: Effect.Effect<number, never, ResilientClient> = Effect.flatMap(
  Effect.service(ResilientClient),
  (client) => Effect.map(Clock.currentTimeMillis, (now) => client.internals.retryBudget?.available(now) ?? Infinity)
)
