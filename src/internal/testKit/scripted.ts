/**
 * The scripted transport: answers each request with the next step of its script and records it (`Recorder`), and
 * the test client's layers over it.
 * @internal
 */
import * as HttpBody from "@effect/platform/HttpBody"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { concat, encoder } from "../../core/scriptedReply.js"
import type * as client from "../client.js"
import type { ClientOptions } from "../config.js"
import { layerWithTransport } from "../layers.js"
import { Transport, type TransportRequest, type TransportService } from "../transport.js"
import { answer, bodyStream, runStep, timeoutAt } from "./play.js"
import type { RecordedRequest, Script, Step } from "./script.js"

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
