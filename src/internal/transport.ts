/** @internal */
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { constTrue } from "effect/Function"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { Readable } from "node:stream"
import * as Undici from "undici"
import { fromHeaderRecord, fromRawHeaders, type ResponseHeaders, withoutSetCookie } from "../core/headers.js"
import { idempotentMethods } from "../core/replay.js"
import type { InvalidRequestError, TransportErrorReason } from "../HttpResilientError.js"
import type { RawResponse } from "./response.js"
import { schedule, startTimer, stopTimer, type TimerHandle } from "./timer.js"
import * as WarmUp from "./warmUp.js"

/**
 * One request as the transport sees it: URL parsed, headers lower-case, body ready.
 * @internal
 */
export interface TransportRequest {
  readonly method: string
  readonly url: URL
  readonly headers: Record<string, string>
  readonly body: HttpBody.HttpBody
  /** milliseconds for the whole attempt, headers and body; `Infinity` for none */
  readonly timeoutMillis: number
  readonly maxResponseSize: number
  /** the clock that drives the attempt timeout */
  readonly clock: Clock.Clock
}

/**
 * Why the transport failed. `Timeout` is the attempt timeout; the pipeline turns it into a `TimeoutError`.
 * @internal
 */
export class TransportFailure {
  readonly _tag = "TransportFailure"
  constructor(
    readonly reason: TransportErrorReason | "Timeout" | "InvalidRequest",
    readonly cause?: unknown,
    readonly detail?: string,
    /** with `InvalidRequest`: the `InvalidRequestError` reason */
    readonly invalid?: InvalidRequestReason
  ) {}
}

/** @internal */
export interface StreamingResponse {
  readonly status: number
  readonly statusText: string
  readonly headers: Record<string, string>
  readonly setCookie: ReadonlyArray<string>
  readonly url: string
  readonly body: Stream.Stream<Uint8Array, TransportFailure>
}

/** @internal */
export interface TransportService {
  /** One exchange, body read into memory. Interruption aborts the socket. */
  readonly send: (request: TransportRequest) => Effect.Effect<RawResponse, TransportFailure>
  /** One exchange whose body is streamed with backpressure; the scope owns the socket. */
  readonly stream: (request: TransportRequest) => Effect.Effect<StreamingResponse, TransportFailure, Scope.Scope>
  /** Opens `connections` idle sockets to `origin`, when the transport has a pool. */
  readonly warmUp: (origin: URL, connections: number, clock: Clock.Clock) => Effect.Effect<void, TransportFailure>
}

/** @internal */
export class Transport extends Context.Tag("effect-http-resilient/Transport")<Transport, TransportService>() {}

// ---------------------------------------------------------------------------
// undici
// ---------------------------------------------------------------------------

/** @internal */
export interface UndiciPoolOptions {
  readonly connections?: number | undefined
  readonly keepAliveTimeout?: Duration.DurationInput | undefined
  readonly keepAliveMaxTimeout?: Duration.DurationInput | undefined
  readonly connectTimeout?: Duration.DurationInput | undefined
  readonly headersTimeout?: Duration.DurationInput | undefined
  readonly bodyTimeout?: Duration.DurationInput | undefined
  readonly pipelining?: number | undefined
  readonly gracePeriod?: Duration.DurationInput | undefined
  readonly tls?: {
    readonly ca?: string | Buffer | ReadonlyArray<string | Buffer> | undefined
    readonly cert?: string | Buffer | undefined
    readonly key?: string | Buffer | undefined
    readonly rejectUnauthorized?: boolean | undefined
    readonly servername?: string | undefined
  } | undefined
  readonly lookup?: ((hostname: string, options: any, callback: (...args: Array<any>) => void) => void) | undefined
}

const millis = (d: Duration.DurationInput | undefined): number | undefined =>
  d === undefined ? undefined : Duration.toMillis(Duration.decode(d))

