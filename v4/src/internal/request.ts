/**
 * A request's options and how one is built from them (validation and URL/header rules from the shared core).
 * @internal
 */
import type * as Duration from "effect/Duration"
import type * as HttpBody from "effect/http/HttpBody"
import type * as Schedule from "effect/Schedule"
import { type AcceptStatus, acceptStatusExpected, isAcceptStatus } from "../../../src/core/acceptStatus.js"
import { checkAttempts, isOptionsObject, notAnOptionsObject, unknownOption } from "../../../src/core/attempts.js"
import { bodyKeys } from "../../../src/core/bodies.js"
import { positiveDuration } from "../../../src/core/durationRules.js"
import { badFailoverEntry, checkFailover } from "../../../src/core/failover.js"
import { type HeadersInput, mergeHeaders, normaliseMethod } from "../../../src/core/headers.js"
import type { CommonRequestOptions } from "../../../src/core/options.js"
import type { Progress } from "../../../src/core/progress.js"
import { RequestValidationError } from "../../../src/core/requestError.js"
import type { Secrets } from "../../../src/core/secrets.js"
import {
  appendUrlParams,
  appendUrlParamsOption,
  joinUrl,
  type UrlParamsInput,
  userinfoToAuthorization
} from "../../../src/core/url.js"
import type { HttpResilientError } from "../HttpResilientError.js"
import type { AcceptResponse } from "./acceptResponse.js"
import { bodyOf, type BodyOptionsInput, type OutgoingBody } from "./body.js"
import { BadOption, millisOf, shown } from "./options.js"

/**
 * A request's body, one of these (two are an `InvalidRequestError` `InvalidBody` naming both): `json` (sent as
 * `application/json`), `text` (`text/plain; charset=utf-8`), `form` (a record or `URLSearchParams`, sent
 * `application/x-www-form-urlencoded`, a list as one field per value), `multipart` (a `FormData`, sent
 * `multipart/form-data` with its boundary), `bytes` (`application/octet-stream`), `stream` (a v4
 * `Stream<Uint8Array>`, sent chunked — or with `contentLength` as its `Content-Length` — and never sent twice: no
 * retry by a `RetryPolicy`, no hedge, no 307/308 redirect, a streaming verb not retried at all), `body` (an
 * `effect/http` `HttpBody`: `HttpBody.text`, `uint8Array`, `jsonUnsafe`, `urlParams`, `formData`, or `stream`, which
 * is one-shot as the `stream` option is; sent with its own content type and length; a raw body that is no string or
 * bytes is an `InvalidRequestError` `InvalidBody`). `contentType` replaces the content type of `json` … `stream`
 * (not a multipart form's, nor a `body`'s, as in the root entry); a `content-type` header replaces any.
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { HttpResilient } from "effect-http-resilient/v4"
 * import { Stream } from "effect"
 * import { HttpBody } from "effect/http"
 *
 * const login = HttpResilient.post("https://api.example.com/login", { form: { user: "ada", scopes: ["a", "b"] } })
 * const upload = HttpResilient.put("https://api.example.com/blob", {
 *   stream: Stream.make(new Uint8Array([1, 2, 3])),
 *   contentLength: 3
 * })
 * const note = HttpResilient.post("https://api.example.com/notes", { body: HttpBody.text("# hi", "text/markdown") })
 * ```
 */
export interface BodyOptions extends BodyOptionsInput {
  /**
   * An `effect/http` body, sent with its own content type (a `content-type` header wins) and length: bytes, text,
   * JSON, URL parameters, a `FormData` (multipart) or a stream — one-shot like the `stream` option: never retried,
   * hedged or carried over a 307/308. A raw body that is no string or bytes, or a value that is no `HttpBody`, fails
   * the call with `InvalidRequestError` `InvalidBody` naming `body`; with another body option, naming both.
   * @since 0.1.0
   * @default none (no body)
   * @example
   * ```ts
   * import { HttpResilient } from "effect-http-resilient/v4"
   * import { HttpBody } from "effect/http"
   *
   * const created = HttpResilient.post("https://api.example.com/orders", {
   *   body: HttpBody.jsonUnsafe({ sku: "A1" }),
   *   idempotencyKey: true
   * })
   * ```
   */
  readonly body?: HttpBody.HttpBody | undefined
}

