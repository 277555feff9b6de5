/** @internal */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Option from "effect/Option"
import type { RawResponse } from "../../../../src/core/exchange.js"
import { waitMillisFromHeaders } from "../../../../src/core/retryAfter.js"
import { redactHeaders, redactUrl, type Secrets } from "../../../../src/core/secrets.js"
import { StatusError } from "../../HttpResilientError.js"
import * as Events from "../../ResilientEvent.js"
import { type AcceptResponse, runAcceptResponse } from "../acceptResponse.js"
import type { Attempt, AttemptState } from "../attempt.js"

const nullBodyStatuses = new Set([101, 204, 205, 304])

/** The platform response users read (`json`, `text`, `headers` …); its request carries no secret. */
const toResponse = (raw: RawResponse, state: AttemptState, secrets: Secrets): HttpClientResponse.HttpClientResponse => {
  const built = state.built
  const request = HttpClientRequest.make(built.method as "GET")(redactUrl(built.url, secrets), {
    headers: redactHeaders(built.headers, secrets)
  })
  const headers = new Headers(raw.headers)
  for (const cookie of raw.setCookie) headers.append("set-cookie", cookie)
  const body = nullBodyStatuses.has(raw.status) ? null : raw.body
  return HttpClientResponse.fromWeb(request, new Response(body as BodyInit | null, { status: raw.status, headers }))
}

/**
 * Classification: the response as users read it; a status outside `acceptStatus` (the request's, else the
 * client's) fails the attempt with `StatusError` (its `Retry-After` read); else the `acceptResponse` check (the
 * request's, else the client's), when there is one, may reject it (`ResponseRejectedError`); else the attempt
 * `Succeeded`.
 * @internal
 */
export const classify = (
  client: {
    readonly secrets: Secrets
    readonly publish: (event: Events.ResilientEvent) => void
    readonly acceptResponse: AcceptResponse | undefined
  }
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
    const check = state.options.acceptResponse ?? client.acceptResponse
    const succeeded = Effect.map(Clock.currentTimeMillis, (end) => {
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
    return check === undefined
      ? succeeded
      : Effect.flatMap(runAcceptResponse(check, info, client.secrets, raw, response), () => succeeded)
  })
