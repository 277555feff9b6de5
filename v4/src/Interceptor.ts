/**
 * Interceptors for the v4 edition: the root entry's `Interceptor` module over `effect/http` requests and responses.
 *
 * `ResilientClient.layer({ interceptors: [...] })` runs them on every attempt: the request sides (`onRequest`) in the
 * declared order on an `effect/http` `HttpClientRequest`, then the request goes out, then the response sides
 * (`onResponse`) in the declared order on the `HttpClientResponse` (body in memory) — before the status is checked
 * against `acceptStatus`, so 401s and 5xx reach them too. A function returns the value or an Effect of it. A throw, a
 * failure or a defect fails the attempt with `InterceptorError` (`interceptor`: the name; `cause`: what went wrong;
 * an `HttpResilientError` from `resend` passes through unchanged); an interruption stays an interruption. Returning
 * anything else — a Promise (wrap it in `Effect.tryPromise`; its rejection is caught), `undefined`, an Effect of
 * something that is not a request or a response — is an `InterceptorError` too. No interceptors, no cost.
 *
 * In the v4 edition a request interceptor may set any body `effect/http` makes (`HttpBody.text`,
 * `HttpBody.uint8Array`, `HttpBody.urlParams`, `HttpBody.formData`, `HttpBody.stream`, `HttpBody.empty`); a raw body
 * that is no string or bytes fails the attempt with `InterceptorError` (interceptor `"request"`).
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "effect/http"
 * import { Interceptor, ResilientClient } from "effect-http-resilient/v4"
 *
 * const userAgent = Interceptor.onRequest("user-agent", (request) =>
 *   HttpClientRequest.setHeader(request, "user-agent", "my-app/1.0"))
 * const Client = ResilientClient.layer({ interceptors: [userAgent] })
 * ```
 *
 * @since 0.1.0
 */
import * as internal from "./internal/interceptor.js"

/**
 * The attempt an interceptor runs in: `attempt` (1 for the first, 2 for the first retry …) and the request's `tag`.
 *
 * @since 0.1.0
 * @category models
 */
export type InterceptorContext = internal.InterceptorContext

/**
 * A response interceptor's context: the attempt's, plus the `request` sent and `resend(request)`, which sends a
 * request again inside the same attempt (its timeout still running, redirects followed), skipping the interceptors.
 *
 * @since 0.1.0
 * @category models
 */
export type ResponseContext = internal.ResponseContext

/**
 * An interceptor: its `name` (what `InterceptorError.interceptor` says) and `onRequest`, `onResponse` or both.
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
 * import { HttpClientRequest } from "effect/http"
 * import { createHmac } from "node:crypto"
 * import { Interceptor } from "effect-http-resilient/v4"
 *
 * // a signature of method and URL in a header
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
export const make = (interceptor: Interceptor): Interceptor => interceptor

/**
 * An interceptor of requests only.
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "effect/http"
 * import { Interceptor, ResilientClient } from "effect-http-resilient/v4"
 *
 * const attemptHeader = Interceptor.onRequest("attempt-header", (request, { attempt }) =>
 *   HttpClientRequest.setHeader(request, "x-attempt", String(attempt)))
 * const Client = ResilientClient.layer({ interceptors: [attemptHeader] })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const onRequest = (name: string, f: NonNullable<Interceptor["onRequest"]>): Interceptor => ({
  name,
  onRequest: f
})

/**
 * An interceptor of responses only.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Interceptor, ResilientClient } from "effect-http-resilient/v4"
 *
 * // a warning for each deprecated endpoint the server reports
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
export const onResponse = (name: string, f: NonNullable<Interceptor["onResponse"]>): Interceptor => ({
  name,
  onResponse: f
})

/**
 * Bearer authentication: every attempt reads `token` and sends `Authorization: Bearer …`; a 401 runs `refresh` and
 * sends the request once more with the new token (a second 401 goes on to classification as it is).
 *
 * @example
 * ```ts
 * import { Effect, Ref } from "effect"
 * import { Interceptor, ResilientClient } from "effect-http-resilient/v4"
 *
 * const Client = Effect.gen(function*() {
 *   const token = yield* Ref.make("initial")
 *   const refresh = Effect.as(Ref.set(token, "fresh-token"), "fresh-token")
 *   return ResilientClient.layer({ interceptors: [Interceptor.bearerToken({ token: Ref.get(token), refresh })] })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const bearerToken: typeof internal.bearerToken = internal.bearerToken

/**
 * A correlation id header (`x-correlation-id` unless `header` says otherwise) from `generate` on every request
 * without one; a header given in the request options is kept, so one id can span all attempts of a call.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { randomUUID } from "node:crypto"
 * import { Interceptor, ResilientClient } from "effect-http-resilient/v4"
 *
 * // every request carries x-request-id: its own, else a fresh UUID
 * const requestId = Interceptor.correlationId({ header: "x-request-id", generate: Effect.sync(randomUUID) })
 * const Client = ResilientClient.layer({ interceptors: [requestId] })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const correlationId: typeof internal.correlationId = internal.correlationId
