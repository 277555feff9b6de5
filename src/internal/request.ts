/** @internal */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import type * as Schedule from "effect/Schedule"
import type * as Stream from "effect/Stream"
import { defaultSecrets, redactUrl, type Secrets } from "../core/secrets.js"
import type { HttpResilientError } from "../HttpResilientError.js"

/**
 * Request body options: at most one of them.
 * @internal
 */
export interface BodyOptions {
  readonly json?: unknown
  readonly text?: string | undefined
  readonly form?:
    | Readonly<Record<string, string | number | boolean | ReadonlyArray<string> | undefined>>
    | URLSearchParams
    | undefined
  readonly multipart?: FormData | undefined
  readonly bytes?: Uint8Array | undefined
  readonly stream?: Stream.Stream<Uint8Array, unknown> | undefined
  readonly body?: HttpBody.HttpBody | undefined
  readonly contentType?: string | undefined
  readonly contentLength?: number | undefined
}

/** @internal */
export type HeadersInput =
  | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  | Headers
  | ReadonlyArray<readonly [string, string]>

/** @internal */
export type UrlParamsInput =
  | Readonly<Record<string, string | number | boolean | ReadonlyArray<string | number | boolean> | undefined>>
  | URLSearchParams
  | ReadonlyArray<readonly [string, string]>

/**
 * Request options; documented on `HttpResilient.RequestOptions`. Call-level options (`deadline`,
 * `idempotencyKey: true`, `failover`, `attempts`, `retry`) are read by the client's `request`; an entry of
 * `attempts` is merged over the others for its attempt (its `deadline`, `failover`, `attempts` and `retry` are
 * ignored).
 * @internal
 */
export interface RequestOptions extends BodyOptions {
  readonly headers?: HeadersInput | undefined
  readonly urlParams?: UrlParamsInput | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly deadline?: Duration.DurationInput | undefined
  readonly idempotencyKey?: boolean | string | undefined
  readonly failover?: ReadonlyArray<string | URL> | undefined
  readonly attempts?: ReadonlyArray<Partial<RequestOptions>> | undefined
  readonly retry?: Schedule.Schedule<unknown, HttpResilientError, never> | false | undefined
  readonly tag?: string | undefined
  readonly maxResponseSize?: number | undefined
  readonly followRedirects?: boolean | number | undefined
}

/**
 * A request ready for the pipeline: validated, URL joined and parsed, headers lower-cased and merged.
 * @internal
 */
export interface PreparedRequest {
  readonly method: string
  readonly url: URL
  readonly headers: Record<string, string>
  readonly body: HttpBody.HttpBody
  /** a body that can be sent again on a retry or a 307/308 */
  readonly replayable: boolean
  readonly timeoutMillis: number | undefined
  readonly maxResponseSize: number | undefined
  readonly followRedirects: number | undefined
  readonly tag: string | undefined
  readonly options: RequestOptions | undefined
  /** the deadline (epoch ms by the Clock) of the call's own retry policy, if any: the attempt clips its timeout to it */
  readonly deadlineAt?: number | undefined
  /** the client's rule for secret names: what every view of this request redacts */
  readonly secrets: Secrets
}

/** @internal */
export class RequestValidationError {
  readonly _tag = "RequestValidationError"
  constructor(
    readonly reason: "InvalidUrl" | "InvalidMethod" | "InvalidHeader" | "InvalidBody" | "InvalidOption",
    readonly detail: string,
    readonly cause?: unknown
  ) {}
}

// RFC 9110 token characters
const tokenChars = (() => {
  const table = new Uint8Array(128)
  const extra = "!#$%&'*+-.^_`|~"
  for (let c = 48; c <= 57; c++) table[c] = 1
  for (let c = 65; c <= 90; c++) table[c] = 1
  for (let c = 97; c <= 122; c++) table[c] = 1
  for (const ch of extra) table[ch.charCodeAt(0)] = 1
  return table
})()

/** @internal */
export const isToken = (s: string): boolean => {
  if (s.length === 0) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 128 || tokenChars[c] === 0) return false
  }
  return true
}

/**
 * A header value may hold visible characters, spaces and tabs; never CR, LF, NUL or other controls.
 * @internal
 */
export const isValidHeaderValue = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if ((c < 32 && c !== 9) || c === 127 || c > 255) return false
  }
  return true
}

/** @internal */
export const hasControlChars = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 32 || c === 127) return true
  }
  return false
}

const describeValue = (s: string): string => {
  const shown = JSON.stringify(s.length > 40 ? s.slice(0, 40) + "…" : s)
  return shown
}

