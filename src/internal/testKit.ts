/** @internal */
import * as HttpBody from "@effect/platform/HttpBody"
import * as Chunk from "effect/Chunk"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type { TransportErrorReason } from "../HttpResilientError.js"
import type * as client from "./client.js"
import type { ClientOptions } from "./config.js"
import { layerWithTransport } from "./layers.js"
import type { RawResponse } from "./response.js"
import { constructorFrame, decodeOrThrow, firstProblemDecoder, ruleSchema } from "./schema/frame.js"
import { Rate01 } from "./schema/rules.js"
import { Transport, TransportFailure, type TransportRequest, type TransportService } from "./transport.js"

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
export interface RecordedRequest {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
  /** epoch ms by the Clock when the transport received it */
  readonly at: number
}

/** @internal */
export type Script = ReadonlyArray<Step> | ((request: RecordedRequest, index: number) => Step)

/** @internal */
export interface ReplyOptions {
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** the body; a list is sent in those chunks, one after the other */
  readonly body?: string | Uint8Array | ReadonlyArray<string | Uint8Array> | undefined
  readonly json?: unknown
  readonly delay?: Duration.DurationInput | undefined
  readonly chunkDelay?: Duration.DurationInput | undefined
  readonly end?: BodyEnd | undefined
  readonly resetAfter?: number | undefined
  readonly ranges?: boolean | undefined
}

const encoder = new TextEncoder()

const bytesOf = (part: string | Uint8Array): Uint8Array => typeof part === "string" ? encoder.encode(part) : part

const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
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

/** @internal */
export class Recorder extends Context.Tag("effect-http-resilient/HttpResilientTest/Recorder")<
  Recorder,
  { readonly requests: Ref.Ref<ReadonlyArray<RecordedRequest>> }
>() {}

const bodyBytes = (body: HttpBody.HttpBody): Effect.Effect<Uint8Array> => {
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(new Uint8Array(0))
    case "Uint8Array":
      return Effect.succeed(body.body)
    case "Raw":
      return Effect.succeed(
        typeof body.body === "string"
          ? encoder.encode(body.body)
          : body.body instanceof Uint8Array
          ? body.body
          : new Uint8Array(0)
      )
    case "FormData":
      return Effect.promise(() => new Response(body.formData).arrayBuffer().then((b) => new Uint8Array(b)))
    case "Stream":
      return Stream.runCollect(body.stream as Stream.Stream<Uint8Array, never>).pipe(
        Effect.map((chunks) => concat(Array.from(chunks))),
        Effect.orDie
      )
  }
}

/** The attempt timeout as an instant on the request's clock (epoch ms; `Infinity` for none). */
const timeoutAt = (request: TransportRequest): number => request.clock.unsafeCurrentTimeMillis() + request.timeoutMillis

const timedOut = (request: TransportRequest, until: number): Effect.Effect<never, TransportFailure> =>
  Number.isFinite(until)
    ? Effect.zipRight(
      request.clock.sleep(Duration.millis(Math.max(0, until - request.clock.unsafeCurrentTimeMillis()))),
      Effect.fail(new TransportFailure("Timeout"))
    )
    : Effect.never

/**
 * Waits `delay` on the request's clock, failing with the attempt timeout (at `until`) if that comes first.
 */
const waitUntil = (
  request: TransportRequest,
  delay: Duration.Duration,
  until: number
): Effect.Effect<void, TransportFailure> => {
  const ms = Duration.toMillis(delay)
  if (ms <= 0) return Effect.void
  if (request.clock.unsafeCurrentTimeMillis() + ms >= until) return timedOut(request, until)
  return request.clock.sleep(delay)
}

/**
 * Waits `delay` on the request's clock, failing with the attempt timeout if that comes first.
 */
const waitStep = (request: TransportRequest, delay: Duration.Duration): Effect.Effect<void, TransportFailure> =>
  waitUntil(request, delay, timeoutAt(request))

const faultFailure = (fault: Exclude<Fault, "Timeout">): TransportFailure =>
  new TransportFailure(fault, new Error(`scripted fault: ${fault}`))

