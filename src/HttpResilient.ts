/**
 * The verbs. Each call is one **attempt** (unless a `retry` option is set): retry it with
 * `Effect.retry(policy)` like any other effect.
 *
 * The result is an `@effect/platform` `HttpClientResponse` whose body is already in memory, so
 * `response.json`, `response.text` and `HttpClientResponse.schemaBodyJson(schema)` all work.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, ResilientClientLive } from "effect-http-resilient"
 *
 * const program = HttpResilient.get("https://api.example.com/users/1").pipe(
 *   Effect.flatMap((response) => response.json)
 * )
 * const main = program.pipe(Effect.provide(ResilientClientLive))
 * // run it with NodeRuntime.runMain(main) from @effect/platform-node
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import { responseInfo } from "./core/responseInfo.js"
import { DecodeError, type HttpResilientError, type TimeoutError } from "./HttpResilientError.js"
import * as internal from "./internal/client.js"
import * as clientOps from "./internal/clientOps.js"
import * as internalDeadline from "./internal/deadline.js"
import * as Hedge from "./internal/hedge.js"
import type * as internalProgress from "./internal/progress.js"
import type * as Req from "./internal/request.js"
import * as retryDriver from "./internal/retryDriver.js"
import * as internalSse from "./internal/sse.js"
import * as internalStream from "./internal/stream.js"
import type { ResilientClient } from "./ResilientClient.js"

/**
 * Request options.
 *
 * - `headers`, `urlParams`: added to the request (headers are case-insensitive; the request's win over the client's;
 *   `urlParams` are appended after the client's `urlParams`).
 * - a body, at most one of: `json` (serialised, `application/json`), `text`, `form` (urlencoded), `multipart`
 *   (`FormData`, files included), `bytes`, `stream` (an Effect `Stream` of bytes; never retried), or a platform
 *   `body`; `contentType` overrides the default type.
 * - `timeout`: this attempt's timeout, headers and body together. @default the client's, 10 s
 * - `deadline`: all attempts and waits of this call together — under its `retry` option, and under a plain
 *   `Effect.retry` around the call too (each run of the same call keeps the deadline of the first). Attempts clip
 *   their timeout to it, a retry policy schedules no wait past it, and the call fails with
 *   `TimeoutError { scope: "deadline" }` when it passes. On the streaming verbs it bounds the whole stream, body
 *   included. @default none (the client's `deadline` for a buffered call retried by a `retry` option)
 * - `idempotencyKey`: `true` generates an `Idempotency-Key` (a random UUID) sent on every attempt of the call — also
 *   when a plain `Effect.retry` runs the same `HttpResilient.post(...)` effect again; a string is sent as is; an
 *   explicit `Idempotency-Key` header wins. POST and PATCH are retried only with one.
 * - `failover`: URLs tried after the primary, one per attempt, round the list: attempt 1 goes to the primary,
 *   attempt 2 to `failover[0]`, … and after the last one back to the primary.
 * - `attempts`: per-attempt overrides of these options: the n-th entry is merged over the options for attempt n,
 *   and the last entry keeps applying after the list ends.
 * - `retry`: a policy for this call, or `false` for none. It retries as `Effect.retry(policy)` would, but sets
 *   nothing up until the first attempt fails: on the happy path it costs next to nothing. @default the client's
 *   `retry`
 * - `tag`: a label carried on events, logs and spans.
 * - `maxResponseSize` (an integer from 1 to 2^32), `followRedirects` (`true`, `false` or an integer from 0 to 100):
 *   per-request overrides of the client options.
 * - `acceptStatus`: the statuses that are not an error for this request, in the client option's shapes (a predicate, or
 *   a non-empty list of statuses and `[from, to]` ranges); it replaces the client's `acceptStatus` for this request
 *   (an `attempts` entry may set it for its attempt). A status outside it fails the attempt with `StatusError`, as
 *   the client's would. @default the client's `acceptStatus`
 * - `acceptResponse`: a check on the buffered response once its status is accepted, replacing the client's
 *   `acceptResponse`: `true` (or an Effect succeeding with `true`) makes it the answer, `false` fails the attempt
 *   with `ResponseRejectedError` carrying the response (retried by `RetryPolicy` by default); a check that throws,
 *   fails or answers no boolean fails it with `InterceptorError` (interceptor `"acceptResponse"`), not retried.
 *   Streamed responses are not checked. @default the client's `acceptResponse`
 * - `onProgress`: called with a {@link Progress} as the request body is sent (`upload`) and the response body
 *   received (`download`): a `stream` body chunk by chunk as the transport takes it (`total`: its `contentLength`),
 *   a body in memory once, when the response's head has come; the body of a streaming verb chunk by chunk as it is
 *   read, that of a buffered call once, when it is in memory (`total`: the `Content-Length`, when the response has
 *   one and no `Content-Encoding`; a buffered body's own size). A request option, not a client one: progress is one
 *   transfer's. A report that throws, or returns a failing Effect or Promise, is logged at Warning level and the
 *   transfer goes on. Of the whole call (not an `attempts` entry). Unset, it costs nothing. @default none
 *
 * Every option given is checked when the call runs, before anything else (no I/O), by the same rules as the client
 * options: a bad value — `headers: null`, `retry: 5`, `followRedirects: NaN`, an `attempts` entry's bad `timeout` —
 * fails the call with `InvalidRequestError` (reason `InvalidHeader` for headers, `InvalidBody` for a body option,
 * else `InvalidOption`) whose detail names the option and shows the value (never a header's), e.g.
 * `followRedirects: NaN is not true, false or an integer from 0 to 100` or `attempts[1].timeout: -1 is not a positive
 * finite duration …`. An unknown option is reported too, with the nearest known name when it looks misspelt; an
 * `attempts` entry takes the per-attempt options only (not `deadline`, `failover`, `attempts` or `retry`), and every
 * `failover` URL is checked up front. A call without options checks nothing.
 *
 * @since 0.1.0
 * @category models
 */
