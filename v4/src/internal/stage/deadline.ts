/** @internal */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { TimeoutError } from "../../HttpResilientError.js"
import type { Attempt } from "../attempt.js"

/**
 * The deadline: an attempt that starts with the deadline already spent fails with `TimeoutError` deadline and
 * sends nothing (no `RequestStarted`, no span). Otherwise the attempt's timeout is already clipped to the deadline
 * (`AttemptState`), which the last stage runs the transport under.
 * @internal
 */
export const deadline = <A>(next: Attempt<A>): Attempt<A> => (state, request) =>
  state.spent
    ? Effect.fail(
      new TimeoutError({ ...state.info, scope: "deadline", timeout: Duration.millis(state.deadlineAt - state.now) })
    )
    : next(state, request)
