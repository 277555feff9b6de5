/**
 * The test kit: script what the "server" does, call by call, and check what the client sent — no sockets,
 * deterministic under `TestClock`. Or inject faults at a rate into a real transport (like Polly's chaos
 * strategies), seeded so a failing run can be replayed.
 *
 * @example
 * ```ts
 * import { Effect, Fiber, TestClock, TestContext } from "effect"
 * import { HttpResilient, HttpResilientTest, RetryPolicy } from "effect-http-resilient"
 *
 * // a test: the 503's Retry-After is honoured in virtual time
 * const test = Effect.gen(function*() {
 *   const fiber = yield* HttpResilient.get("http://api.test/x").pipe(Effect.retry(RetryPolicy.default), Effect.fork)
 *   yield* TestClock.adjust("2 seconds")
 *   const response = yield* Fiber.join(fiber)
 *   const sent = yield* HttpResilientTest.requests
 *   console.log(response.status, sent.length, sent[1].at - sent[0].at) // 200 2 2000
 * }).pipe(
 *   Effect.provide(HttpResilientTest.layer([
 *     HttpResilientTest.reply(503, { headers: { "retry-after": "2" } }),
 *     HttpResilientTest.reply(200, { json: { ok: true } })
 *   ])),
 *   Effect.provide(TestContext.TestContext)
 * )
 * Effect.runPromise(test)
 * ```
 *
 * @since 0.1.0
 */
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type { ClientOptions } from "./internal/config.js"
import * as internal from "./internal/testKit.js"
import type { ResilientClient } from "./ResilientClient.js"
import type { Transport } from "./Transport.js"

/**
 * A transport fault a step can produce: any `TransportError` reason, or `"Timeout"` (the attempt timeout runs out).
 *
 * @since 0.1.0
 * @category models
 */
export type Fault = internal.Fault

/**
 * One scripted response or fault.
 *
 * @since 0.1.0
 * @category models
 */
export type Step = internal.Step

/**
 * A list of steps (call n gets step n; the last repeats), or a function of the request and its index.
 *
 * @since 0.1.0
 * @category models
 */
export type Script = internal.Script

/**
 * What the scripted transport saw: method, URL, headers, body bytes and the `Clock` time it arrived.
 *
 * @since 0.1.0
 * @category models
 */
export type RecordedRequest = internal.RecordedRequest

