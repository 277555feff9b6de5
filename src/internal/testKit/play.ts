/**
 * How the scripted transport plays one step for one request: its delay and fault, its head, its body (in memory
 * or as a stream, chunk by chunk on the clock), all under the attempt timeout.
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { bufferedRead, scriptedFaultMessage, serve, type Served } from "../../core/scriptedReply.js"
import type { RawResponse } from "../response.js"
import { TransportFailure, type TransportRequest } from "../transport.js"
import type { Fault, Step } from "./script.js"

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
  new TransportFailure(fault, new Error(scriptedFaultMessage(fault)))

/** The head of the step's answer, after its delay (bounded by the attempt timeout), or the step's fault. */
/** @internal */
export const answer = (request: TransportRequest, step: Step, until: number): Effect.Effect<Served, TransportFailure> =>
  Effect.zipRight(
    waitUntil(request, step.delay, until),
    step._tag === "Fault"
      ? step.fault === "Timeout" ? timedOut(request, until) : Effect.fail(faultFailure(step.fault))
      : step.body.byteLength > request.maxResponseSize
      ? Effect.fail(new TransportFailure("ResponseTooLarge", undefined, `limit ${request.maxResponseSize}`))
      : Effect.succeed(serve(step, request.headers))
  )

/** Reads a served body into memory, chunk by chunk on the clock, under the attempt timeout. */
const readAll = (
  request: TransportRequest,
  served: Served,
  chunkDelay: Duration.Duration,
  until: number
): Effect.Effect<Uint8Array, TransportFailure> => {
  const { result, waitMillis } = bufferedRead(served, Duration.toMillis(chunkDelay))
  const finish = result._tag === "Body"
    ? Effect.succeed(result.body)
    : result._tag === "Stall"
    ? timedOut(request, until)
    : Effect.fail(faultFailure(result.reason))
  return waitMillis <= 0 ? finish : Effect.zipRight(waitUntil(request, Duration.millis(waitMillis), until), finish)
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
