/**
 * The verbs of the v4 edition: each is one attempt as a v4 `Effect` whose success is an `effect/http`
 * `HttpClientResponse` (the root entry's is `@effect/platform`'s). Retrying is explicit:
 * `HttpResilient.get(url).pipe(Effect.retry(RetryPolicy.default))`, or `HttpResilient.retry(policy)`, which also
 * holds the call's deadline across its attempts.
 *
 * Streams (`stream`, `lines`, `ndjson`, `sse`) are v4 `Stream`s with the root entry's options and semantics:
 * resumable downloads, event streams that reconnect with `Last-Event-ID` and the server's `retry:`.
 *
 * Request bodies are the root entry's (`json`, `text`, `form`, `multipart`, `bytes`, a one-shot `stream`, with
 * `contentType` and `contentLength`, and `body`, an `effect/http` `HttpBody`), and so are `onProgress` and the
 * per-attempt options (`attempts`).
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import { nonNegativeDuration } from "../../src/core/durationRules.js"
import type { Progress as CoreProgress } from "../../src/core/progress.js"
import type { DecodeError, HttpResilientError } from "./HttpResilientError.js"
import { TimeoutError } from "./HttpResilientError.js"
import * as Bodies from "./internal/bodies.js"
import { retryWithin } from "./internal/client.js"
import * as executeOps from "./internal/execute.js"
import * as Hedge from "./internal/hedge.js"
import { millisOf } from "./internal/options.js"
import type { AttemptOptions as Attempt, BodyOptions as Body, RequestOptions as Options } from "./internal/request.js"
import { CurrentDeadline, ResilientClient } from "./internal/service.js"
import * as Streams from "./internal/streams.js"

/**
 * @since 0.1.0
 * @category models
 */
export type RequestOptions = Options

/**
 * @since 0.1.0
 * @category models
 */
export type BodyOptions = Body

/**
 * The options an entry of the `attempts` request option may set: those of one attempt (`headers`, `urlParams`,
 * `timeout`, `idempotencyKey`, `tag`, `acceptStatus`, `acceptResponse`, a body).
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { HttpResilient } from "effect-http-resilient/v4"
 *
 * const second: HttpResilient.AttemptOptions = { timeout: "5 seconds", headers: { "x-retry": "1" } }
 * ```
 */
export type AttemptOptions = Attempt

/**
 * What `onProgress` is called with: the bytes of the request body sent (`direction: "upload"`) or of the response
 * body received (`"download"`) so far, and the whole size when it is known (`total`).
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { HttpResilient } from "effect-http-resilient/v4"
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
export type Progress = CoreProgress

type Call = Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError, ResilientClient>

/**
 * A request with any method token.
 * @since 0.1.0
 * @category requests
 */
export const request = (method: string, url: string | URL, options?: RequestOptions): Call => {
  // made with the call, so every run of it (each attempt under Effect.retry) sends the same key
  const generatedKey = options?.idempotencyKey === true ? crypto.randomUUID() : undefined
  return Effect.flatMap(Effect.service(ResilientClient), (client) => client.execute(method, url, options, generatedKey))
}

/**
 * @since 0.1.0
 * @category requests
 */
export const get = (url: string | URL, options?: RequestOptions): Call => request("GET", url, options)

/**
 * Retried only with an `idempotencyKey`.
 * @since 0.1.0
 * @category requests
 */
export const post = (url: string | URL, options?: RequestOptions): Call => request("POST", url, options)

/**
 * @since 0.1.0
 * @category requests
 */
export const put = (url: string | URL, options?: RequestOptions): Call => request("PUT", url, options)

/**
 * Retried only with an `idempotencyKey`.
 * @since 0.1.0
 * @category requests
 */
export const patch = (url: string | URL, options?: RequestOptions): Call => request("PATCH", url, options)

/**
 * DELETE (`delete` is a reserved word; `del` as in the root entry).
 * @since 0.1.0
 * @category requests
 */
export const del = (url: string | URL, options?: RequestOptions): Call => request("DELETE", url, options)

