/** @internal */
import type { Attempt } from "../attempt.js"
import type { Guard } from "../client.js"

/**
 * The circuit breaker of the request's origin, when breakers are on: an open one fails the attempt with
 * `CircuitOpenError` without I/O; else the rest of the attempt runs and its outcome is recorded (see `Guard`).
 * @internal
 */
export const breaker = (guard: Guard | undefined) => <A>(next: Attempt<A>): Attempt<A> =>
  guard === undefined ?
    next :
    (state, request) => guard(state.built.url.origin, state.info, next(state, request), state.now)
