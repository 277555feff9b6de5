/**
 * Building a request from what a call was given: the one place that joins the URL, merges headers and decides
 * whether the body can be sent again. No I/O.
 * @internal
 */
import * as Duration from "effect/Duration"
import { optionsForAttempt as coreOptionsForAttempt } from "../core/attempts.js"
import { checkFailover, urlForAttempt as coreUrlForAttempt } from "../core/failover.js"
import { mergeHeaders, normaliseMethod } from "../core/headers.js"
import { RequestValidationError } from "../core/requestError.js"
import { appendUrlParamsOption, joinUrl, userinfoToAuthorization } from "../core/url.js"
import { newIdempotencyKey } from "./callFacts.js"
import { defaults, type ResolvedConfig } from "./config.js"
import { makeBody, type PreparedRequest, type RequestOptions } from "./request.js"
import { type RequestOptionFields, validateRequestOptions } from "./requestOptions.js"

/**
 * Checks the options a call was given (`fields`: those of its verb) before anything else, and its `failover` URLs;
 * no I/O. `prepare` then only reads them.
 * @internal
 */
export type Validate = (options: unknown, fields: RequestOptionFields) => RequestValidationError | undefined

/**
 * Builds and validates a request; no I/O. `idempotencyKey` is the key to send when the options ask for a generated
 * one (`idempotencyKey: true`); without it a fresh key is generated. `deadlineAt` is the deadline of the call's own
 * retry policy, which the attempt clips its timeout to. `verbHeaders` are a verb's own headers (an event stream's
 * `accept`), under the client's and the request's.
 * @internal
 */
export type Prepare = (
  method: string,
  url: string | URL,
  options: RequestOptions | undefined,
  idempotencyKey?: string | undefined,
  deadlineAt?: number | undefined,
  verbHeaders?: Record<string, string> | undefined
) => PreparedRequest | RequestValidationError

/** @internal */
export const makeValidate = (config: ResolvedConfig): Validate => (options, fields) => {
  const invalid = validateRequestOptions(options, fields)
  if (invalid !== undefined) return invalid
  // every failover URL now, not when its attempt comes (after I/O)
  const failover = (options as RequestOptions | undefined)?.failover
  return failover === undefined ? undefined : checkFailover(failover, config.baseUrl, config.redacted)
}

/** @internal */
export const makePrepare = (config: ResolvedConfig): Prepare =>
(
  method,
  url,
  options,
  idempotencyKey,
  deadlineAt,
  verbHeaders
) => {
  const m = normaliseMethod(method)
  if (m instanceof RequestValidationError) return m
  const joined = joinUrl(url, config.baseUrl, config.redacted)
  if (joined instanceof RequestValidationError) return joined
  const headers: Record<string, string> = verbHeaders === undefined
    ? { ...config.headers }
    : { ...verbHeaders, ...config.headers }
  // the client's urlParams (encoded when the client was made) before the request's
  const clientParams = config.urlParams
  if (clientParams !== undefined) {
    for (let i = 0; i < clientParams.length; i++) joined.searchParams.append(clientParams[i][0], clientParams[i][1])
  }
  let timeoutMillis: number | undefined
  let maxResponseSize: number | undefined
  let followRedirects: number | undefined
  if (options !== undefined) {
    const headerError = mergeHeaders(headers, options.headers, config.redacted)
    if (headerError) return headerError
    if (options.urlParams !== undefined) {
      const error = appendUrlParamsOption(joined, options.urlParams)
      if (error) return error
    }
    // the options were validated by the call (validateRequestOptions): here they are only read
    if (options.timeout !== undefined) {
      timeoutMillis = Duration.toMillis(Duration.decode(options.timeout))
    }
    maxResponseSize = options.maxResponseSize
    const f = options.followRedirects
    if (f !== undefined) followRedirects = f === true ? defaults.followRedirects : f === false ? 0 : f
    const key = options.idempotencyKey
    if (key !== undefined && key !== false && headers["idempotency-key"] === undefined) {
      headers["idempotency-key"] = key === true ? idempotencyKey ?? newIdempotencyKey() : key
    }
  }
  // URL userinfo becomes Basic auth unless an explicit authorization header is set
  const userinfoError = userinfoToAuthorization(joined, headers)
  if (userinfoError) return userinfoError
  const body = makeBody(options)
  if (body instanceof RequestValidationError) return body
  return {
    method: m,
    url: joined,
    headers,
    body: body.body,
    replayable: body.replayable,
    timeoutMillis,
    maxResponseSize,
    followRedirects,
    tag: options?.tag,
    options,
    deadlineAt,
    secrets: config.redacted
  }
}

/**
 * The URL attempt `attemptNo` (from 1) goes to: the primary, then each `failover` URL in turn, then round again.
 * @internal
 */
export const urlForAttempt = (
  url: string | URL,
  options: RequestOptions | undefined,
  attemptNo: number
): string | URL => {
  const failover = options?.failover
  return failover === undefined ? url : coreUrlForAttempt(url, failover, attemptNo)
}

/**
 * The options of attempt `attemptNo` (from 1): its entry of `attempts` (the last one for later attempts) over the rest
 * (the shared core's rule).
 * @internal
 */
export const optionsForAttempt: (
  options: RequestOptions | undefined,
  attemptNo: number
) => RequestOptions | undefined = coreOptionsForAttempt
