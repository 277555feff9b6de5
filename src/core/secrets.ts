/**
 * The secret-name rule (which header and query parameter values are secret) and the redaction of headers, URLs and
 * text by it. Effect-free.
 * @internal
 */

/**
 * Header names whose values are always secret. Lower case.
 * @internal
 */
export const builtInRedactedHeaders: ReadonlyArray<string> = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "x-auth-token"
]

/**
 * A header or query parameter name containing one of these (case-insensitive) is secret.
 * @internal
 */
export const secretNameFragments: ReadonlyArray<string> = [
  "token",
  "secret",
  "password",
  "passwd",
  "signature",
  "credential",
  "apikey",
  "api_key",
  "api-key",
  "session",
  "auth"
]

/**
 * Query parameter names that are secret although they contain no fragment. Lower case.
 * @internal
 */
export const secretQueryNames: ReadonlyArray<string> = ["code", "jwt", "key", "pass", "private_key", "pwd", "sig"]

/**
 * Standard headers the fragments match that describe authentication without carrying a credential (challenges,
 * CORS flags), and the keys that are nonces rather than secrets: not secret unless the user names them.
 * @internal
 */
export const notSecretHeaders: ReadonlyArray<string> = [
  "www-authenticate",
  "proxy-authenticate",
  "authentication-info",
  "proxy-authentication-info",
  "access-control-allow-credentials",
  "idempotency-key",
  "x-idempotency-key",
  "sec-websocket-key"
]

const builtInHeaderSet: ReadonlySet<string> = new Set(builtInRedactedHeaders)
const notSecretHeaderSet: ReadonlySet<string> = new Set(notSecretHeaders)
const secretQuerySet: ReadonlySet<string> = new Set(secretQueryNames)

const hasSecretFragment = (lower: string): boolean => {
  for (const fragment of secretNameFragments) if (lower.includes(fragment)) return true
  return false
}

/**
 * The one rule that decides which names are secret, for a client: headers (redacted wherever they are shown, and
 * dropped when a redirect crosses to another origin) and query parameters (redacted in every URL shown).
 *
 * - A header is secret when the user's `redactHeaders` names it, when it is built in (`builtInRedactedHeaders`), or
 *   when its name contains a fragment of `secretNameFragments` or ends in `-key` / `_key` — unless it is one of
 *   `notSecretHeaders` (and the user did not name it).
 * - A query parameter is secret when the user's `redactQueryParams` names it, when it is one of `secretQueryNames`,
 *   or when its (percent-decoded) name contains a fragment of `secretNameFragments`.
 *
 * Names compare case-insensitively.
 * @internal
 */
export class Secrets {
  private readonly headerExtra: ReadonlySet<string>
  private readonly queryExtra: ReadonlySet<string>
  constructor(extraHeaders?: ReadonlyArray<string> | undefined, extraQueryParams?: ReadonlyArray<string> | undefined) {
    this.headerExtra = new Set((extraHeaders ?? []).map((name) => name.toLowerCase()))
    this.queryExtra = new Set((extraQueryParams ?? []).map((name) => name.toLowerCase()))
  }
  /** Whether the value of the header `name` is secret. */
  isSecretHeader(name: string): boolean {
    const lower = name.toLowerCase()
    if (builtInHeaderSet.has(lower) || this.headerExtra.has(lower)) return true
    if (notSecretHeaderSet.has(lower)) return false
    return hasSecretFragment(lower) || lower.endsWith("-key") || lower.endsWith("_key")
  }
  /** Whether the value of the query parameter `name` (decoded) is secret. */
  isSecretQueryParam(name: string): boolean {
    const lower = name.toLowerCase()
    return secretQuerySet.has(lower) || this.queryExtra.has(lower) || hasSecretFragment(lower)
  }
}

/** @internal */
export const REDACTED = "<redacted>"

/** @internal */
export const defaultSecrets: Secrets = new Secrets()

/**
 * A copy of `headers` with the values of secret names replaced.
 * @internal
 */
export const redactHeaders = (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>,
  secrets: Secrets = defaultSecrets
): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name in headers) {
    const value = headers[name]
    if (value === undefined) continue
    out[name] = secrets.isSecretHeader(name) ? REDACTED : Array.isArray(value) ? value.join(", ") : value as string
  }
  return out
}

/**
 * `redactHeaders` with the built-in rule plus `extra` secret names (the public `Telemetry.redactHeaders` of both
 * editions).
 * @internal
 */
