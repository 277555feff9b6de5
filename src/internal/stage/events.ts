/** @internal */
import * as Effect from "effect/Effect"
import * as Events from "../../ResilientEvent.js"
import type { Attempt } from "../attempt.js"
import type { EventHub } from "../eventHub.js"

/**
 * Events: `RequestStarted` as the attempt starts, `AttemptFailed` when it fails (`Succeeded` is the classification's,
 * see `classify`). When nothing listens as the attempt starts it adds nothing to it.
 * @internal
 */
export const events = (hub: EventHub) => <A>(next: Attempt<A>): Attempt<A> => (state, request) => {
  const listening = state.listening = hub.hasListeners()
  if (!listening) return next(state, request)
  const prepared = state.prepared
  hub.publish(
    new Events.RequestStarted({
      method: prepared.method,
      url: state.shown(),
      attempt: state.attempt,
      timestamp: state.began,
      tag: prepared.tag
    })
  )
  return Effect.tapError(next(state, request), (error) =>
    Effect.sync(() =>
      hub.publish(
        new Events.AttemptFailed({
          method: prepared.method,
          url: state.shown(),
          attempt: state.attempt,
          timestamp: state.clock.unsafeCurrentTimeMillis(),
          tag: prepared.tag,
          error
        })
      )
    ))
}