/**
 * Adds `input` to `target` (names lower-cased); a later value for the same name replaces the earlier.
 * Fails on an invalid name or value. Values of redacted names are not echoed in the message.
 * @internal
 */
export const mergeHeaders = (
  target: Record<string, string>,
  input: HeadersInput | undefined,
  redacted: Secrets
): RequestValidationError | undefined => {
  if (input === undefined) return undefined
  const add = (rawName: string, value: string | ReadonlyArray<string> | undefined) => {
    if (value === undefined) return undefined
    const name = rawName.toLowerCase()
    if (!isToken(name)) {
      return new RequestValidationError("InvalidHeader", `header name ${describeValue(rawName)} is not an HTTP token`)
    }
    const joined = typeof value === "string" ? value : (value as ReadonlyArray<string>).join(", ")
    if (!isValidHeaderValue(joined)) {
      const shown = redacted.isSecretHeader(name) ? "" : ` ${describeValue(joined)}`
      return new RequestValidationError(
        "InvalidHeader",
        `header "${name}" value${shown} contains a control character (CR, LF, NUL …)`
      )
    }
    target[name] = joined
    return undefined
  }
  if (typeof (input as Headers).forEach === "function" && !Array.isArray(input)) {
    let error: RequestValidationError | undefined
    ;(input as Headers).forEach((value, name) => {
      error ??= add(name, value)
    })
    return error
  }
  if (Array.isArray(input)) {
    for (const [name, value] of input as ReadonlyArray<readonly [string, string]>) {
      const error = add(name, value)
      if (error) return error
    }
    return undefined
  }
  const record = input as Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  for (const name in record) {
    const error = add(name, record[name])
    if (error) return error
  }
  return undefined
}

/** @internal */
export const appendUrlParams = (url: URL, params: UrlParamsInput | undefined): void => {
  if (params === undefined) return
  if (params instanceof URLSearchParams) {
    params.forEach((value, name) => url.searchParams.append(name, value))
    return
  }
  if (Array.isArray(params)) {
    for (const [name, value] of params as ReadonlyArray<readonly [string, string]>) url.searchParams.append(name, value)
    return
  }
  const record = params as Readonly<Record<string, unknown>>
  for (const name in record) {
    const value = record[name]
    if (value === undefined) continue
    if (Array.isArray(value)) { for (const v of value) url.searchParams.append(name, String(v)) }
    else url.searchParams.append(name, String(value))
  }
}

/**
 * Joins a request URL to the client's base URL. An absolute URL (with a scheme) is used as is; anything
 * else is appended to the base's path, so base `https://api/v1` and `users/1` or `/users/1` give
 * `https://api/v1/users/1`. A query or fragment in the input is kept, and so is the base's userinfo (sent as Basic
 * auth like a request URL's). Failures show the input as `secrets` redacts it, and carry no cause holding it.
 * @internal
 */
export const joinUrl = (
  input: string | URL,
  base: URL | undefined,
  secrets: Secrets = defaultSecrets
): URL | RequestValidationError => {
  if (typeof input !== "string") {
    if (!(input instanceof URL)) return new RequestValidationError("InvalidUrl", `expected a string or URL`)
    return checkScheme(new URL(input.href))
  }
  if (hasControlChars(input)) {
    return new RequestValidationError("InvalidUrl", `URL contains a control character (CR, LF, NUL, tab …)`)
  }
  if (hasScheme(input)) {
    try {
      return checkScheme(new URL(input))
    } catch (cause) {
      return invalidUrl(cause)
    }
  }
  if (base === undefined) {
    return new RequestValidationError(
      "InvalidUrl",
      `relative URL ${describeValue(redactUrl(input, secrets))} needs the client's baseUrl, and none is set`
    )
  }
  try {
    const basePath = base.pathname.endsWith("/") ? base.pathname : base.pathname + "/"
    const relative = input.startsWith("/") ? input.slice(1) : input
    const url = new URL(basePath + relative, base.origin)
    // keep the base's own query parameters, then the input's
    if (base.search && !relative.includes("?")) url.search = base.search
    else if (base.search) {
      const merged = new URLSearchParams(base.search)
      url.searchParams.forEach((value, name) => merged.append(name, value))
      url.search = merged.toString()
    }
    // the base's credentials, for the base's origin only
    if ((base.username !== "" || base.password !== "") && url.origin === base.origin) {
      url.username = base.username
      url.password = base.password
    }
    return checkScheme(url)
  } catch (cause) {
    return invalidUrl(cause)
  }
}

