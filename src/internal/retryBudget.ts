/** @internal */
import * as core from "../core/retryBudget.js"
import type { RetryBudgetHandle } from "./client.js"
import { resolveRetryBudget, retryBudgetDefaults } from "./schema/protections.js"
import * as Telemetry from "./telemetry.js"

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
