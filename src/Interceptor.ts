/**
 * Interceptors: functions that see, and may change, every attempt's request and response.
 *
 * Configure them on the client (`ResilientClient.layer({ interceptors: [...] })`). On every attempt the request
 * side (`onRequest`) runs in the declared order on an `@effect/platform` `HttpClientRequest`, the result is sent,
 * then the response side (`onResponse`) runs in the declared order on the `HttpClientResponse` (body in memory),
 * before the client decides whether the status is accepted — so a response interceptor sees 401s and 5xx too.
 * A function may return the value or an Effect of it; a throw, a failure or a defect (an `Effect.die`, a throw
 * inside `Effect.sync`) fails the attempt with an `InterceptorError` naming the interceptor, with what went wrong as
 * its `cause` (an `HttpResilientError` from `resend` passes through as it is); an interruption stays one. So does
 * returning anything else — a Promise (an `async` function: wrap the promise with `Effect.tryPromise` instead; its
 * rejection is caught, never unhandled), `undefined`, or an Effect of something that is not a request (`onRequest`)
 * or a response (`onResponse`).
 * With none configured they cost nothing. The streaming verbs (`stream`, `lines`, `ndjson`, `sse`) run the request
 * side only: their bodies are never in memory for a response interceptor to see.
 *
 * Typical uses:
 * - authentication with a token refreshed on 401 (`bearerToken`): the attempt is sent once more with the new token;
 * - request signing: an `onRequest` that hashes method, URL and body and adds a signature header;
 * - correlation ids (`correlationId`).
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "@effect/platform"
 * import { Effect } from "effect"
 * import { Interceptor, ResilientClient } from "effect-http-resilient"
 *
 * const userAgent = Interceptor.onRequest("user-agent", (request) =>
 *   HttpClientRequest.setHeader(request, "user-agent", "my-app/1.0"))
 * const Client = ResilientClient.layer({ interceptors: [userAgent] })
 * ```
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as internal from "./internal/interceptor.js"

/**
 * What an interceptor knows about its attempt: `attempt` (1, 2 …) and the request's `tag`.
 *
 * @since 0.1.0
 * @category models
 */
export type InterceptorContext = internal.InterceptorContext

/**
 * The response side's context: also the `request` that was sent and `resend(request)`, which sends a request
 * again within the same attempt (redirects followed, the attempt's timeout still running) without running the
 * interceptors again.
 *
 * @since 0.1.0
 * @category models
 */
export type ResponseContext = internal.ResponseContext

/**
 * An interceptor: a `name` (used in `InterceptorError`) and an `onRequest` and/or `onResponse` function.
 *
 * @since 0.1.0
 * @category models
 */
export type Interceptor = internal.Interceptor

/**
 * An interceptor from its parts.
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "@effect/platform"
 * import { createHmac } from "node:crypto"
 * import { Interceptor } from "effect-http-resilient"
 *
 * // request signing: an HMAC of method and URL in a header
 * const signing = Interceptor.make({
 *   name: "signing",
 *   onRequest: (request) =>
 *     HttpClientRequest.setHeader(
 *       request,
 *       "x-signature",
 *       createHmac("sha256", "key").update(`${request.method} ${request.url}`).digest("hex")
 *     )
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (interceptor: Interceptor) => Interceptor = internal.make

/**
 * A request-side interceptor.
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "@effect/platform"
 * import { Interceptor, ResilientClient } from "effect-http-resilient"
 *
 * const apiVersion = Interceptor.onRequest("api-version", (request, { attempt }) =>
 *   request.pipe(
 *     HttpClientRequest.setHeader("x-api-version", "2"),
 *     HttpClientRequest.setHeader("x-attempt", `${attempt}`)
 *   ))
 * const Client = ResilientClient.layer({ interceptors: [apiVersion] })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const onRequest: (name: string, f: NonNullable<Interceptor["onRequest"]>) => Interceptor = internal.onRequest

/**
 * A response-side interceptor.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Interceptor, ResilientClient } from "effect-http-resilient"
 *
 * // log deprecation warnings the server sends
 * const deprecations = Interceptor.onResponse("deprecation", (response, { request }) =>
 *   response.headers["deprecation"] === undefined
 *     ? response
 *     : Effect.as(Effect.logWarning(`${request.method} ${request.url} is deprecated`), response))
 * const Client = ResilientClient.layer({ interceptors: [deprecations] })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const onResponse: (name: string, f: NonNullable<Interceptor["onResponse"]>) => Interceptor = internal.onResponse

/**
 * Bearer authentication: `token` is read for every attempt and sent as `Authorization: Bearer …`; on a 401,
 * `refresh` gets a new token and the request is sent once more with it (a second 401 is returned as it is, for the
 * client to classify). Keep the token in a `Ref` or a cache and let `refresh` update it.
 *
 * @example
 * ```ts
 * import { Effect, Ref } from "effect"
 * import { Interceptor, ResilientClient } from "effect-http-resilient"
 *
 * const make = Effect.gen(function*() {
 *   const token = yield* Ref.make("initial")
 *   const refresh = Effect.flatMap(Effect.succeed("fresh-token"), (t) => Effect.as(Ref.set(token, t), t))
 *   return ResilientClient.layer({ interceptors: [Interceptor.bearerToken({ token: Ref.get(token), refresh })] })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const bearerToken: <E1, E2>(options: {
  readonly token: Effect.Effect<string, E1>
  readonly refresh: Effect.Effect<string, E2>
  readonly name?: string | undefined
}) => Interceptor = internal.bearerToken

/**
 * Sets a correlation id header (default `x-correlation-id`) from `generate` on requests that have none. To keep one
 * id across every attempt of a call, pass the header in the request options: it is then left as it is.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { randomUUID } from "node:crypto"
 * import { Interceptor, ResilientClient } from "effect-http-resilient"
 *
 * const Client = ResilientClient.layer({
 *   interceptors: [Interceptor.correlationId({ generate: Effect.sync(() => randomUUID()), header: "x-request-id" })]
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const correlationId: <E>(options: {
  readonly generate: Effect.Effect<string, E>
  readonly header?: string | undefined
  readonly name?: string | undefined
}) => Interceptor = internal.correlationId
