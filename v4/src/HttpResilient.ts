/**
 * The verbs of the v4 edition: each is one attempt as a v4 `Effect` whose success is an `effect/http`
 * `HttpClientResponse` (the root entry's is `@effect/platform`'s). Retrying is explicit:
 * `HttpResilient.get(url).pipe(Effect.retry(RetryPolicy.default))`, or `HttpResilient.retry(policy)`, which also
 * holds the call's deadline across its attempts.
 *
 * Streams (`stream`, `lines`, `ndjson`, `sse`) are v4 `Stream`s with the root entry's options and semantics:
 * resumable downloads, event streams that reconnect with `Last-Event-ID` and the server's `retry:`.
 *
 * Not in this edition yet: `execute(HttpClientRequest)`, `hedge`, failover URLs, per-attempt request lists,
 * form/multipart/stream bodies (so no upload `stream` body, no `onProgress`).
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type { HttpResilientError } from "./HttpResilientError.js"
import { TimeoutError } from "./HttpResilientError.js"
import { retryWithin } from "./internal/client.js"
import { millisOf } from "./internal/options.js"
import type { BodyOptions as Body, RequestOptions as Options } from "./internal/request.js"
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
    const millis = millisOf("HttpResilient.withDeadline", "duration", duration)
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
