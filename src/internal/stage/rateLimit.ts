/** @internal */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { redactUrl } from "../../core/secrets.js"
import { RateLimitedError } from "../../HttpResilientError.js"
import type { Attempt } from "../attempt.js"
import type { ClientRateLimiter } from "../rateLimiter.js"

/**
 * The rate limiter (when on): waits on the clock until the attempt may go, then counts the attempt's time from then;
 * a wait that would pass the deadline fails at once with `RateLimitedError`.
 * @internal
 */
export const rateLimit = (limiter: ClientRateLimiter | undefined) => <A>(next: Attempt<A>): Attempt<A> =>
  limiter === undefined ? next : (state, request) => {
    const prepared = state.prepared
    const clock = state.clock
    return Effect.flatMap(
      Effect.mapError(
        state.restore(limiter.acquire(prepared.method, prepared.url, state.origin(), clock, state.deadline)),
        (refused) =>
          new RateLimitedError({
            method: prepared.method,
            url: redactUrl(prepared.url, prepared.secrets),
            attempt: state.attempt,
            waitFor: Duration.millis(refused.waitMillis)
          })
      ),
      (waited) => {
        if (waited > 0) state.rebase(clock.unsafeCurrentTimeMillis())
        return next(state, request)
      }
    )
  }
