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
    let changed = false
    const params = url.searchParams
    const names = new Set(params.keys())
    for (const name of names) {
      if (sensitiveQueryNames.has(name.toLowerCase())) {
        const count = params.getAll(name).length
        params.delete(name)
        for (let i = 0; i < count; i++) params.append(name, REDACTED)
        changed = true
      }
    }
    if (changed) return url.href.replace(/%3Credacted%3E/g, REDACTED)
  }
  return url.href
}