/**
 * What undici's connector is built from: TLS settings, connect timeout, lookup.
 * @internal
 */
export const connectOptionsOf = (options: UndiciPoolOptions): Record<string, unknown> => {
  const connect: Record<string, unknown> = {}
  if (options.tls) {
    const { ca, cert, key, rejectUnauthorized, servername } = options.tls
    if (ca !== undefined) connect.ca = ca
    if (cert !== undefined) connect.cert = cert
    if (key !== undefined) connect.key = key
    if (rejectUnauthorized !== undefined) connect.rejectUnauthorized = rejectUnauthorized
    if (servername !== undefined) connect.servername = servername
  }
  if (options.lookup) connect.lookup = options.lookup
  const connectTimeout = millis(options.connectTimeout)
  if (connectTimeout !== undefined) connect.timeout = connectTimeout
  return connect
}

/** @internal */
export const keepAliveMillis = (options: UndiciPoolOptions): number => millis(options.keepAliveTimeout) ?? 4_000

/**
 * The pool. `connector`, when given, replaces undici's own (it must be built from `connectOptionsOf(options)`).
 * @internal
 */
export const makeAgent = (options: UndiciPoolOptions, connector?: Undici.buildConnector.connector): Undici.Agent => {
  const agentOptions: Undici.Agent.Options = {
    connections: options.connections ?? 128,
    pipelining: options.pipelining ?? 1,
    keepAliveTimeout: keepAliveMillis(options),
    keepAliveMaxTimeout: millis(options.keepAliveMaxTimeout) ?? 600_000,
    headersTimeout: millis(options.headersTimeout) ?? 300_000,
    bodyTimeout: millis(options.bodyTimeout) ?? 300_000,
    connect: connector ?? connectOptionsOf(options) as any
  }
  return new Undici.Agent(agentOptions)
}

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
 * Why an `InvalidRequestError` the transport reports happened (its `reason`).
 * @internal
 */
export type InvalidRequestReason = InvalidRequestError["reason"]

/**
 * What an error becomes: a transport reason (the network's or the server's fault), or `InvalidRequest` (the
 * request's or the client's own fault), with the `InvalidRequestError` reason and a detail where the error's own
 * message says too little.
 */
interface Verdict {
  readonly reason: TransportErrorReason | "InvalidRequest"
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
 *   → InvalidRequest
 * - UND_ERR_INVALID_RETURN_VALUE (InvalidReturnValueError): the user's dispatcher → InvalidRequest
 * - UND_ERR_ABORT, UND_ERR_ABORTED (AbortError, RequestAbortedError): local → Aborted
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

const messageOf = (error: unknown): string =>
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

/**
 * RFC 9110 §15: every valid status is from 100 to 599; anything else is the server breaking the protocol.
 * @internal
 */
export const invalidStatus = (status: number): TransportFailure | undefined =>
  status >= 100 && status <= 599
    ? undefined
    : new TransportFailure("ProtocolError", undefined, `invalid status ${status}`)

const bodyForUndici = (
  body: HttpBody.HttpBody,
  headers: Record<string, string>
): string | Uint8Array | Readable | null | Effect.Effect<Readable | Uint8Array> => {
  switch (body._tag) {
    case "Empty":
      return null
    case "Uint8Array":
      if (headers["content-type"] === undefined) headers["content-type"] = body.contentType
      if (headers["content-length"] === undefined) headers["content-length"] = String(body.body.byteLength)
      return body.body
    case "Raw": {
      if (body.contentType !== undefined && headers["content-type"] === undefined) {
        headers["content-type"] = body.contentType
      }
      return body.body as any
    }
    case "FormData": {
      const response = new Response(body.formData)
      const contentType = response.headers.get("content-type")
      if (contentType) headers["content-type"] = contentType
      return Effect.promise(() => response.arrayBuffer().then((buffer) => new Uint8Array(buffer)))
    }
    case "Stream": {
      if (headers["content-type"] === undefined) headers["content-type"] = body.contentType
      if (body.contentLength !== undefined && headers["content-length"] === undefined) {
        headers["content-length"] = String(body.contentLength)
      }
      return NodeStream.toReadableNever(body.stream as Stream.Stream<Uint8Array, never>) as any
    }
  }
}

/** The declared `content-length` in a raw header list, without decoding the other headers. */
const declaredLength = (raw: Array<Buffer>): number | undefined => {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]
    if (name.length === 14 && name.toString("latin1").toLowerCase() === "content-length") {
      return Number(raw[i + 1].toString("latin1"))
    }
  }
  return undefined
}

