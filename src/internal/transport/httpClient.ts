/**
 * A transport over any `@effect/platform` `HttpClient` (fetch, or another runtime's client): its failures are read
 * by src/core/platformErrors.ts.
 * @internal
 */
import * as Cookies from "@effect/platform/Cookies"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { constTrue } from "effect/Function"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { RawResponse } from "../../core/exchange.js"
import { withoutSetCookie } from "../../core/headers.js"
import { isEmptyBody, manualRedirects, platformFailure } from "../../core/platformErrors.js"
import { BoundedBody } from "../../core/streaming.js"
import { invalidStatus, TIMEOUT, type TransportFailure } from "../../core/transportFailure.js"
import {
  type StreamingResponse,
  Transport,
  type TransportRequest,
  type TransportService,
  warmUpUnsupported
} from "./service.js"

const toPlatformRequest = (request: TransportRequest): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.make(request.method as any)(request.url, {
    headers: request.headers,
    body: request.body
  })

/** The platform's body stream fails with `EmptyBody` when the response has none (HEAD, 204): an empty body. */
const platformBody = (
  stream: Stream.Stream<Uint8Array, unknown>
): Stream.Stream<Uint8Array, TransportFailure> =>
  Stream.catchAll(stream, (error) => isEmptyBody(error) ? Stream.empty : Stream.fail(platformFailure(error)))

const withTimeout = <A, R>(
  effect: Effect.Effect<A, TransportFailure, R>,
  request: TransportRequest
): Effect.Effect<A, TransportFailure, R> =>
  Number.isFinite(request.timeoutMillis)
    ? Effect.timeoutFail(effect, { duration: Duration.millis(request.timeoutMillis), onTimeout: () => TIMEOUT })
    : effect

/** A platform response with its body read into memory, up to the size limit. */
const buffered = (
  response: HttpClientResponse.HttpClientResponse,
  request: TransportRequest
): Effect.Effect<RawResponse, TransportFailure> =>
  Effect.gen(function*() {
    const invalid = invalidStatus(response.status)
    if (invalid !== undefined) return yield* Effect.fail(invalid)
    const gathered = new BoundedBody(request.maxResponseSize)
    yield* platformBody(response.stream).pipe(
      Stream.runForEach((chunk) => {
        const tooLarge = gathered.add(chunk)
        return tooLarge === undefined ? Effect.void : Effect.fail(tooLarge)
      })
    )
    const body = gathered.bytes()
    const headers = withoutSetCookie(response.headers)
    const setCookie = setCookieOf(response)
    return {
      status: response.status,
      statusText: "",
      headers,
      setCookie,
      body,
      url: request.url.href
    } satisfies RawResponse
  })

/** A response's `Set-Cookie` headers, attributes and all (a jar's path, domain, expiry and `Secure` rules need them). */
const setCookieOf = (response: HttpClientResponse.HttpClientResponse): ReadonlyArray<string> =>
  Cookies.isEmpty(response.cookies) ? [] : Cookies.toSetCookieHeaders(response.cookies)

/**
 * A transport over a platform `HttpClient`. For `FetchHttpClient`, redirects are never followed by fetch itself:
 * the `FetchHttpClient.Fetch` in use (the call's, else `fetch` — the one in the layer's context —, else the global
 * one, looked up at each call) is wrapped to ask for manual redirects.
 * @internal
 */
export const makeHttpClientTransport = (
  platformClient: HttpClient.HttpClient,
  fetch?: typeof globalThis.fetch | undefined
): TransportService => {
  // The attempt's span and its `traceparent` are ours (made around the transport, or not at all with
  // `tracing: false`): the platform client must neither make its own span (which would carry the URL's query and
  // request headers unredacted) nor replace our `traceparent` with one naming it. Turning the tracer off for the
  // exchange also covers a client that was told to trace every request (its own `withTracerDisabledWhen`).
  const client = platformClient.pipe(
    HttpClient.withTracerDisabledWhen(constTrue),
    HttpClient.withTracerPropagation(false),
    HttpClient.transformResponse(Effect.withTracerEnabled(false))
  )
  const manualFetch = manualRedirects(() => fetch ?? globalThis.fetch)
  const execute = (request: TransportRequest) =>
    Effect.mapError(
      Effect.withFiberRuntime<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((fiber) => {
        const own = Context.getOption(fiber.currentContext, FetchHttpClient.Fetch)
        return Effect.provideService(
          client.execute(toPlatformRequest(request)),
          FetchHttpClient.Fetch,
          own._tag === "Some" ? manualRedirects(() => own.value) : manualFetch
        )
      }),
      (error) => platformFailure(error, request.url)
    )

  const send = (request: TransportRequest): Effect.Effect<RawResponse, TransportFailure> =>
    withTimeout(
      Effect.scoped(Effect.gen(function*() {
        const response = yield* execute(request)
        return yield* buffered(response, request)
      })),
      request
    )

  const stream = (request: TransportRequest): Effect.Effect<StreamingResponse, TransportFailure, Scope.Scope> =>
    withTimeout(
      Effect.flatMap(execute(request), (response) => {
        const invalid = invalidStatus(response.status)
        if (invalid !== undefined) return Effect.fail(invalid)
        const headers = withoutSetCookie(response.headers)
        return Effect.succeed<StreamingResponse>({
          status: response.status,
          statusText: "",
          headers,
          setCookie: setCookieOf(response),
          url: request.url.href,
          body: platformBody(response.stream)
        })
      }),
      request
    )

  return { send, stream, warmUp: () => warmUpUnsupported("an HttpClient") }
}

/** @internal */
export const layerHttpClient: Layer.Layer<Transport, never, HttpClient.HttpClient> = Layer.effect(
  Transport,
  Effect.zipWith(
    HttpClient.HttpClient,
    Effect.serviceOption(FetchHttpClient.Fetch),
    (client, fetch) => makeHttpClientTransport(client, fetch._tag === "Some" ? fetch.value : undefined)
  )
)
