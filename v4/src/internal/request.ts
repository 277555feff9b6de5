/**
 * A request's options and how one is built from them (validation and URL/header rules from the shared core).
 * @internal
 */
import type * as Duration from "effect/Duration"
import type * as Schedule from "effect/Schedule"
import { type AcceptStatus, acceptStatusExpected, isAcceptStatus } from "../../../src/core/acceptStatus.js"
import { badFailoverEntry, checkFailover } from "../../../src/core/failover.js"
import { type HeadersInput, mergeHeaders, normaliseMethod } from "../../../src/core/headers.js"
import type { CommonRequestOptions } from "../../../src/core/options.js"
import { RequestValidationError } from "../../../src/core/requestError.js"
import type { Secrets } from "../../../src/core/secrets.js"
import { appendUrlParams, joinUrl, type UrlParamsInput, userinfoToAuthorization } from "../../../src/core/url.js"
import type { HttpResilientError } from "../HttpResilientError.js"
import type { AcceptResponse } from "./acceptResponse.js"
import { shown } from "./options.js"

/**
 * A request's body, one of these.
 * @since 0.1.0
 * @category models
 */
export interface BodyOptions {
  /** sent as JSON (`content-type: application/json`) */
  readonly json?: unknown
  /** sent as `text/plain; charset=utf-8` */
  readonly text?: string | undefined
  /** sent as `application/octet-stream` */
  readonly bytes?: Uint8Array | undefined
}

/**
 * `headers`, `urlParams`, `timeout` (this attempt's; default the client's 10 s), `deadline` (the call's; default the
 * client's 30 s), `idempotencyKey` (`true` makes one per call, sent on every attempt; POST and PATCH are retried only
 * with one), `tag` (shown on events and spans), `failover` (URLs for the later attempts), `retry`, `acceptStatus`,
 * and one body option.
 * @since 0.1.0
 * @category models
 */
export interface RequestOptions
  extends BodyOptions, CommonRequestOptions<Duration.Input, HeadersInput, UrlParamsInput>
{
  /**
   * URLs tried after the primary, one per attempt, round the list: attempt 1 goes to the primary, attempt 2 to
   * `failover[0]` … and after the last one back to the primary. Every one is checked (joined to the client's
   * `baseUrl`) before the first attempt sends anything.
   */
  readonly failover?: ReadonlyArray<string | URL> | undefined
  /** retries around this call (`false`: none, also not the client's `retry` option) */
  readonly retry?: Schedule.Schedule<unknown, HttpResilientError, HttpResilientError> | false | undefined
  /**
   * The statuses that are not an error for this request, replacing the client's: a predicate or a non-empty list of
   * statuses (100–599) and `[from, to]` ranges; another bad value fails the call with `InvalidRequestError`
   * `InvalidOption` before anything is sent.
   * @since 0.1.0
   * @default the client's `acceptStatus` (2xx–3xx)
   * @example
   * ```ts
   * import { HttpResilient } from "effect-http-resilient/v4"
   *
   * // a 409 is an answer here, not an error
   * const created = HttpResilient.post("https://api.example.com/orders", { acceptStatus: [[200, 299], 409] })
   * ```
   */
  readonly acceptStatus?: AcceptStatus | undefined
  /**
   * A check on the response once its status is accepted, replacing the client's: `false` fails the attempt with
   * `ResponseRejectedError` (retried by default); see the client option.
   * @default the client's
   */
  readonly acceptResponse?: AcceptResponse | undefined
}

/**
 * A request ready to send.
 * @internal
 */
export interface Built {
  readonly method: string
  readonly url: URL
  readonly headers: Record<string, string>
  readonly body: string | Uint8Array | null
  readonly idempotencyKey: string | undefined
}

const bodyOf = (
  options: BodyOptions,
  headers: Record<string, string>
): string | Uint8Array | null | RequestValidationError => {
  const given = [options.json !== undefined, options.text !== undefined, options.bytes !== undefined]
  if (given.filter(Boolean).length > 1) {
    return new RequestValidationError("InvalidBody", "give one body option of json, text, bytes")
  }
  let body: string | Uint8Array | null = null
  let type: string | undefined
  if (options.json !== undefined) {
    try {
      body = JSON.stringify(options.json)
    } catch (cause) {
      return new RequestValidationError("InvalidBody", `json body cannot be serialised: ${String(cause)}`)
    }
    type = "application/json"
  } else if (options.text !== undefined) [body, type] = [options.text, "text/plain; charset=utf-8"]
  else if (options.bytes !== undefined) [body, type] = [options.bytes, "application/octet-stream"]
  if (body === null) return null
  headers["content-type"] ??= type!
  headers["content-length"] ??= String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength)
  return body
}

/** The `failover` list's problem: not a list of URLs, or a URL that does not join (never showing a value). */
const failoverError = (
  failover: unknown,
  client: { readonly baseUrl: URL | undefined; readonly secrets: Secrets }
): RequestValidationError | undefined => {
  const at = badFailoverEntry(failover)
  if (at === undefined) return checkFailover(failover as ReadonlyArray<string | URL>, client.baseUrl, client.secrets)
  return new RequestValidationError(
    "InvalidOption",
    at < 0
      ? "failover: expected a list of URLs (strings or URL objects)"
      : `failover[${at}]: expected a URL (a string or a URL object)`
  )
}

/**
 * Builds a request: method token, URL joined to the base (userinfo sent as Basic auth), the client's headers under
 * the request's, the body, the idempotency key.
 * @internal
 */
export const build = (
  method: string,
  input: string | URL,
  options: RequestOptions,
  client: {
    readonly baseUrl: URL | undefined
    readonly headers: Record<string, string>
    readonly urlParams: UrlParamsInput | undefined
    readonly secrets: Secrets
  },
  generatedKey?: string
): Built | RequestValidationError => {
  const verb = normaliseMethod(method)
  if (verb instanceof RequestValidationError) return verb
  const invalidFailover = options.failover === undefined ? undefined : failoverError(options.failover, client)
  if (invalidFailover !== undefined) return invalidFailover
  if (options.acceptStatus !== undefined && !isAcceptStatus(options.acceptStatus)) {
    return new RequestValidationError(
      "InvalidOption",
      `acceptStatus: expected ${acceptStatusExpected}, got ${shown(options.acceptStatus)}`
    )
  }
  const url = joinUrl(input, client.baseUrl, client.secrets)
  if (url instanceof RequestValidationError) return url
  // the URL's own query first, then the client's urlParams, then the request's: nothing replaced
  appendUrlParams(url, client.urlParams)
  appendUrlParams(url, options.urlParams)
  const headers: Record<string, string> = { ...client.headers }
  const bad = mergeHeaders(headers, options.headers, client.secrets) ?? userinfoToAuthorization(url, headers)
  if (bad !== undefined) return bad
  const key = options.idempotencyKey
  const idempotencyKey = key === true ?
    headers["idempotency-key"] ?? generatedKey ?? crypto.randomUUID()
    : typeof key === "string"
    ? key
    : headers["idempotency-key"]
  if (idempotencyKey !== undefined) headers["idempotency-key"] = idempotencyKey
  const body = bodyOf(options, headers)
  if (body instanceof RequestValidationError) return body
  return { method: verb, url, headers, body, idempotencyKey }
}
