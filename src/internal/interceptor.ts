/** @internal */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import {
  type BearerTokenOptionsOf,
  type CorrelationIdOptionsOf,
  type InterceptorContext as CoreInterceptorContext,
  type InterceptorOf,
  rawResponseOf,
  type ResponseContextOf,
  wrongResult
} from "../core/interceptors.js"
import { redactUrl, type Secrets } from "../core/secrets.js"
import { urlWithParams } from "../core/url.js"
import { type HttpResilientError, InterceptorError, isHttpResilientError } from "../HttpResilientError.js"
import type { PreparedRequest } from "./request.js"
import { BufferedResponse, type RawResponse } from "./response.js"

/**
 * What an interceptor knows about the attempt it runs in.
 * @internal
 */
export interface InterceptorContext extends CoreInterceptorContext {}

/**
 * What a response interceptor gets besides the response.
 * @internal
 */
export interface ResponseContext extends
  ResponseContextOf<
    HttpClientRequest.HttpClientRequest,
    Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError>
  >
{}

/** @internal */
export interface Interceptor extends
  InterceptorOf<
    HttpClientRequest.HttpClientRequest,
    Effect.Effect<HttpClientRequest.HttpClientRequest, unknown> | HttpClientRequest.HttpClientRequest,
    HttpClientResponse.HttpClientResponse,
    Effect.Effect<HttpClientResponse.HttpClientResponse, unknown> | HttpClientResponse.HttpClientResponse,
    ResponseContext
  >
{}

/** @internal */
export const make = (interceptor: Interceptor): Interceptor => interceptor

/** @internal */
export const onRequest = (
  name: string,
  f: NonNullable<Interceptor["onRequest"]>
): Interceptor => ({ name, onRequest: f })

/** @internal */
export const onResponse = (
  name: string,
  f: NonNullable<Interceptor["onResponse"]>
): Interceptor => ({ name, onResponse: f })

/**
 * Bearer authentication that refreshes the token once on a 401: the attempt is sent again with the new
 * token, and a second 401 is returned as it is.
 * @internal
 */
export const bearerToken = <E1, E2>(
  options: BearerTokenOptionsOf<Effect.Effect<string, E1>, Effect.Effect<string, E2>>
): Interceptor => ({
  name: options.name ?? "bearerToken",
  onRequest: (request) =>
    Effect.map(options.token, (token) => HttpClientRequest.setHeader(request, "authorization", `Bearer ${token}`)),
  onResponse: (response, context) =>
    response.status !== 401 ?
      Effect.succeed(response) :
      Effect.flatMap(options.refresh, (token) =>
        context.resend(HttpClientRequest.setHeader(context.request, "authorization", `Bearer ${token}`)))
})

/**
 * Sets a correlation id header on requests that have none; the same id is kept on every attempt of a call
 * when the header is given in the request options.
 * @internal
 */
export const correlationId = <E>(options: CorrelationIdOptionsOf<Effect.Effect<string, E>>): Interceptor => {
  const header = (options.header ?? "x-correlation-id").toLowerCase()
  return {
    name: options.name ?? "correlationId",
    onRequest: (request) =>
      request.headers[header] !== undefined
        ? Effect.succeed(request)
        : Effect.map(options.generate, (id) => HttpClientRequest.setHeader(request, header, id))
  }
}

// ---------------------------------------------------------------------------
// running them
// ---------------------------------------------------------------------------

/**
 * What the pipeline sends: the parts of a prepared request that interceptors may change.
 * @internal
 */
export interface Outgoing {
  readonly method: string
  readonly url: URL
  readonly headers: Record<string, string>
  readonly body: PreparedRequest["body"]
}

/** @internal */
export const toPlatform = (outgoing: Outgoing): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.make(outgoing.method as any)(outgoing.url, { headers: outgoing.headers, body: outgoing.body })

/** @internal */
export const fromPlatform = (request: HttpClientRequest.HttpClientRequest): Outgoing => {
  const url = urlWithParams(
    request.url,
    request.urlParams,
    request.hash._tag === "Some" ? request.hash.value : undefined
  )
  return { method: request.method, url, headers: { ...request.headers }, body: request.body }
}

const wrap = (name: string, prepared: PreparedRequest, attempt: number) => (cause: unknown): HttpResilientError =>
  isHttpResilientError(cause) ? cause : new InterceptorError({
    method: prepared.method,
    url: redactUrl(prepared.url, prepared.secrets),
    attempt,
    interceptor: name,
    cause
  })

/**
 * Turns what an interceptor ended with into the attempt's error: its failure, or else its defect (a throw inside
 * `Effect.sync`, an `Effect.die`), goes through `onError`; interruption stays interruption.
 */
const guard = <A>(
  effect: Effect.Effect<A, unknown>,
  onError: (cause: unknown) => HttpResilientError
): Effect.Effect<A, HttpResilientError> =>
  Effect.catchAllCause(effect, (cause) => {
    if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
    const failure = Cause.failureOption(cause)
    if (failure._tag === "Some") return Effect.fail(onError(failure.value))
    const defect = Cause.dieOption(cause)
    if (defect._tag === "Some") return Effect.fail(onError(defect.value))
    return Effect.failCause(cause as Cause.Cause<never>)
  })

