/**
 * The `failover` request option's rules both editions share: which URL each attempt goes to, and the checks of the
 * list (its shape, and every URL joined to the client's `baseUrl` up front, before any I/O).
 * @internal
 */
import { RequestValidationError } from "./requestError.js"
import type { Secrets } from "./secrets.js"
import { joinUrl } from "./url.js"

/**
 * The URL attempt `attemptNo` (from 1) goes to: the primary, then each `failover` URL in turn, then round again.
 * @internal
 */
export const urlForAttempt = <U>(url: U, failover: ReadonlyArray<U> | undefined, attemptNo: number): U => {
  if (failover === undefined || failover.length === 0) return url
  const index = (attemptNo - 1) % (failover.length + 1)
  return index === 0 ? url : failover[index - 1]
}

/**
 * Where `u` is not a list of URLs (strings or URL objects): `-1` when it is no list at all, else the index of the first
 * entry that is not one; `undefined` when it is one. (Never the value: URLs carry userinfo and query secrets.)
 * @internal
 */
export const badFailoverEntry = (u: unknown): number | undefined => {
  if (!Array.isArray(u)) return -1
  const at = u.findIndex((x) => typeof x !== "string" && !(x instanceof URL))
  return at < 0 ? undefined : at
}

/**
 * Every `failover` URL joined as the request's own is (relative ones to `baseUrl`): the first that does not join, as
 * the request's error naming its index, or `undefined`.
 * @internal
 */
export const checkFailover = (
  failover: ReadonlyArray<string | URL>,
  baseUrl: URL | undefined,
  secrets: Secrets
): RequestValidationError | undefined => {
  for (let i = 0; i < failover.length; i++) {
    const joined = joinUrl(failover[i], baseUrl, secrets)
    if (joined instanceof RequestValidationError) {
      return new RequestValidationError(joined.reason, `failover[${i}]: ${joined.detail}`, joined.cause)
    }
  }
  return undefined
}
