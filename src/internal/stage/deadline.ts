/** @internal */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { TimeoutError } from "../../HttpResilientError.js"
import type { Attempt } from "../attempt.js"

/**
 * The deadline: an attempt that starts with the deadline already spent fails with `TimeoutError` deadline and
 * sends nothing (no event, no span). Otherwise the attempt's timeout is already clipped to the deadline
 * (`AttemptTime`), which the last stage gives the transport.
 * @internal
 */
export const deadline = <A>(next: Attempt<A>): Attempt<A> => (state, request) =>
  state.spent
    ? Effect.fail(
      new TimeoutError({
        method: state.prepared.method,
        url: state.shown(),
        attempt: state.attempt,
        scope: "deadline",
        timeout: Duration.millis(0)
      })
    )
    : next(state, request)