/**
 * A buffered response whose headers are decoded on first use: a call that only looks at the status
 * (the common case) never decodes them. undici hands each response a fresh header list.
 */
class UndiciRawResponse implements RawResponse {
  private parsed: ResponseHeaders | undefined = undefined
  constructor(
    readonly status: number,
    readonly statusText: string,
    private readonly rawHeaders: Array<Buffer>,
    readonly body: Uint8Array,
    readonly url: string
  ) {}
  get headers(): Record<string, string> {
    return (this.parsed ??= fromRawHeaders(this.rawHeaders)).headers
  }
  get setCookie(): ReadonlyArray<string> {
    return (this.parsed ??= fromRawHeaders(this.rawHeaders)).setCookie
  }
}

const TIMEOUT = new TransportFailure("Timeout")
const EMPTY = Buffer.alloc(0)
const noHeaders: Array<Buffer> = []

const onAttemptTimeout = (exchange: BufferedExchange) => exchange.timeout()
const ignoreResume = () => {}

const canResend = (request: TransportRequest, body: string | Uint8Array | Readable | null): boolean =>
  idempotentMethods.has(request.method) && (body === null || typeof body === "string" || body instanceof Uint8Array)

/**
 * What a dispatcher's `connect` events tell: each connection's sequence number and, for the origins connected to
 * most recently (at most `maxLoggedOrigins`), the last one's; `floor` is the newest number forgotten with an origin.
 */
interface ConnectLog {
  seq: number
  floor: number
  /** origin → sequence number of its last connection, least recent first */
  readonly last: Map<string, number>
}

const connectLogs = new WeakMap<Undici.Dispatcher, ConnectLog>()
const maxLoggedOrigins = 1024

const connectLogOf = (dispatcher: Undici.Dispatcher): ConnectLog => {
  let log = connectLogs.get(dispatcher)
  if (log === undefined) {
    const created: ConnectLog = { seq: 0, floor: 0, last: new Map() }
    log = created
    connectLogs.set(dispatcher, created)
    dispatcher.on("connect", (connected: URL | string) => {
      const key = typeof connected === "string" ? new URL(connected).origin : connected.origin
      const seq = ++created.seq
      created.last.delete(key)
      created.last.set(key, seq)
      if (created.last.size > maxLoggedOrigins) {
        // the least recent origin has the smallest number: the floor only grows
        const [oldest, oldestSeq] = created.last.entries().next().value!
        created.last.delete(oldest)
        created.floor = oldestSeq
      }
    })
  }
  return log
}

/**
 * Whether the dispatcher may have opened a connection to `origin` since `seq` (its `connectSeq` when a request was
 * dispatched; counting starts with the first exchange). A reset with no new connection since means the request went
 * out on a reused keep-alive socket. For an origin forgotten (past `maxLoggedOrigins`) the answer is yes when any
 * forgotten origin connected since: never a wrong no.
 * @internal
 */
export const connectedSince = (dispatcher: Undici.Dispatcher, origin: string, seq: number): boolean => {
  const log = connectLogOf(dispatcher)
  return (log.last.get(origin) ?? log.floor) > seq
}

/** The dispatcher's connection count so far (see `connectedSince`). @internal */
export const connectSeq = (dispatcher: Undici.Dispatcher): number => connectLogOf(dispatcher).seq