export type RequestOptions = Req.RequestOptions

/**
 * @since 0.1.0
 * @category models
 */
export type BodyOptions = Req.BodyOptions

/**
 * One request with any method token (QUERY included).
 *
 * @example
 * ```ts
 * import { HttpResilient } from "effect-http-resilient"
 *
 * // any method token, here QUERY (safe and idempotent like GET, with a body)
 * const results = HttpResilient.request("QUERY", "https://api.example.com/search", { json: { name: "Ada" } })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const request = (
  method: string,
  url: string | URL,
  options?: RequestOptions
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError, ResilientClient> =>
  // one step that reads the service from the context and runs the call (yielding the tag costs two more)
  Effect.withFiberRuntime((fiber) => internal.requestIn(fiber, method, url, options))

/**
 * GET `url`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, RetryPolicy } from "effect-http-resilient"
 *
 * const user = HttpResilient.get("https://api.example.com/users/1").pipe(
 *   Effect.retry(RetryPolicy.default),
 *   Effect.flatMap((res) => res.json)
 * )
 * ```
 *
 * @since 0.1.0
 * @category verbs
 */
export const get = (
  url: string | URL,
  options?: RequestOptions
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError, ResilientClient> =>
  request("GET", url, options)

/**
 * POST `url`. Retried by a policy only with an `idempotencyKey`.
 *
 * @example
 * ```ts
 * import { HttpResilient } from "effect-http-resilient"
 *
 * const created = HttpResilient.post("https://api.example.com/orders", { json: { sku: "A1" }, idempotencyKey: true })
 * ```
 *
 * @since 0.1.0
 * @category verbs
 */
export const post = (
  url: string | URL,
  options?: RequestOptions
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError, ResilientClient> =>
  request("POST", url, options)

/**
 * PUT `url`.
 *
 * @example
 * ```ts
 * import { HttpResilient } from "effect-http-resilient"
 *
 * const saved = HttpResilient.put("https://api.example.com/users/1", { json: { name: "Ada" } })
 * ```
 *
 * @since 0.1.0
 * @category verbs
 */
export const put = (
  url: string | URL,
  options?: RequestOptions
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError, ResilientClient> =>
  request("PUT", url, options)

/**
 * PATCH `url`. Retried by a policy only with an `idempotencyKey`.
 *
 * @example
 * ```ts
 * import { HttpResilient } from "effect-http-resilient"
 *
 * // the key makes it safe to retry
 * const renamed = HttpResilient.patch("https://api.example.com/users/1", {
 *   json: { name: "Ada" },
 *   idempotencyKey: true
 * })
 * ```
 *
 * @since 0.1.0
 * @category verbs
 */
export const patch = (
  url: string | URL,
  options?: RequestOptions
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError, ResilientClient> =>
  request("PATCH", url, options)

/**
 * DELETE `url` (`delete` is a reserved word).
 *
 * @example
 * ```ts
 * import { HttpResilient } from "effect-http-resilient"
 *
 * const removed = HttpResilient.del("https://api.example.com/users/1", { headers: { "if-match": "\"v7\"" } })
 * ```
 *
 * @since 0.1.0
 * @category verbs
 */
export const del = (
  url: string | URL,
  options?: RequestOptions
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError, ResilientClient> =>
  request("DELETE", url, options)

/**
 * HEAD `url`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient } from "effect-http-resilient"
 *
 * const size = HttpResilient.head("https://example.com/big.iso").pipe(
 *   Effect.map((response) => Number(response.headers["content-length"]))
 * )
 * ```
 *
 * @since 0.1.0
 * @category verbs
 */
export const head = (
  url: string | URL,
  options?: RequestOptions
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError, ResilientClient> =>
  request("HEAD", url, options)

/**
 * OPTIONS `url`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient } from "effect-http-resilient"
 *
 * const allowed = HttpResilient.options("https://api.example.com/users").pipe(
 *   Effect.map((response) => response.headers["allow"])
 * )
 * ```
 *
 * @since 0.1.0
 * @category verbs
 */
export const options = (
  url: string | URL,
  options?: RequestOptions
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError, ResilientClient> =>
  request("OPTIONS", url, options)

/**
 * Sends an `@effect/platform` `HttpClientRequest` (method, URL, URL params, fragment, headers and body are taken from
 * it). `options` apply on top: their headers win over the request's, their `urlParams` come after the request's. A
 * relative URL is joined to the client's `baseUrl` and keeps its URL params, as with `get`.
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "@effect/platform"
 * import { HttpResilient } from "effect-http-resilient"
 *
 * const request = HttpClientRequest.post("https://api.example.com/orders").pipe(
 *   HttpClientRequest.setHeader("x-tenant", "acme"),
 *   HttpClientRequest.bodyUnsafeJson({ sku: "A1" })
 * )
 * const created = HttpResilient.execute(request, { idempotencyKey: true, timeout: "5 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category verbs
 */
export const execute: (
  request: HttpClientRequest.HttpClientRequest,
  options?: RequestOptions
) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError, ResilientClient> = clientOps.execute

/**
 * The number of the running attempt: 1, 2, 3 … Right under a plain `Effect.retry(policy)` too.
 *
 * @example
 * ```ts
 * import { Effect, Schedule } from "effect"
 * import { HttpResilient } from "effect-http-resilient"
 *
 * const flaky = HttpResilient.currentAttempt.pipe(
 *   Effect.flatMap((attempt) => attempt < 3 ? Effect.fail(`attempt ${attempt} failed`) : Effect.succeed(attempt))
 * )
 * assert.strictEqual(Effect.runSync(Effect.retry(flaky, Schedule.recurs(5))), 3)
 * ```
 *
 * @since 0.1.0
 * @category attempts
 */
export const currentAttempt: Effect.Effect<number> = Effect.map(
  Schedule.CurrentIterationMetadata,
  (meta) => meta.recurrence + 1
)

/**
 * `Effect.retry(policy)`, with the same semantics — the same schedule steps, waits on the `Clock`,
 * `Schedule.CurrentIterationMetadata` for each run, the last error when the policy gives up — but with nothing set
 * up until the first run fails. `Effect.retry` builds a schedule driver and changes the fiber's context on every
 * call, which costs a request 30–50 % more instructions even when it succeeds at once (bench/NOTES.md); this costs
 * one failure handler. Use it on hot paths, around a single call or a whole piece of work (a call and its body
 * decoding, say); the `retry` request option does the same for one call.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { HttpResilient, RetryPolicy } from "effect-http-resilient"
 *
 * const User = Schema.Struct({ id: Schema.Number, name: Schema.String })
 * const user = HttpResilient.getJson("https://api.example.com/users/1", User).pipe(
 *   HttpResilient.retry(RetryPolicy.default)
 * )
 * ```
 *
 * @since 0.1.0
 * @category retries
 */
export const retry: {
  <B, E, R1>(
    policy: Schedule.Schedule<B, NoInfer<E>, R1>
  ): <A, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R | R1>
  <A, E, R, B, R1>(
    self: Effect.Effect<A, E, R>,
    policy: Schedule.Schedule<B, NoInfer<E>, R1>
  ): Effect.Effect<A, E, R | R1>
} = retryDriver.retry

/**
 * Bounds an effect — attempts and the waits between them — by a deadline. Attempts inside clip their
 * timeout to what is left, a `RetryPolicy` schedules no wait past it, and when it is spent the effect fails with
 * `TimeoutError { scope: "deadline" }` naming the last request started inside (method, URL, attempt).
 * Nested deadlines keep the earliest.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, RetryPolicy } from "effect-http-resilient"
 *
 * const bounded = HttpResilient.get("https://api.example.com/slow").pipe(
 *   Effect.retry(RetryPolicy.default),
 *   HttpResilient.withDeadline("2 seconds")
 * )
 * ```
 *
 * @since 0.1.0
 * @category deadlines
 */
export const withDeadline: {
  (duration: Duration.DurationInput): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | TimeoutError, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, duration: Duration.DurationInput): Effect.Effect<A, E | TimeoutError, R>
} = internalDeadline.withDeadline

// ours knows the client's rule for secret names; any other response is shown by the built-in rule
const requestInfo = responseInfo

/**
 * Decodes a response's JSON body with a schema; invalid JSON or a mismatch fails with `DecodeError`.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { HttpResilient } from "effect-http-resilient"
 *
 * const User = Schema.Struct({ id: Schema.Number, name: Schema.String })
 * const user = HttpResilient.get("https://api.example.com/users/1").pipe(Effect.flatMap(HttpResilient.json(User)))
 * ```
 *
 * @since 0.1.0
 * @category bodies
 */
export const json = <A, I, R>(schema: Schema.Schema<A, I, R>) => {
  const decode = Schema.decodeUnknown(schema)
  return (response: HttpClientResponse.HttpClientResponse): Effect.Effect<A, DecodeError, R> =>
    Effect.flatMap(
      Effect.mapError(response.json, (error) => new DecodeError({ ...requestInfo(response), cause: error.cause })),
      (body) =>
        Effect.mapError(decode(body), (cause: ParseResult.ParseError) =>
          new DecodeError({ ...requestInfo(response), cause }))
    )
}

/**
 * The body as text (UTF-8).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, HttpResilientTest } from "effect-http-resilient"
 *
 * const motd = HttpResilient.get("http://api.test/motd").pipe(Effect.flatMap(HttpResilient.text))
 *
 * const script = [HttpResilientTest.reply(200, { body: "hello" })]
 * Effect.runPromise(Effect.provide(motd, HttpResilientTest.layer(script)))
 *   .then((text) => assert.strictEqual(text, "hello"))
 * ```
 *
 * @since 0.1.0
 * @category bodies
 */
export const text = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<string> =>
  Effect.orDie(response.text)

/**
 * The body as bytes.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient } from "effect-http-resilient"
 *
 * const logo = HttpResilient.get("https://example.com/logo.png").pipe(Effect.flatMap(HttpResilient.bytes))
 * // Effect<Uint8Array, HttpResilientError, ResilientClient>
 * ```
 *
 * @since 0.1.0
 * @category bodies
 */
export const bytes = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<Uint8Array> =>
  Effect.map(Effect.orDie(response.arrayBuffer), (buffer) => new Uint8Array(buffer))

/**
 * Shorthand: `get(url)` then decode its JSON with `schema`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { HttpResilient } from "effect-http-resilient"
 *
 * const User = Schema.Struct({ id: Schema.Number, name: Schema.String })
 * // Effect<{ readonly id: number; readonly name: string }, HttpResilientError, ResilientClient>
 * const user = HttpResilient.getJson("https://api.example.com/users/1", User, { timeout: "2 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category bodies
 */
export const getJson: {
  <A, I, R>(url: string | URL, schema: Schema.Schema<A, I, R>, options?: RequestOptions): Effect.Effect<
    A,
    HttpResilientError,
    ResilientClient | R
  >
} = (url, schema, options) => Effect.flatMap(get(url, options), json(schema))

const hedgeClient = (context: Context.Context<never>) => {
  const service = Option.getOrUndefined(Context.getOption(context, internal.ResilientClient))
  return service === undefined ? undefined : internal.findInternals(service)
}

/**
 * What `onProgress` is called with: the bytes of the request body sent (`direction: "upload"`) or of the response
 * body received (`"download"`) so far, and the whole size when it is known (`total`).
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { HttpResilient } from "effect-http-resilient"
 *
 * const download = HttpResilient.stream("https://example.com/big.iso", {
 *   onProgress: ({ bytes, direction, total }) => {
 *     if (direction === "download" && total !== undefined) console.log(`${Math.round((100 * bytes) / total)} %`)
 *   }
 * }).pipe(Stream.runDrain)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Progress = internalProgress.Progress

/**
 * Options of the streaming verbs: the request options, `resume` (see `stream`) and `method` (`stream`, `lines`,
 * `ndjson`: any method token, with any body option; @default "GET"). A `stream` body (an upload) is never retried,
 * whatever the policy. `retry` governs establishing
 * the stream (and, with `resume`, resuming it). @default `RetryPolicy.default`. `deadline` bounds the whole stream,
 * body included: when it passes the socket is closed and the stream fails with `TimeoutError` (scope `deadline`).
 *
 * @since 0.1.0
 * @category models
 */
export type StreamOptions = internalStream.StreamOptions

/**
 * Streams the body of a response with backpressure (a GET, or any `method` with any body: `{ method: "POST", json }`,
 * an upload as a `stream` body, which is never retried): a slow consumer never makes the client buffer the body, and
 * closing the stream early closes the socket. The attempt timeout covers the response headers only. Opening it
 * goes through the rate limiter, the bulkhead (whose slot is held until the headers arrive), the origin's
 * circuit breaker and the request interceptors, and follows redirects, like a buffered attempt.
 *
 * With `resume: true`, a reset mid-body is followed by a request with `Range: bytes=N-` and `If-Range` (the strong
 * `ETag`, else `Last-Modified`) that continues on a 206 whose `Content-Range` starts at N and whose ETag did not
 * change. Without a validator, on a 200 to the range request, or on any mismatch, the stream fails with
 * `TransportError` (reason `NotResumable`) rather than emit bytes twice — unless nothing was emitted yet: then
 * the download restarts. Every reconnect goes through the `retry` policy, which starts over once bytes flowed.
 *
 * @example
 * ```ts
 * import { NodeSink } from "@effect/platform-node"
 * import { Stream } from "effect"
 * import { createWriteStream } from "node:fs"
 * import { HttpResilient } from "effect-http-resilient"
 *
 * const download = HttpResilient.stream("https://example.com/big.iso", { resume: true }).pipe(
 *   Stream.run(NodeSink.fromWritable(() => createWriteStream("big.iso"), (e) => e))
 * )
 *
 * // any method and body: an export started by a POST, read as it comes
 * const exported = HttpResilient.stream("https://example.com/exports", { method: "POST", json: { since: "2024-01-01" } })
 * ```
 *
 * @since 0.1.0
 * @category streaming
 */
export const stream: (
  url: string | URL,
  options?: StreamOptions
) => Stream.Stream<Uint8Array, HttpResilientError, ResilientClient> = internalStream.stream

/**
 * The body of a GET as UTF-8 text lines (`\n`, `\r\n` or `\r`), streamed.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { HttpResilient } from "effect-http-resilient"
 *
 * const errors = HttpResilient.lines("https://example.com/app.log").pipe(
 *   Stream.filter((line) => line.includes("ERROR")),
 *   Stream.runForEach((line) => Effect.log(line))
 * )
 * ```
 *
 * @since 0.1.0
 * @category streaming
 */
export const lines: (
  url: string | URL,
  options?: StreamOptions
) => Stream.Stream<string, HttpResilientError, ResilientClient> = internalStream.lines

/**
 * Newline-delimited JSON, each line decoded with `schema`; blank lines are skipped, a bad line fails the stream
 * with `DecodeError` whose `line` is its number (from 1, blank lines counted).
 *
 * @example
 * ```ts
 * import { Schema, Stream } from "effect"
 * import { HttpResilient } from "effect-http-resilient"
 *
 * const Tick = Schema.Struct({ at: Schema.Number, price: Schema.Number })
 * const ticks = HttpResilient.ndjson("https://example.com/ticks", Tick).pipe(Stream.take(100), Stream.runCollect)
 * ```
 *
 * @since 0.1.0
 * @category streaming
 */
export const ndjson: <A, I, R>(
  url: string | URL,
  schema: Schema.Schema<A, I, R>,
  options?: StreamOptions
) => Stream.Stream<A, HttpResilientError, ResilientClient | R> = internalStream.ndjson

/**
 * One server-sent event. `event` defaults to `"message"`; `id` is the event's own `id:` field.
 *
 * @since 0.1.0
 * @category models
 */
export type ServerSentEvent = internalSse.ServerSentEvent

/**
 * Options of `sse`: the request options and `lastEventId`, sent as `Last-Event-ID` on the first connection.
 *
 * @since 0.1.0
 * @category models
 */
export type SseOptions = internalSse.SseOptions

/**
 * Server-sent events (`text/event-stream`), parsed with `@effect/experimental`'s `Sse` parser (a leading BOM is
 * stripped). After a drop, or when the server ends the response, the client reconnects after the server's
 * `retry:` delay — or, when it gave none, the `retry` policy's backoff — sending `Last-Event-ID`; an event whose id
 * was already delivered is never delivered again. Failing to connect goes through the `retry` policy, which starts
 * over once events flowed. A 204 ends the stream.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { HttpResilient } from "effect-http-resilient"
 *
 * const prices = HttpResilient.sse("https://example.com/prices").pipe(
 *   Stream.filter((event) => event.event === "price"),
 *   Stream.runForEach((event) => Effect.log(event.data))
 * )
 * ```
 *
 * @since 0.1.0
 * @category streaming
 */
export const sse: (
  url: string | URL,
  options?: SseOptions
) => Stream.Stream<ServerSentEvent, HttpResilientError, ResilientClient> = internalSse.sse

/**
 * Options of {@link hedge}.
 *
 * - `delay`: how long a copy may go unanswered before the next is sent (on the `Clock`).
 * - `maxHedges`: how many extra copies at most (1–16). @default 1
 *
 * @since 0.1.0
 * @category models
 */
export interface HedgeOptions {
  readonly delay: Duration.DurationInput
  readonly maxHedges?: number | undefined
}

/**
 * Hedged requests: runs the call; if it has not answered after `delay`, sends a second copy (and, with
 * `maxHedges` > 1, another after each further `delay`); the first success wins and the other copies are
 * interrupted — their sockets aborted. A copy that fails does not end the call while another is running; when
 * every copy has failed, the call fails with the earliest failure (retrying errors is a retry policy's job).
 *
 * Only requests that may be sent twice are hedged: idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE, TRACE,
 * QUERY), or POST/PATCH with an `Idempotency-Key`, with a body that can be re-sent; any other request inside is
 * sent once, and an effect that makes no `HttpResilient` request is simply run once. The copies of a call with
 * `idempotencyKey: true` send the same generated key, so the server sees one request. Every copy after the first
 * is paid for from the client's retry budget (no copy when it is empty, and `RetryBudgetExhausted` is published)
 * and announced with a `RetryScheduled` event of reason `"hedge"`. The client option `hedge` does the same for
 * every attempt of every call.
 *
 * It wraps any effect: put it around one attempt (`get(url).pipe(hedge(...), Effect.retry(policy))` hedges each
 * attempt) or around a retried call (`get(url).pipe(Effect.retry(policy), hedge(...))` hedges the whole call).
 * Throws a `RangeError` on a bad `delay` (it must be finite and at least 1 millisecond, as for the client option
 * `hedge`) or `maxHedges`, or an option name it does not know.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient } from "effect-http-resilient"
 *
 * // p99 latency: a second request if the first has not answered in 50 ms
 * const user = HttpResilient.get("https://api.example.com/users/1").pipe(
 *   HttpResilient.hedge({ delay: "50 millis" }),
 *   Effect.flatMap((res) => res.json)
 * )
 * ```
 *
 * @since 0.1.0
 * @category hedging
 */
export const hedge = (
  options: HedgeOptions
): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> => {
  const settings = Hedge.validate(options)
  return (self) => Hedge.hedge(self, settings, hedgeClient)
}
