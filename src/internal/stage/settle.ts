/** @internal */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type { HttpResilientError } from "../../HttpResilientError.js"
import type { Attempt, AttemptState } from "../attempt.js"
import type { Protections } from "../protections.js"
import type { RetryBudget } from "../retryBudget.js"

/**
 * The attempt is let through: the retry budget of its origin counts it as a request and learns how it ended (a
 * success or a failure of the origin, as the breaker counts them: the budget's allowance follows the origin's
 * health), and, when any per-attempt protection is on, however the rest of the attempt ends the bulkhead slot is
 * given back and the outcome recorded on the origin's breaker and rate limiter (an interruption or a defect says
 * nothing about the origin).
 *
 * Inside the protections' mask, the rest of the attempt runs as it is (`state.masked`): its stages run their waits
 * through `state.wait` and the transport its own through `state.restore`, so interruption reaches the attempt where
 * it waits, as before, without opening and closing an interruptible region around the rest (two steps and two
 * flag changes per attempt). Except when the client has interceptors (`hasInterceptors`): a response interceptor may
 * resend from inside the user's own effect, so the rest is made interruptible as a whole, and the transport opens
 * its own mask.
 * @internal
 */
export const settle = (protections: Protections, hasInterceptors: boolean) => <A>(next: Attempt<A>): Attempt<A> => {
  const budgets = protections.retryBudget
  if (!protections.guarding && budgets === undefined) return next
  const inMask = protections.guarding && !hasInterceptors
  return (state, request) => {
    const budget = budgets?.get(state.origin())
    budget?.recordRequest(state.clock.unsafeCurrentTimeMillis())
    state.masked = inMask
    return Effect.matchCauseEffect(inMask ? next(state, request) : state.restore(next(state, request)), {
      onSuccess: (value) => {
        protections.bulkhead?.release()
        const breaker = state.breaker
        if (breaker !== undefined || budget !== undefined) {
          const now = state.clock.unsafeCurrentTimeMillis()
          breaker?.record(state.ticket, "success", now, state.due)
          budget?.recordSuccess(now)
        }
        return Effect.succeed(value)
      },
      onFailure: (cause) => {
        settleFailure(protections, state, cause, budget)
        return Effect.failCause(cause)
      }
    })
  }
}

/** Gives back the slot and records a failure's outcome. */
const settleFailure = (
  protections: Protections,
  state: AttemptState,
  cause: Cause.Cause<HttpResilientError>,
  budget: RetryBudget | undefined
): void => {
  protections.bulkhead?.release()
  const breaker = state.breaker
  const limiter = protections.rateLimiter
  if (breaker === undefined && limiter === undefined && budget === undefined) return
  const now = state.clock.unsafeCurrentTimeMillis()
  const failure = Cause.failureOption(cause)
  if (failure._tag === "None") {
    // interrupted (a hedge lost, a deadline, the caller gave up) or a defect: says nothing about the origin
    breaker?.record(state.ticket, "ignored", now, state.due)
    return
  }
  limiter?.observe(state.origin(), failure.value, now)
  if (breaker === undefined && budget === undefined) return
  const outcome = protections.outcomeOf(failure.value)
  breaker?.record(state.ticket, outcome, now, state.due)
  if (outcome === "failure") budget?.recordFailure(now)
  else if (outcome === "success") budget?.recordSuccess(now)
}
