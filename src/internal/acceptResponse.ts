/**
 * `acceptResponse` (the client's and a request's): the check run on a buffered response whose status was accepted.
 * @internal
 */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { readAnswer } from "../core/acceptResponse.js"
import { redactHeaders } from "../core/secrets.js"
import type { Secrets } from "../core/secrets.js"
import {
  type HttpResilientError,
  InterceptorError,
  isHttpResilientError,
  ResponseRejectedError
} from "../HttpResilientError.js"
import type { BufferedResponse, RawResponse } from "./response.js"

/** What the check's errors read of the attempt (an `AttemptState` has it). */
interface CheckedAttempt {
  readonly prepared: { readonly method: string; readonly secrets: Secrets }
  readonly attempt: number
  shown(): string
}

/**
 * Whether a response is an answer: `true` accepts it, `false` fails the attempt with `ResponseRejectedError`.
 * @internal
 */
export type AcceptResponse = (
  response: HttpClientResponse.HttpClientResponse
) => boolean | Effect.Effect<boolean, unknown>

/**
 * Runs `check` on `response`: its answer accepts it or fails the attempt with `ResponseRejectedError` carrying it. A
 * check that throws, fails (with anything but one of our errors, which is kept), dies or answers something other
 * than a boolean fails the attempt with `InterceptorError` (interceptor `"acceptResponse"`): a bug in the check is
 * not the server's, and is not retried. Interruption stays interruption.
 * @internal
 */
export const runAcceptResponse = (
  check: AcceptResponse,
  state: CheckedAttempt,
  raw: RawResponse,
  response: BufferedResponse
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError> => {
  let answer: unknown
  try {
    answer = check(response)
  } catch (cause) {
    return Effect.fail(checkFailed(state, cause))
  }
  if (!Effect.isEffect(answer)) return decided(answer, state, raw, response)
  return Effect.matchCauseEffect(answer as Effect.Effect<unknown, unknown>, {
    onSuccess: (value) => decided(value, state, raw, response),
    onFailure: (cause) => {
      if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
      const failure = Cause.failureOption(cause)
      if (failure._tag === "Some") {
        return Effect.fail(isHttpResilientError(failure.value) ? failure.value : checkFailed(state, failure.value))
      }
      return Effect.fail(checkFailed(state, Cause.squash(cause)))
    }
  })
}

const decided = (
  answer: unknown,
  state: CheckedAttempt,
  raw: RawResponse,
  response: BufferedResponse
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError> => {
  const read = readAnswer(answer)
  if (read === true) return Effect.succeed(response)
  if (read === false) {
    return Effect.fail(
      new ResponseRejectedError({
        method: state.prepared.method,
        url: state.shown(),
        attempt: state.attempt,
        status: raw.status,
        statusText: raw.statusText,
        headers: redactHeaders(raw.headers, state.prepared.secrets),
        response
      })
    )
  }
  return Effect.fail(checkFailed(state, read))
}

const checkFailed = (state: CheckedAttempt, cause: unknown): InterceptorError =>
  new InterceptorError({
    method: state.prepared.method,
    url: state.shown(),
    attempt: state.attempt,
    interceptor: "acceptResponse",
    cause
  })
