/** @internal */
import * as Events from "../../ResilientEvent.js"
import type { Attempt } from "../attempt.js"

/**
 * Events: `RequestStarted` as the attempt starts (`Succeeded` is the classification's, see `classify`; a failed
 * attempt's `AttemptFailed`, and `Failed` when it was the call's last, are the runner's, see `pipeline.ts`).
 * @internal
 */
export const events = (publish: (event: Events.ResilientEvent) => void) =>
<A>(next: Attempt<A>): Attempt<A> =>
(
  state,
  request
) => {
  publish(new Events.RequestStarted({ ...state.info, timestamp: state.now, tag: state.options.tag }))
  return next(state, request)
}
