/** @internal */
import type { Attempt } from "../attempt.js"
import type { Bulkhead } from "../bulkhead.js"

/**
 * The bulkhead, when on: a slot held for the rest of the attempt, or a wait in its queue, or
 * `BulkheadRejectedError` (see `Bulkhead.guard`).
 * @internal
 */
export const bulkhead = (slots: Bulkhead | undefined) => <A>(next: Attempt<A>): Attempt<A> =>
  slots === undefined ? next : (state, request) => slots.guard(state.info, next(state, request))
