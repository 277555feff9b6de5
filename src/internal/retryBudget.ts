/** @internal */
import * as core from "../core/retryBudget.js"
import { resolveRetryBudget, retryBudgetDefaults } from "./schema/protections.js"
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
export type { RetryBudgetOptions } from "./schema/protections.js"

/** @internal */
export const defaults = retryBudgetDefaults

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
export const resolve = resolveRetryBudget
