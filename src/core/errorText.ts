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
