/**
 * What an error means for a retry and for a circuit breaker, read from its plain fields (tag, reason, scope,
 * status, whether a server's wait came with it). Effect-free: both editions' error classes pass themselves.
 * @internal
 */

/**
 * The fields of an error that the verdicts read; every error class of both editions has this shape.
 * @internal
 */
export interface ErrorFacts {
  readonly _tag: string
  readonly reason?: string | undefined
  readonly scope?: string | undefined
  readonly status?: number | undefined
  /** an `Option`: `_tag` "Some" when the server named a wait */
  readonly retryAfter?: { readonly _tag: string } | unknown
}

/**
 * The statuses a retry may help with.
 * @internal
 */
export const transientStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

const nonTransientTransport: ReadonlySet<string> = new Set([
  "TlsFailure",
  "ProtocolError",
  "ResponseTooLarge",
  "Aborted",
  "NotResumable",
  "RedirectLoop",
  "TooManyRedirects",
  "InsecureRedirect"
])

const hasServerWait = (error: ErrorFacts): boolean =>
  typeof error.retryAfter === "object" && error.retryAfter !== null &&
  (error.retryAfter as { readonly _tag: string })._tag === "Some"

/**
 * Whether an error is worth retrying: transport failures but the ones a retry cannot mend, attempt timeouts
 * (not the deadline), the transient statuses, 413 only with a server's wait, and a response `acceptResponse`
 * rejected.
 * @internal
 */
export const isTransientFacts = (error: ErrorFacts): boolean => {
  switch (error._tag) {
    case "TransportError":
      return !nonTransientTransport.has(error.reason ?? "")
    case "TimeoutError":
      return error.scope === "attempt"
    case "StatusError":
      return transientStatuses.has(error.status ?? 0) || (error.status === 413 && hasServerWait(error))
    case "ResponseRejectedError":
      // the check said "not yet" or "not this answer": asking again may get another (aiohttp-retry, tenacity)
      return true
    default:
      return false
  }
}

/**
 * How a circuit breaker counts an attempt's error by default: true (a failure), false (a success: the origin
 * answered) or undefined (ignored: the deadline, our own rejections, bad input).
 * @internal
 */
export const breakerVerdict = (error: ErrorFacts): boolean | undefined => {
  switch (error._tag) {
    case "TransportError":
      return true
    case "TimeoutError":
      return error.scope === "attempt" ? true : undefined
    case "StatusError": {
      const status = error.status ?? 0
      return status >= 500 || status === 408 || status === 429
    }
    default:
      return undefined
  }
}
