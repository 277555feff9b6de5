/**
 * One exchange over an undici dispatcher with the body read into memory: undici's dispatch handler, the size limit,
 * the attempt timeout's abort and the one resend of a request reset on a reused keep-alive socket. Effect-free: a
 * subclass (the Effect face) owns the timer and receives the result through `succeed` / `fail`.
 * @internal
 */
import type { Readable } from "node:stream"
import * as Undici from "undici"
import { connectedSince, connectSeq } from "./connectLog.js"
import { codingsOf, decodeFailure, decoderChain, hasNoBody, rawContentEncoding } from "./decompress.js"
import { fromRawHeaders, type ResponseHeaders } from "./headers.js"
import { idempotentMethods } from "./replay.js"
import { invalidStatus, TIMEOUT, TransportFailure } from "./transportFailure.js"
import { classifyError } from "./undiciErrors.js"
import { originOf } from "./url.js"

/**
 * What a transport hands back for a buffered attempt.
 * @internal
 */
export interface RawResponse {
  readonly status: number
  readonly statusText: string
  /** lower-case names; repeated headers joined with ", " (set-cookie kept apart in `setCookie`) */
  readonly headers: Record<string, string>
  readonly setCookie: ReadonlyArray<string>
  readonly body: Uint8Array
  /** The URL that answered (after redirects). */
  readonly url: string
}

/**
 * What the exchange reads of a request: URL parsed, headers lower-case (body headers already set).
 * @internal
 */
export interface ExchangeRequest {
  readonly method: string
  readonly url: URL
  readonly headers: Record<string, string>
  /** milliseconds for the whole attempt, headers and body; `Infinity` for none */
  readonly timeoutMillis: number
  readonly maxResponseSize: number
  /**
   * Undo a gzip / deflate / br `Content-Encoding` (`maxResponseSize` then counts decoded bytes); otherwise the
   * bytes pass through as received.
   */
  readonly decompress?: boolean | undefined
}

/**
 * A request body as undici takes it.
 * @internal
 */
export type UndiciBody = string | Uint8Array | Readable | null

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
 * Whether a request may be sent once more at once: an idempotent method and a body held in memory.
 * @internal
 */
export const canResend = (request: ExchangeRequest, body: UndiciBody): boolean =>
  idempotentMethods.has(request.method) && (body === null || typeof body === "string" || body instanceof Uint8Array)

/**
 * The declared `content-length` in a raw header list, without decoding the other headers.
 * @internal
 */
