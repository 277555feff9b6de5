/**
 * Who is to blame for an error from undici or Node's sockets: the one table that turns an error code into a
 * transport reason or an invalid request (DESIGN "Security rules" → "Who is to blame"). Effect-free.
 * @internal
 */
import { type InvalidRequestReason, TransportFailure, type TransportReason } from "./transportFailure.js"

const tlsCodes = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_TLS_HANDSHAKE_TIMEOUT",
  "HOSTNAME_MISMATCH",
  "EPROTO"
])

/**
 * What an error becomes: a transport reason (the network's or the server's fault), or `InvalidRequest` (the
 * request's or the client's own fault), with the `InvalidRequestError` reason and a detail where the error's own
 * message says too little.
 */
interface Verdict {
  readonly reason: TransportReason | "InvalidRequest"
  readonly invalid?: InvalidRequestReason | undefined
  readonly detail?: string | undefined
}

const verdict = (reason: Verdict["reason"], detail?: string): Verdict => ({ reason, detail })
const requestFault = (invalid: InvalidRequestReason | undefined, detail?: string): Verdict => ({
  reason: "InvalidRequest",
  invalid,
  detail
})

/**
 * Who is to blame, for every error code undici 7 defines (lib/core/errors.js, lib/mock/mock-errors.js) and the
 * Node socket codes it passes on: the one place that decides (DESIGN "Security rules" → "Who is to blame").
 *
 * - The request or the client's own dispatcher caused it → `InvalidRequest` (an `InvalidRequestError`: not
 *   transient, ignored by the circuit breaker, never retried so it spends no retry budget).
 * - The server broke HTTP → `ProtocolError` (not transient).
 * - The network or the server failed in a way trying again may fix → the matching transient reason.
 *
 * code (class): whose fault → reason
 * - UND_ERR (UndiciError; raised as such by MockAgent / SnapshotAgent only): the dispatcher refused → InvalidRequest
 * - UND_ERR_CONNECT_TIMEOUT (ConnectTimeoutError): network → ConnectTimeout
 * - UND_ERR_HEADERS_TIMEOUT (HeadersTimeoutError): server → HeadersTimeout
 * - UND_ERR_HEADERS_OVERFLOW (HeadersOverflowError): server, headers over the limit → ProtocolError
 * - UND_ERR_BODY_TIMEOUT (BodyTimeoutError): server → BodyTimeout
 * - UND_ERR_INVALID_ARG (InvalidArgumentError): request, a header, method, path or body undici refuses
 *   → InvalidRequest (a forward proxy's "Proxy Authentication Required (407)": InvalidOption, the credentials)
 * - UND_ERR_INVALID_RETURN_VALUE (InvalidReturnValueError): the user's dispatcher → InvalidRequest
 * - UND_ERR_ABORT, UND_ERR_ABORTED (AbortError, RequestAbortedError): local → Aborted; but ProxyAgent's
 *   "Proxy response (N) !== 200 when HTTP Tunneling": 407, the proxy refused the client's credentials
 *   → InvalidRequest (InvalidOption); another status, the proxy could not reach the origin → ConnectionRefused
 * - UND_ERR_INFO (InformationalError): undici closed the socket the request was on ("reset", "aborted", HTTP/2
 *   stream errors) → ConnectionReset; the DNS interceptor's "No DNS entries found" → DnsFailure
 * - UND_ERR_REQ_CONTENT_LENGTH_MISMATCH (RequestContentLengthMismatchError): request, body length ≠ its
 *   content-length → InvalidRequest
 * - UND_ERR_RES_CONTENT_LENGTH_MISMATCH (ResponseContentLengthMismatchError): a body cut short, like a reset
 *   mid-body → ConnectionReset
 * - UND_ERR_DESTROYED, UND_ERR_CLOSED (ClientDestroyedError, ClientClosedError): local, the pool is closed → Aborted
 * - UND_ERR_SOCKET (SocketError): network or server closed the socket → ConnectionReset
 * - UND_ERR_NOT_SUPPORTED (NotSupportedError): request, e.g. an `expect` header → InvalidRequest
 * - UND_ERR_BPL_MISSING_UPSTREAM (BalancedPoolMissingUpstreamError): the user's dispatcher → InvalidRequest
 * - HPE_* (HTTPParserError): server, not HTTP (malformed status line, bad chunking …) → ProtocolError
 * - UND_ERR_RES_EXCEEDED_MAX_SIZE (ResponseExceededMaxSizeError): over the size limit → ResponseTooLarge
 * - UND_ERR_REQ_RETRY (RequestRetryError, the user's RetryAgent gave up) and UND_ERR_RESPONSE (ResponseError, the
 *   user's responseError interceptor): the server's status, which no reason names → Unknown, status in the detail
 * - UND_ERR_PRX_TLS (SecureProxyConnectionError): TLS to the proxy → TlsFailure
 * - UND_ERR_MAX_ORIGINS_REACHED (MaxOriginsReachedError): the user's dispatcher (`maxOrigins`) → InvalidRequest
 * - UND_ERR_SOCKS5* (Socks5ProxyError): credentials refused → InvalidRequest; a proxy that speaks no SOCKS5
 *   → ProtocolError; the proxy could not connect → ConnectionRefused
 * - UND_ERR_WS_MESSAGE_SIZE_EXCEEDED (MessageSizeExceededError): over the size limit → ResponseTooLarge
 * - UND_MOCK_ERR_MOCK_NOT_MATCHED (MockNotMatchedError): the user's MockAgent matched nothing → InvalidRequest
 * - ERR_ASSERTION (AssertionError): undici's parser asserting what the server sent (a status below 100)
 *   → ProtocolError
 *
 * A code not listed (a future undici's) is `Unknown`; test/Blame.test.ts builds every class undici exports and
 * fails on one this table does not know.
 */
