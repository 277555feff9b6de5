/** @internal */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Option from "effect/Option"
import type { RawResponse } from "../../../../src/core/exchange.js"
import { waitMillisFromHeaders } from "../../../../src/core/retryAfter.js"
import { redactHeaders, type Secrets } from "../../../../src/core/secrets.js"
import { StatusError } from "../../HttpResilientError.js"
import * as Events from "../../ResilientEvent.js"
import type { Attempt, AttemptState } from "../attempt.js"
import { BufferedResponse } from "../response.js"

/** The response users read (`json`, `text`, `headers` …); its request carries no secret. */
const toResponse = (raw: RawResponse, state: AttemptState, secrets: Secrets): HttpClientResponse.HttpClientResponse => {
  const built = state.built
  return new BufferedResponse(raw, built.method, state.info.url, built.headers, secrets)
}

/**
 * Classification: the response as users read it; a status outside `acceptStatus` (the request's, else the
 * client's) fails the attempt with `StatusError` (its `Retry-After` read), else the attempt `Succeeded`.
 * @internal
 */
export const classify = (
  client: { readonly secrets: Secrets; readonly publish: (event: Events.ResilientEvent) => void }
) =>
(next: Attempt<RawResponse>): Attempt<HttpClientResponse.HttpClientResponse> =>
(state, request) =>
  Effect.flatMap(next(state, request), (raw) => {
    const response = toResponse(raw, state, client.secrets)
    const info = state.info
    if (!state.accept(raw.status)) {
      const wait = waitMillisFromHeaders(raw.headers, state.now)
      return Effect.fail(
        new StatusError({
          ...info,
          status: raw.status,
          statusText: raw.statusText,
          headers: redactHeaders(raw.headers, client.secrets),
          response,
          retryAfter: wait === undefined ? Option.none() : Option.some(Duration.millis(wait))
        })
      )
    }
    return Effect.withFiberSucceed((fiber) => {
      const end = fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()
      client.publish(
        new Events.Succeeded({
          ...info,
          timestamp: end,
          tag: state.options.tag,
          status: raw.status,
          duration: Duration.millis(end - state.now)
        })
      )
      return response
    })
  })