export const declaredLength = (raw: Array<Buffer>): number | undefined => {
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
 * @internal
 */
export class UndiciRawResponse implements RawResponse {
  private parsed: ResponseHeaders | undefined = undefined
  constructor(
    readonly status: number,
    readonly statusText: string,
    private readonly rawHeaders: Array<Buffer>,
    readonly body: Uint8Array,
    readonly url: string,
    /** the body was decoded: its `content-encoding` and `content-length` no longer describe it and are dropped */
    private readonly decoded = false
  ) {}
  get headers(): Record<string, string> {
    return (this.parsed ??= this.parse()).headers
  }
  get setCookie(): ReadonlyArray<string> {
    return (this.parsed ??= this.parse()).setCookie
  }
  private parse(): ResponseHeaders {
    const parsed = fromRawHeaders(this.rawHeaders)
    if (this.decoded) {
      delete parsed.headers["content-encoding"]
      delete parsed.headers["content-length"]
    }
    return parsed
  }
}

/** The decoders of one response, and whether the socket's part (the encoded body) has ended. */
interface DecoderState extends ReturnType<typeof decoderChain> {
  inputEnded: boolean
}

const EMPTY = Buffer.alloc(0)
const noHeaders: Array<Buffer> = []

/**
 * The state of one buffered exchange, and its undici handler: one object per request, its methods on the
 * prototype, so the hot path allocates no closures. The attempt timeout (`timeout`) and interruption
 * (`interrupt`) both abort the socket; no promise, no AbortController.
 *
 * A subclass starts and stops the attempt timer (which calls `timeout`) and receives the one result: `succeed` or
 * `fail` is called at most once, and never after `interrupt`.
 * @internal
 */
export abstract class BufferedExchange<R extends ExchangeRequest = ExchangeRequest>
  implements Undici.Dispatcher.DispatchHandler
{
  private abort: ((reason?: Error) => void) | undefined = undefined
  private abortReason: Error | undefined = undefined
  private started = false
  private finished = false
  private status = 0
  private statusText = ""
  private rawHeaders: Array<Buffer> = noHeaders
  /** the first body chunk; most small bodies arrive in one */
  private first: Buffer | undefined = undefined
  private rest: Array<Buffer> | undefined = undefined
  private size = 0
  private failure: TransportFailure | undefined = undefined
  private resent = false
  /** the dispatcher's connection count when this exchange was dispatched (see `connectedSince`) */
  private connectsAtDispatch = 0
  /** with a `Content-Encoding` to undo: the codings; the decoders are made with the first body byte */
  private codings: ReadonlyArray<string> | undefined = undefined
  private decoder: DecoderState | undefined = undefined
  /** undici's `resume`, kept for a response being decoded (the decoder's input may push back) */
  private resumeSocket: (() => void) | undefined = undefined

  constructor(
    protected readonly request: R,
    private readonly dispatcher: Undici.Dispatcher,
    private readonly body: UndiciBody,
    private readonly inFlight: InFlight
  ) {}

  /** Starts the attempt timer for `request.timeoutMillis`; when it fires, it calls `timeout()`. */
  protected abstract startTimer(): void
  /** Stops the attempt timer (once the exchange ended, or was interrupted). */
  protected abstract stopTimer(): void
  /** The exchange's response. */
  protected abstract succeed(response: RawResponse): void
  /** The exchange's failure. */
  protected abstract fail(failure: TransportFailure): void

  /** Counts the exchange as in flight, starts the timer and dispatches the request. */
  start(): void {
    this.started = true
    this.inFlight.count++
    this.startTimer()
    this.dispatch()
  }

  private dispatch(): void {
    const request = this.request
    this.connectsAtDispatch = connectSeq(this.dispatcher)
    try {
      this.dispatcher.dispatch({
        origin: originOf(request.url),
        path: request.url.pathname + request.url.search,
        method: request.method as Undici.Dispatcher.HttpMethod,
        headers: request.headers,
        body: this.body
      }, this)
    } catch (error) {
      this.failWith(classifyError(error))
    }
  }

  /** Ends the exchange for its caller; false when it had ended already. */
  private end(): boolean {
    if (this.finished) return false
    this.finished = true
    this.inFlight.count--
    this.stopTimer()
    if (this.decoder !== undefined) this.stopDecoding()
    return true
  }

  private failWith(failure: TransportFailure): void {
    if (this.end()) this.fail(failure)
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
    // the socket's part had ended: only the decoder was still at work
    if (this.decoder?.inputEnded) this.failWith(this.failure!)
  }

  /** The attempt timeout: aborts the socket; the exchange fails with `Timeout`. */
  timeout(): void {
    if (this.finished) return
    this.abortWith(new Undici.errors.RequestAbortedError("attempt timeout"), TIMEOUT)
    // the dispatcher reports the abort through onError; if it was not dispatched yet, or the socket's part ended
    // while the decoder was still at work, end here
    if (!this.abort || this.decoder?.inputEnded) this.failWith(TIMEOUT)
  }

  /** The caller gave up (interruption): ends the exchange without a result and aborts the socket. */
  interrupt(): void {
    if (this.finished) return
    this.finished = true
    // interrupted before `start` ran: it was never counted
    if (this.started) this.inFlight.count--
    this.stopTimer()
    if (this.decoder !== undefined) this.stopDecoding()
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

  onHeaders(statusCode: number, rawHeaders: Array<Buffer>, resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true
    const invalid = invalidStatus(statusCode)
    if (invalid !== undefined) {
      this.abortWith(new Error(invalid.detail), invalid)
      return false
    }
    this.status = statusCode
    this.statusText = statusText
    this.rawHeaders = rawHeaders
    if (this.request.decompress === true && !hasNoBody(this.request.method, statusCode)) {
      const encoding = rawContentEncoding(rawHeaders)
      if (encoding !== undefined) {
        const codings = codingsOf(encoding)
        if (codings instanceof TransportFailure) {
          this.abortWith(new Error(codings.detail), codings)
          return false
        }
        if (codings !== undefined) {
          // the declared length is of the encoded body: the limit is checked as decoded bytes arrive
          this.codings = codings
          this.resumeSocket = resume
          return true
        }
      }
    }
    const declared = declaredLength(rawHeaders)
    if (declared !== undefined && declared > this.request.maxResponseSize) {
      this.tooLarge()
      return false
    }
    return true
  }

  onData(chunk: Buffer): boolean {
    if (this.codings !== undefined) return this.decode(chunk)
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
    if (this.decoder !== undefined) {
      if (this.finished) return
      this.decoder.inputEnded = true
      this.decoder.input.end()
      return
    }
    if (!this.end()) return
    const body = this.rest !== undefined ? Buffer.concat(this.rest, this.size) : this.first ?? EMPTY
    this.succeed(
      new UndiciRawResponse(
        this.status,
        this.statusText,
        this.rawHeaders,
        body,
        this.request.url.href,
        this.codings !== undefined
      )
    )
  }

  /** An encoded body chunk: into the decoders (made with the first chunk); false pauses the socket. */
  private decode(chunk: Buffer): boolean {
    if (this.finished || this.failure !== undefined) return false
    let decoder = this.decoder
    if (decoder === undefined) decoder = this.decoder = this.startDecoding(this.codings!)
    return decoder.input.write(chunk)
  }

  private startDecoding(codings: ReadonlyArray<string>): DecoderState {
    const chain = decoderChain(codings)
    const state: DecoderState = { ...chain, inputEnded: false }
    chain.output.on("data", (decoded: Buffer) => this.onDecoded(decoded))
    chain.output.on("end", () => {
      state.inputEnded = false
      this.decoder = undefined
      this.onComplete()
    })
    chain.output.on("error", (error: unknown) => this.onDecodeError(error))
    chain.input.on("drain", () => this.resumeSocket?.())
    return state
  }

  private onDecoded(decoded: Buffer): void {
    if (this.finished || this.failure !== undefined) return
    this.size += decoded.length
    if (this.size > this.request.maxResponseSize) {
      this.tooLarge()
      this.stopDecoding()
      return
    }
    if (this.first === undefined) this.first = decoded
    else if (this.rest === undefined) this.rest = [this.first, decoded]
    else this.rest.push(decoded)
  }

  private onDecodeError(error: unknown): void {
    if (this.finished || this.failure !== undefined) return
    const failure = decodeFailure(error) ?? classifyError(error)
    const inputEnded = this.decoder?.inputEnded === true
    this.abortWith(error instanceof Error ? error : new Error(String(error)), failure)
    if (inputEnded) this.failWith(failure)
  }

  /** Drops the decoders (the exchange ended or failed). */
  private stopDecoding(): void {
    const decoder = this.decoder
    if (decoder === undefined) return
    this.decoder = undefined
    for (const stream of decoder.streams) stream.destroy()
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
    this.failWith(failure)
  }
}