const isRequest = (u: unknown): boolean => typeof u === "object" && u !== null && HttpClientRequest.TypeId in u
const isResponse = (u: unknown): boolean => typeof u === "object" && u !== null && HttpClientResponse.TypeId in u

/**
 * Calls an interceptor's function: a throw becomes a failure, a plain value a success; what it returns, or what its
 * Effect succeeds with, must be a request (`onRequest`) or a response (`onResponse`), else it fails (a Promise
 * included: interceptors are Effects).
 */
const invoke = <A>(
  side: "onRequest" | "onResponse",
  f: () => Effect.Effect<A, unknown> | A
): Effect.Effect<A, unknown> =>
  Effect.suspend(() => {
    const is = side === "onRequest" ? isRequest : isResponse
    try {
      const value = f()
      if (Effect.isEffect(value)) {
        return Effect.flatMap(
          value as Effect.Effect<A, unknown>,
          (out) => is(out) ? Effect.succeed(out) : Effect.fail(wrongResult(side, out, true))
        )
      }
      return is(value) ? Effect.succeed(value as A) : Effect.fail(wrongResult(side, value, false))
    } catch (error) {
      return Effect.fail(error)
    }
  })

/**
 * `run` over the pipeline's raw responses: each is seen by response interceptors as a platform
 * `HttpClientResponse` with its body in memory.
 * @internal
 */
export const runRaw = (
  interceptors: ReadonlyArray<Interceptor>,
  prepared: PreparedRequest,
  attempt: number,
  redacted: Secrets,
  send: (outgoing: Outgoing) => Effect.Effect<RawResponse, HttpResilientError>
): Effect.Effect<RawResponse, HttpResilientError> =>
  Effect.flatMap(
    run(interceptors, prepared, attempt, (outgoing) =>
      Effect.map(
        send(outgoing),
        (raw): HttpClientResponse.HttpClientResponse =>
          new BufferedResponse(raw, outgoing, toPlatform, redacted, attempt)
      )),
    (response) => toRaw(response, prepared, attempt)
  )

const toRaw = (
  response: HttpClientResponse.HttpClientResponse,
  prepared: PreparedRequest,
  attempt: number
): Effect.Effect<RawResponse, HttpResilientError> => {
  if (response instanceof BufferedResponse) return Effect.succeed(response["raw"])
  return guard(
    Effect.map(response.arrayBuffer, (buffer) => rawResponseOf(response, buffer)),
    wrap("response body", prepared, attempt)
  )
}

/**
 * Runs the request side of `interceptors` in order, `send`s the result, then runs the response side in order.
 * A thrown exception, a failure or a defect becomes an `InterceptorError` naming the interceptor (an
 * `HttpResilientError` passes through as it is); interruption stays interruption.
 * @internal
 */
export const run = (
  interceptors: ReadonlyArray<Interceptor>,
  prepared: PreparedRequest,
  attempt: number,
  send: (outgoing: Outgoing) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError>
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError> =>
  Effect.flatMap(requestSide(interceptors, prepared, attempt), (req) => {
    const resend = (request: HttpClientRequest.HttpClientRequest) => Effect.suspend(() => send(fromPlatform(request)))
    const context: ResponseContext = { attempt, tag: prepared.tag, request: req, resend }
    return chain(send(fromPlatform(req)), interceptors, "onResponse", context, prepared)
  })

const requestSide = (
  interceptors: ReadonlyArray<Interceptor>,
  prepared: PreparedRequest,
  attempt: number
): Effect.Effect<HttpClientRequest.HttpClientRequest, HttpResilientError> =>
  chain(Effect.sync(() => toPlatform(prepared)), interceptors, "onRequest", { attempt, tag: prepared.tag }, prepared)

/** Threads `start` through one side of the interceptors, in order. */
const chain = <A, C extends InterceptorContext>(
  start: Effect.Effect<A, HttpResilientError>,
  interceptors: ReadonlyArray<Interceptor>,
  side: "onRequest" | "onResponse",
  context: C,
  prepared: PreparedRequest
): Effect.Effect<A, HttpResilientError> => {
  let effect = start
  for (const interceptor of interceptors) {
    const f = interceptor[side] as ((value: A, context: C) => Effect.Effect<A, unknown> | A) | undefined
    if (f === undefined) continue
    effect = Effect.flatMap(
      effect,
      (value) => guard(invoke(side, () => f(value, context)), wrap(interceptor.name, prepared, context.attempt))
    )
  }
  return effect
}

/**
 * The request side only, for streamed responses (whose bodies response interceptors could not see in memory).
 * @internal
 */
export const runRequestSide = (
  interceptors: ReadonlyArray<Interceptor>,
  prepared: PreparedRequest,
  attempt: number
): Effect.Effect<Outgoing, HttpResilientError> => Effect.map(requestSide(interceptors, prepared, attempt), fromPlatform)
