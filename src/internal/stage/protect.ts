/** @internal */
import * as Effect from "effect/Effect"
import type { Attempt } from "../attempt.js"
import type { Protections } from "../protections.js"

/**
 * Opens the protections' interruption mask when any per-attempt protection is on: from the rate limiter to the end
 * of the attempt, only the waits can be interrupted (the rate limiter's and the bulkhead queue's through
 * `state.restore`; after `settle`, each stage's own through `state.wait`, and the transport's), so that a bulkhead
 * slot taken is always given back and a breaker's ticket always recorded (`settle`).
 * @internal
 */
export const protect = (protections: Protections) => <A>(next: Attempt<A>): Attempt<A> =>
  !protections.guarding ? next : (state, request) =>
    Effect.uninterruptibleMask((restore) => {
      state.restore = restore
      return next(state, request)
    })
