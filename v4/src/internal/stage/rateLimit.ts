/** @internal */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { RateLimitedError } from "../../HttpResilientError.js"
import { type Attempt, AttemptState } from "../attempt.js"
import type { ClientRateLimiter } from "../rateLimiter.js"

/**
 * After a wait, the attempt's timeout clipped to what is left of the deadline (its time runs from when it is sent).
 */
const admitted = (state: AttemptState, now: number): AttemptState => {
  const left = state.deadlineAt - now
  return left >= state.timeoutMillis ? state : new AttemptState(
    state.built,
    state.options,
    state.info,
    state.now,
    state.deadlineAt,
    left,
    true,
    state.accept,
    state.call
  )
}

/**
 * The rate limiter, when on: waits on the clock until the attempt may go (the quota, the origin's adaptive pause); a
 * wait that would pass the deadline fails at once with `RateLimitedError`. With `adaptive`, a 429 carrying a server
 * wait that the rest of the attempt ends with pauses the origin.
 * @internal
 */
export const rateLimit = (limiter: ClientRateLimiter | undefined) => <A>(next: Attempt<A>): Attempt<A> =>
  limiter === undefined ?
    next :
    (state, request) =>
      Effect.clockWith((clock) =>
        Effect.matchEffect(limiter.acquire(state.built, clock, state.deadlineAt), {
          onFailure: (refused) =>
            Effect.fail(new RateLimitedError({ ...state.info, waitFor: Duration.millis(refused.waitMillis) })),
          onSuccess: (waited) => {
            const admittedState = waited > 0 ? admitted(state, clock.currentTimeMillisUnsafe()) : state
            return limiter.settings.adaptive
              ? Effect.tapError(next(admittedState, request), (error) =>
                Effect.sync(() =>
                  limiter.observe(state.built.url.origin, error, clock.currentTimeMillisUnsafe())
                ))
              : next(admittedState, request)
          }
        })
      )