export const redactHeadersWith = (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>,
  extra?: ReadonlyArray<string>
): Record<string, string> => redactHeaders(headers, extra === undefined ? defaultSecrets : new Secrets(extra))

/**
 * `name=value&…` with the values of secret names replaced, every other byte kept; `undefined` when nothing is
 * secret.
 */
const redactParams = (params: string, secrets: Secrets): string | undefined => {
  let changed = false
  const parts = params.split("&")
  for (let i = 0; i < parts.length; i++) {
    const eq = parts[i].indexOf("=")
    const rawName = eq === -1 ? parts[i] : parts[i].slice(0, eq)
    let name: string
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, " "))
    } catch {
      name = rawName
    }
    if (secrets.isSecretQueryParam(name)) {
      parts[i] = `${rawName}=${REDACTED}`
      changed = true
    }
  }
  return changed ? parts.join("&") : undefined
}

/** A fragment shaped like query parameters (`#access_token=…&state=…`, OAuth's implicit flow) is redacted alike. */
const redactHash = (hash: string, secrets: Secrets): string => {
  if (hash.length <= 1 || !hash.includes("=")) return hash
  const redacted = redactParams(hash.slice(1), secrets)
  return redacted === undefined ? hash : `#${redacted}`
}

/**
 * A string as it may be shown, every other byte as written (relative, unparseable, or an option's value in its
 * error): anything between `//` and `@` (a userinfo) cut, the query and a parameter-shaped fragment redacted as in a
 * URL.
 * @internal
 */
export const redactText = (s: string, secrets: Secrets = defaultSecrets): string => {
  const cut = s.replace(/\/\/[^/?#]*@/, "//")
  const hashAt = cut.indexOf("#")
  const beforeHash = hashAt === -1 ? cut : cut.slice(0, hashAt)
  const hash = hashAt === -1 ? "" : redactHash(cut.slice(hashAt), secrets)
  const queryAt = beforeHash.indexOf("?")
  if (queryAt === -1) return beforeHash + hash
  const query = beforeHash.slice(queryAt + 1)
  return `${beforeHash.slice(0, queryAt)}?${redactParams(query, secrets) ?? query}${hash}`
}

/**
 * A URL as it may be shown: no userinfo, values of secret query parameters (and of a parameter-shaped fragment)
 * replaced. Accepts anything: a string that is not a URL is redacted by the same rules.
 * @internal
 */
export const redactUrl = (input: string | URL, secrets: Secrets = defaultSecrets): string => {
  let url: URL
  try {
    // a URL without userinfo is read as it is (nothing of it is changed): no copy
    url = typeof input === "string" ? new URL(input) : input
    if (url.username !== "" || url.password !== "") {
      if (url === input) url = new URL(input.href)
      url.username = ""
      url.password = ""
    }
  } catch {
    return redactText(String(input), secrets)
  }
  const search = url.search.length > 1 ? redactParams(url.search.slice(1), secrets) : undefined
  const hash = redactHash(url.hash, secrets)
  const href = url.href
  if (search === undefined && hash === url.hash) return href
  const base = href.slice(0, href.length - url.search.length - url.hash.length)
  return `${base}${search === undefined ? url.search : `?${search}`}${hash}`
}

/**
 * A value as it may be shown (an option's value in its error), by the same rule: every string as `redactText` shows
 * it (a userinfo cut, secret query values replaced), and in an object or list, to any depth, the value of every key
 * the header rule calls secret (`token`, `password`, `authorization`, `proxy-authorization` …) replaced. What is
 * not a plain object, list or string is returned as it is.
 * @internal
 */
export const redactValue = (u: unknown, secrets: Secrets = defaultSecrets): unknown => redactDeep(u, secrets, 0)

const redactDeep = (u: unknown, secrets: Secrets, depth: number): unknown => {
  if (typeof u === "string") return redactText(u, secrets)
  if (u instanceof URL) return redactUrl(u, secrets)
  if (typeof u !== "object" || u === null || depth > 8) return u
  if (Array.isArray(u)) return u.map((x) => redactDeep(x, secrets, depth + 1))
  const proto: unknown = Object.getPrototypeOf(u)
  if (proto !== Object.prototype && proto !== null) return u
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(u)) {
    out[key] = value !== undefined && secrets.isSecretHeader(key) ? REDACTED : redactDeep(value, secrets, depth + 1)
  }
  return out
}
