/**
 * The texts of the error messages: how a request is named, how a cause is told, the transport reasons' and the
 * statuses' phrases. Effect-free.
 * @internal
 */
import type { TransportReason } from "./transportFailure.js"

/**
 * How a message names the request: `GET https://host/path (attempt 2)`, or only the attempt without a URL.
 * @internal
 */
export const requestLabel = (
  self: { readonly method: string; readonly url: string; readonly attempt: number }
): string => self.url === "" ? `(attempt ${self.attempt})` : `${self.method} ${self.url} (attempt ${self.attempt})`

/**
 * A cause in one line: an `Error`'s name, code and message, anything else as `String` makes it.
 * @internal
 */
export const describeCause = (cause: unknown): string => {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code
    return typeof code === "string" ? `${cause.name} [${code}]: ${cause.message}` : `${cause.name}: ${cause.message}`
  }
  return String(cause)
}

/**
 * What a `TransportError`'s message says for each reason.
 * @internal
 */
export const transportReasonText: Record<TransportReason, string> = {
  ConnectionRefused: "Connection refused",
  ConnectionReset: "Connection reset",
  ConnectTimeout: "Connect timeout",
  HeadersTimeout: "Headers timeout",
  BodyTimeout: "Body timeout",
  DnsFailure: "DNS lookup failed",
  TlsFailure: "TLS handshake failed",
  ProtocolError: "Protocol error",
  ResponseTooLarge: "Response too large",
  Aborted: "Aborted",
  NotResumable: "Stream not resumable",
  StreamEnded: "Stream ended by the server",
  RedirectLoop: "Redirect loop",
  TooManyRedirects: "Too many redirects",
  InsecureRedirect: "Insecure redirect (https to http)",
  Unknown: "Transport failure"
}

/**
 * RFC 9110 reason phrases, for transports that give none (fetch, the test kit).
 * @internal
 */
export const reasonPhrases: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  407: "Proxy Authentication Required",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Content Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  417: "Expectation Failed",
  421: "Misdirected Request",
  422: "Unprocessable Content",
  425: "Too Early",
  426: "Upgrade Required",
  428: "Precondition Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  451: "Unavailable For Legal Reasons",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported"
}

/**
 * The fields of an error that its message reads (each error class of both editions has the ones of its tag);
 * durations are the edition's own, told through the `format` an edition passes.
 * @internal
 */
export interface MessageFacts {
  readonly _tag: string
  readonly method: string
  readonly url: string
  readonly attempt: number
  readonly reason?: string | undefined
  readonly detail?: string | undefined
  readonly scope?: string | undefined
  readonly timeout?: unknown
  readonly status?: number | undefined
  readonly statusText?: string | undefined
  readonly origin?: string | undefined
  readonly state?: string | undefined
  readonly probes?: number | undefined
  readonly limit?: unknown
  readonly queued?: number | undefined
  readonly queueTimeout?: unknown
  readonly waitFor?: unknown
  readonly lastError?: { readonly message: string } | undefined
  readonly retryAfter?: unknown
  readonly interceptor?: string | undefined
  readonly cause?: unknown
  readonly line?: number | undefined
}

/**
 * How an edition tells a duration: its text, or undefined for one longer than can be represented.
 * @internal
 */
export type FormatDuration = (duration: unknown) => string | undefined

/**
 * The message of an error, by its tag: `503 Service Unavailable: GET https://host/path (attempt 2)`.
 * @internal
 */
export const errorMessage = (e: MessageFacts, format: FormatDuration): string => {
  const label = requestLabel(e)
  switch (e._tag) {
    case "TransportError":
      return `${transportReasonText[e.reason as TransportReason]}${e.detail ? ` (${e.detail})` : ""}: ${label}`
    case "TimeoutError":
      return e.scope === "attempt"
        ? `Attempt timed out after ${format(e.timeout)}: ${label}`
        : `Deadline exceeded: ${label}`
    case "StatusError":
      return `${statusLine(e)}: ${label}`
    case "ResponseRejectedError":
      return `Response rejected by acceptResponse (${statusLine(e)}): ${label}`
    case "CircuitOpenError": {
      if (e.state !== "half-open") return `Circuit open for ${e.origin}: ${label}`
      const inFlight = e.probes === undefined ? "" : ` (${e.probes} in flight)`
      return `Circuit half-open for ${e.origin}, no free probe${inFlight}: ${label}`
    }
    case "BulkheadRejectedError":
      return bulkheadMessage(e, format, label)
    case "RateLimitedError":
      return `Rate limited, would wait ${format(e.waitFor)}: ${label}`
    case "RetryBudgetExhaustedError":
      return `Retry budget exhausted after: ${e.lastError!.message}`
    case "RetryAfterTooLongError":
      return `Server asked to wait ${format(e.retryAfter) ?? "longer than can be represented"}, more than ${
        format(e.limit)
      }: ${label}`
    case "InvalidRequestError":
      // no URL: not about a request (e.g. `circuitState` of something that names no origin)
      return e.url === ""
        ? `Invalid request (${e.reason}): ${e.detail}`
        : `Invalid request (${e.reason}): ${e.detail}: ${label}`
    case "DecodeError": {
      const what = e.line === undefined ? "the body" : `line ${e.line} of the body`
      return `Could not decode ${what} (${describeCause(e.cause)}): ${label}`
    }
    default:
      return `Interceptor "${e.interceptor}" failed (${describeCause(e.cause)}): ${label}`
  }
}

/** `503 Service Unavailable`: the status and its text (the server's, else the standard phrase). */
const statusLine = (e: MessageFacts): string => {
  const text = e.statusText || reasonPhrases[e.status!] || ""
  return `${e.status}${text ? ` ${text}` : ""}`
}

const bulkheadMessage = (e: MessageFacts, format: FormatDuration, label: string): string => {
  const counts = `(${e.limit} running, ${e.queued} queued)`
  if (e.reason !== "queue-timeout") return `Bulkhead full ${counts}: ${label}`
  const waited = e.queueTimeout === undefined ? "" : ` after ${format(e.queueTimeout)}`
  return `Bulkhead queue wait timed out${waited} ${counts}: ${label}`
}
