/** @internal */
import * as HttpBody from "@effect/platform/HttpBody"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type { TransportErrorReason } from "../HttpResilientError.js"
import * as client from "./client.js"
import type { ClientOptions } from "./config.js"
import type { RawResponse } from "./response.js"
import { constructorFrame, decodeOrThrow, firstProblemDecoder, ruleSchema } from "./schema/frame.js"
import { Rate01 } from "./schema/rules.js"
import { Transport, TransportFailure, type TransportRequest, type TransportService } from "./transport.js"

/** @internal */
export type Fault =
  | Exclude<TransportErrorReason, "RedirectLoop" | "TooManyRedirects" | "StreamEnded" | "InsecureRedirect">
  | "Timeout"

/** @internal */
export interface Reply {
  readonly _tag: "Reply"
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
  readonly delay: Duration.Duration
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

const encoder = new TextEncoder()

/** @internal */
export const reply = (
  status: number,
  options: {
    readonly headers?: Readonly<Record<string, string>> | undefined
    readonly body?: string | Uint8Array | undefined
    readonly json?: unknown
    readonly delay?: Duration.DurationInput | undefined
  } = {}
): Reply => {
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new RangeError(`HttpResilientTest.reply: status ${status} is not an integer from 100 to 599`)
  }
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value
  let body: Uint8Array
  if (options.json !== undefined) {
    body = encoder.encode(JSON.stringify(options.json))
    headers["content-type"] ??= "application/json"
  } else if (typeof options.body === "string") {
    body = encoder.encode(options.body)
  } else {
    body = options.body ?? new Uint8Array(0)
  }
  return { _tag: "Reply", status, headers, body, delay: Duration.decode(options.delay ?? 0) }
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
        Effect.map((chunks) => {
          const parts = Array.from(chunks)
          const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
          let offset = 0
          for (const p of parts) {
            out.set(p, offset)
            offset += p.byteLength
          }
          return out
        }),
        Effect.orDie
      )
  }
}

/**
 * Waits `delay` on the request's clock, failing with the attempt timeout if that comes first.
 */
const waitStep = (request: TransportRequest, delay: Duration.Duration): Effect.Effect<void, TransportFailure> => {
  const ms = Duration.toMillis(delay)
  if (ms <= 0) return Effect.void
  if (ms >= request.timeoutMillis) {
    return Effect.zipRight(
      request.clock.sleep(Duration.millis(request.timeoutMillis)),
      Effect.fail(new TransportFailure("Timeout"))
    )
  }
  return request.clock.sleep(delay)
}

const runStep = (request: TransportRequest, step: Step): Effect.Effect<RawResponse, TransportFailure> =>
  Effect.zipRight(
    waitStep(request, step.delay),
    step._tag === "Fault"
      ? step.fault === "Timeout"
        ? Effect.zipRight(
          Number.isFinite(request.timeoutMillis)
            ? request.clock.sleep(Duration.millis(request.timeoutMillis))
            : Effect.never,
          Effect.fail(new TransportFailure("Timeout"))
        )
        : Effect.fail(new TransportFailure(step.fault, new Error(`scripted fault: ${step.fault}`)))
      : step.body.byteLength > request.maxResponseSize
      ? Effect.fail(new TransportFailure("ResponseTooLarge", undefined, `limit ${request.maxResponseSize}`))
      : Effect.succeed({
        status: step.status,
        statusText: "",
        headers: { "content-length": String(step.body.byteLength), ...step.headers },
        setCookie: [],
        body: step.body,
        url: request.url.href
      })
  )

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
  const send = (request: TransportRequest): Effect.Effect<RawResponse, TransportFailure> =>
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
      return Effect.zipRight(Ref.update(requests, (all) => [...all, recorded]), runStep(request, step))
    })
  return {
    send,
    stream: (request) =>
      Effect.map(send(request), (raw) => ({
        status: raw.status,
        statusText: raw.statusText,
        headers: raw.headers,
        setCookie: raw.setCookie,
        url: raw.url,
        body: raw.body.byteLength === 0 ? Stream.empty : Stream.succeed(raw.body)
      })),
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
  Layer.provideMerge(client.layerWithTransport(options), layerTransport(script))

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
