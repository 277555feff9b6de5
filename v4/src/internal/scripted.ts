/**
 * How the v4 test kit's scripted transport plays one step for one request, over the core's scripted replies
 * (src/core/scriptedReply.ts): the delay and fault, the head as served (ranges, a reset after n bytes), the body in
 * chunks `chunkDelay` apart on the fiber's `Clock` and how it ends. A buffered read runs under the send stage's
 * attempt timeout; a stream's head under `timeoutMillis`, its body under none (as a real server's).
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { ScriptFault } from "../../../src/core/chaos.js"
import type { RawResponse } from "../../../src/core/exchange.js"
import { fromHeaderRecord } from "../../../src/core/headers.js"
import {
  type BodyEnd,
  bufferedRead,
  type ScriptedBody,
  scriptedFaultMessage,
  serve,
  type Served
} from "../../../src/core/scriptedReply.js"
import { TIMEOUT, TransportFailure } from "../../../src/core/transportFailure.js"
import type { StreamingResponse, TransportRequest } from "./transport.js"

/**
 * One scripted answer: a reply (its body in chunks, how it ends) or a transport fault, after `delayMillis`.
 * @internal
 */
export type ScriptStep =
  | ScriptedBody & { readonly _tag: "Reply"; readonly delayMillis: number; readonly chunkDelayMillis: number }
  | { readonly _tag: "Fault"; readonly fault: ScriptFault; readonly delayMillis: number }

const faultFailure = (fault: Exclude<BodyEnd, "complete" | "stall">): TransportFailure =>
  new TransportFailure(fault, new Error(scriptedFaultMessage(fault)))

/**
 * The head of the step's answer after its delay, or its fault (`Timeout`: nothing, ever); a body over the request's
 * `maxResponseSize` is `ResponseTooLarge`, as the root entry's test kit says.
 */
const answer = (request: TransportRequest, step: ScriptStep): Effect.Effect<Served, TransportFailure> => {
  const outcome: Effect.Effect<Served, TransportFailure> = step._tag === "Fault"
    ? step.fault === "Timeout" ? Effect.never : Effect.fail(faultFailure(step.fault))
    : step.body.byteLength > request.maxResponseSize
    ? Effect.fail(new TransportFailure("ResponseTooLarge", undefined, `limit ${request.maxResponseSize}`))
    : Effect.sync(() => serve(step, request.headers))
  return step.delayMillis > 0 ? Effect.delay(outcome, step.delayMillis) : outcome
}

const headOf = (request: TransportRequest, served: Served) => {
  const parsed = fromHeaderRecord(served.headers)
  return {
    status: served.status,
    statusText: "",
    headers: parsed.headers,
    setCookie: parsed.setCookie,
    url: request.url.href
  }
}

const chunkDelayOf = (step: ScriptStep): number => step._tag === "Reply" ? step.chunkDelayMillis : 0

/**
 * A buffered exchange: the head, then the whole body once its last chunk is in (a stall never ends: the send
 * stage's attempt timeout does).
 * @internal
 */
export const playSend = (request: TransportRequest, step: ScriptStep): Effect.Effect<RawResponse, TransportFailure> =>
  Effect.flatMap(answer(request, step), (served) => {
    const { result, waitMillis } = bufferedRead(served, chunkDelayOf(step))
    const body: Effect.Effect<Uint8Array, TransportFailure> = result._tag === "Body"
      ? Effect.succeed(result.body)
      : result._tag === "Stall"
      ? Effect.never
      : Effect.fail(faultFailure(result.reason))
    return Effect.map(
      waitMillis > 0 ? Effect.delay(body, waitMillis) : body,
      (bytes): RawResponse => ({ ...headOf(request, served), body: bytes })
    )
  })

/**
 * A streamed exchange: the head within `request.timeoutMillis` (on the fiber's clock), the body chunk by chunk
 * `chunkDelay` apart, then its end (a clean one, a stall, a fault).
 * @internal
 */
export const playStream = (
  request: TransportRequest,
  step: ScriptStep
): Effect.Effect<StreamingResponse, TransportFailure> => {
  const head = answer(request, step)
  const bounded = Number.isFinite(request.timeoutMillis)
    ? Effect.timeoutOrElse(head, {
      duration: Math.max(0, request.timeoutMillis),
      orElse: () => Effect.fail(TIMEOUT)
    })
    : head
  return Effect.map(bounded, (served): StreamingResponse => {
    const chunkDelay = chunkDelayOf(step)
    const chunks = Stream.fromIterable(served.chunks).pipe(
      Stream.mapEffect((chunk, i) =>
        i === 0 || chunkDelay <= 0 ? Effect.succeed(chunk) : Effect.as(Effect.sleep(chunkDelay), chunk)
      )
    )
    const end: Stream.Stream<never, TransportFailure> = served.end === "complete"
      ? Stream.empty
      : served.end === "stall"
      ? Stream.never
      : Stream.fail(faultFailure(served.end))
    return { ...headOf(request, served), body: Stream.concat(chunks, end) }
  })
}
