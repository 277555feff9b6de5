/**
 * The errors an attempt fails with, built in one place each.
 * @internal
 */
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import type { RequestValidationError } from "../core/requestError.js"
import { redactHeaders, redactUrl, type Secrets } from "../core/secrets.js"
import { invalidRequestDetail } from "../core/transportFailure.js"
import {
  type HttpResilientError,
  InvalidRequestError,
  StatusError,
  TimeoutError,
  TransportError
} from "../HttpResilientError.js"
import type { PreparedRequest } from "./request.js"
import type { BufferedResponse, RawResponse } from "./response.js"
import * as RetryAfterParser from "./retryAfter.js"
import type * as Transport from "./transport.js"

/**
 * The `StatusError` for a response whose status is not accepted: redacted headers, the (buffered) response itself,
 * and the server's Retry-After.
 * @internal
 */
export const statusError = (
  prepared: PreparedRequest,
  shownUrl: string,
  attempt: number,
  raw: RawResponse,
  response: BufferedResponse,
  redacted: Secrets,
  clock: Clock.Clock
): StatusError =>
  new StatusError({
    method: prepared.method,
    url: shownUrl,
    attempt,
    status: raw.status,
    statusText: raw.statusText,
    headers: redactHeaders(raw.headers, redacted),
    response,
    retryAfter: RetryAfterParser.fromHeaders(raw.headers, clock.unsafeCurrentTimeMillis())
  })

/** @internal */
export const transportErrorFor = (
  failure: Transport.TransportFailure,
  prepared: PreparedRequest,
  url: URL,
  attempt: number,
  timeoutMillis: number,
  clippedByDeadline: boolean
): HttpResilientError => {
  const info = { method: prepared.method, url: redactUrl(url, prepared.secrets), attempt }
  switch (failure.reason) {
    case "Timeout":
      return new TimeoutError({
        ...info,
        scope: clippedByDeadline ? "deadline" : "attempt",
        timeout: Duration.millis(timeoutMillis)
      })
    case "InvalidRequest":
      // the request's own fault (DESIGN "Who is to blame"): not transient, not counted by breaker or budget
      return new InvalidRequestError({
        ...info,
        reason: failure.invalid ?? "InvalidOption",
        detail: invalidRequestDetail(failure),
        cause: failure.cause
      })
    default:
      return new TransportError({ ...info, reason: failure.reason, detail: failure.detail, cause: failure.cause })
  }
}

/** @internal */
export const validationError = (
  error: RequestValidationError,
  method: string,
  url: string | URL,
  attempt: number,
  secrets: Secrets
): InvalidRequestError =>
  new InvalidRequestError({
    method: typeof method === "string" && method.length < 32 ? method : "?",
    url: redactUrl(url, secrets),
    attempt,
    reason: error.reason,
    detail: error.detail,
    cause: error.cause
  })
