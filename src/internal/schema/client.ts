/**
 * The rules of the client options that are not durations, numbers or hooks: URLs, header and parameter name lists,
 * statuses, TLS settings. A value that may hold a secret is shown by the one redaction rule (`redactValue`).
 * @internal
 */
import { acceptStatusExpected, isAcceptStatus } from "../../core/acceptStatus.js"
import { cookiesExpected, isCookiesOption } from "../../core/cookies.js"
import { isToken } from "../../core/headers.js"
import { redactValue } from "../../core/secrets.js"
import { showValue } from "../optionValue.js"
import { type Rule, rule } from "./rules.js"

const isHttpUrl = (u: unknown): boolean => {
  if (u instanceof URL) return u.protocol === "http:" || u.protocol === "https:"
  if (typeof u !== "string") return false
  try {
    const url = new URL(u)
    return url.protocol === "http:" || url.protocol === "https:"
  } catch {
    return false
  }
}

/**
 * An absolute http: or https: URL, shown as the redaction shows it: its userinfo and secret parameters stay secret.
 * @internal
 */
export const BaseUrl: Rule = {
  is: isHttpUrl,
  expected: "an absolute http: or https: URL",
  show: (u) => showValue(redactValue(u))
}

export const AcceptStatusRule: Rule = rule(isAcceptStatus, acceptStatusExpected)

/** `true`, `false` or a tough-cookie `CookieJar` (anything with its two methods). */
export const CookiesRule: Rule = rule(isCookiesOption, cookiesExpected)

export const RedactHeaders: Rule = rule(
  (u) => Array.isArray(u) && u.every((x) => typeof x === "string" && isToken(x)),
  "a list of header names"
)

export const RedactQueryParams: Rule = rule(
  (u) => Array.isArray(u) && u.every((x) => typeof x === "string" && x !== ""),
  "a list of non-empty parameter names"
)

const bytesLike = (u: unknown) => typeof u === "string" || u instanceof Uint8Array

const tlsKeys = ["ca", "cert", "key", "rejectUnauthorized", "servername"]

/** What undici's connector takes of TLS settings, and nothing else (a misspelt key would be ignored). */
export const Tls: Rule = {
  is: (u) => {
    if (typeof u !== "object" || u === null || Array.isArray(u)) return false
    const tls = u as Record<string, unknown>
    return Object.keys(tls).every((key) => tlsKeys.includes(key)) &&
      (tls.ca === undefined || bytesLike(tls.ca) || (Array.isArray(tls.ca) && tls.ca.every(bytesLike))) &&
      (tls.cert === undefined || bytesLike(tls.cert)) &&
      (tls.key === undefined || bytesLike(tls.key)) &&
      (tls.rejectUnauthorized === undefined || typeof tls.rejectUnauthorized === "boolean") &&
      (tls.servername === undefined || typeof tls.servername === "string")
  },
  expected:
    "{ ca?, cert?, key? (strings or Buffers; ca also a list), rejectUnauthorized?: boolean, servername?: string }",
  // a key or certificate is never shown
  show: (u) => typeof u === "object" && u !== null ? "this value" : showValue(u)
}
