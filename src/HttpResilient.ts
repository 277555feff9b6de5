/**
 * The verbs. Each call is one **attempt** (unless a `retry` option is set): retry it with
 * `Effect.retry(policy)` like any other effect.
 *
 * The result is an `@effect/platform` `HttpClientResponse` whose body is already in memory, so
 * `response.json`, `response.text` and `HttpClientResponse.schemaBodyJson(schema)` all work.
 *
 * @example
 * ```ts
 * import { NodeRuntime } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { HttpResilient, ResilientClientLive } from "effect-http-resilient"
 *
 * const program = HttpResilient.get("https://api.example.com/users/1").pipe(
 *   Effect.flatMap((response) => response.json)
 * )
 * program.pipe(Effect.provide(ResilientClientLive), NodeRuntime.runMain)
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
import { DecodeError, type HttpResilientError, type TimeoutError } from "./HttpResilientError.js"
import * as internal from "./internal/client.js"
import * as Hedge from "./internal/hedge.js"
import { redactUrl } from "./internal/redact.js"
import type * as Req from "./internal/request.js"
import type { ResilientClient } from "./ResilientClient.js"

/**
 * Request options.
 *
 * - `headers`, `urlParams`: added to the request (headers are case-insensitive; the request's win over the client's).
 * - a body, at most one of: `json` (serialised, `application/json`), `text`, `form` (urlencoded), `multipart`
 *   (`FormData`, files included), `bytes`, `stream` (an Effect `Stream` of bytes; never retried), or a platform
 *   `body`; `contentType` overrides the default type.
 * - `timeout`: this attempt's timeout, headers and body together. @default the client's, 10 s
 * - `deadline`: all attempts and waits of this call (with a `retry` option, or inside `withDeadline`).
 * - `idempotencyKey`: `true` generates an `Idempotency-Key` (the same on every attempt); a string is used as is.
 *   POST and PATCH are retried only with one.
 * - `failover`: URLs tried after the primary, in turn, one per attempt.
 * - `attempts`: per-attempt overrides of these options (the n-th entry for attempt n).
 * - `retry`: a policy for this call, or `false` for none. @default the client's `retry`
 * - `tag`: a label carried on events, logs and spans.
 * - `maxResponseSize`, `followRedirects`: per-request overrides of the client options.
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
 * @since 0.1.0
 * @category constructors
 */
export const request = (
  method: string,
  url: string | URL,
  options?: RequestOptions
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError, ResilientClient> =>
  Effect.flatMap(internal.ResilientClient, (client) => client.request(method, url, options))

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
 * @since 0.1.0
 * @category verbs
 */
export const options = (
  url: string | URL,
  options?: RequestOptions
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError, ResilientClient> =>
  request("OPTIONS", url, options)

/**
 * Sends an `@effect/platform` `HttpClientRequest` (method, URL, URL params, headers and body are taken from it).
 *
 * @since 0.1.0
 * @category verbs
 */
export const execute: (
  request: HttpClientRequest.HttpClientRequest,
  options?: RequestOptions
) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError, ResilientClient> = internal.execute

/**
 * The number of the running attempt: 1, 2, 3 … Right under a plain `Effect.retry(policy)` too.
 *
 * @since 0.1.0
 * @category attempts
 */
export const currentAttempt: Effect.Effect<number> = Effect.map(
  Schedule.CurrentIterationMetadata,
  (meta) => meta.recurrence + 1
)

/**
 * Bounds an effect — attempts and the waits between them — by a deadline. Attempts inside clip their
 * timeout to what is left; when it is spent the effect fails with `TimeoutError { scope: "deadline" }`.
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
} = internal.withDeadline

const requestInfo = (response: HttpClientResponse.HttpClientResponse) => ({
  method: response.request.method,
  url: redactUrl((response as { url?: string }).url ?? response.request.url),
  attempt: 0
})

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
 * @since 0.1.0
 * @category bodies
 */
export const text = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<string> =>
  Effect.orDie(response.text)

/**
 * The body as bytes.
 *
 * @since 0.1.0
 * @category bodies
 */
export const bytes = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<Uint8Array> =>
  Effect.map(Effect.orDie(response.arrayBuffer), (buffer) => new Uint8Array(buffer))

/**
 * Shorthand: `get(url)` then decode its JSON with `schema`.
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

const hedgeClient = (context: Context.Context<never>) =>
  Option.getOrUndefined(Context.getOption(context, internal.ResilientClient))

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
 * sent once. Every copy after the first is paid for from the client's retry budget (no copy when it is empty,
 * and `RetryBudgetExhausted` is published) and announced with a `RetryScheduled` event of reason `"hedge"`.
 *
 * It wraps any effect: put it around one attempt (`get(url).pipe(hedge(...), Effect.retry(policy))` hedges each
 * attempt) or around a retried call (`get(url).pipe(Effect.retry(policy), hedge(...))` hedges the whole call).
 * Throws a `RangeError` on a bad `delay` or `maxHedges`.
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
