/** @internal */
import * as Effect from "effect/Effect"
import { type Attempt, outcomeOf } from "../attempt.js"
import type { ClientState } from "../client.js"

/**
 * The attempt is let through: the retry budget of its origin, when budgets are on, counts it as a request and
 * learns how it ended (a success or a failure of the origin, as the breaker counts them: the budget's allowance
 * follows the origin's health; an interruption or a defect says nothing).
 * @internal
 */
export const settle = (client: Pick<ClientState, "retryBudget" | "isFailure">) => <A>(next: Attempt<A>): Attempt<A> => {
  const budgets = client.retryBudget
  const isFailure = client.isFailure
  return budgets === undefined ? next : (state, request) => {
    const budget = budgets.get(state.built.url.origin)
    budget.recordRequest(state.now)
    return Effect.onExit(next(state, request), (exit) =>
      Effect.clockWith((clock) =>
        Effect.sync(() => {
          const outcome = outcomeOf(exit, isFailure)
          if (outcome === "failure") budget.recordFailure(clock.currentTimeMillisUnsafe())
          else if (outcome === "success") budget.recordSuccess(clock.currentTimeMillisUnsafe())
        })
      ))
  }
}
