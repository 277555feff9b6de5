/**
 * The verbs of the v4 edition: each is one attempt as a v4 `Effect` whose success is an `effect/http`
 * `HttpClientResponse` (the root entry's is `@effect/platform`'s). Retrying is explicit:
 * `HttpResilient.get(url).pipe(Effect.retry(RetryPolicy.default))`, or `HttpResilient.retry(policy)`, which also
 * holds the call's deadline across its attempts.
 *
 * Not in this edition yet: streams (`stream`, `lines`, `ndjson`, `sse`), `hedge`,
 * failover URLs, per-attempt request lists, form/multipart/stream bodies.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Schedule from "effect/Schedule"
import type { HttpResilientError } from "./HttpResilientError.js"
import { TimeoutError } from "./HttpResilientError.js"
import { retryWithin } from "./internal/client.js"
import * as executeOps from "./internal/execute.js"
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
 * Sends a v4 `effect/http` `HttpClientRequest` (method, URL, URL params, fragment, headers and body are taken from
 * it). `options` apply on top: their headers win over the request's, their `urlParams` come after the request's. A
 * relative URL is joined to the client's `baseUrl` and keeps its URL params, as with `get`. A body given both in the
 * request and in `options` is an `InvalidRequestError`, as is a body this edition cannot send yet (`FormData`, a
 * stream).
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
