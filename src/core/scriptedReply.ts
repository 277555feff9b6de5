/**
 * The test kit's scripted replies, Effect-free: how `HttpResilientTest.reply` checks and builds a reply (its body in
 * chunks and how that body ends), how a reply is served to one request (ranges, a reset after n bytes), and what a
 * buffered read of it comes to. Each edition plays the waits (the delay, the chunk delay) on its own `Clock`.
 * @internal
 */
import type { ScriptFault } from "./chaos.js"

/**
 * How a scripted body ends after its last chunk: `"complete"` (a clean end), `"stall"` (nothing more, ever: only an
 * attempt timeout or a deadline ends it) or a transport fault (the connection breaks mid-body).
 * @internal
 */
export type BodyEnd = "complete" | "stall" | Exclude<ScriptFault, "Timeout">

/**
 * What `reply` may say besides the status, over each edition's duration input `D` (each edition documents it as
 * `HttpResilientTest.ReplyOptions`).
 * @internal
 */
export interface ReplyOptionsOf<D> {
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
  readonly delay?: D | undefined
  /**
   * The wait before each chunk after the first, on the `Clock`. A buffered call waits them all within its attempt
   * timeout; a stream's attempt timeout covers only the head.
   * @default 0
   */
  readonly chunkDelay?: D | undefined
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

/**
 * A reply's status, head and body as scripted (without its durations).
 * @internal
 */
export interface ScriptedBody {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** the whole body (what `content-length` declares) */
  readonly body: Uint8Array
  /** the chunks the body is sent in, in order; `undefined`: the whole body as one chunk */
  readonly chunks: ReadonlyArray<Uint8Array> | undefined
  /** how the body ends once its chunks are sent */
  readonly end: BodyEnd
  /** bytes of the body sent before the connection resets, if it does */
  readonly resetAfter: number | undefined
  /** whether a `Range: bytes=N-` request (with a matching `If-Range`, if any) gets a 206 */
  readonly ranges: boolean
}

/** @internal */
export const encoder = new TextEncoder()

const bytesOf = (part: string | Uint8Array): Uint8Array => typeof part === "string" ? encoder.encode(part) : part

/**
 * The parts one after the other, in one array.
 * @internal
 */
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

/**
 * Checks and builds a reply: a status from 100 to 599, an `end` that is a way a body ends, a `resetAfter` that is a
 * whole number of bytes and not together with an `end`. Throws a `RangeError` naming the option, the value and why.
 * @internal
 */
export const scriptedBody = <D>(status: number, options: ReplyOptionsOf<D> = {}): ScriptedBody => {
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
  return { status, headers, body, chunks, end, resetAfter, ranges: options.ranges === true }
}

/**
 * What goes on the wire for a reply to one request: its head, and its body as chunks and an end.
 * @internal
 */
export interface Served {
  readonly status: number
  readonly headers: Record<string, string>
  readonly chunks: ReadonlyArray<Uint8Array>
  readonly end: BodyEnd
}

/** The chunks of `chunks` from byte `start` on, and up to byte `stop` (exclusive). */
const sliceChunks = (chunks: ReadonlyArray<Uint8Array>, start: number, stop: number): Array<Uint8Array> => {
  const out: Array<Uint8Array> = []
  let offset = 0
  for (const chunk of chunks) {
    const from = Math.max(start - offset, 0)
    const to = Math.min(stop - offset, chunk.byteLength)
    if (to > from) out.push(chunk.subarray(from, to))
    offset += chunk.byteLength
  }
  return out
}

/**
 * A reply as served to a request with `requestHeaders` (lower-case names): with `ranges`, a `Range: bytes=N-`
 * request whose `If-Range` (if any) is the reply's strong ETag, else its Last-Modified, gets a 206 with the bytes from
 * N on (a 416 when N is past the end); the cut of `resetAfter` applies to the bytes actually sent.
 * @internal
 */
export const serve = (step: ScriptedBody, requestHeaders: Readonly<Record<string, string>>): Served => {
  const all = step.chunks ?? (step.body.byteLength > 0 ? [step.body] : [])
  const length = step.body.byteLength
  let status = step.status
  let headers: Record<string, string> = { "content-length": String(length), ...step.headers }
  let start = 0
  const range = step.ranges && status === 200 ? /^bytes=(\d+)-$/.exec(requestHeaders.range ?? "") : null
  if (range !== null) {
    const ifRange = requestHeaders["if-range"]
    const etag = step.headers.etag
    const validator = etag !== undefined && !etag.startsWith("W/") ? etag : step.headers["last-modified"]
    if (ifRange === undefined || ifRange === validator) {
      start = Number(range[1])
      if (start >= length) {
        return {
          status: 416,
          headers: { ...step.headers, "content-range": `bytes */${length}`, "content-length": "0" },
          chunks: [],
          end: "complete"
        }
      }
      status = 206
      headers = {
        ...headers,
        "content-range": `bytes ${start}-${length - 1}/${length}`,
        "content-length": String(length - start)
      }
    }
  }
  const stop = step.resetAfter === undefined ? length : Math.min(length, start + step.resetAfter)
  return {
    status,
    headers,
    chunks: start === 0 && stop === length ? all : sliceChunks(all, start, stop),
    end: stop < length ? "ConnectionReset" : step.end
  }
}

/**
 * What reading a served body into memory comes to, and how long it takes: every chunk after the first waits
 * `chunkDelayMillis`; then the whole body, a stall (until the attempt timeout) or the fault it ends with.
 * @internal
 */
export const bufferedRead = (
  served: Served,
  chunkDelayMillis: number
): {
  readonly waitMillis: number
  readonly result:
    | { readonly _tag: "Body"; readonly body: Uint8Array }
    | { readonly _tag: "Stall" }
    | { readonly _tag: "Fault"; readonly reason: Exclude<BodyEnd, "complete" | "stall"> }
} => {
  const chunks = served.chunks
  const waitMillis = chunks.length < 2 || chunkDelayMillis <= 0 ? 0 : chunkDelayMillis * (chunks.length - 1)
  const end = served.end
  const result = end === "complete"
    ? { _tag: "Body" as const, body: chunks.length === 1 ? chunks[0] : concat(chunks) }
    : end === "stall"
    ? { _tag: "Stall" as const }
    : { _tag: "Fault" as const, reason: end }
  return { waitMillis, result }
}

/**
 * The message of a scripted fault's cause.
 * @internal
 */
export const scriptedFaultMessage = (fault: string): string => `scripted fault: ${fault}`
