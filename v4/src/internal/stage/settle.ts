/** @internal */
import type { RetryBudgetAccount } from "../../../../src/core/retryBudget.js"
import type { Attempt } from "../attempt.js"

/**
 * The attempt is let through: the retry budget, when on, counts it as a request.
 * @internal
 */
export const settle = (budget: RetryBudgetAccount | undefined) => <A>(next: Attempt<A>): Attempt<A> =>
  budget === undefined ? next : (state, request) => {
    budget.recordRequest(state.now)
    return next(state, request)
  }