export {
  /**
   * @since 0.1.0
   * @category requests
   */
  del as delete
}

/**
 * @since 0.1.0
 * @category requests
 */
export const head = (url: string | URL, options?: RequestOptions): Call => request("HEAD", url, options)

/**
 * @since 0.1.0
 * @category requests
 */
export const options = (url: string | URL, requestOptions?: RequestOptions): Call =>
  request("OPTIONS", url, requestOptions)

/**
 * Sends a v4 `effect/http` `HttpClientRequest` (method, URL, URL params, fragment, headers and body are taken from
 * it). `options` apply on top: their headers win over the request's, their `urlParams` come after the request's. A
 * relative URL is joined to the client's `baseUrl` and keeps its URL params, as with `get`. A body given both in the
 * request and in `options` is an `InvalidRequestError`. A `FormData` body is sent as `multipart`, a stream body as a
 * one-shot `stream` (with its content type and length: never sent twice), a raw body that is no string or bytes is an
 * `InvalidRequestError`.
 *
 * @example
 * ```ts
 * import * as HttpClientRequest from "effect/http/HttpClientRequest"
 * import { HttpResilient } from "effect-http-resilient/v4"
 *
 * const request = HttpClientRequest.post("https://api.example.com/orders").pipe(
 *   HttpClientRequest.setHeader("x-tenant", "acme"),
 *   HttpClientRequest.bodyJsonUnsafe({ sku: "A1" })
 * )
 * const created = HttpResilient.execute(request, { idempotencyKey: true, timeout: "5 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category requests
 */
export const execute: (request: HttpClientRequest.HttpClientRequest, options?: RequestOptions) => Call =
  executeOps.execute

/**
 * The number of the attempt running: 1, 2, 3 … (inside `Effect.retry`, from v4's `Schedule.CurrentMetadata`).
 * @since 0.1.0
 * @category getters
 */
export const currentAttempt: Effect.Effect<number> = Effect.map(
  Effect.service(Schedule.CurrentMetadata),
  (meta) => meta.attempt + 1
)

/**
 * `Effect.retry(policy)` that holds the client's deadline (30 s by default) across all the attempts.
 * @since 0.1.0
 * @category retries
 */
export const retry =
  <B, PE = never, PR = never>(policy: Schedule.Schedule<B, any, PE, PR>) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | PE, R | PR> =>
    Effect.flatMap(
      Effect.serviceOption(ResilientClient),
      (client) => retryWithin(self, policy, client._tag === "Some" ? client.value.internals.deadlineMillis : 30_000)
    )

/**
 * Every call inside must end within `duration` (the sooner of this and a call's own deadline wins); a call past it
 * fails with `TimeoutError { scope: "deadline" }`.
 * @since 0.1.0
 * @category deadlines
 */
export const withDeadline =
  (duration: Duration.Input) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | TimeoutError, R> => {
    const millis = millisOf("HttpResilient.withDeadline", "duration", duration, nonNegativeDuration)
    return Effect.flatMap(
      Clock.currentTimeMillis,
      (now) =>
        Effect.flatMap(Effect.service(CurrentDeadline), (existing) => {
          const at = existing === undefined ? now + millis : Math.min(existing, now + millis)
          return Effect.provideService(self, CurrentDeadline, at).pipe(
            Effect.timeoutOrElse({
              duration: Duration.millis(Math.max(0, at - now)),
              orElse: () =>
                Effect.fail(
                  new TimeoutError({
                    method: "",
                    url: "",
                    attempt: 0,
                    scope: "deadline",
                    timeout: Duration.millis(millis)
                  })
                )
            })
          )
        })
    )
  }

/**
 * Options of {@link hedge}.
 *
 * - `delay`: how long a copy may go unanswered before the next is sent (on the `Clock`).
 * - `maxHedges`: how many extra copies at most (1–16). @default 1
 *
 * @since 0.1.0
 * @category models
 */
export type HedgeOptions = Hedge.HedgeOptions

