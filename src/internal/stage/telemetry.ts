/** @internal */
import type { Attempt } from "../attempt.js"
import { measured } from "../telemetry.js"
import * as Tracing from "../tracing.js"

/**
 * Telemetry around the rest of the attempt, the protections' waits included: a span (whose `traceparent` header the
 * stages after it send: interceptors see it) when spans are on, debug log lines when the fiber logs at Debug, and
 * always the duration histogram (see `Tracing.instrument`).
 * @internal
 */
export const telemetry =
  (tracing: boolean | undefined) =>
  <A extends { readonly status: number }>(next: Attempt<A>): Attempt<A> =>
  (state, request) =>
    // no span and no debug logs (the default): the histogram alone, without a closure for the rest
    !Tracing.spansEnabled(tracing, state.fiber) && !Tracing.debugEnabled(state.fiber)
      // the request here is the attempt's own (its method and URL are `state.prepared`'s); its origin is read now,
      // as the attempt starts (`origin()` keeps it for the end)
      ? (state.origin(), measured(next(state, request), state))
      : Tracing.instrument(
        state.fiber,
        tracing,
        request,
        state.prepared,
        state.attempt,
        state.clock,
        state.began,
        (headers) =>
          next(
            state,
            headers === request.headers
              ? request
              : { method: request.method, url: request.url, headers, body: request.body }
          )
      )
