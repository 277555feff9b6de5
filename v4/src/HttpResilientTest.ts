/**
 * The test kit of the v4 edition: a scripted transport (replies, faults, delays on the v4 `Clock`, so `TestClock`
 * drives retries and timeouts) and the requests it saw. Use it with `@effect/vitest` 4's `it.effect`.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import type * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { fromHeaderRecord } from "../../src/core/headers.js"
import type * as Models from "../../src/core/models.js"
import { TransportFailure, type TransportReason } from "../../src/core/transportFailure.js"
import { isInMemory, readBody } from "./internal/body.js"
import { make } from "./internal/client.js"
import type { ClientOptions } from "./internal/clientOptions.js"
import { millisOf } from "./internal/options.js"
import { ResilientClient } from "./internal/service.js"
import type { TransportRequest } from "./internal/transport.js"
import { Transport } from "./Transport.js"

/**
 * A transport failure to script (`"Timeout"`: the attempt hangs until its timeout).
 * @since 0.1.0
 * @category models
 */
export type Fault =
  | Exclude<TransportReason, "RedirectLoop" | "TooManyRedirects" | "StreamEnded" | "InsecureRedirect">
  | "Timeout"

/**
 * One scripted answer.
 * @since 0.1.0
 * @category models
 */
export type Step =
  | {
    readonly _tag: "Reply"
    readonly status: number
    readonly headers: Readonly<Record<string, string>>
    readonly body: Uint8Array
    readonly delayMillis: number
  }
  | { readonly _tag: "Fault"; readonly fault: Fault; readonly delayMillis: number }

/**
 * A request the scripted transport saw (`at`: epoch ms on the Clock).
 * @since 0.1.0
 * @category models
 */
export interface RecordedRequest extends Models.RecordedRequest {}

/**
 * The answers in order (the last one repeats), or a function of the request and its index.
 * @since 0.1.0
 * @category models
 */
export type Script = ReadonlyArray<Step> | ((request: RecordedRequest, index: number) => Step)

/**
 * @since 0.1.0
 * @category models
 */
export interface ReplyOptions {
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly body?: string | Uint8Array | undefined
  readonly json?: unknown
  /** the reply comes after this long (on the Clock) */
  readonly delay?: Duration.Input | undefined
}

const encoder = new TextEncoder()

/**
 * A reply with `status`.
 * @since 0.1.0
 * @category script
 */
export const reply = (status: number, options: ReplyOptions = {}): Step => {
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new RangeError(`HttpResilientTest.reply: status ${status} is not an integer from 100 to 599`)
  }
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value
  let body: Uint8Array = new Uint8Array(0)
  if (options.json !== undefined) {
    body = encoder.encode(JSON.stringify(options.json))
    headers["content-type"] ??= "application/json"
  } else if (typeof options.body === "string") body = encoder.encode(options.body)
  else if (options.body !== undefined) body = options.body
  return {
    _tag: "Reply",
    status,
    headers,
    body,
    delayMillis: millisOf("HttpResilientTest.reply", "delay", options.delay ?? 0)
  }
}

/**
 * A transport failure.
 * @since 0.1.0
 * @category script
 */
export const fault = (kind: Fault, options: { readonly delay?: Duration.Input | undefined } = {}): Step => ({
  _tag: "Fault",
  fault: kind,
  delayMillis: millisOf("HttpResilientTest.fault", "delay", options.delay ?? 0)
})

/**
 * `step` answered (or failed) after `delay` on the `Clock`, in place of its own delay: under a `TestClock` nothing
 * happens until the test adjusts the clock that far.
 *
 * @example
 * ```ts
 * import { Effect, Fiber } from "effect"
 * import { TestClock } from "effect/testing"
 * import { HttpResilient, HttpResilientTest } from "effect-http-resilient/v4"
 *
 * // an answer after 3 s, too late for the 1 s attempt timeout; in virtual time
 * const script = [HttpResilientTest.delayed(HttpResilientTest.reply(200), "3 seconds")]
 * const test = Effect.gen(function*() {
 *   const fiber = yield* Effect.forkChild(Effect.flip(HttpResilient.get("http://api.test/slow")))
 *   yield* TestClock.adjust("1 second")
 *   const error = yield* Fiber.join(fiber) // a TimeoutError
 * }).pipe(Effect.provide(HttpResilientTest.layer(script, { timeout: "1 second" })))
 * ```
 *
 * @since 0.1.0
 * @category script
 */
