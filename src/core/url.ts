/**
 * Request URLs: joining a URL to the client's base URL, URL parameters, and a URL's userinfo as Basic auth.
 * Effect-free.
 * @internal
 */
import { describeValue, RequestValidationError } from "./requestError.js"
import { defaultSecrets, redactUrl, type Secrets } from "./secrets.js"

/**
 * URL parameters in any of the usual shapes: a record (a value or a list of values per name), a `URLSearchParams`,
 * or `[name, value]` pairs.
 * @internal
 */
export type UrlParamsInput =
  | Readonly<Record<string, string | number | boolean | ReadonlyArray<string | number | boolean> | undefined>>
  | URLSearchParams
  | ReadonlyArray<readonly [string, string]>

/**
 * Whether `s` holds a control character (C0 or DEL): never valid in a URL as given.
 * @internal
 */
export const hasControlChars = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 32 || c === 127) return true
  }
  return false
}

/**
 * Appends `params` to `target` in order (a record's lists one value each, `undefined` entries skipped; values
 * stringified). Throws what `String` throws for a value that cannot be turned into a string.
 * @internal
 */
export const appendParams = (target: URLSearchParams, params: UrlParamsInput | undefined): void => {
  if (params === undefined) return
  if (params instanceof URLSearchParams) {
    params.forEach((value, name) => target.append(name, value))
    return
  }
  if (Array.isArray(params)) {
    for (const [name, value] of params as ReadonlyArray<readonly [string, string]>) target.append(name, value)
    return
  }
  const record = params as Readonly<Record<string, unknown>>
  for (const name in record) {
    const value = record[name]
    if (value === undefined) continue
    if (Array.isArray(value)) { for (const v of value) target.append(name, String(v)) }
    else target.append(name, String(value))
  }
}

/**
 * Appends `params` to the query of `url`; throws as {@link appendParams}.
 * @internal
 */
export const appendUrlParams = (url: URL, params: UrlParamsInput | undefined): void => {
  if (params !== undefined) appendParams(url.searchParams, params)
}

/**
 * Appends the `urlParams` option to the query of `url`; a value that cannot be encoded is an invalid option.
 * @internal
 */
export const appendUrlParamsOption = (
  url: URL,
  params: UrlParamsInput | undefined
): RequestValidationError | undefined => {
  try {
    appendUrlParams(url, params)
    return undefined
  } catch (cause) {
    return new RequestValidationError("InvalidOption", `option "urlParams" could not be encoded`, cause)
  }
}

/**
 * An absolute URL given as its text without query parameters, its parameters and its fragment (without `#`), as
 * one `URL`. Throws as `new URL` for a text that is not an absolute URL.
 * @internal
 */
export const urlWithParams = (
  href: string,
  params: ReadonlyArray<readonly [string, string]>,
  hash?: string | undefined
): URL => {
  const url = new URL(href)
  appendParams(url.searchParams, params)
  if (hash !== undefined) url.hash = hash
  return url
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
    return checkScheme(joinRelative(input, base))
  } catch (cause) {
    return invalidUrl(cause)
  }
}

/** A relative `input` under `base`: the base's path, then the base's query parameters and the input's. */
const joinRelative = (input: string, base: URL): URL => {
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
  return url
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

/**
 * The `Authorization: Basic` value for a URL's userinfo (percent-decoded). A userinfo that is not valid
 * percent-encoding is an invalid URL; the message does not show it.
 * @internal
 */
export const basicAuth = (url: URL): string | RequestValidationError => {
  try {
    const user = decodeURIComponent(url.username)
    const pass = decodeURIComponent(url.password)
    return "Basic " + Buffer.from(`${user}:${pass}`).toString("base64")
  } catch {
    return new RequestValidationError(
      "InvalidUrl",
      "the URL's userinfo is not valid percent-encoding (a \"%\" in a user name or password must be written %25)"
    )
  }
}

/**
 * A URL's userinfo becomes `Authorization: Basic` in `headers` unless they already have an `authorization`; either
 * way it is taken off the URL (it is never sent, shown or logged as part of it).
 * @internal
 */
export const userinfoToAuthorization = (
  url: URL,
  headers: Record<string, string>
): RequestValidationError | undefined => {
  if (url.username === "" && url.password === "") return undefined
  if (headers.authorization === undefined) {
    const basic = basicAuth(url)
    if (basic instanceof RequestValidationError) return basic
    headers.authorization = basic
  }
  url.username = ""
  url.password = ""
  return undefined
}

/**
 * The origin of `origin` (a URL or a string; a string that is no URL is kept as it is): the key of an origin's
 * breaker and retry budget.
 * @internal
 */
export const normaliseOrigin = (origin: string | URL): string => {
  if (origin instanceof URL) return origin.origin
  try {
    return new URL(origin).origin
  } catch {
    return origin
  }
}

let lastHref = ""
let lastOrigin = ""

/**
 * `url.origin`, remembered for the last URL text read: the attempt reads its request's origin (the key of its
 * breaker, retry budget and duration series) and the exchange reads it again to dispatch, and the URL builds a new
 * string on every read. The origin is a function of the URL's text, so a URL with the same `href` as the last one
 * read (the same URL, or another call's to the same address) gets the same string, whose hash the maps keyed by it
 * have already computed; a URL changed in place, or another URL, is read afresh (and still gets the remembered
 * string when its origin is the same).
 * @internal
 */
export const originOf = (url: URL): string => {
  const href = url.href
  if (href === lastHref) return lastOrigin
  lastHref = href
  const origin = url.origin
  if (origin !== lastOrigin) lastOrigin = origin
  return lastOrigin
}