/**
 * Hedged requests: runs the call; if it has not answered after `delay`, sends a second copy (and, with
 * `maxHedges` > 1, another after each further `delay`); the first success wins and the other copies are
 * interrupted — their sockets aborted. A copy that fails does not end the call while another is running; when
 * every copy has failed, the call fails with the earliest failure (retrying errors is a retry policy's job).
 *
 * Only requests that may be sent twice are hedged: idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE, TRACE,
 * QUERY), or POST/PATCH with an `Idempotency-Key`; any other request inside is sent once, and an effect that makes
 * no `HttpResilient` request is simply run once. The copies of a call with `idempotencyKey: true` send the same
 * generated key, so the server sees one request. Every copy after the first is paid for from the retry budget of
 * the request's origin (no copy when it is empty, and `RetryBudgetExhausted` is published) and announced with a
 * `RetryScheduled` event of reason `"hedge"`. The client option `hedge` does the same for every attempt of every
 * call.
 *
 * It wraps any effect: put it around one attempt (`get(url).pipe(hedge(...), Effect.retry(policy))` hedges each
 * attempt) or around a retried call (`get(url).pipe(Effect.retry(policy), hedge(...))` hedges the whole call).
 * Throws a `RangeError` on a bad `delay` (it must be finite and at least 1 millisecond, as for the client option
 * `hedge`) or `maxHedges`.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { HttpResilient } from "effect-http-resilient/v4"
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
  const settings = Hedge.settingsOf("HttpResilient.hedge", "", options)
  return (self) => Hedge.hedge(self, settings)
}

/**
 * Options of `stream`, `lines` and `ndjson`: the request options, `resume` and `method`.
 * @since 0.1.0
 * @category models
 */
export type StreamOptions = Streams.StreamOptions

/**
 * Options of `sse`: the request options and `lastEventId`.
 * @since 0.1.0
 * @category models
 */
export type SseOptions = Streams.SseOptions

/**
 * One server-sent event: `id` (if it had one), `event` (`"message"` when it had none), `data`.
 * @since 0.1.0
 * @category models
 */
export type ServerSentEvent = Streams.ServerSentEvent

/**
 * The body of `url` as a v4 `Stream` of bytes, with backpressure: a slow consumer never makes the client buffer it.
 * Opening it runs the stages of a buffered attempt (deadline, events, metrics, bulkhead, breaker, redirects,
 * `acceptStatus`), retried by the `retry` option (default the client's, else `RetryPolicy.default`; `false`: none).
 * With `resume: true` (default `false`), after a reset mid-body the next request carries `Range: bytes=N-` and
 * `If-Range` (the strong `ETag`, else `Last-Modified`) and continues on a 206 starting at N; without a validator,
 * or on a 200, the stream fails with `TransportError` `NotResumable` rather than emit bytes twice — unless nothing
 * was emitted yet, then it starts over. `method` (default `"GET"`) takes any token. A `deadline` bounds the whole
 * stream; the socket is closed when the stream ends, fails or is interrupted.
 *
 * @example
 * import { Effect, Stream } from "effect"
 * import { HttpResilient } from "effect-http-resilient/v4"
 *
 * const size = HttpResilient.stream("https://example.com/big.iso", { resume: true }).pipe(
 *   Stream.runFold(() => 0, (total, chunk) => total + chunk.byteLength)
 * )
 * @since 0.1.0
 * @category streams
 */
export const stream = (
  url: string | URL,
  options?: StreamOptions
): Stream.Stream<Uint8Array, HttpResilientError, ResilientClient> => Streams.stream(url, options)

/**
 * The body of `url` as lines of text (ended by `\n`, `\r\n` or a lone `\r`), with `stream`'s options.
 *
 * @example
 * import { Stream } from "effect"
 * import { HttpResilient } from "effect-http-resilient/v4"
 *
 * const logLines = HttpResilient.lines("https://example.com/app.log").pipe(Stream.take(100))
 * @since 0.1.0
 * @category streams
 */
export const lines = (
  url: string | URL,
  options?: StreamOptions
): Stream.Stream<string, HttpResilientError, ResilientClient> => Streams.lines(url, options)