/** How many origins the dispatcher's connect log remembers (at most 1,024). @internal */
export const loggedOrigins = (dispatcher: Undici.Dispatcher): number => connectLogOf(dispatcher).last.size

const warmUpUnsupported = (what: string): Effect.Effect<never, TransportFailure> =>
  Effect.fail(
    new TransportFailure(
      "InvalidRequest",
      new Error(`warmUp needs the client's own pool (ResilientClient.layer); this client uses ${what}`)
    )
  )

/**
 * How many exchanges and streams of a transport are under way (started, not yet ended for their caller): what a
 * graceful close waits for. Requests the caller has given up on (timed out, interrupted) no longer count, even
 * while undici still holds them (an aborted request waiting for a connection that hangs stays queued until the
 * connection attempt ends).
 * @internal
 */
export interface InFlight {
  count: number
}

/**
 * The state of one buffered exchange, and its undici handler: one object per request, its methods on the
 * prototype, so the hot path allocates no closures. The attempt timeout and interruption both abort the
 * socket; no promise, no AbortController, no fiber race.
 */
class BufferedExchange implements Undici.Dispatcher.DispatchHandler {
  private abort: ((reason?: Error) => void) | undefined = undefined
  private abortReason: Error | undefined = undefined
  private finished = false
  private status = 0
  private statusText = ""
  private rawHeaders: Array<Buffer> = noHeaders
  /** the first body chunk; most small bodies arrive in one */
  private first: Buffer | undefined = undefined
  private rest: Array<Buffer> | undefined = undefined
  private size = 0
  private failure: TransportFailure | undefined = undefined
  private timer: TimerHandle = undefined
  private resent = false
  /** the dispatcher's connection count when this exchange was dispatched (see `connectedSince`) */
  private connectsAtDispatch = 0
  private resume: (effect: Effect.Effect<RawResponse, TransportFailure>) => void = ignoreResume

  constructor(
    private readonly request: TransportRequest,
    private readonly dispatcher: Undici.Dispatcher,
    private readonly body: string | Uint8Array | Readable | null,
    private readonly inFlight: InFlight
  ) {}

  /** The `Effect.async` registration: starts the timer and the exchange. */
  readonly register = (resume: (effect: Effect.Effect<RawResponse, TransportFailure>) => void): void => {
    this.resume = resume
    this.inFlight.count++
    this.timer = startTimer(this.request.clock, this.request.timeoutMillis, onAttemptTimeout, this)
    this.dispatch()
  }

  private dispatch(): void {
    const request = this.request
    const dispatcher = this.dispatcher
    const body = this.body
    this.connectsAtDispatch = connectSeq(dispatcher)
    try {
      dispatcher.dispatch({
        origin: request.url.origin,
        path: request.url.pathname + request.url.search,
        method: request.method as Undici.Dispatcher.HttpMethod,
        headers: request.headers,
        body
      }, this)
    } catch (error) {
      this.finish(Effect.fail(classifyError(error)))
    }
  }

  private finish(result: Effect.Effect<RawResponse, TransportFailure>): void {
    if (this.finished) return
    this.finished = true
    this.inFlight.count--
    stopTimer(this.timer)
    this.resume(result)
  }

  private abortWith(reason: Error, asFailure: TransportFailure | undefined): void {
    this.failure = asFailure
    this.abortReason = reason
    if (this.abort) this.abort(reason)
  }

  private tooLarge(): void {
    this.first = undefined
    this.rest = undefined
    this.abortWith(
      new Error("response too large"),
      new TransportFailure("ResponseTooLarge", undefined, `limit ${this.request.maxResponseSize}`)
    )
  }

  timeout(): void {
    if (this.finished) return
    this.abortWith(new Undici.errors.RequestAbortedError("attempt timeout"), TIMEOUT)
    // the dispatcher reports the abort through onError; if it was not dispatched yet, end here
    if (!this.abort) this.finish(Effect.fail(TIMEOUT))
  }

