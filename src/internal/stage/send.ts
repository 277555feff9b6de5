/** @internal */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type { Attempt, AttemptState } from "../attempt.js"
import { transportErrorFor } from "../attemptErrors.js"
import type { ResolvedConfig } from "../config.js"
import type { RawResponse } from "../response.js"
import { sendMappedOf, type TransportFailure, type TransportRequest, type TransportService } from "../transport.js"

/** The attempt's error for a transport failure of `request` (the attempt's request, or a redirect's hop). */
const attemptFailure = (failure: TransportFailure, request: TransportRequest, state: AttemptState) =>
  transportErrorFor(failure, state.prepared, request.url, state.attempt, state.timeoutMillis, state.clipped)

/**
 * The last stage of a buffered attempt: the transport sends the request and reads the body into memory (up to
 * `maxResponseSize`), all under what is left of the attempt's timeout (clipped to the deadline); interrupting the
 * fiber aborts the socket.
 * @internal
 */
export const send = (transport: TransportService, config: ResolvedConfig): Attempt<RawResponse> => {
  // the library's own transports map the failure in their own failure handler: one step less
  const mapped = sendMappedOf(transport)
  return (state, request) => {
    const prepared = state.prepared
    const clock = state.clock
    const exchange = {
      method: request.method,
      url: request.url,
      headers: request.headers, // the transport copies them before adding body headers
      body: request.body,
      timeoutMillis: state.left(clock.unsafeCurrentTimeMillis()),
      maxResponseSize: prepared.maxResponseSize ?? config.maxResponseSize,
      decompress: config.decompress,
      clock
    }
    // one mapping function for every request (no closure per request): the state is its context
    // inside the protections' mask (`state.masked`) the transport is given the mask's `restore` for its wait
    if (mapped !== undefined) return mapped(exchange, attemptFailure, state, state.masked ? state.restore : undefined)
    // a failure handler only (`mapError` also adds a step on success)
    return Effect.catchAllCause(state.wait(transport.send(exchange)), (cause) => {
      const failure = Cause.failureOrCause(cause)
      return failure._tag === "Left"
        ? Effect.fail(
          transportErrorFor(failure.left, prepared, request.url, state.attempt, state.timeoutMillis, state.clipped)
        )
        : Effect.failCause(failure.right)
    })
  }
}