/**
 * How a scripted body ends once its chunks are sent: `"complete"`, `"stall"` (nothing more, ever: only the
 * attempt timeout of a buffered call, or a deadline, ends it) or a transport fault such as `"ConnectionReset"` (the
 * connection breaks mid-body).
 *
 * @example
 * ```ts
 * import { HttpResilientTest } from "effect-http-resilient"
 *
 * const end: HttpResilientTest.BodyEnd = "ConnectionReset"
 * // the head and "first part", then the connection breaks
 * const step = HttpResilientTest.reply(200, { body: ["first part"], end })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type BodyEnd = internal.BodyEnd

/**
 * Options of {@link reply}. The body can be streamed: sent in chunks (`body` as a list) with `chunkDelay` between
 * them on the `Clock`, cut by a reset (`resetAfter`), left hanging (`end: "stall"`), and served from an offset
 * for a range request (`ranges`) — what `HttpResilient.stream`, `lines`, `ndjson` and `sse` see from a real server.
 *
 * @example
 * ```ts
 * import { Chunk, Effect, Stream } from "effect"
 * import { HttpResilient, HttpResilientTest } from "effect-http-resilient"
 *
 * // a download that resets after 4 bytes, resumed from byte 4 with Range + If-Range
 * const file = { body: "0123456789", headers: { etag: `"v1"` } }
 * const TestClient = HttpResilientTest.layer([
 *   HttpResilientTest.reply(200, { ...file, resetAfter: 4 }),
 *   HttpResilientTest.reply(200, { ...file, ranges: true })
 * ])
 * const test = Effect.gen(function*() {
 *   const chunks = yield* Stream.runCollect(HttpResilient.stream("http://api.test/file", { resume: true }))
 *   const text = Chunk.toReadonlyArray(chunks).map((bytes) => new TextDecoder().decode(bytes)).join("")
 *   const sent = yield* HttpResilientTest.requests
 *   assert.strictEqual(text, "0123456789")
 *   assert.strictEqual(sent[1].headers.range, "bytes=4-")
 *   assert.strictEqual(sent[1].headers["if-range"], `"v1"`)
 * })
 * Effect.runPromise(Effect.provide(test, TestClient))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ReplyOptions = internal.ReplyOptions

/**
 * A response: status, `headers`, a `body` (string, bytes, or a list of chunks) or `json`, and an optional `delay`
 * before it (on the `Clock`; a delay past the attempt timeout becomes a `TimeoutError`). A streamed body: see
 * {@link ReplyOptions} (`chunkDelay`, `end`, `resetAfter`, `ranges`).
 *
 * @example
 * ```ts
 * import { HttpResilientTest } from "effect-http-resilient"
 *
 * const script = [
 *   HttpResilientTest.reply(503, { headers: { "retry-after": "1" } }),
 *   HttpResilientTest.reply(200, { json: { id: 1, name: "Ada" } })
 * ]
 * const TestClient = HttpResilientTest.layer(script)
 * ```
 *
 * @example
 * ```ts
 * import { Chunk, Effect, Fiber, Stream, TestClock, TestContext } from "effect"
 * import { HttpResilient, HttpResilientTest } from "effect-http-resilient"
 *
 * // an event stream: two events a second apart, then the connection drops; the client reconnects with
 * // Last-Event-ID after the server's retry: delay, all in virtual time
 * const TestClient = HttpResilientTest.layer([
 *   HttpResilientTest.reply(200, {
 *     headers: { "content-type": "text/event-stream" },
 *     body: ["retry: 3000\nid: 1\ndata: a\n\n", "id: 2\ndata: b\n\n"],
 *     chunkDelay: "1 second",
 *     end: "ConnectionReset"
 *   }),
 *   HttpResilientTest.reply(200, { headers: { "content-type": "text/event-stream" }, body: "id: 3\ndata: c\n\n" })
 * ])
 * const test = Effect.gen(function*() {
 *   const fiber = yield* Effect.fork(Stream.runCollect(Stream.take(HttpResilient.sse("http://api.test/events"), 3)))
 *   yield* TestClock.adjust("4 seconds")
 *   const events = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
 *   const sent = yield* HttpResilientTest.requests
 *   assert.deepStrictEqual(events.map((e) => e.data), ["a", "b", "c"])
 *   assert.strictEqual(sent[1].headers["last-event-id"], "2")
 *   assert.strictEqual(sent[1].at - sent[0].at, 4000)
 * })
 * Effect.runPromise(test.pipe(Effect.provide(TestClient), Effect.provide(TestContext.TestContext)))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const reply: (status: number, options?: ReplyOptions) => Step = internal.reply

/**
 * A transport fault, e.g. `fault("ConnectionReset")`, optionally after a `delay`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Backoff, HttpResilient, HttpResilientTest, RetryPolicy } from "effect-http-resilient"
 *
 * const script = [HttpResilientTest.fault("ConnectionReset"), HttpResilientTest.reply(200)]
 * const program = HttpResilient.get("http://api.test/x").pipe(
 *   Effect.retry(RetryPolicy.make({ retries: 2, backoff: Backoff.constant(0) })),
 *   Effect.provide(HttpResilientTest.layer(script))
 * )
 * Effect.runPromise(program).then((response) => assert.strictEqual(response.status, 200))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fault: (kind: Fault, options?: { readonly delay?: Duration.DurationInput | undefined }) => Step =
  internal.fault

/**
 * The same step after `delay`.
 *
 * @example
 * ```ts
 * import { Effect, Fiber, TestClock, TestContext } from "effect"
 * import { HttpResilient, HttpResilientTest } from "effect-http-resilient"
 *
 * // an answer after 3 s, too late for the 1 s attempt timeout; in virtual time
 * const script = [HttpResilientTest.delayed(HttpResilientTest.reply(200), "3 seconds")]
 * const test = Effect.gen(function*() {
 *   const fiber = yield* Effect.fork(Effect.flip(HttpResilient.get("http://api.test/slow")))
 *   yield* TestClock.adjust("1 second")
 *   const error = yield* Fiber.join(fiber)
 *   assert.strictEqual(error._tag, "TimeoutError")
 * })
 * const TestClient = HttpResilientTest.layer(script, { timeout: "1 second" })
 * Effect.runPromise(test.pipe(Effect.provide(TestClient), Effect.provide(TestContext.TestContext)))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const delayed: (step: Step, delay: Duration.DurationInput) => Step = internal.delayed

/**
 * The recorder of requests the scripted transport saw.
 *
 * @example
 * ```ts
 * import { Effect, Ref } from "effect"
 * import { HttpResilientTest } from "effect-http-resilient"
 *
 * // what `HttpResilientTest.requests` reads
 * const sent = Effect.flatMap(HttpResilientTest.Recorder, (recorder) => Ref.get(recorder.requests))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export const Recorder: typeof internal.Recorder = internal.Recorder

/**
 * @since 0.1.0
 * @category tags
 */
