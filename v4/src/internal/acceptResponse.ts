/**
 * `acceptResponse` (the client's and a request's) in the v4 edition: the check run on a buffered response whose
 * status was accepted; its answer read by the core's rule (src/core/acceptResponse.ts).
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import { readAnswer } from "../../../src/core/acceptResponse.js"
import type { RawResponse } from "../../../src/core/exchange.js"
import { redactHeaders, type Secrets } from "../../../src/core/secrets.js"
import {
  type HttpResilientError,
  InterceptorError,
  isHttpResilientError,
  type RequestInfo,
  ResponseRejectedError
} from "../HttpResilientError.js"

/**
 * Whether a response is an answer: `true` accepts it, `false` fails the attempt with `ResponseRejectedError`.
 * @since 0.1.0
 * @category models
 */
export type AcceptResponse = (
  response: HttpClientResponse.HttpClientResponse
) => boolean | Effect.Effect<boolean, unknown>

const checkFailed = (info: RequestInfo, cause: unknown): InterceptorError =>
  new InterceptorError({ ...info, interceptor: "acceptResponse", cause })

/**
 * Runs `check` on `response`: its answer accepts it or fails the attempt with `ResponseRejectedError` carrying it. A
 * check that throws, fails (with anything but one of our errors, which is kept), dies or answers something other
 * than a boolean fails the attempt with `InterceptorError` (interceptor `"acceptResponse"`): a bug in the check is
 * not the server's, and is not retried. Interruption stays interruption.
 * @internal
 */
export const runAcceptResponse = (
  check: AcceptResponse,
  info: RequestInfo,
  secrets: Secrets,
  raw: RawResponse,
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError> => {
  const decided = (answer: unknown): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError> => {
    const read = readAnswer(answer)
    if (read === true) return Effect.succeed(response)
    if (read !== false) return Effect.fail(checkFailed(info, read))
    const { status, statusText } = raw
    const headers = redactHeaders(raw.headers, secrets)
    return Effect.fail(new ResponseRejectedError({ ...info, status, statusText, headers, response }))
  }
  let answer: unknown
  try {
    answer = check(response)
  } catch (cause) {
    return Effect.fail(checkFailed(info, cause))
  }
  if (!Effect.isEffect(answer)) return decided(answer)
  return Effect.matchCauseEffect(answer as Effect.Effect<unknown, unknown>, {
    onSuccess: decided,
    onFailure: (cause) => {
      if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
      const failure = Cause.findErrorOption(cause)
      if (failure._tag === "Some") {
        return Effect.fail(isHttpResilientError(failure.value) ? failure.value : checkFailed(info, failure.value))
      }
      return Effect.fail(checkFailed(info, Cause.squash(cause)))
    }
  })
}