export const delayed = (step: Step, delay: Duration.Input): Step => ({
  ...step,
  delayMillis: millisOf("HttpResilientTest.delayed", "delay", delay)
})

/**
 * The requests the scripted transport saw.
 * @since 0.1.0
 * @category tags
 */
export class Recorder extends Context.Service<Recorder, { readonly requests: Array<RecordedRequest> }>()(
  "effect-http-resilient/v4/HttpResilientTest/Recorder"
) {}

const bodyBytes = (body: string | Uint8Array | null): Uint8Array =>
  body === null ? new Uint8Array(0) : typeof body === "string" ? encoder.encode(body) : body

const scripted = (script: Script, recorder: Recorder["Service"]) => {
  const send = (request: TransportRequest) => {
    const given = request.body
    if (isInMemory(given)) return answer(request, { ...request.headers }, bodyBytes(given))
    // a form or a stream: recorded as the bytes it would send
    const headers = { ...request.headers }
    return Effect.flatMap(readBody(given, headers), (bytes) => answer(request, headers, bytes))
  }
  const answer = (request: TransportRequest, headers: Record<string, string>, body: Uint8Array) =>
    Effect.flatMap(Clock.currentTimeMillis, (at) => {
      const recorded: RecordedRequest = {
        method: request.method,
        url: request.url.href,
        headers,
        body,
        at
      }
      const index = recorder.requests.length
      recorder.requests.push(recorded)
      const step = typeof script === "function" ? script(recorded, index) : script[Math.min(index, script.length - 1)]
      if (step === undefined) return Effect.die(new Error("HttpResilientTest: the script is empty"))
      if (step._tag === "Fault") {
        if (step.fault === "Timeout") return Effect.never
        return Effect.delay(Effect.fail(new TransportFailure(step.fault, undefined, "scripted")), step.delayMillis)
      }
      const parsed = fromHeaderRecord(step.headers)
      return Effect.delay(
        Effect.succeed({
          status: step.status,
          statusText: "",
          headers: parsed.headers,
          setCookie: parsed.setCookie,
          body: step.body,
          url: request.url.href
        }),
        step.delayMillis
      )
    })
  // a streamed reply is the scripted one, its body in one chunk
  const stream = (request: TransportRequest) =>
    Effect.map(send(request), (raw) => ({ ...raw, body: Stream.make(raw.body) }))
  return { send, stream }
}

/**
 * A client with `options` over the scripted transport, and its `Recorder`.
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  script: Script,
  options: ClientOptions = {}
): Layer.Layer<ResilientClient | Recorder, Config.ConfigError> => {
  const recorder = { requests: [] as Array<RecordedRequest> }
  return Layer.merge(
    Layer.effect(ResilientClient, make(options, scripted(script, recorder))),
    Layer.succeed(Recorder, recorder)
  )
}

/**
 * The scripted transport alone, as a `Transport` (with its `Recorder`), for `ResilientClient.layerWithTransport`:
 * the client under test is built as in production, only its transport scripted.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { HttpResilientTest, ResilientClient } from "effect-http-resilient/v4"
 *
 * const TestClient = ResilientClient.layerWithTransport({ timeout: "1 second" }).pipe(
 *   Layer.provideMerge(HttpResilientTest.layerTransport([HttpResilientTest.reply(503), HttpResilientTest.reply(200)]))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTransport = (script: Script): Layer.Layer<Transport | Recorder> =>
  Layer.unwrap(Effect.sync(() => {
    const recorder = { requests: [] as Array<RecordedRequest> }
    return Layer.merge(Layer.succeed(Transport, scripted(script, recorder)), Layer.succeed(Recorder, recorder))
  }))

/**
 * The requests seen so far, in order.
 * @since 0.1.0
 * @category getters
 */
export const requests: Effect.Effect<ReadonlyArray<RecordedRequest>, never, Recorder> = Effect.map(
  Effect.service(Recorder),
  (recorder) => recorder.requests.slice()
)
