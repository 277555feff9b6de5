/**
 * The scripted transport's script: its steps (replies, faults, delays) and how they are built.
 * @internal
 */
import * as Duration from "effect/Duration"
import type * as Models from "../../core/models.js"
import type { TransportErrorReason } from "../../HttpResilientError.js"

/** @internal */
export type Fault =
  | Exclude<TransportErrorReason, "RedirectLoop" | "TooManyRedirects" | "StreamEnded" | "InsecureRedirect">
  | "Timeout"

/**
 * How a scripted body ends after its last chunk: `"complete"` (a clean end), `"stall"` (nothing more, ever: only an
 * attempt timeout or a deadline ends it) or a transport fault (the connection breaks mid-body).
 * @internal
 */
export type BodyEnd = "complete" | "stall" | Exclude<Fault, "Timeout">

/** @internal */
export interface Reply {
  readonly _tag: "Reply"
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** the whole body (what `content-length` declares) */
  readonly body: Uint8Array
  readonly delay: Duration.Duration
  /** the chunks the body is sent in, in order; `undefined`: the whole body as one chunk */
  readonly chunks: ReadonlyArray<Uint8Array> | undefined
  /** the wait before each chunk after the first */
  readonly chunkDelay: Duration.Duration
  /** how the body ends once its chunks are sent */
  readonly end: BodyEnd
  /** bytes of the body sent before the connection resets, if it does */
  readonly resetAfter: number | undefined
  /** whether a `Range: bytes=N-` request (with a matching `If-Range`, if any) gets a 206 */
  readonly ranges: boolean
}

/** @internal */
export interface FaultStep {
  readonly _tag: "Fault"
  readonly fault: Fault
  readonly delay: Duration.Duration
}

/** @internal */
export type Step = Reply | FaultStep

/** @internal */
export interface RecordedRequest extends Models.RecordedRequest {}

/** @internal */
export type Script = ReadonlyArray<Step> | ((request: RecordedRequest, index: number) => Step)

/**
 * What `reply` may say besides the status (documented as `HttpResilientTest.ReplyOptions`).
 * @internal
 */
export interface ReplyOptions {
  /** Response headers (names are matched case-insensitively). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /**
   * The body: a string, bytes, or a list of them, sent as those chunks one after the other (empty ones are
   * skipped). `content-length` declares the whole body unless `headers` sets it.
   * @default empty
   */
  readonly body?: string | Uint8Array | ReadonlyArray<string | Uint8Array> | undefined
  /** A JSON body (and `content-type: application/json` unless `headers` sets one); wins over `body`. */
  readonly json?: unknown
  /**
   * The wait before the head, on the `Clock`; a delay that reaches the attempt timeout is a `TimeoutError`.
   * @default 0
   */
  readonly delay?: Duration.DurationInput | undefined
  /**
   * The wait before each chunk after the first, on the `Clock`. A buffered call waits them all within its attempt
   * timeout; a stream's attempt timeout covers only the head.
   * @default 0
   */
  readonly chunkDelay?: Duration.DurationInput | undefined
  /**
   * How the body ends after its last chunk.
   * @default "complete"
   */
  readonly end?: BodyEnd | undefined
  /**
   * The connection resets (`ConnectionReset`) after this many bytes of the body were sent — of the bytes from the
   * range's start, for a 206. Not together with `end`.
   * @default undefined (no reset)
   */
  readonly resetAfter?: number | undefined
  /**
   * Answer a `Range: bytes=N-` request like a server that supports ranges: when its `If-Range` is absent or equals
   * the reply's strong `ETag` (else its `Last-Modified`), a 200 reply becomes a 206 with the bytes from N on and
   * `Content-Range: bytes N-last/length` (a 416 when N is past the end); otherwise the whole body, 200.
   * @default false
   */
  readonly ranges?: boolean | undefined
}

/** @internal */
export const encoder = new TextEncoder()

const bytesOf = (part: string | Uint8Array): Uint8Array => typeof part === "string" ? encoder.encode(part) : part

/** @internal */
export const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.byteLength
  }
  return out
}

/** every way a body can end: the compiler checks the list is whole */
const bodyEnds: Record<BodyEnd, true> = {
  complete: true,
  stall: true,
  ConnectionRefused: true,
  ConnectionReset: true,
  ConnectTimeout: true,
  HeadersTimeout: true,
  BodyTimeout: true,
  DnsFailure: true,
  TlsFailure: true,
  ProtocolError: true,
  ResponseTooLarge: true,
  Aborted: true,
  NotResumable: true,
  Unknown: true
}

/** @internal */
export const reply = (status: number, options: ReplyOptions = {}): Reply => {
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new RangeError(`HttpResilientTest.reply: status ${status} is not an integer from 100 to 599`)
  }
  const { end = "complete", resetAfter } = options
  if (!Object.hasOwn(bodyEnds, end)) {
    throw new RangeError(
      `HttpResilientTest.reply: end ${JSON.stringify(end)} is not "complete", "stall" or a transport fault`
    )
  }
  if (resetAfter !== undefined && !(Number.isInteger(resetAfter) && resetAfter >= 0)) {
    throw new RangeError(`HttpResilientTest.reply: resetAfter ${resetAfter} is not a whole number of bytes (0 or more)`)
  }
  if (resetAfter !== undefined && end !== "complete") {
    throw new RangeError(
      `HttpResilientTest.reply: resetAfter ${resetAfter} with end ${JSON.stringify(end)}: a body ends one way only`
    )
  }
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value
  let body: Uint8Array
  let chunks: ReadonlyArray<Uint8Array> | undefined
  if (options.json !== undefined) {
    body = encoder.encode(JSON.stringify(options.json))
    headers["content-type"] ??= "application/json"
  } else if (typeof options.body === "string" || options.body instanceof Uint8Array) {
    body = bytesOf(options.body)
  } else if (options.body === undefined) {
    body = new Uint8Array(0)
  } else {
    chunks = options.body.map(bytesOf).filter((chunk) => chunk.byteLength > 0)
    body = concat(chunks)
  }
  return {
    _tag: "Reply",
    status,
    headers,
    body,
    delay: Duration.decode(options.delay ?? 0),
    chunks,
    chunkDelay: Duration.decode(options.chunkDelay ?? 0),
    end,
    resetAfter,
    ranges: options.ranges === true
  }
}

/** @internal */
export const fault = (
  kind: Fault,
  options: { readonly delay?: Duration.DurationInput | undefined } = {}
): FaultStep => ({
  _tag: "Fault",
  fault: kind,
  delay: Duration.decode(options.delay ?? 0)
})

/** @internal */
export const delayed = (step: Step, delay: Duration.DurationInput): Step => ({ ...step, delay: Duration.decode(delay) })
