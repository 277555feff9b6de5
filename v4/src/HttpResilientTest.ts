/**
 * The test kit of the v4 edition: a scripted transport (replies, faults, delays on the v4 `Clock`, so `TestClock`
 * drives retries and timeouts; bodies in chunks that stall, break or answer a range request) and the requests it
 * saw; `chaos`, seeded fault injection over a real transport. Use it with `@effect/vitest` 4's `it.effect`.
 * The root entry's test kit, with one difference: `chaos` draws from v4's `Random`, so a seed gives another
 * sequence of faults than in the root entry (the same one on every run of this edition).
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import type * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { ScriptFault } from "../../src/core/chaos.js"
import { nonNegativeDuration } from "../../src/core/durationRules.js"
import type * as Models from "../../src/core/models.js"
import {
  type BodyEnd as CoreBodyEnd,
  encoder,
  type ReplyOptionsOf,
  scriptedBody
} from "../../src/core/scriptedReply.js"
import { isInMemory, readBody } from "./internal/body.js"
import * as internalChaos from "./internal/chaos.js"
import { make } from "./internal/client.js"
import type { ClientOptions } from "./internal/clientOptions.js"
import { millisOf } from "./internal/options.js"
import { playSend, playStream, type ScriptStep } from "./internal/scripted.js"
import { ResilientClient } from "./internal/service.js"
import type { TransportRequest } from "./internal/transport.js"
import { Transport } from "./Transport.js"

/**
 * A transport failure to script (`"Timeout"`: the attempt hangs until its timeout).
 * @since 0.1.0
 * @category models
 */
export type Fault = ScriptFault

/**
 * How a scripted body ends once its chunks are sent: `"complete"`, `"stall"` (nothing more, ever: only the
 * attempt timeout of a buffered call, or a deadline, ends it) or a transport fault such as `"ConnectionReset"` (the
 * connection breaks mid-body). The root entry's `HttpResilientTest.BodyEnd`.
 *
 * @example
 * ```ts
 * import { HttpResilientTest } from "effect-http-resilient/v4"
 *
 * const end: HttpResilientTest.BodyEnd = "ConnectionReset"
 * // the head and "first part", then the connection breaks
 * const step = HttpResilientTest.reply(200, { body: ["first part"], end })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type BodyEnd = CoreBodyEnd

/**
 * One scripted answer: a reply (status, head, its body in chunks and how it ends, its delays in milliseconds) or a
 * transport fault.
 * @since 0.1.0
 * @category models
 */
