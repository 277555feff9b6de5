/**
 * What a platform `HttpClient` (fetch, or any other) fails with, as a transport reason: the innermost cause that
 * says what happened decides, by the same table as undici's errors. Effect-free: the errors are read by shape, the
 * shapes of both editions' clients (`@effect/platform`'s for the root entry, `effect/http`'s for the v4 edition).
 * @internal
 */
import { TransportFailure } from "./transportFailure.js"
import { classifyError, messageOf } from "./undiciErrors.js"

/**
 * The kind of a platform client's error, in the root entry's words (`Transport`, `Encode`, `InvalidUrl`,
 * `StatusCode`, `Decode`, `EmptyBody`): `@effect/platform`'s `RequestError` / `ResponseError` carry it as their
 * `reason`; `effect/http`'s `HttpClientError` carries a `reason` error tagged `TransportError`, `EncodeError` …
 * (its own `cause` is that reason's). Anything else has none.
 * @internal
 */
export const verdictOf = (error: unknown): string | undefined => {
  const tag = (error as { _tag?: unknown })?._tag
  const reason = (error as { reason?: unknown })?.reason
  if (tag === "RequestError" || tag === "ResponseError") return typeof reason === "string" ? reason : undefined
  if (tag !== "HttpClientError") return undefined
  const inner = (reason as { _tag?: unknown })?._tag
  return typeof inner === "string" && inner.endsWith("Error") ? inner.slice(0, -5) : undefined
}

/**
 * Whether a platform response's body stream failed only because the response has none (a HEAD, a 204): an empty
 * body, not a failure.
 * @internal
 */
export const isEmptyBody = (error: unknown): boolean => verdictOf(error) === "EmptyBody"

/**
 * `fetch` with `redirect: "manual"`: it hands every 3xx back as it is, so the client's one redirect stage decides
 * whether and where to follow (`followRedirects`, loops, secret headers across origins, https → http). Node's fetch
 * returns the redirect itself (status and `Location`), not an opaque response. `fetch` is looked up at each call.
 * @internal
 */
export const manualRedirects = (fetch: () => typeof globalThis.fetch): typeof globalThis.fetch =>
  ((input: Parameters<typeof globalThis.fetch>[0], init?: RequestInit) =>
    fetch()(input, { ...init, redirect: "manual" })) as typeof globalThis.fetch

/** What a runtime's message says when it gives no code (fetch outside Node, other platform clients). */
const resetMessage = /\b(ECONNRESET|EPIPE|connection reset|socket hang up|other side closed)\b/i

/**
 * Maps a platform `HttpClientError` (or what its body stream fails with) to a transport reason, from the innermost
 * cause that says what happened: platform errors wrap the runtime's, and fetch wraps once more
 * (`TypeError("fetch failed").cause.code`). A port that fetch refuses to connect to (its "bad port" list: 1, 6000 …)
 * is an invalid request, nothing was sent; a failure that says neither is `Unknown`, not a reset.
 * @internal
 */
export const platformFailure = (error: unknown, url?: URL): TransportFailure => {
  // the platform's own verdict that the request could not be sent as it is: the request's fault
  const verdict = verdictOf(error)
  if (verdict === "Encode" || verdict === "InvalidUrl") {
    // not the platform error's message: it shows the URL unredacted
    return new TransportFailure(
      "InvalidRequest",
      (error as { cause?: unknown }).cause,
      verdict === "Encode" ? "the platform client could not encode the body" : "the platform client refused the URL",
      verdict === "Encode" ? "InvalidBody" : "InvalidUrl"
    )
  }
  const chain: Array<unknown> = []
  for (let cause = (error as { cause?: unknown })?.cause; cause !== undefined && chain.length < 5;) {
    chain.push(cause)
    cause = (cause as { cause?: unknown })?.cause
  }
  for (const cause of chain) {
    const classified = classifyError(cause)
    if (classified.reason !== "Unknown") return classified
  }
  const classified = classifyError(error)
  if (classified.reason !== "Unknown") return classified
  for (const cause of chain) {
    const message = messageOf(cause)
    if (message === "bad port") {
      const port = url === undefined ? "" : ` ${url.port || (url.protocol === "https:" ? "443" : "80")}`
      return new TransportFailure(
        "InvalidRequest",
        new Error(`fetch refuses port${port} (a "bad port" in the Fetch standard); nothing was sent`, { cause })
      )
    }
    if (resetMessage.test(message)) return new TransportFailure("ConnectionReset", cause)
  }
  return new TransportFailure("Unknown", chain.length > 0 ? chain[chain.length - 1] : error)
}
