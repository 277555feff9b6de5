/** @internal */
import * as Effect from "effect/Effect"
import type { Attempt } from "../attempt.js"
import type { Protections } from "../protections.js"

/**
 * Opens the protections' interruption mask when any per-attempt protection is on: from the rate limiter to the end
 * of the attempt, only the waits (`state.restore`) and the rest of the attempt can be interrupted, so that a
 * bulkhead slot taken is always given back and a breaker's ticket always recorded (`settle`).
 * @internal
 */
export const protect = (protections: Protections) => <A>(next: Attempt<A>): Attempt<A> =>
  !protections.guarding ? next : (state, request) =>
    Effect.uninterruptibleMask((restore) => {
      state.restore = restore
      return next(state, request)
    })