export type Step = ScriptStep

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
 * Options of {@link reply}, the root entry's: `headers`, a `body` (string, bytes, or a list of chunks) or `json`, a
 * `delay` before the head; a streamed body sent in chunks `chunkDelay` apart on the `Clock`, ended by `end`
 * (`"complete"`, `"stall"`, a transport fault), cut by a reset after `resetAfter` bytes, and served from an offset for
 * a range request (`ranges`) — what `HttpResilient.stream`, `lines`, `ndjson` and `sse` see from a real server.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { HttpResilient, HttpResilientTest } from "effect-http-resilient/v4"
 *
 * // a download that resets after 4 bytes, resumed from byte 4 with Range + If-Range
 * const file = { body: "0123456789", headers: { etag: `"v1"` } }
 * const TestClient = HttpResilientTest.layer([
 *   HttpResilientTest.reply(200, { ...file, resetAfter: 4 }),
 *   HttpResilientTest.reply(200, { ...file, ranges: true })
 * ])
 * const text = Stream.runCollect(HttpResilient.stream("http://api.test/file", { resume: true })).pipe(
 *   Effect.map((chunks) => chunks.map((bytes) => new TextDecoder().decode(bytes)).join("")), // "0123456789"
 *   Effect.provide(TestClient)
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ReplyOptions extends ReplyOptionsOf<Duration.Input> {}

/**
 * A reply with `status`.
 * @since 0.1.0
 * @category script
 */
export const reply = (status: number, options: ReplyOptions = {}): Step => ({
  _tag: "Reply",
  ...scriptedBody(status, options),
  delayMillis: millisOf("HttpResilientTest.reply", "delay", options.delay ?? 0, nonNegativeDuration),
  chunkDelayMillis: millisOf("HttpResilientTest.reply", "chunkDelay", options.chunkDelay ?? 0, nonNegativeDuration)
})

/**
 * A transport failure.
 * @since 0.1.0
 * @category script
 */
export const fault = (kind: Fault, options: { readonly delay?: Duration.Input | undefined } = {}): Step => ({
  _tag: "Fault",
  fault: kind,
  delayMillis: millisOf("HttpResilientTest.fault", "delay", options.delay ?? 0, nonNegativeDuration)
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
  delayMillis: millisOf("HttpResilientTest.delayed", "delay", delay, nonNegativeDuration)
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
  /** Records the request (a form or a stream as the bytes it would send) and picks its step. */
  const next = (request: TransportRequest): Effect.Effect<Step> => {
    const given = request.body
    if (isInMemory(given)) return pick(request, { ...request.headers }, bodyBytes(given))
    const headers = { ...request.headers }
    return Effect.flatMap(readBody(given, headers), (bytes) => pick(request, headers, bytes))
  }
  const pick = (request: TransportRequest, headers: Record<string, string>, body: Uint8Array) =>
    Effect.flatMap(Clock.currentTimeMillis, (at) => {
      const recorded: RecordedRequest = { method: request.method, url: request.url.href, headers, body, at }
      const index = recorder.requests.length
      recorder.requests.push(recorded)
      const step = typeof script === "function" ? script(recorded, index) : script[Math.min(index, script.length - 1)]
      if (step === undefined) return Effect.die(new Error("HttpResilientTest: the script is empty"))
      return Effect.succeed(step)
    })
  return {
    send: (request: TransportRequest) => Effect.flatMap(next(request), (step) => playSend(request, step)),
    stream: (request: TransportRequest) => Effect.flatMap(next(request), (step) => playStream(request, step))
  }
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

/**
 * Options of {@link chaos} (the root entry's): each rate is a share from 0 to 1.
 *
 * - `seed`: the random choices' seed; the same seed gives the same faults in the same order. @default 0
 * - `latency: { rate, delay }`: wait `delay` (on the `Clock`, within the attempt timeout) before a share `rate` of
 *   requests.
 * - `status: { rate, status }`: answer a share `rate` of requests with `status` (@default 503, body `"injected"`)
 *   without sending them.
 * - `fault: { rate, reason }`: fail a share `rate` of requests with a transport fault (@default `"ConnectionReset"`)
 *   without sending them.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChaosOptions extends internalChaos.ChaosOptions {}

/**
 * Fault injection over the transport in context, as the root entry's: added latency, injected statuses and
 * transport faults at the given rates. Each request draws, in this order, whether it waits the latency, whether it
 * fails with the fault, else whether it gets the status (a rate left out or 0 draws nothing); a request neither
 * fails nor gets the status goes to the transport. The draws come from v4's `Random` service seeded with
 * `Random.withSeed(seed)`, one generator per built layer, so the same seed replays the same faults in the same order.
 * That generator is not the root entry's (Effect v3's `Random.make`), so a seed gives another sequence than in the
 * root entry. A rate outside 0..1 throws a `RangeError` naming it (`HttpResilientTest.chaos: status.rate 2 is not
 * within 0..1`). Streams (`stream`, `lines`, `ndjson`, `sse`) go to the transport untouched, as in the root entry.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { HttpResilientTest, ResilientClient, Transport } from "effect-http-resilient/v4"
 *
 * const StagingClient = ResilientClient.layerWithTransport().pipe(
 *   Layer.provide(HttpResilientTest.chaos({ seed: 42, status: { rate: 0.1 }, fault: { rate: 0.05 } })),
 *   Layer.provide(Transport.layerUndici())
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const chaos: (options: ChaosOptions) => Layer.Layer<Transport, never, Transport> = internalChaos.chaos
