/** @internal */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { acceptsStatus } from "../../core/acceptStatus.js"
import * as Events from "../../ResilientEvent.js"
import { runAcceptResponse } from "../acceptResponse.js"
import type { Attempt, AttemptState } from "../attempt.js"
import { statusError } from "../attemptErrors.js"
import type { ResolvedConfig } from "../config.js"
import type { EventHub } from "../eventHub.js"
import { toPlatformRequest } from "../request.js"
import { BufferedResponse, type RawResponse } from "../response.js"
import type { StreamingResponse } from "../transport.js"
import { readErrorBody } from "./open.js"

/**
 * Classification of a buffered response (as the response interceptors left it): a status outside `acceptStatus`
 * fails with `StatusError` carrying the response; else the `acceptResponse` check (the request's, else the
 * client's; nothing when neither is set) may fail it with `ResponseRejectedError`; else `Succeeded`.
 * @internal
 */
export const classify = (config: ResolvedConfig, hub: EventHub) =>
(
  next: Attempt<RawResponse>
): Attempt<HttpClientResponse.HttpClientResponse> =>
(state, request) =>
  Effect.flatMap(next(state, request), (raw) => {
    const prepared = state.prepared
    const response = new BufferedResponse(raw, prepared, toPlatformRequest, config.redacted, state.attempt)
    const accept = prepared.options?.acceptStatus
    if (accept === undefined ? config.acceptStatus(raw.status) : acceptsStatus(accept, raw.status)) {
      const check = prepared.options?.acceptResponse ?? config.acceptResponse
      if (check !== undefined) {
        const checked = state.wait(runAcceptResponse(check, state, raw, response))
        return state.listening ? Effect.tap(checked, () => succeeded(hub, state, raw.status)) : checked
      }
      if (state.listening) succeeded(hub, state, raw.status)
      return Effect.succeed(response as HttpClientResponse.HttpClientResponse)
    }
    return Effect.fail(
      statusError(prepared, state.shown(), state.attempt, raw, response, config.redacted, state.clock)
    )
  })

/**
 * Classification of a streamed response's head: a status outside `acceptStatus` fails with `StatusError` carrying
 * (at most 1 MiB of) its body, read like a buffered call's; else `Succeeded`.
 * @internal
 */
export const classifyStreamed = (config: ResolvedConfig, hub: EventHub) =>
(
  next: Attempt<StreamingResponse>
): Attempt<StreamingResponse> =>
(state, request) =>
  Effect.flatMap(next(state, request), (response) => {
    const accept = state.prepared.options?.acceptStatus
    if (accept === undefined ? config.acceptStatus(response.status) : acceptsStatus(accept, response.status)) {
      if (state.listening) succeeded(hub, state, response.status)
      return Effect.succeed(response)
    }
    const prepared = state.prepared
    return Effect.flatMap(state.wait(readErrorBody(response)), (raw) =>
      Effect.fail(
        statusError(
          prepared,
          state.shown(),
          state.attempt,
          raw,
          new BufferedResponse(raw, prepared, toPlatformRequest, config.redacted, state.attempt),
          config.redacted,
          state.clock
        )
      ))
  })

const succeeded = (hub: EventHub, state: AttemptState, status: number): void => {
  const end = state.clock.unsafeCurrentTimeMillis()
  hub.publish(
    new Events.Succeeded({
      method: state.prepared.method,
      url: state.shown(),
      attempt: state.attempt,
      timestamp: end,
      tag: state.prepared.tag,
      status,
      duration: Duration.millis(end - state.began)
    })
  )
}
