/** @internal */
import * as Effect from "effect/Effect"
import { redactUrl } from "../../core/secrets.js"
import { CircuitOpenError } from "../../HttpResilientError.js"
import type { Attempt } from "../attempt.js"
import * as CircuitBreaker from "../circuitBreaker.js"
import type { Protections } from "../protections.js"

/**
 * The circuit breaker of the request's origin, or of its key (`circuitBreaker.key`), when breakers are on: an open
 * one fails the attempt with `CircuitOpenError`, without I/O (giving back the bulkhead slot); else the attempt takes
 * a ticket, which `settle` records with the attempt's outcome.
 * @internal
 */
export const breaker = (protections: Protections) => <A>(next: Attempt<A>): Attempt<A> => {
  const breakers = protections.breakers
  const keyOf = protections.breakerKey
  return breakers === undefined ? next : (state, request) => {
    const now = state.clock.unsafeCurrentTimeMillis()
    const prepared = state.prepared
    const origin = state.origin()
    const due = state.startedAt + state.timeoutMillis
    const breaker = keyOf === undefined
      ? breakers.get(origin)
      : breakers.get(keyOf(prepared.method, state.shown(), origin), origin)
    const ticket = breaker.admit(now, due)
    if (ticket === CircuitBreaker.REJECTED) {
      protections.bulkhead?.release()
      return Effect.fail(
        new CircuitOpenError({
          method: prepared.method,
          url: redactUrl(prepared.url, prepared.secrets),
          attempt: state.attempt,
          origin,
          retryAt: breaker.retryAt(now),
          ...(breaker.state === "half-open"
            ? { state: "half-open", probes: breaker.probesInFlight }
            : { state: "open" })
        })
      )
    }
    state.breaker = breaker
    state.ticket = ticket
    state.due = due
    return next(state, request)
  }
}