  /** Interruption of the fiber: ends the exchange without resuming and aborts the socket. */
  interrupt(): void {
    if (this.finished) return
    this.finished = true
    // interrupted before `register` ran: it was never counted
    if (this.resume !== ignoreResume) this.inFlight.count--
    stopTimer(this.timer)
    this.abortReason = new Undici.errors.RequestAbortedError("interrupted")
    if (this.abort) this.abort(this.abortReason)
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.finished) {
      abort(this.abortReason ?? new Undici.errors.RequestAbortedError())
      return
    }
    this.abort = abort
    if (this.abortReason) abort(this.abortReason)
  }

  onHeaders(statusCode: number, rawHeaders: Array<Buffer>, _resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true
    const invalid = invalidStatus(statusCode)
    if (invalid !== undefined) {
      this.abortWith(new Error(invalid.detail), invalid)
      return false
    }
    this.status = statusCode
    this.statusText = statusText
    this.rawHeaders = rawHeaders
    const declared = declaredLength(rawHeaders)
    if (declared !== undefined && declared > this.request.maxResponseSize) {
      this.tooLarge()
      return false
    }
    return true
  }

  onData(chunk: Buffer): boolean {
    this.size += chunk.length
    if (this.size > this.request.maxResponseSize) {
      this.tooLarge()
      return false
    }
    if (this.first === undefined) this.first = chunk
    else if (this.rest === undefined) this.rest = [this.first, chunk]
    else this.rest.push(chunk)
    return true
  }

  onComplete(): void {
    const body = this.rest !== undefined ? Buffer.concat(this.rest, this.size) : this.first ?? EMPTY
    this.finish(
      Effect.succeed(new UndiciRawResponse(this.status, this.statusText, this.rawHeaders, body, this.request.url.href))
    )
  }

  onError(error: Error): void {
    const failure = this.failure ?? classifyError(error)
    // A reset before any response byte on an idempotent, replayable request is most often a keep-alive
    // socket the server closed as we reused it: send it once more, at once, on another socket.
    if (
      !this.resent && !this.finished && this.status === 0 && this.failure === undefined &&
      failure.reason === "ConnectionReset" && canResend(this.request, this.body) &&
      // no connection was opened to the origin since: the request went out on a socket that was already open
      !connectedSince(this.dispatcher, this.request.url.origin, this.connectsAtDispatch)
    ) {
      this.resent = true
      this.abort = undefined
      this.dispatch()
      return
    }
    this.finish(Effect.fail(failure))
  }
}

/**
 * One exchange over an undici dispatcher, body buffered.
 * @internal
 */
const dispatchBuffered = (
  dispatcher: Undici.Dispatcher,
  request: TransportRequest,
  body: string | Uint8Array | Readable | null,
  inFlight: InFlight
): Effect.Effect<RawResponse, TransportFailure> =>
  // the same as `Effect.async` with a canceler, in fewer steps: the exchange runs interruptibly inside an
  // uninterruptible region whose one failure handler aborts the socket when the fiber was interrupted
  Effect.uninterruptibleMask((restore) => {
    const exchange = new BufferedExchange(request, dispatcher, body, inFlight)
    return Effect.matchCauseEffect(restore(Effect.async<RawResponse, TransportFailure>(exchange.register)), {
      onFailure: (cause) => {
        if (Cause.isInterrupted(cause)) exchange.interrupt()
        return Effect.failCause(cause)
      },
      onSuccess: Effect.succeed
    })
  })

