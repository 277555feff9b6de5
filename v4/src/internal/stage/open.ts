/** @internal */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { RawResponse } from "../../../../src/core/exchange.js"
import type { Secrets } from "../../../../src/core/secrets.js"
import { ErrorBody } from "../../../../src/core/streaming.js"
import type { TransportFailure } from "../../../../src/core/transportFailure.js"
import type * as Events from "../../ResilientEvent.js"
import { type Attempt, failureToError } from "../attempt.js"
import type { StreamingResponse, Transport } from "../transport.js"
import { rejected, succeeded } from "./classify.js"

const timedOut = () => ({ reason: "Timeout" }) as TransportFailure

/**
 * The last stage of a streamed attempt: the transport opens the response under what is left of the attempt's
 * timeout (clipped to the deadline), which covers the head; the attempt's scope (`state.scope`) owns the socket,
 * the body is left in it.
 * @internal
 */
export const open = (
  transport: Transport,
  maxResponseSize: number,
  decompress: boolean
): Attempt<StreamingResponse> =>
(state, request) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const sentAt = state.sentAt ??= now
    const left = state.timeoutMillis - (now - sentAt)
    return Effect.mapError(
      Scope.provide(
        transport.stream({
          method: request.method,
          url: request.url,
          headers: { ...request.headers },
          body: request.body,
          timeoutMillis: left,
          maxResponseSize,
          decompress
        }),
        state.scope!
      ),
      (failure) => failureToError(failure ?? timedOut(), state)
    )
  })

/**
 * Reads (at most 1 MiB of) a streamed response's body (the core's `ErrorBody`): what a `StatusError` carries, like
 * a buffered call's, and what a redirect's response is drained of, so its connection can be reused; a body that
 * fails while read is carried as none.
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
      (body): RawResponse => ({ ...head(response), body: body.bytes() })
    )
  })

const head = ({ headers, setCookie, status, statusText, url }: StreamingResponse) => ({
  status,
  statusText,
  headers,
  setCookie,
  url
})

/**
 * Classification of a streamed response's head: a status outside `acceptStatus` fails with `StatusError` carrying
 * (at most 1 MiB of) its body, read like a buffered call's; else `Succeeded`, the body left to the stream.
 * @internal
 */
export const classifyStreamed = (
  client: { readonly secrets: Secrets; readonly publish: (event: Events.ResilientEvent) => void }
) =>
(next: Attempt<StreamingResponse>): Attempt<StreamingResponse> =>
(state, request) =>
  Effect.flatMap(next(state, request), (response) => {
    if (!state.accept(response.status)) {
      return Effect.flatMap(readErrorBody(response), (raw) => Effect.fail(rejected(raw, state, client.secrets)))
    }
    return Effect.map(Clock.currentTimeMillis, (end) => {
      succeeded(client.publish, state, response.status, end)
      return response
    })
  })