/**
 * A URL that does not parse. The parser's error carries the whole input (`TypeError.input`): it is replaced by one
 * with the same message and code and no input, so that nothing reaches the outside world unredacted.
 */
const invalidUrl = (cause: unknown): RequestValidationError => {
  const message = cause instanceof Error ? cause.message : "Invalid URL"
  const safe = Object.assign(new TypeError(message), { code: (cause as { code?: unknown })?.code ?? "ERR_INVALID_URL" })
  return new RequestValidationError("InvalidUrl", `not a valid URL`, safe)
}

/** Whether `s` starts with a URL scheme (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"). */
const hasScheme = (s: string): boolean => {
  const first = s.charCodeAt(0) | 0x20
  if (first < 97 || first > 122) return false
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 58) return true
    const lower = c | 0x20
    if (!((lower >= 97 && lower <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)) return false
  }
  return false
}

const checkScheme = (url: URL): URL | RequestValidationError =>
  url.protocol === "http:" || url.protocol === "https:"
    ? url
    : new RequestValidationError("InvalidUrl", `unsupported scheme "${url.protocol}" (expected http: or https:)`)

const bodyKeys = ["json", "text", "form", "multipart", "bytes", "stream", "body"] as const

/**
 * Builds the body from the options and reports whether it can be sent twice.
 * @internal
 */
export const makeBody = (
  options: BodyOptions | undefined
): { readonly body: HttpBody.HttpBody; readonly replayable: boolean } | RequestValidationError => {
  if (options === undefined) return emptyBody
  let found: (typeof bodyKeys)[number] | undefined
  for (const key of bodyKeys) {
    if (options[key] !== undefined) {
      if (found !== undefined) {
        return new RequestValidationError(
          "InvalidBody",
          `options "${found}" and "${key}" both set a body; choose one`
        )
      }
      found = key
    }
  }
  const contentType = options.contentType
  switch (found) {
    case undefined:
      return emptyBody
    case "json": {
      let text: string | undefined
      try {
        text = JSON.stringify(options.json)
      } catch (cause) {
        return new RequestValidationError("InvalidBody", `option "json" could not be serialised`, cause)
      }
      if (text === undefined) {
        return new RequestValidationError("InvalidBody", `option "json" has no JSON form (a function or undefined?)`)
      }
      return { body: HttpBody.text(text, contentType ?? "application/json"), replayable: true }
    }
    case "text":
      return { body: HttpBody.text(options.text!, contentType ?? "text/plain; charset=utf-8"), replayable: true }
    case "form": {
      const params = new URLSearchParams()
      appendUrlParams({ searchParams: params } as URL, options.form as UrlParamsInput)
      return {
        body: HttpBody.text(params.toString(), contentType ?? "application/x-www-form-urlencoded"),
        replayable: true
      }
    }
    case "multipart":
      if (!(options.multipart instanceof FormData)) {
        return new RequestValidationError("InvalidBody", `option "multipart" must be a FormData`)
      }
      return { body: HttpBody.formData(options.multipart), replayable: true }
    case "bytes":
      if (!(options.bytes instanceof Uint8Array)) {
        return new RequestValidationError("InvalidBody", `option "bytes" must be a Uint8Array`)
      }
      return { body: HttpBody.uint8Array(options.bytes, contentType ?? "application/octet-stream"), replayable: true }
    case "stream":
      return {
        body: HttpBody.stream(
          options.stream as Stream.Stream<Uint8Array, unknown>,
          contentType ?? "application/octet-stream",
          options.contentLength
        ),
        replayable: false
      }
    case "body": {
      const body = options.body!
      return { body, replayable: body._tag !== "Stream" }
    }
  }
}

const emptyBody = { body: HttpBody.empty, replayable: true } as const

/** @internal */
export const normaliseMethod = (method: string): string | RequestValidationError => {
  if (typeof method !== "string" || !isToken(method)) {
    return new RequestValidationError(
      "InvalidMethod",
      `method ${typeof method === "string" ? describeValue(method) : String(method)} is not an HTTP token`
    )
  }
  const upper = method.toUpperCase()
  // RFC 9110 methods are case-sensitive; normalise only the standard ones
  return standardMethods.has(upper) ? upper : method
}

const standardMethods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY"])

/**
 * A platform request for a prepared one (for `response.request`).
 * @internal
 */
export const toPlatformRequest = (prepared: PreparedRequest): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.make(prepared.method as any)(prepared.url, {
    headers: prepared.headers,
    body: prepared.body
  })
