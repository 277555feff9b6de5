/**
 * The verbs of the v4 edition: each is one attempt as a v4 `Effect` whose success is an `effect/http`
 * `HttpClientResponse` (the root entry's is `@effect/platform`'s). Retrying is explicit:
 * `HttpResilient.get(url).pipe(Effect.retry(RetryPolicy.default))`, or `HttpResilient.retry(policy)`, which also
 * holds the call's deadline across its attempts.
 *
 * Not in this edition yet: `execute(HttpClientRequest)`, streams (`stream`, `lines`, `ndjson`, `sse`), `hedge`,
 * failover URLs, per-attempt request lists, form/multipart/stream bodies.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Schedule from "effect/Schedule"
import type { HttpResilientError } from "./HttpResilientError.js"
import { TimeoutError } from "./HttpResilientError.js"
import { retryWithin } from "./internal/client.js"
import * as Hedge from "./internal/hedge.js"
import { millisOf } from "./internal/options.js"
import type { BodyOptions as Body, RequestOptions as Options } from "./internal/request.js"
import { CurrentDeadline, ResilientClient } from "./internal/service.js"

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
