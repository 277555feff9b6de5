/**
 * Interceptors in the v4 edition: the constructors users call, and running them around the rest of an attempt (the
 * shared rules — the option's check, the wrong-result error — are the core's, src/core/interceptors.ts).
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Headers from "effect/http/Headers"
import * as HttpBody from "effect/http/HttpBody"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as UrlParams from "effect/http/UrlParams"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { RawResponse } from "../../../src/core/exchange.js"
import {
  type BearerTokenOptionsOf,
  type CorrelationIdOptionsOf,
  type InterceptorContext as CoreInterceptorContext,
  type InterceptorOf,
  interceptorProblem,
  type InterceptorSide,
  rawResponseOf,
  type ResponseContextOf,
  wrongResult
} from "../../../src/core/interceptors.js"
import { type HttpResilientError, InterceptorError, isHttpResilientError } from "../HttpResilientError.js"
import type { AttemptState, Outgoing } from "./attempt.js"
import { fromHttpBody } from "./body.js"
import { badOption } from "./options.js"

/** @internal */
export interface InterceptorContext extends CoreInterceptorContext {}

/** @internal */
export type ResponseContext = ResponseContextOf<
  HttpClientRequest.HttpClientRequest,
  Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError>
>

/** A function's result: the value, or an Effect of it. */
type Out<A> = A | Effect.Effect<A, unknown>

/** @internal */
export type Interceptor = InterceptorOf<
  HttpClientRequest.HttpClientRequest,
  Out<HttpClientRequest.HttpClientRequest>,
  HttpClientResponse.HttpClientResponse,
  Out<HttpClientResponse.HttpClientResponse>,
  ResponseContext
>

/**
 * The `interceptors` option checked (a bad entry throws a `RangeError` naming it); `undefined` when there are none.
 * @internal
 */
export const interceptorsOf = (fn: string, input: unknown): ReadonlyArray<Interceptor> | undefined => {
  if (input === undefined) return undefined
  if (!Array.isArray(input)) throw badOption(fn, "interceptors", input, "a list of interceptors")
  input.forEach((entry, i) => {
    const problem = interceptorProblem(entry, `interceptors[${i}]`)
    if (problem !== undefined) throw new RangeError(`${fn}: option ${problem}`)
  })
  return input.length === 0 ? undefined : input
}

/** Bearer authentication refreshed once on a 401 (see `Interceptor.bearerToken`). @internal */
export const bearerToken = <E1, E2>(
  options: BearerTokenOptionsOf<Effect.Effect<string, E1>, Effect.Effect<string, E2>>
): Interceptor => {
  const withToken = (request: HttpClientRequest.HttpClientRequest) => (token: string) =>
    HttpClientRequest.setHeader(request, "authorization", `Bearer ${token}`)
  return {
    name: options.name ?? "bearerToken",
    onRequest: (request) => Effect.map(options.token, withToken(request)),
    onResponse: (response, context) =>
      response.status === 401
        ? Effect.flatMap(Effect.map(options.refresh, withToken(context.request)), context.resend)
        : response
  }
}

/** A correlation id header on requests that have none (see `Interceptor.correlationId`). @internal */
export const correlationId = <E>(options: CorrelationIdOptionsOf<Effect.Effect<string, E>>): Interceptor => {
  const header = (options.header ?? "x-correlation-id").toLowerCase()
  const set = (request: HttpClientRequest.HttpClientRequest) =>
    header in request.headers
      ? request
      : Effect.map(options.generate, (id) => HttpClientRequest.setHeader(request, header, id))
  return { name: options.name ?? "correlationId", onRequest: set }
}

// ---------------------------------------------------------------------------
// running them
// ---------------------------------------------------------------------------

/** What is sent, as interceptors see it: the request's `Content-Type` is its body's. */
const toRequest = (out: Outgoing): HttpClientRequest.HttpClientRequest => {
  const contentType = out.headers["content-type"]
  const given = out.body
  const body = given === null
    ? HttpBody.empty
    : typeof given === "string"
    ? HttpBody.text(given, contentType)
    : given instanceof Uint8Array
    ? HttpBody.uint8Array(given, contentType)
    : given instanceof FormData
    ? HttpBody.formData(given)
    : given
  return HttpClientRequest.makeWith(
    out.method,
    out.url.href,
    UrlParams.empty,
    Option.none(),
    Headers.fromInput(out.headers),
    body
  )
}

const plain = (value: string | Redacted.Redacted): string => Redacted.isRedacted(value) ? Redacted.value(value) : value

/**
 * What an interceptor's request sends: its body (bytes, a form, a stream) with its content type and length where
 * the headers have none; a raw body that is no string or bytes fails.
 */
const toOutgoing = (request: HttpClientRequest.HttpClientRequest): Outgoing | TypeError => {
  const body = request.body
  const url = new URL(request.url)
  for (const [name, value] of request.urlParams.params) url.searchParams.append(name, plain(value))
  if (request.hash._tag === "Some") url.hash = request.hash.value
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) headers[name] = value
  const out = fromHttpBody(body, headers)
  return out instanceof TypeError ? out : { method: request.method, url, headers, body: out }
}

const nullBodyStatuses = new Set([101, 204, 205, 304])