/**
 * `headers`, `urlParams`, `timeout` (this attempt's; default the client's 10 s), `deadline` (the call's; default the
 * client's 30 s), `idempotencyKey` (`true` makes one per call, sent on every attempt; POST and PATCH are retried only
 * with one), `tag` (shown on events and spans), `failover` (URLs for the later attempts), `attempts` (options per
 * attempt), `retry`, `acceptStatus`, and one body option.
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
  /**
   * Per-attempt overrides: the n-th entry is merged over the other options for attempt n, and the last entry keeps
   * applying after the list ends (under a `RetryPolicy`, a plain `Effect.retry`, the `retry` option, and on the
   * streaming verbs, resumes included). An entry takes the options of one attempt (`headers`, `urlParams`,
   * `timeout`, `idempotencyKey`, `tag`, `acceptStatus`, `acceptResponse` and the body options), not those of the
   * whole call (`deadline`, `failover`, `attempts`, `retry`, `onProgress`). Every entry is checked before the first
   * attempt sends anything: a bad one fails the call with `InvalidRequestError` `InvalidOption` (`InvalidHeader`,
   * `InvalidBody` for those) naming it, e.g. `attempts[1].timeout: -1 is not …`.
   * @since 0.1.0
   * @default none (every attempt sends the same options)
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { HttpResilient, RetryPolicy } from "effect-http-resilient/v4"
   *
   * // a short first attempt, then longer ones, the retries marked
   * const report = HttpResilient.get("https://api.example.com/report", {
   *   attempts: [{ timeout: "1 second" }, { timeout: "5 seconds", headers: { "x-retry": "1" } }]
   * }).pipe(Effect.retry(RetryPolicy.default))
   * ```
   */
  readonly attempts?: ReadonlyArray<AttemptOptions> | undefined
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
  /**
   * Called with `{ direction, bytes, total? }` as bytes move, as the root entry reports them: a `stream` body chunk
   * by chunk as the transport takes it (`total`: its `contentLength`), a body in memory once with its size when the
   * response's head has come (a `multipart` form: not at all), the body of a buffered call once it is in memory,
   * the body of `stream`, `lines` and `ndjson` chunk by chunk as it is read (`total`: the `Content-Length`, none
   * with a `Content-Encoding`); `sse` reports no download. A report that throws, or returns a failing Effect or
   * Promise, is logged at Warning level and the transfer goes on.
   * @since 0.1.0
   * @default none (nothing is counted)
   * @example
   * ```ts
   * import { HttpResilient } from "effect-http-resilient/v4"
   *
   * const report = HttpResilient.get("https://api.example.com/report.csv", {
   *   onProgress: ({ bytes, direction, total }) => console.log(direction, bytes, total)
   * })
   * ```
   */
  readonly onProgress?: ((progress: Progress) => unknown) | undefined
}

/**
 * The options an entry of `attempts` may set: those of one attempt.
 * @since 0.1.0
 * @category models
 */
export interface AttemptOptions extends
  BodyOptions,
  Pick<
    RequestOptions,
    "headers" | "urlParams" | "timeout" | "idempotencyKey" | "tag" | "acceptStatus" | "acceptResponse"
  >
{}

/** The names an `attempts` entry may set, and those of the whole call (named as such in an entry). */
const attemptKeys: ReadonlyArray<string> = [
  "headers",
  "urlParams",
  "timeout",
  "idempotencyKey",
  "tag",
  "acceptStatus",
  "acceptResponse",
  ...bodyKeys,
  "contentType",
  "contentLength"
]
const attemptKeySet = new Set(attemptKeys)
const callKeys = new Set(["deadline", "failover", "retry", "onProgress"])
const isCallOption = (key: string): boolean => callKeys.has(key)

/** An attempt's URL for checking an entry's options alone (never sent). */
const checkUrl = "http://attempt.invalid/"

/**
 * One entry of `attempts` (`at`: `attempts[i].`): an object of per-attempt options whose values pass the checks the
 * call's own options pass, each problem named with `at`.
 */
const checkAttempt = (
  entry: unknown,
  at: string,
  client: Parameters<typeof build>[3]
): RequestValidationError | undefined => {
  if (!isOptionsObject(entry)) return notAnOptionsObject(at, shown(entry))
  for (const key in entry) {
    if (entry[key] !== undefined && !attemptKeySet.has(key)) return unknownOption(at, key, attemptKeys, isCallOption)
  }
  if (entry.timeout !== undefined) {
    try {
      millisOf("HttpResilient.request", "timeout", entry.timeout, positiveDuration)
    } catch (bad) {
      if (bad instanceof BadOption) return new RequestValidationError("InvalidOption", `${at}timeout: ${bad.reason}`)
      throw bad
    }
  }
  const built = build("GET", checkUrl, entry as AttemptOptions, client)
  if (!(built instanceof RequestValidationError)) return undefined
  // named as the option it is about (`attempts[1].text: …`); a header's problem under `headers`, a problem of the
  // body options together under the entry (`attempts[1]: options "json" and "text" …`)
  const detail = built.detail
  const named = attemptKeys.some((key) => detail.startsWith(`${key}:`))
  return new RequestValidationError(
    built.reason,
    named
      ? at + detail
      : built.reason === "InvalidHeader"
      ? `${at}headers: ${detail}`
      : `${at.slice(0, -1)}: ${detail}`,
    built.cause
  )
}

/**
 * The `attempts` option's problem, if any: not a list, or an entry that is no object of per-attempt options with
 * valid values (each checked as the call's own options are, named `attempts[i].…`). Checked before the first attempt
 * sends anything.
 * @internal
 */
export const checkAttemptsOption = (
  attempts: unknown,
  client: Parameters<typeof build>[3]
): RequestValidationError | undefined =>
  checkAttempts(attempts, "", shown, (entry, at) => checkAttempt(entry, at, client))

/**
 * A request ready to send.
 * @internal
 */
export interface Built {
  readonly method: string
  readonly url: URL
  readonly headers: Record<string, string>
  readonly body: OutgoingBody
  /** the body can be sent again (not a one-shot stream) */
  readonly replayable: boolean
  readonly idempotencyKey: string | undefined
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
  const onProgress = options.onProgress
  if (onProgress !== undefined && typeof onProgress !== "function") {
    return new RequestValidationError("InvalidOption", `onProgress: expected a function, got ${shown(onProgress)}`)
  }
  const url = joinUrl(input, client.baseUrl, client.secrets)
  if (url instanceof RequestValidationError) return url
  // the URL's own query first, then the client's urlParams, then the request's: nothing replaced
  appendUrlParams(url, client.urlParams)
  const badParams = appendUrlParamsOption(url, options.urlParams)
  if (badParams !== undefined) return badParams
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
  return { method: verb, url, headers, body: body.body, replayable: body.replayable, idempotencyKey }
}