/** @internal */
export const makeUndiciTransport = (
  dispatcher: Undici.Dispatcher,
  warm?: WarmUp.WarmPool,
  inFlight: InFlight = { count: 0 }
): TransportService => {
  const send = (request: TransportRequest): Effect.Effect<RawResponse, TransportFailure> => {
    if (request.body._tag === "Empty") return dispatchBuffered(dispatcher, request, null, inFlight)
    // body headers go on a copy: the caller's headers are left as they were
    const withBodyHeaders = { ...request, headers: { ...request.headers } }
    const body = bodyForUndici(request.body, withBodyHeaders.headers)
    if (body !== null && Effect.isEffect(body)) {
      return Effect.flatMap(body, (b) => dispatchBuffered(dispatcher, withBodyHeaders, b, inFlight))
    }
    return dispatchBuffered(dispatcher, withBodyHeaders, body as string | Uint8Array | Readable | null, inFlight)
  }

  const stream = (request: TransportRequest): Effect.Effect<StreamingResponse, TransportFailure, Scope.Scope> =>
    Effect.gen(function*() {
      const headers = request.headers
      const prepared = bodyForUndici(request.body, headers)
      const body = prepared !== null && Effect.isEffect(prepared) ? yield* prepared : prepared
      const controller = new AbortController()
      // counted and uncounted together with the scope (acquireRelease: no interruption between the two steps)
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          inFlight.count++
        }),
        () =>
          Effect.sync(() => {
            inFlight.count--
            controller.abort()
          })
      )
      const response = yield* Effect.async<Undici.Dispatcher.ResponseData, TransportFailure>((resume) => {
        const cancelTimer = schedule(request.clock, request.timeoutMillis, () => {
          controller.abort()
          resume(Effect.fail(TIMEOUT))
        })
        dispatcher.request({
          origin: request.url.origin,
          path: request.url.pathname + request.url.search,
          method: request.method as Undici.Dispatcher.HttpMethod,
          headers: request.headers,
          body: body as any,
          signal: controller.signal
        }).then(
          (data) => {
            cancelTimer()
            resume(Effect.succeed(data))
          },
          (error) => {
            cancelTimer()
            resume(Effect.fail(classifyError(error)))
          }
        )
        return Effect.sync(() => {
          cancelTimer()
          controller.abort()
        })
      })
      yield* Effect.addFinalizer(() => Effect.sync(() => response.body.destroy()))
      const invalid = invalidStatus(response.statusCode)
      if (invalid !== undefined) return yield* Effect.fail(invalid)
      const received = fromHeaderRecord(response.headers)
      return {
        status: response.statusCode,
        statusText: (response as { statusText?: string }).statusText ?? "",
        headers: received.headers,
        setCookie: received.setCookie,
        url: request.url.href,
        body: NodeStream.fromReadable<TransportFailure, Uint8Array>(
          () => response.body,
          (error) => classifyError(error)
        )
      }
    })

  const warmUp = (origin: URL, connections: number): Effect.Effect<void, TransportFailure> =>
    warm === undefined
      ? warmUpUnsupported("a given dispatcher")
      : Effect.mapError(warm.warm(origin, connections), classifyError)

  return { send, stream, warmUp }
}

const busy = (agent: Undici.Agent): boolean => {
  for (const stats of Object.values(agent.stats)) if (stats.size > 0) return true
  return false
}

/**
 * Lets the transport's requests under way finish for up to `graceMillis`, then destroys whatever is left (undici's
 * `destroy` after `close` would wait for them instead); what undici still holds after the last of ours ended (an
 * abandoned request queued behind a connection attempt that hangs) is destroyed at once. Real time on purpose:
 * this is about sockets, at shutdown, not about the program's logic, so a test's virtual clock must not stall it.
 * @internal
 */
export const closeGracefully = async (agent: Undici.Agent, graceMillis: number, inFlight: InFlight): Promise<void> => {
  const until = performance.now() + graceMillis
  while (inFlight.count > 0 && performance.now() < until) {
    await new Promise<void>((resolve) => setTimeout(resolve, Math.min(10, Math.max(1, until - performance.now()))))
  }
  if (inFlight.count > 0 || busy(agent)) await agent.destroy()
  else await agent.close()
}