/** The raw response as response interceptors see it: an `effect/http` response over the body in memory. */
const toResponse = (raw: RawResponse, request: HttpClientRequest.HttpClientRequest) => {
  const headers = new globalThis.Headers(raw.headers)
  for (const cookie of raw.setCookie) headers.append("set-cookie", cookie)
  const body = nullBodyStatuses.has(raw.status) ? null : raw.body
  return HttpClientResponse.fromWeb(request, new Response(body as BodyInit | null, { status: raw.status, headers }))
}

/**
 * What an interceptor ended with as the attempt's error: a failure or a defect becomes an `InterceptorError` naming
 * it (an `HttpResilientError` passes through as it is); an interruption stays one.
 */
const guarded = <A>(
  name: string,
  state: AttemptState,
  effect: Effect.Effect<A, unknown>
): Effect.Effect<A, HttpResilientError> =>
  Effect.catchCause(effect, (cause) => {
    const error = Cause.findErrorOption(cause)
    const defect = error._tag === "Some" ? undefined : Cause.findDefect(cause)
    if (defect !== undefined && defect._tag === "Failure") return Effect.failCause(cause as Cause.Cause<never>)
    const value = defect === undefined ? Option.getOrUndefined(error) : defect.success
    return Effect.fail(isHttpResilientError(value) ? value : failedWith(name, state, value))
  })

const failedWith = (name: string, state: AttemptState, cause: unknown) =>
  new InterceptorError({ ...state.info, interceptor: name, cause })

const isResponse = (u: unknown): boolean => typeof u === "object" && u !== null && HttpClientResponse.TypeId in u

/**
 * One interceptor function on `value`: a throw is a failure, a plain value a success; what it ends with must be a
 * request (`onRequest`) or a response (`onResponse`).
 */
const apply = <A>(
  side: InterceptorSide,
  interceptor: Interceptor,
  f: (value: A) => Effect.Effect<A, unknown> | A,
  value: A,
  state: AttemptState
): Effect.Effect<A, HttpResilientError> => {
  const isIt = side === "onRequest" ? HttpClientRequest.isHttpClientRequest : isResponse
  const checked = (out: unknown, inEffect: boolean) =>
    isIt(out) ? Effect.succeed(out as A) : Effect.fail(wrongResult(side, out, inEffect))
  return guarded(
    interceptor.name,
    state,
    Effect.suspend(() => {
      const out = f(value)
      return Effect.isEffect(out) ? Effect.flatMap(out, (a) => checked(a, true)) : checked(out, false)
    })
  )
}

/**
 * The request side of `list` only, in order, for a streamed attempt (a response side could not see its body in
 * memory); the attempt goes on with the rewritten request.
 * @internal
 */
export const runRequestSide = (
  list: ReadonlyArray<Interceptor>,
  state: AttemptState,
  request: Outgoing
): Effect.Effect<Outgoing, HttpResilientError> =>
  Effect.flatMap(requestSide(list, state, request, contextOf(state)), (sent) => {
    const out = toOutgoing(sent)
    return out instanceof TypeError ? Effect.fail(failedWith("request", state, out)) : Effect.succeed(out)
  })

const contextOf = (state: AttemptState): InterceptorContext => ({ attempt: state.info.attempt, tag: state.options.tag })

/** The request sides of `list` in order on `request`. */
const requestSide = (
  list: ReadonlyArray<Interceptor>,
  state: AttemptState,
  request: Outgoing,
  context: InterceptorContext
): Effect.Effect<HttpClientRequest.HttpClientRequest, HttpResilientError> =>
  Effect.gen(function*() {
    let sent = toRequest(request)
    for (const interceptor of list) {
      const f = interceptor.onRequest
      if (f !== undefined) sent = yield* apply("onRequest", interceptor, (r) => f(r, context), sent, state)
    }
    return sent
  })

/**
 * Runs the request side of `list` in order on `request`, `send`s the result, then the response side in order on what
 * came back; the attempt goes on with the (possibly replaced) response as raw bytes.
 * @internal
 */
export const run = (
  list: ReadonlyArray<Interceptor>,
  state: AttemptState,
  request: Outgoing,
  send: (request: Outgoing) => Effect.Effect<RawResponse, HttpResilientError>
): Effect.Effect<RawResponse, HttpResilientError> =>
  Effect.gen(function*() {
    const context = contextOf(state)
    const sent = yield* requestSide(list, state, request, context)
    const sendPlatform = (platform: HttpClientRequest.HttpClientRequest) =>
      Effect.suspend(() => {
        const out = toOutgoing(platform)
        return out instanceof TypeError
          ? Effect.fail(failedWith("request", state, out))
          : Effect.map(send(out), (raw) => ({ raw, response: toResponse(raw, platform) }))
      })
    const first = yield* sendPlatform(sent)
    const responseContext: ResponseContext = {
      ...context,
      request: sent,
      resend: (platform) => Effect.map(sendPlatform(platform), ({ response }) => response)
    }
    let response = first.response
    for (const interceptor of list) {
      const f = interceptor.onResponse
      if (f !== undefined) {
        response = yield* apply("onResponse", interceptor, (r) => f(r, responseContext), response, state)
      }
    }
    return response === first.response ? first.raw : yield* guarded(
      "response body",
      state,
      Effect.map(response.arrayBuffer, (buffer) => rawResponseOf(response, buffer))
    )
  })
