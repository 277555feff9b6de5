/** @internal */

/**
 * Header names whose values never leave the process through errors, events,
 * logs, metrics or spans. Lower case.
 * @internal
 */
export const builtInRedactedHeaders: ReadonlyArray<string> = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key"
]

/**
 * Query parameter names whose values are replaced in URLs shown to humans.
 * @internal
 */
const sensitiveQueryNames: ReadonlySet<string> = new Set([
  "access_token",
  "api_key",
  "api-key",
  "apikey",
  "auth",
  "client_secret",
  "code",
  "id_token",
  "key",
  "password",
  "passwd",
  "pwd",
  "refresh_token",
  "secret",
  "session",
  "sessionid",
  "sig",
  "signature",
  "token",
  "x-amz-credential",
  "x-amz-security-token",
  "x-amz-signature",
  "x-goog-credential",
  "x-goog-signature"
])

/** @internal */
export const REDACTED = "<redacted>"

/** @internal */
export const makeRedactedSet = (extra: ReadonlyArray<string> | undefined): ReadonlySet<string> => {
  const set = new Set(builtInRedactedHeaders)
  if (extra) { for (const name of extra) set.add(name.toLowerCase()) }
  return set
}

/** @internal */
export const defaultRedactedSet: ReadonlySet<string> = makeRedactedSet(undefined)

/**
 * A copy of `headers` with the values of redacted names replaced.
 * @internal
 */
export const redactHeaders = (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>,
  redacted: ReadonlySet<string> = defaultRedactedSet
): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name in headers) {
    const value = headers[name]
    if (value === undefined) continue
    out[name] = redacted.has(name.toLowerCase()) ? REDACTED : Array.isArray(value) ? value.join(", ") : value as string
  }
  return out
}

/**
 * A URL as it may be shown: no userinfo, sensitive query values replaced.
 * Accepts anything; a string that is not a URL has its userinfo-looking part cut.
 * @internal
 */
export const redactUrl = (input: string | URL): string => {
  let url: URL
  try {
    url = typeof input === "string" ? new URL(input) : new URL(input.href)
  } catch {
    const s = String(input)
    // "scheme://user:pass@host" that did not parse: drop everything between "//" and "@"
    return s.replace(/\/\/[^/?#]*@/, "//")
  }
  url.username = ""
  url.password = ""
  if (url.search.length > 1) {
    // replace values in place, keeping the parameters' order and every other byte of the query as it was
    let changed = false
    const parts = url.search.slice(1).split("&")
    for (let i = 0; i < parts.length; i++) {
      const eq = parts[i].indexOf("=")
      const rawName = eq === -1 ? parts[i] : parts[i].slice(0, eq)
      let name: string
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, " "))
      } catch {
        name = rawName
      }
      if (sensitiveQueryNames.has(name.toLowerCase())) {
        parts[i] = `${rawName}=${REDACTED}`
        changed = true
      }
    }
    if (changed) return `${url.origin}${url.pathname}?${parts.join("&")}${url.hash}`
  }
  return url.href
}
