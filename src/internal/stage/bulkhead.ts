/** @internal */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { redactUrl } from "../../core/secrets.js"
import { BulkheadRejectedError, type HttpResilientError } from "../../HttpResilientError.js"
import type { Attempt, AttemptState } from "../attempt.js"
import type { Bulkhead } from "../bulkhead.js"
import * as Telemetry from "../telemetry.js"

/**
 * The bulkhead (when on): a slot, or a place in its queue (the attempt's time then counts from when it got a slot),
 * else `BulkheadRejectedError`. The slot is given back when the attempt ends (`settle`), or when the breaker
 * rejects it.
 * @internal
 */
export const bulkhead = (bulkhead: Bulkhead | undefined) => <A>(next: Attempt<A>): Attempt<A> =>
  bulkhead === undefined ? next : (state, request) => {
    if (bulkhead.tryAcquire()) return next(state, request)
    if (!bulkhead.canQueue()) return rejected(bulkhead, state, "full")
    return Effect.flatMap(state.restore(bulkhead.wait(state.clock)), (granted) => {
      if (!granted) return rejected(bulkhead, state, "queue-timeout")
      state.rebase(state.clock.unsafeCurrentTimeMillis())
      return next(state, request)
    })
  }

/** The call site of every bulkhead rejection: the queue was full, or the wait in it timed out. */
const rejected = (
  bulkhead: Bulkhead,
  state: AttemptState,
  reason: "full" | "queue-timeout"
): Effect.Effect<never, HttpResilientError> => {
  Telemetry.recordBulkheadRejection()
  const queueTimeout = bulkhead.settings.queueTimeoutMillis
  const prepared = state.prepared
  return Effect.fail(
    new BulkheadRejectedError({
      method: prepared.method,
      url: redactUrl(prepared.url, prepared.secrets),
      attempt: state.attempt,
      limit: bulkhead.settings.maxConcurrent,
      queued: bulkhead.queued,
      reason,
      ...(reason === "queue-timeout" && queueTimeout !== undefined
        ? { queueTimeout: Duration.millis(queueTimeout) }
        : {})
    })
  )
}
