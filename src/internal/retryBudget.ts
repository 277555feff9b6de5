/** @internal */
import * as Duration from "effect/Duration"
import * as core from "../core/retryBudget.js"
import * as Telemetry from "./telemetry.js"

/**
 * What a retry policy and the hedger need from the retry budget.
 * @internal
 */
export interface RetryBudgetHandle {
  /** Records one request (every attempt, first or not) at `nowMillis`. */
  readonly recordRequest: (nowMillis: number) => void
  /** Spends one retry if the budget allows it at `nowMillis`; false when it is empty. */
  readonly tryRetry: (nowMillis: number) => boolean
}

/** @internal */
export interface RetryBudgetOptions {
  readonly ratio?: number | undefined
  readonly window?: Duration.DurationInput | undefined
  readonly minRetriesPerSecond?: number | undefined
}

/** @internal */
export const defaults = {
  ratio: 0.2,
  window: Duration.seconds(10),
  minRetriesPerSecond: 10
} as const

/**
 * The resolved settings of a retry budget.
 * @internal
 */
export type RetryBudgetSettings = core.RetryBudgetSettings

/**
 * The client's retry budget: the core's accounting (`core/retryBudget.ts`), and a metric for each retry refused.
 * @internal
 */
export class RetryBudget extends core.RetryBudgetAccount implements RetryBudgetHandle {
  override tryRetry(nowMillis: number): boolean {
    if (super.tryRetry(nowMillis)) return true
    Telemetry.recordRetryBudgetRejection()
    return false
  }
}

/** @internal */
export const resolve = (options: RetryBudgetOptions | undefined): RetryBudgetSettings => ({
  ratio: options?.ratio ?? defaults.ratio,
  windowMillis: Duration.toMillis(options?.window === undefined ? defaults.window : Duration.decode(options.window)),
  minRetriesPerSecond: options?.minRetriesPerSecond ?? defaults.minRetriesPerSecond
})
