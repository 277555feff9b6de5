/** @internal */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type { HttpResilientError } from "../../HttpResilientError.js"
import type { Attempt, AttemptState } from "../attempt.js"
import type { Protections } from "../protections.js"

/**
 * The attempt is let through: the retry budget counts it as a request (the breaker stage does, when on), and, when
 * any per-attempt protection is on,
 * however the rest of the attempt ends the bulkhead slot is given back and the outcome recorded on the origin's
 * breaker and rate limiter (an interruption or a defect says nothing about the origin).
 * @internal
 */
export const settle = (protections: Protections) => <A>(next: Attempt<A>): Attempt<A> => {
  // with breakers on, the breaker stage counts the request as it admits it (one clock read for both)
  const budget = protections.breakers === undefined ? protections.retryBudget : undefined
  if (!protections.guarding) {
    return (state, request) => {
      budget?.recordRequest(state.clock.unsafeCurrentTimeMillis())
      return next(state, request)
    }
  }
  return (state, request) => {
    budget?.recordRequest(state.clock.unsafeCurrentTimeMillis())
    return Effect.matchCauseEffect(state.restore(next(state, request)), {
      onSuccess: (value) => {
        protections.bulkhead?.release()
        state.breaker?.record(state.ticket, "success", state.clock.unsafeCurrentTimeMillis(), state.due)
        return Effect.succeed(value)
      },
      onFailure: (cause) => {
        settleFailure(protections, state, cause)
        return Effect.failCause(cause)
      }
    })
  }
}

/** Gives back the slot and records a failure's outcome. */
const settleFailure = (
  protections: Protections,
  state: AttemptState,
  cause: Cause.Cause<HttpResilientError>
): void => {
  protections.bulkhead?.release()
  const breaker = state.breaker
  const limiter = protections.rateLimiter
  if (breaker === undefined && limiter === undefined) return
  const now = state.clock.unsafeCurrentTimeMillis()
  const failure = Cause.failureOption(cause)
  if (failure._tag === "None") {
    // interrupted (a hedge lost, a deadline, the caller gave up) or a defect: says nothing about the origin
    breaker?.record(state.ticket, "ignored", now, state.due)
    return
  }
  breaker?.record(state.ticket, protections.breakers!.classify(failure.value), now, state.due)
  limiter?.observe(state.prepared.url.origin, failure.value, now)
}