/** @internal */
export const layerUndici = (options: UndiciPoolOptions = {}): Layer.Layer<Transport> =>
  Layer.scoped(
    Transport,
    Effect.gen(function*() {
      const warm = yield* Effect.acquireRelease(
        Effect.sync(() => WarmUp.make(connectOptionsOf(options), keepAliveMillis(options))),
        (pool) => Effect.sync(() => pool.close())
      )
      const inFlight: InFlight = { count: 0 }
      const agent = yield* Effect.acquireRelease(
        Effect.sync(() => makeAgent(options, warm.connector)),
        (agent) =>
          Effect.promise(() =>
            closeGracefully(agent, Duration.toMillis(Duration.decode(options.gracePeriod ?? "5 seconds")), inFlight)
          )
      )
      return makeUndiciTransport(agent, warm, inFlight)
    })
  )

/** @internal */
export const layerFromDispatcher = (dispatcher: Undici.Dispatcher): Layer.Layer<Transport> =>
  Layer.succeed(Transport, makeUndiciTransport(dispatcher))

// ---------------------------------------------------------------------------
// any @effect/platform HttpClient
// ---------------------------------------------------------------------------

const toPlatformRequest = (request: TransportRequest): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.make(request.method as any)(request.url, {
    headers: request.headers,
    body: request.body
  })

/** What a runtime's message says when it gives no code (fetch outside Node, other platform clients). */
const resetMessage = /\b(ECONNRESET|EPIPE|connection reset|socket hang up|other side closed)\b/i

/**
 * Maps a platform `HttpClientError` (or what its body stream fails with) to a transport reason, from the innermost
 * cause that says what happened: platform errors wrap the runtime's, and fetch wraps once more
 * (`TypeError("fetch failed").cause.code`). A port that fetch refuses to connect to (its "bad port" list: 1, 6000 …)
 * is an invalid request, nothing was sent; a failure that says neither is `Unknown`, not a reset.
 */