/**
 * Newline-delimited JSON, each line decoded with `schema` (a v4 `Schema`); blank lines are skipped; a bad line fails
 * with `DecodeError` naming its `line` (1-based). `stream`'s options.
 *
 * @example
 * import { Schema } from "effect"
 * import { HttpResilient } from "effect-http-resilient/v4"
 *
 * const Row = Schema.Struct({ id: Schema.Number })
 * const rows = HttpResilient.ndjson("https://example.com/export.ndjson", Row)
 * @since 0.1.0
 * @category streams
 */
export const ndjson = <S extends Schema.Constraint>(
  url: string | URL,
  schema: S,
  options?: StreamOptions
): Stream.Stream<S["Type"], HttpResilientError, ResilientClient | S["DecodingServices"]> =>
  Streams.ndjson(url, schema, options)

/**
 * Server-sent events from `url` (`accept: text/event-stream`), reconnecting after a drop or a clean end of the
 * response with `Last-Event-ID`, after the server's `retry:` delay, else the `retry` policy's backoff; an event
 * whose id was already delivered is not delivered again; a 204 ends the stream. A connection that delivered no
 * event counts against the policy, so a server that keeps dropping ends the stream with `TransportError`
 * (`StreamEnded` after clean ends). `lastEventId` (default none) is sent on the first connection.
 *
 * @example
 * import { Effect, Stream } from "effect"
 * import { HttpResilient } from "effect-http-resilient/v4"
 *
 * const ticks = HttpResilient.sse("https://example.com/ticks", { lastEventId: "41" }).pipe(
 *   Stream.runForEach((event) => Effect.log(event.id, event.data))
 * )
 * @since 0.1.0
 * @category streams
 */
export const sse = (
  url: string | URL,
  options?: SseOptions
): Stream.Stream<ServerSentEvent, HttpResilientError, ResilientClient> => Streams.sse(url, options)

/**
 * Decodes a response's JSON body with a v4 `Schema` (`Schema.decodeUnknownEffect`); invalid JSON or a mismatch
 * fails with `DecodeError` (the request's method, its URL as shown, the attempt that answered, the cause).
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { HttpResilient } from "effect-http-resilient/v4"
 *
 * const User = Schema.Struct({ id: Schema.Number, name: Schema.String })
 * const user = HttpResilient.get("https://api.example.com/users/1").pipe(Effect.flatMap(HttpResilient.json(User)))
 * ```
 *
 * @since 0.1.0
 * @category bodies
 */
export const json: <S extends Schema.Constraint>(
  schema: S
) => (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<S["Type"], DecodeError, S["DecodingServices"]> =
  Bodies.json

/**
 * The body as text (UTF-8).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient } from "effect-http-resilient/v4"
 *
 * const motd = HttpResilient.get("https://api.example.com/motd").pipe(Effect.flatMap(HttpResilient.text))
 * ```
 *
 * @since 0.1.0
 * @category bodies
 */
export const text: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<string> = Bodies.text

/**
 * The body as bytes.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient } from "effect-http-resilient/v4"
 *
 * const logo = HttpResilient.get("https://example.com/logo.png").pipe(Effect.flatMap(HttpResilient.bytes))
 * // Effect<Uint8Array, HttpResilientError, ResilientClient>
 * ```
 *
 * @since 0.1.0
 * @category bodies
 */
export const bytes: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<Uint8Array> = Bodies.bytes

/**
 * Shorthand: `get(url)` then decode its JSON with a v4 `schema`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { HttpResilient } from "effect-http-resilient/v4"
 *
 * const User = Schema.Struct({ id: Schema.Number, name: Schema.String })
 * // Effect<{ readonly id: number; readonly name: string }, HttpResilientError, ResilientClient>
 * const user = HttpResilient.getJson("https://api.example.com/users/1", User, { timeout: "2 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category bodies
 */
export const getJson = <S extends Schema.Constraint>(
  url: string | URL,
  schema: S,
  options?: RequestOptions
): Effect.Effect<S["Type"], HttpResilientError, ResilientClient | S["DecodingServices"]> =>
  Effect.flatMap(get(url, options), json(schema))