/** What goes on the wire for a reply to one request: its head, and its body as chunks and an end. */
interface Served {
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
 * A reply as served to `request`: with `ranges`, a `Range: bytes=N-` request whose `If-Range` (if any) is the
 * reply's strong ETag, else its Last-Modified, gets a 206 with the bytes from N on (a 416 when N is past the end);
 * the cut of `resetAfter` applies to the bytes actually sent.
 */
const serve = (step: Reply, request: TransportRequest): Served => {
  const all = step.chunks ?? (step.body.byteLength > 0 ? [step.body] : [])
  const length = step.body.byteLength
  let status = step.status
  let headers: Record<string, string> = { "content-length": String(length), ...step.headers }
  let start = 0
  const range = step.ranges && status === 200 ? /^bytes=(\d+)-$/.exec(request.headers.range ?? "") : null
  if (range !== null) {
    const ifRange = request.headers["if-range"]
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

/** The head of the step's answer, after its delay (bounded by the attempt timeout), or the step's fault. */
const answer = (request: TransportRequest, step: Step, until: number): Effect.Effect<Served, TransportFailure> =>
  Effect.zipRight(
    waitUntil(request, step.delay, until),
    step._tag === "Fault"
      ? step.fault === "Timeout" ? timedOut(request, until) : Effect.fail(faultFailure(step.fault))
      : step.body.byteLength > request.maxResponseSize
      ? Effect.fail(new TransportFailure("ResponseTooLarge", undefined, `limit ${request.maxResponseSize}`))
      : Effect.succeed(serve(step, request))
  )

/** Reads a served body into memory, chunk by chunk on the clock, under the attempt timeout. */
const readAll = (
  request: TransportRequest,
  served: Served,
  chunkDelay: Duration.Duration,
  until: number
): Effect.Effect<Uint8Array, TransportFailure> => {
  const chunks = served.chunks
  const finish = served.end === "complete"
    ? Effect.succeed(chunks.length === 1 ? chunks[0] : concat(chunks))
    : served.end === "stall"
    ? timedOut(request, until)
    : Effect.fail(faultFailure(served.end))
  if (chunks.length < 2 || Duration.toMillis(chunkDelay) <= 0) return finish
  return Effect.zipRight(waitUntil(request, Duration.times(chunkDelay, chunks.length - 1), until), finish)
}

/** A served body as a stream: chunk by chunk on the clock, then its end. No attempt timeout: it covers the head. */
const bodyStream = (
  request: TransportRequest,
  served: Served,
  chunkDelay: Duration.Duration
): Stream.Stream<Uint8Array, TransportFailure> => {
  const end: Stream.Stream<never, TransportFailure> = served.end === "complete"
    ? Stream.empty
    : served.end === "stall"
    ? Stream.never
    : Stream.fail(faultFailure(served.end))
  const wait = Duration.toMillis(chunkDelay) > 0
  const chunks = served.chunks.map((chunk, i) =>
    i === 0 || !wait ? Stream.succeed(chunk) : Stream.fromEffect(Effect.as(request.clock.sleep(chunkDelay), chunk))
  )
  return Stream.concat(chunks.length === 0 ? Stream.empty : Stream.concatAll(Chunk.unsafeFromArray(chunks)), end)
}

const runStep = (request: TransportRequest, step: Step): Effect.Effect<RawResponse, TransportFailure> => {
  const until = timeoutAt(request)
  return Effect.flatMap(answer(request, step, until), (served) =>
    Effect.map(
      readAll(request, served, step._tag === "Reply" ? step.chunkDelay : Duration.zero, until),
      (body): RawResponse => ({
        status: served.status,
        statusText: "",
        headers: served.headers,
        setCookie: [],
        body,
        url: request.url.href
      })
    ))
}

/** The headers as they would go on the wire: the body's content type unless one was set. */
const withContentType = (request: TransportRequest): Record<string, string> => {
  const headers = { ...request.headers }
  const body = request.body
  if (headers["content-type"] === undefined && body._tag !== "Empty") {
    const type = body._tag === "FormData" ? "multipart/form-data" : body.contentType
    if (type) headers["content-type"] = type
  }
  return headers
}

/** @internal */
export const makeScripted = (
  script: Script,
  requests: Ref.Ref<ReadonlyArray<RecordedRequest>>
): TransportService => {
  let index = 0
  /** Records the request and picks its step. */
  const next = (request: TransportRequest): Effect.Effect<Step> =>
    Effect.flatMap(bodyBytes(request.body), (body) => {
      const recorded: RecordedRequest = {
        method: request.method,
        url: request.url.href,
        headers: withContentType(request),
        body,
        at: request.clock.unsafeCurrentTimeMillis()
      }
      const n = index++
      let step: Step
      if (typeof script === "function") {
        step = script(recorded, n)
      } else {
        if (script.length === 0) {
          return Effect.dieMessage("HttpResilientTest: the script is empty")
        }
        step = script[Math.min(n, script.length - 1)]
      }
      return Effect.as(Ref.update(requests, (all) => [...all, recorded]), step)
    })
  return {
    send: (request) => Effect.flatMap(next(request), (step) => runStep(request, step)),
    stream: (request) =>
      Effect.flatMap(next(request), (step) =>
        Effect.map(answer(request, step, timeoutAt(request)), (served) => ({
          status: served.status,
          statusText: "",
          headers: served.headers,
          setCookie: [],
          url: request.url.href,
          body: bodyStream(request, served, step._tag === "Reply" ? step.chunkDelay : Duration.zero)
        }))),
    warmUp: () => Effect.void
  }
}

/** @internal */
export const layerTransport = (script: Script): Layer.Layer<Transport | Recorder> =>
  Layer.effectContext(
    Effect.map(Ref.make<ReadonlyArray<RecordedRequest>>([]), (requests) =>
      Context.make(Transport, makeScripted(script, requests)).pipe(Context.add(Recorder, { requests })))
  )

/** @internal */
export const layer = (
  script: Script,
  options: ClientOptions = {}
): Layer.Layer<client.ResilientClient | Recorder, ConfigError.ConfigError> =>
  Layer.provideMerge(layerWithTransport(options), layerTransport(script))

/** @internal */
export const requests: Effect.Effect<ReadonlyArray<RecordedRequest>, never, Recorder> = Effect.flatMap(
  Recorder,
  (recorder) => Ref.get(recorder.requests)
)

// ---------------------------------------------------------------------------
// fault injection over a real transport
// ---------------------------------------------------------------------------

/** @internal */
export interface ChaosOptions {
  /** seed of the random choices; the same seed gives the same faults in the same order */
  readonly seed?: number | undefined
  /** add `delay` before a share `rate` (0..1) of requests */
  readonly latency?: { readonly rate: number; readonly delay: Duration.DurationInput } | undefined
  /** answer a share `rate` of requests with `status` (default 503) without sending them */
  readonly status?: { readonly rate: number; readonly status?: number | undefined } | undefined
  /** fail a share `rate` of requests with a transport fault (default ConnectionReset) without sending them */
  readonly fault?: { readonly rate: number; readonly reason?: Fault | undefined } | undefined
}

/** The Schema of a chaos option's `rate` (the shared `Rate01`), reporting as `chaos` throws: a `RangeError`. */
const rateDecoder = (name: string) =>
  firstProblemDecoder(ruleSchema<number>(
    [`${name}.rate`],
    Rate01,
    constructorFrame(
      "HttpResilientTest.chaos",
      (path, value, rule) => `HttpResilientTest.chaos: ${path.join(".")} ${String(value)} is not ${rule.expected}`
    )
  ))

const rateDecoders = { latency: rateDecoder("latency"), status: rateDecoder("status"), fault: rateDecoder("fault") }

const checkRate = (name: keyof typeof rateDecoders, rate: number) => {
  decodeOrThrow(rateDecoders[name], rate, (message) => new RangeError(message))
}

/** @internal */
export const chaos = (options: ChaosOptions): Layer.Layer<Transport, never, Transport> => {
  if (options.latency) checkRate("latency", options.latency.rate)
  if (options.status) checkRate("status", options.status.rate)
  if (options.fault) checkRate("fault", options.fault.rate)
  return Layer.effect(
    Transport,
    Effect.map(Transport, (inner): TransportService => {
      const random = Random.make(options.seed ?? 0)
      const roll = (rate: number | undefined) =>
        rate === undefined || rate <= 0 ? Effect.succeed(false) : Effect.map(random.next, (x) => x < rate)
      const latency = options.latency ? Duration.decode(options.latency.delay) : Duration.zero
      const send = (request: TransportRequest) =>
        Effect.gen(function*() {
          if (yield* roll(options.latency?.rate)) yield* waitStep(request, latency)
          if (yield* roll(options.fault?.rate)) {
            return yield* Effect.fail(
              new TransportFailure(options.fault?.reason ?? "ConnectionReset", new Error("injected fault"))
            )
          }
          if (yield* roll(options.status?.rate)) {
            return yield* runStep(request, reply(options.status?.status ?? 503, { body: "injected" }))
          }
          return yield* inner.send(request)
        })
      return { send, stream: inner.stream, warmUp: inner.warmUp }
    })
  )
}