const platformFailure = (error: unknown, url?: URL): TransportFailure => {
  // the platform's own verdict that the request could not be sent as it is: the request's fault
  if ((error as { _tag?: unknown })?._tag === "RequestError") {
    const reason = (error as { reason?: unknown }).reason
    if (reason === "Encode" || reason === "InvalidUrl") {
      // not the platform error's message: it shows the URL unredacted
      return new TransportFailure(
        "InvalidRequest",
        (error as { cause?: unknown }).cause,
        reason === "Encode" ? "the platform client could not encode the body" : "the platform client refused the URL",
        reason === "Encode" ? "InvalidBody" : "InvalidUrl"
      )
    }
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

/** The platform's body stream fails with `EmptyBody` when the response has none (HEAD, 204): an empty body. */
const platformBody = (
  stream: Stream.Stream<Uint8Array, unknown>
): Stream.Stream<Uint8Array, TransportFailure> =>
  Stream.catchAll(
    stream,
    (error) =>
      (error as { reason?: unknown })?.reason === "EmptyBody"
        ? Stream.empty
        : Stream.fail(platformFailure(error))
  )

/**
 * `fetch` with `redirect: "manual"`: it hands every 3xx back as it is, so the client's one redirect stage decides
 * whether and where to follow (`followRedirects`, loops, secret headers across origins, https → http). Node's fetch
 * returns the redirect itself (status and `Location`), not an opaque response.
 */
const manualRedirects = (fetch: () => typeof globalThis.fetch): typeof globalThis.fetch =>
  ((input: Parameters<typeof globalThis.fetch>[0], init?: RequestInit) =>
    fetch()(input, { ...init, redirect: "manual" })) as typeof globalThis.fetch

/**
 * A transport over a platform `HttpClient`. For `FetchHttpClient`, redirects are never followed by fetch itself:
 * the `FetchHttpClient.Fetch` in use (the call's, else `fetch` — the one in the layer's context —, else the global
 * one, looked up at each call) is wrapped to ask for manual redirects.
 * @internal
 */
export const makeHttpClientTransport = (
  platformClient: HttpClient.HttpClient,
  fetch?: typeof globalThis.fetch | undefined
): TransportService => {
  // The attempt's span and its `traceparent` are ours (made around the transport, or not at all with
  // `tracing: false`): the platform client must neither make its own span (which would carry the URL's query and
  // request headers unredacted) nor replace our `traceparent` with one naming it. Turning the tracer off for the
  // exchange also covers a client that was told to trace every request (its own `withTracerDisabledWhen`).
  const client = platformClient.pipe(
    HttpClient.withTracerDisabledWhen(constTrue),
    HttpClient.withTracerPropagation(false),
    HttpClient.transformResponse(Effect.withTracerEnabled(false))
  )
  const manualFetch = manualRedirects(() => fetch ?? globalThis.fetch)
  const execute = (request: TransportRequest) =>
    Effect.mapError(
      Effect.withFiberRuntime<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((fiber) => {
        const own = Context.getOption(fiber.currentContext, FetchHttpClient.Fetch)
        return Effect.provideService(
          client.execute(toPlatformRequest(request)),
          FetchHttpClient.Fetch,
          own._tag === "Some" ? manualRedirects(() => own.value) : manualFetch
        )
      }),
      (error) => platformFailure(error, request.url)
    )

  const withTimeout = <A, R>(
    effect: Effect.Effect<A, TransportFailure, R>,
    request: TransportRequest
  ): Effect.Effect<A, TransportFailure, R> =>
    Number.isFinite(request.timeoutMillis)
      ? Effect.timeoutFail(effect, { duration: Duration.millis(request.timeoutMillis), onTimeout: () => TIMEOUT })
      : effect

  const send = (request: TransportRequest): Effect.Effect<RawResponse, TransportFailure> =>
    withTimeout(
      Effect.scoped(Effect.gen(function*() {
        const response = yield* execute(request)
        const invalid = invalidStatus(response.status)
        if (invalid !== undefined) return yield* Effect.fail(invalid)
        const chunks: Array<Uint8Array> = []
        let size = 0
        yield* platformBody(response.stream).pipe(
          Stream.runForEach((chunk) => {
            size += chunk.byteLength
            if (size > request.maxResponseSize) {
              return Effect.fail(
                new TransportFailure("ResponseTooLarge", undefined, `limit ${request.maxResponseSize}`)
              )
            }
            chunks.push(chunk)
            return Effect.void
          })
        )
        const body = Buffer.concat(chunks, size)
        const headers = withoutSetCookie(response.headers)
        const setCookie: Array<string> = []
        for (const cookie of Object.values(response.cookies.cookies)) setCookie.push(`${cookie.name}=${cookie.value}`)
        return {
          status: response.status,
          statusText: "",
          headers,
          setCookie,
          body,
          url: request.url.href
        } satisfies RawResponse
      })),
      request
    )

  const stream = (request: TransportRequest): Effect.Effect<StreamingResponse, TransportFailure, Scope.Scope> =>
    withTimeout(
      Effect.flatMap(execute(request), (response) => {
        const invalid = invalidStatus(response.status)
        if (invalid !== undefined) return Effect.fail(invalid)
        const headers = withoutSetCookie(response.headers)
        return Effect.succeed<StreamingResponse>({
          status: response.status,
          statusText: "",
          headers,
          setCookie: [],
          url: request.url.href,
          body: platformBody(response.stream)
        })
      }),
      request
    )

  return { send, stream, warmUp: () => warmUpUnsupported("an HttpClient") }
}

/** @internal */
export const layerHttpClient: Layer.Layer<Transport, never, HttpClient.HttpClient> = Layer.effect(
  Transport,
  Effect.zipWith(
    HttpClient.HttpClient,
    Effect.serviceOption(FetchHttpClient.Fetch),
    (client, fetch) => makeHttpClientTransport(client, fetch._tag === "Some" ? fetch.value : undefined)
  )
)