const verdicts: Record<string, Verdict> = {
  // undici
  UND_ERR: requestFault("InvalidOption"),
  UND_ERR_CONNECT_TIMEOUT: verdict("ConnectTimeout"),
  UND_ERR_HEADERS_TIMEOUT: verdict("HeadersTimeout"),
  UND_ERR_HEADERS_OVERFLOW: verdict("ProtocolError", "the response's headers exceed the size limit"),
  UND_ERR_BODY_TIMEOUT: verdict("BodyTimeout"),
  UND_ERR_INVALID_ARG: requestFault(undefined),
  UND_ERR_INVALID_RETURN_VALUE: requestFault("InvalidOption"),
  UND_ERR_ABORT: verdict("Aborted"),
  UND_ERR_ABORTED: verdict("Aborted"),
  UND_ERR_INFO: verdict("ConnectionReset"),
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: requestFault(
    "InvalidBody",
    "the body's length does not match the request's content-length header"
  ),
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: verdict(
    "ConnectionReset",
    "the body's length does not match its Content-Length"
  ),
  UND_ERR_DESTROYED: verdict("Aborted", "the client's connection pool was destroyed"),
  UND_ERR_CLOSED: verdict("Aborted", "the client's connection pool is closed"),
  UND_ERR_SOCKET: verdict("ConnectionReset"),
  UND_ERR_NOT_SUPPORTED: requestFault(undefined),
  UND_ERR_BPL_MISSING_UPSTREAM: requestFault("InvalidOption"),
  UND_ERR_RES_EXCEEDED_MAX_SIZE: verdict("ResponseTooLarge"),
  UND_ERR_REQ_RETRY: verdict("Unknown"),
  UND_ERR_RESPONSE: verdict("Unknown"),
  UND_ERR_PRX_TLS: verdict("TlsFailure", "the TLS connection to the proxy failed"),
  UND_ERR_MAX_ORIGINS_REACHED: requestFault("InvalidOption"),
  UND_ERR_SOCKS5: verdict("ConnectionRefused"),
  UND_ERR_WS_MESSAGE_SIZE_EXCEEDED: verdict("ResponseTooLarge"),
  UND_MOCK_ERR_MOCK_NOT_MATCHED: requestFault("InvalidOption"),
  ERR_ASSERTION: verdict("ProtocolError", "the transport refused what the server sent"),
  // Node sockets and DNS
  ECONNREFUSED: verdict("ConnectionRefused"),
  EHOSTUNREACH: verdict("ConnectionRefused", "host unreachable"),
  EHOSTDOWN: verdict("ConnectionRefused", "host down"),
  ENETUNREACH: verdict("ConnectionRefused", "network unreachable"),
  ENETDOWN: verdict("ConnectionRefused", "network down"),
  ECONNRESET: verdict("ConnectionReset"),
  EPIPE: verdict("ConnectionReset"),
  ECONNABORTED: verdict("ConnectionReset"),
  ETIMEDOUT: verdict("ConnectTimeout"),
  ENOTFOUND: verdict("DnsFailure"),
  EAI_AGAIN: verdict("DnsFailure"),
  EAI_FAIL: verdict("DnsFailure"),
  EAI_NODATA: verdict("DnsFailure"),
  EAI_NONAME: verdict("DnsFailure"),
  ABORT_ERR: verdict("Aborted"),
  // Node's own request checks (node:http, URL), for platform clients that use them
  ERR_INVALID_URL: requestFault("InvalidUrl"),
  ERR_INVALID_PROTOCOL: requestFault("InvalidUrl"),
  ERR_UNESCAPED_CHARACTERS: requestFault("InvalidUrl"),
  ERR_INVALID_HTTP_TOKEN: requestFault("InvalidHeader"),
  ERR_INVALID_CHAR: requestFault("InvalidHeader"),
  ERR_HTTP_INVALID_HEADER_VALUE: requestFault("InvalidHeader"),
  ERR_HTTP_CONTENT_LENGTH_MISMATCH: requestFault("InvalidBody")
}

