/**
 * How the scripted transport plays one step for one request: its delay and fault, its head, its body (in memory
 * or as a stream, chunk by chunk on the clock), all under the attempt timeout.
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { RawResponse } from "../response.js"
import { TransportFailure, type TransportRequest } from "../transport.js"
import { type BodyEnd, concat, type Fault, type Reply, type Step } from "./script.js"

/** The attempt timeout as an instant on the request's clock (epoch ms; `Infinity` for none). */
/** @internal */
export const timeoutAt = (request: TransportRequest): number =>
  request.clock.unsafeCurrentTimeMillis() + request.timeoutMillis

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
/** @internal */
export const waitStep = (request: TransportRequest, delay: Duration.Duration): Effect.Effect<void, TransportFailure> =>
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
/** @internal */
export const answer = (request: TransportRequest, step: Step, until: number): Effect.Effect<Served, TransportFailure> =>
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
/** @internal */
export const bodyStream = (
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

/** @internal */
export const runStep = (request: TransportRequest, step: Step): Effect.Effect<RawResponse, TransportFailure> => {
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
