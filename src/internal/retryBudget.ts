/** @internal */
import * as core from "../core/retryBudget.js"
import { resolveRetryBudget, retryBudgetDefaults } from "./schema/protections.js"
import * as Telemetry from "./telemetry.js"

/**
 * What a retry policy and the hedger need from the retry budget: the budget of the request's origin.
 * @internal
 */
export interface RetryBudgetHandle {
  /** Spends one retry of `origin`'s budget if it allows it at `nowMillis`; false when it is empty. */
  readonly tryRetry: (origin: string, nowMillis: number) => boolean
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
 * One origin's retry budget: the core's accounting (`core/retryBudget.ts`), and a metric for each retry refused.
 * @internal
 */
export class RetryBudget extends core.RetryBudgetAccount {
  override tryRetry(nowMillis: number): boolean {
    if (super.tryRetry(nowMillis)) return true
    Telemetry.recordRetryBudgetRejection()
    return false
  }
}

/**
 * The retry budgets of a client, one per origin (bounded, least recently used forgotten first; see the core's
 * `RetryBudgetRegistry`).
 * @internal
 */
export class RetryBudgets extends core.RetryBudgetRegistry<RetryBudget> implements RetryBudgetHandle {
  constructor(readonly settings: RetryBudgetSettings, maxOrigins: number) {
    super(() => new RetryBudget(settings), maxOrigins)
  }

  readonly tryRetry = (origin: string, nowMillis: number): boolean => this.get(origin).tryRetry(nowMillis)
}

/** @internal */
export const resolve = resolveRetryBudget