export type Recorder = internal.Recorder

/**
 * A client (with `options`) over a scripted transport, plus the recorder.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, HttpResilientTest } from "effect-http-resilient"
 *
 * // a script as a function of the request, and client options
 * const TestClient = HttpResilientTest.layer(
 *   (request) => request.url.endsWith("/health") ? HttpResilientTest.reply(200) : HttpResilientTest.reply(404),
 *   { baseUrl: "http://api.test" }
 * )
 * const status = HttpResilient.get("health").pipe(Effect.map((response) => response.status))
 * Effect.runPromise(Effect.provide(status, TestClient)).then((s) => assert.strictEqual(s, 200))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (
  script: Script,
  options?: ClientOptions
) => Layer.Layer<ResilientClient | Recorder, ConfigError.ConfigError> = internal.layer

/**
 * Just the scripted transport and the recorder, for `ResilientClient.layerWithTransport`.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { HttpResilientTest, ResilientClient } from "effect-http-resilient"
 *
 * // the client under test exactly as the application builds it, over the scripted transport
 * const AppClient = ResilientClient.layerWithTransport({ baseUrl: "http://api.test", timeout: "2 seconds" })
 * const Scripted = HttpResilientTest.layerTransport([HttpResilientTest.reply(200)])
 * // provideMerge: the test sees the Recorder too
 * const TestClient = AppClient.pipe(Layer.provideMerge(Scripted))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTransport: (script: Script) => Layer.Layer<Transport | Recorder> = internal.layerTransport

/**
 * The requests seen so far, in order.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, HttpResilientTest } from "effect-http-resilient"
 *
 * const test = Effect.gen(function*() {
 *   yield* HttpResilient.post("http://api.test/orders", { json: { sku: "A1" }, idempotencyKey: "order-1" })
 *   const [sent] = yield* HttpResilientTest.requests
 *   assert.strictEqual(sent.method, "POST")
 *   assert.strictEqual(sent.headers["idempotency-key"], "order-1")
 * })
 * Effect.runPromise(Effect.provide(test, HttpResilientTest.layer([HttpResilientTest.reply(201)])))
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const requests: Effect.Effect<ReadonlyArray<RecordedRequest>, never, Recorder> = internal.requests

/**
 * Options of {@link chaos}: each rate is a share from 0 to 1.
 *
 * @since 0.1.0
 * @category models
 */
export type ChaosOptions = internal.ChaosOptions

/**
 * Fault injection over the transport in context: added latency, injected statuses and transport faults at
 * the given rates, chosen by a seeded random generator so the same seed replays the same faults. Injected latency
 * runs under the attempt timeout (past it, the attempt times out) and the request then gets what is left of it.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { HttpResilientTest, ResilientClient, Transport } from "effect-http-resilient"
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
export const chaos: (options: ChaosOptions) => Layer.Layer<Transport, never, Transport> = internal.chaos
