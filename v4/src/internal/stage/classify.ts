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
import { type AcceptResponse, runAcceptResponse } from "../acceptResponse.js"
import type { Attempt, AttemptState } from "../attempt.js"
import { BufferedResponse } from "../response.js"

/** The response users read (`json`, `text`, `headers` …); its request carries no secret. */
const toResponse = (raw: RawResponse, state: AttemptState, secrets: Secrets): HttpClientResponse.HttpClientResponse => {
  const built = state.built
  return new BufferedResponse(raw, built.method, state.info.url, built.headers, secrets, state.info.attempt)
}

/**
 * The `StatusError` of a response whose status is not accepted (its `Retry-After` read), carrying it as users read it.
 * @internal
 */
export const rejected = (raw: RawResponse, state: AttemptState, secrets: Secrets): StatusError => {
  const wait = waitMillisFromHeaders(raw.headers, state.now)
  return new StatusError({
    ...state.info,
    status: raw.status,
    statusText: raw.statusText,
    headers: redactHeaders(raw.headers, secrets),
    response: toResponse(raw, state, secrets),
    retryAfter: wait === undefined ? Option.none() : Option.some(Duration.millis(wait))
  })
}

/**
 * Publishes `Succeeded` for an accepted status, the attempt ending at `end`.
 * @internal
 */
export const succeeded = (
  publish: (event: Events.ResilientEvent) => void,
  state: AttemptState,
  status: number,
  end: number
): void =>
  publish(
    new Events.Succeeded({
      ...state.info,
      timestamp: end,
      tag: state.options.tag,
      status,
      duration: Duration.millis(end - state.now)
    })
  )

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
    if (!state.accept(raw.status)) return Effect.fail(rejected(raw, state, client.secrets))
    const response = toResponse(raw, state, client.secrets)
    const check = state.options.acceptResponse ?? client.acceptResponse
    const ok = Effect.withFiberSucceed((fiber) => {
      succeeded(client.publish, state, raw.status, fiber.getRef(Clock.Clock).currentTimeMillisUnsafe())
      return response
    })
    return check === undefined
      ? ok
      : Effect.flatMap(runAcceptResponse(check, state.info, client.secrets, raw, response), () => ok)
  })
