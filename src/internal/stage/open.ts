/** @internal */
import * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { ErrorBody } from "../../core/streaming.js"
import type { Attempt } from "../attempt.js"
import { transportErrorFor } from "../attemptErrors.js"
import type { ResolvedConfig } from "../config.js"
import type { RawResponse } from "../response.js"
import type { StreamingResponse, TransportService } from "../transport.js"

/**
 * The last stage of a streamed attempt: the transport opens the response, under what is left of the attempt's
 * timeout (clipped to the deadline), which covers the head; the attempt's scope (`state.scope`) owns the socket.
 * @internal
 */
export const open =
  (transport: TransportService, config: ResolvedConfig): Attempt<StreamingResponse> => (state, request) => {
    const prepared = state.prepared
    const clock = state.clock
    return Effect.mapError(
      state.wait(Scope.extend(
        transport.stream({
          method: request.method,
          url: request.url,
          headers: { ...request.headers },
          body: request.body,
          timeoutMillis: state.left(clock.unsafeCurrentTimeMillis()),
          maxResponseSize: prepared.maxResponseSize ?? config.maxResponseSize,
          decompress: config.decompress,
          clock
        }),
        state.scope!
      )),
      (failure) => transportErrorFor(failure, prepared, request.url, state.attempt, state.timeoutMillis, state.clipped)
    )
  }

/**
 * Reads (at most 1 MiB of) a streamed response's body, so a `StatusError` carries it like a buffered call's (and a
 * redirect's connection can be reused).
 * @internal
 */
export const readErrorBody = (response: StreamingResponse): Effect.Effect<RawResponse> =>
  Effect.suspend(() => {
    const gathered = new ErrorBody()
    return Effect.map(
      Effect.match(Stream.runForEachWhile(response.body, (chunk) => Effect.succeed(gathered.add(chunk))), {
        onFailure: () => new ErrorBody(),
        onSuccess: () => gathered
      }),
      (body): RawResponse => ({
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
        setCookie: response.setCookie,
        body: body.bytes(),
        url: response.url
      })
    )
  })
