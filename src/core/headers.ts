/**
 * HTTP tokens and header fields: the token rule (header names, methods), header value checks, and headers in any of
 * the usual shapes (a record, a `Headers`, `[name, value]` pairs) flattened into a record with lower-case names.
 * Effect-free.
 * @internal
 */
import { describeValue, RequestValidationError } from "./requestError.js"
import type { Secrets } from "./secrets.js"

/**
 * Headers in any of the usual shapes: a record (names in any case, a value or a list of values), a `Headers`, or
 * `[name, value]` pairs.
 * @internal
 */
export type HeadersInput =
  | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  | Headers
  | ReadonlyArray<readonly [string, string]>

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

/**
 * Whether `s` is an RFC 9110 token (a header name, a method): one or more of ALPHA, DIGIT and ``!#$%&'*+-.^_`|~``.
 * @internal
 */
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

const standardMethods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY"])

/**
 * A request method: a token; the standard ones upper-cased (RFC 9110 methods are case-sensitive, so any other is
 * kept as written).
 * @internal
 */
export const normaliseMethod = (method: string): string | RequestValidationError => {
  // what the verbs send: already a standard method, upper-case (no scan, no new string)
  if (standardMethods.has(method)) return method
  if (typeof method !== "string" || !isToken(method)) {
    return new RequestValidationError(
      "InvalidMethod",
      `method ${typeof method === "string" ? describeValue(method) : String(method)} is not an HTTP token`
    )
  }
  const upper = method.toUpperCase()
  return standardMethods.has(upper) ? upper : method
}

/**
 * Calls `visit` with each name (as written) and value (a string, or a list of strings for a record entry) of
 * `input`, in order, until it returns something other than `undefined`, and returns that.
 * @internal
 */
export const forEachHeader = <A>(
  input: HeadersInput,
  visit: (name: string, value: string | ReadonlyArray<string> | undefined) => A | undefined
): A | undefined => {
  if (Array.isArray(input)) {
    for (const [name, value] of input as ReadonlyArray<readonly [string, string]>) {
      const result = visit(name, value)
      if (result !== undefined) return result
    }
    return undefined
  }
  if (typeof (input as Headers).forEach === "function") {
    let result: A | undefined
    ;(input as Headers).forEach((value, name) => {
      result ??= visit(name, value)
    })
    return result
  }
  const record = input as Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  for (const name in record) {
    const result = visit(name, record[name])
    if (result !== undefined) return result
  }
  return undefined
}

/**
 * Headers in any shape as a record with lower-case names; repeated names are joined with ", ".
 * @internal
 */
export const lowerCaseHeaders = (input: HeadersInput): Record<string, string> => {
  const out: Record<string, string> = {}
  forEachHeader(input, (name, value) => {
    if (value === undefined) return
    const key = name.toLowerCase()
    const joined = typeof value === "string" ? value : value.join(", ")
    out[key] = out[key] === undefined ? joined : `${out[key]}, ${joined}`
  })
  return out
}

/**
 * Adds `input` to `target` (names lower-cased, a list of values joined with ", "); a later value for the same name
 * replaces the earlier. Fails on an invalid name or value; the value of a secret name is not shown.
 * @internal
 */
export const mergeHeaders = (
  target: Record<string, string>,
  input: HeadersInput | undefined,
  secrets: Secrets
): RequestValidationError | undefined => {
  if (input === undefined) return undefined
  return forEachHeader(input, (rawName, value) => {
    if (value === undefined) return undefined
    const name = rawName.toLowerCase()
    if (!isToken(name)) {
      return new RequestValidationError("InvalidHeader", `header name ${describeValue(rawName)} is not an HTTP token`)
    }
    const joined = typeof value === "string" ? value : value.join(", ")
    if (!isValidHeaderValue(joined)) {
      const shown = secrets.isSecretHeader(name) ? "" : ` ${describeValue(joined)}`
      return new RequestValidationError(
        "InvalidHeader",
        `header "${name}" value${shown} contains a control character (CR, LF, NUL …)`
      )
    }
    target[name] = joined
    return undefined
  })
}

/**
 * Response headers as the client keeps them: lower-case names, a repeated header's values joined with ", ", and
 * `set-cookie` apart (one entry per cookie, never joined).
 * @internal
 */
export interface ResponseHeaders {
  readonly headers: Record<string, string>
  readonly setCookie: ReadonlyArray<string>
}

const noCookies: ReadonlyArray<string> = []

/**
 * undici's raw header list (name, value, name, value …) as {@link ResponseHeaders}.
 * @internal
 */
export const fromRawHeaders = (raw: Array<Buffer> | Array<string> | null): ResponseHeaders => {
  const headers: Record<string, string> = {}
  let setCookie = noCookies as Array<string>
  if (raw) {
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i].toString("latin1").toLowerCase()
      const value = raw[i + 1].toString("latin1")
      if (name === "set-cookie") {
        if (setCookie === noCookies) setCookie = []
        setCookie.push(value)
      } else {
        const existing = headers[name]
        headers[name] = existing === undefined ? value : `${existing}, ${value}`
      }
    }
  }
  return { headers, setCookie }
}

/**
 * A header record whose names are already lower case (undici's parsed headers: a value, or a list for a repeated
 * header) as {@link ResponseHeaders}.
 * @internal
 */
export const fromHeaderRecord = (
  record: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
): ResponseHeaders => {
  const headers: Record<string, string> = {}
  let setCookie: ReadonlyArray<string> = noCookies
  for (const name of Object.keys(record)) {
    const value = record[name]
    if (value === undefined) continue
    if (name === "set-cookie") setCookie = typeof value === "string" ? [value] : value
    else headers[name] = typeof value === "string" ? value : value.join(", ")
  }
  return { headers, setCookie }
}

/**
 * A copy of a header record without `set-cookie` (for a response whose cookies are read apart).
 * @internal
 */
export const withoutSetCookie = (record: Readonly<Record<string, string>>): Record<string, string> => {
  const headers: Record<string, string> = {}
  for (const name in record) {
    if (name !== "set-cookie") headers[name] = record[name]
  }
  return headers
}