/** What an InvalidArgumentError or NotSupportedError is about, from its message (failure path only). */
const invalidReasonOf = (message: string): InvalidRequestReason =>
  /header/i.test(message)
    ? "InvalidHeader"
    : /\b(url|path|protocol|origin|hostname|port)\b/i.test(message)
    ? "InvalidUrl"
    : /\bmethod\b/i.test(message)
    ? "InvalidMethod"
    : /\bbody\b/i.test(message)
    ? "InvalidBody"
    : "InvalidOption"

/**
 * An error's message, or "" when it has none (failure path only).
 * @internal
 */
export const messageOf = (error: unknown): string =>
  typeof (error as { message?: unknown })?.message === "string" ? (error as { message: string }).message : ""

/** The verdict for an error's code and name, before any detail from the error itself. */
const verdictOf = (code: string, name: string): Verdict | undefined => {
  // own keys only: a code such as "constructor" names nothing here
  if (Object.prototype.hasOwnProperty.call(verdicts, code)) return verdicts[code]
  if (code.startsWith("HPE_") || name === "HTTPParserError") return verdict("ProtocolError")
  if (code.startsWith("UND_ERR_SOCKS5_")) {
    return code.includes("AUTH")
      ? requestFault("InvalidOption")
      : code.includes("VERSION") || code.includes("ADDR_TYPE")
      ? verdict("ProtocolError")
      : verdict("ConnectionRefused")
  }
  if (tlsCodes.has(code) || code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_") || code.startsWith("CERT_")) {
    return verdict("TlsFailure")
  }
  if (name === "AbortError") return verdict("Aborted")
  return undefined
}

const proxyAuthDetail = "the proxy refused the client's proxy credentials (407 Proxy Authentication Required)"

/** The status a proxy refused a request or tunnel with, from undici's message (failure path only). */
const proxyRefusal = (message: string): number | undefined => {
  if (message === "Proxy Authentication Required (407)") return 407
  const tunnel = /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling$/.exec(message)
  return tunnel === null ? undefined : Number(tunnel[1])
}

/**
 * Maps an error from undici or Node's sockets to a transport reason, by the table above.
 * @internal
 */
export const classifyError = (error: unknown): TransportFailure => {
  if (error instanceof TransportFailure) return error
  const code = typeof (error as any)?.code === "string" ? (error as any).code as string : ""
  const name = typeof (error as any)?.name === "string" ? (error as any).name as string : ""
  const found = verdictOf(code, name)
  if (found === undefined) return new TransportFailure("Unknown", error)
  switch (code) {
    case "UND_ERR_SOCKET":
      // undici's "other side closed": the server closed the connection (a clean close cuts a body short too)
      return new TransportFailure(
        "ConnectionReset",
        error,
        /other side closed/i.test(messageOf(error)) ? "the server closed the connection" : undefined
      )
    case "UND_ERR_INFO":
      return messageOf(error) === "No DNS entries found"
        ? new TransportFailure("DnsFailure", error)
        : new TransportFailure("ConnectionReset", error, `the transport closed the socket: ${messageOf(error)}`)
    case "UND_ERR_ABORTED":
    case "UND_ERR_INVALID_ARG": {
      const proxyStatus = proxyRefusal(messageOf(error))
      if (proxyStatus === 407) {
        return new TransportFailure("InvalidRequest", error, proxyAuthDetail, "InvalidOption")
      }
      if (proxyStatus !== undefined) {
        return new TransportFailure("ConnectionRefused", error, `the proxy answered ${proxyStatus} to CONNECT`)
      }
      break
    }
    case "UND_ERR_REQ_RETRY":
    case "UND_ERR_RESPONSE": {
      const status = (error as { statusCode?: unknown }).statusCode
      return new TransportFailure("Unknown", error, typeof status === "number" ? `status ${status}` : undefined)
    }
  }
  if (found.reason === "InvalidRequest") {
    return new TransportFailure(
      "InvalidRequest",
      error,
      found.detail,
      found.invalid ?? invalidReasonOf(messageOf(error))
    )
  }
  return new TransportFailure(found.reason, error, found.detail)
}
