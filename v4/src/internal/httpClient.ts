/**
 * A transport over any `effect/http` `HttpClient` (`FetchHttpClient`, or another runtime's client): the v4 edition of
 * the root entry's src/internal/transport/httpClient.ts. Its failures are read by the shared core
 * (src/core/platformErrors.ts), its body gathered up to the size limit by the core's `BoundedBody`.
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Cookies from "effect/http/Cookies"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpBody from "effect/http/HttpBody"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as References from "effect/References"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { RawResponse } from "../../../src/core/exchange.js"
import { withoutSetCookie } from "../../../src/core/headers.js"
import { isEmptyBody, manualRedirects, platformFailure } from "../../../src/core/platformErrors.js"
import { BoundedBody, type StreamingHead } from "../../../src/core/streaming.js"
import { invalidStatus, TIMEOUT, type TransportFailure } from "../../../src/core/transportFailure.js"
import type { OutgoingBody } from "./body.js"
import type { StreamingResponse, Transport, TransportRequest } from "./transport.js"

/** The stages' body as an `effect/http` body; text and bytes keep the request's `content-type`. */
const platformBodyOf = (body: OutgoingBody, contentType: string | undefined): HttpBody.HttpBody =>
  body === null
    ? HttpBody.empty
    : body instanceof FormData
    ? HttpBody.formData(body)
    : body instanceof HttpBody.Stream
    ? body
    : HttpBody.raw(body, { contentType })

const toPlatformRequest = (request: TransportRequest): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.setBody(
    HttpClientRequest.make(request.method as "GET")(request.url, { headers: request.headers }),
    platformBodyOf(request.body, request.headers["content-type"])
  )

/** The platform's body stream fails with `EmptyBodyError` when the response has none (HEAD, 204): an empty body. */
const platformBody = (stream: Stream.Stream<Uint8Array, unknown>): Stream.Stream<Uint8Array, TransportFailure> =>
  Stream.catch(stream, (error) => isEmptyBody(error) ? Stream.empty : Stream.fail(platformFailure(error)))

/** The head of a platform response as the client reads it: its cookies as `Set-Cookie` lines, kept apart. */
const headOf = (response: HttpClientResponse.HttpClientResponse, request: TransportRequest): StreamingHead => ({
  status: response.status,
  statusText: "",
  headers: withoutSetCookie(response.headers),
  setCookie: Cookies.isEmpty(response.cookies) ? [] : Cookies.toSetCookieHeaders(response.cookies),
  url: request.url.href
})

/** A platform response with its body read into memory, up to the size limit. */
const buffered = (
  response: HttpClientResponse.HttpClientResponse,
  request: TransportRequest
): Effect.Effect<RawResponse, TransportFailure> => {
  const invalid = invalidStatus(response.status)
  if (invalid !== undefined) return Effect.fail(invalid)
  const gathered = new BoundedBody(request.maxResponseSize)
  return Effect.map(
    Stream.runForEach(platformBody(response.stream), (chunk) => {
      const tooLarge = gathered.add(chunk)
      return tooLarge === undefined ? Effect.void : Effect.fail(tooLarge)
    }),
    (): RawResponse => ({ ...headOf(response, request), body: gathered.bytes() })
  )
}

/**
 * A transport over an `effect/http` `HttpClient`. Its requests are bound to a scope (the buffered exchange's own,
 * a stream's attempt scope): closing it aborts the request. For `FetchHttpClient`, fetch never follows a redirect
 * itself: the `FetchHttpClient.Fetch` in use (the call's, else `fetch` — the one in the layer's context —, else the
 * global one, looked up at each call) is wrapped to ask for manual redirects, so the client's redirect stage
 * decides. The attempt timeout is the client's (an Effect timeout on the fiber's clock: `timesOut` is not set).
 * @internal
 */
export const overHttpClient = (
  platformClient: HttpClient.HttpClient,
  fetch?: typeof globalThis.fetch | undefined
): Transport => {
  // The attempt's span is ours (made around the transport, or not at all with `tracing: false`): the platform client
  // must neither make its own span (which would carry the URL's query and request headers unredacted) nor send a
  // `traceparent` naming it. Turning the tracer off for the exchange covers a client told to trace every request.
  const client = HttpClient.withScope(platformClient)
  const manualFetch = manualRedirects(() => fetch ?? globalThis.fetch)
  const execute = (request: TransportRequest) =>
    Effect.withFiber((fiber) => {
      const own = Context.getOrUndefined(fiber.context, FetchHttpClient.Fetch)
      return client.execute(toPlatformRequest(request)).pipe(
        Effect.provideService(
          FetchHttpClient.Fetch,
          own === undefined ? manualFetch : manualRedirects(() => own)
        ),
        Effect.provideService(References.TracerEnabled, false),
        Effect.mapError((error) => platformFailure(error, request.url))
      )
    })

  const send = (request: TransportRequest): Effect.Effect<RawResponse, TransportFailure> =>
    Effect.scoped(Effect.flatMap(execute(request), (response) => buffered(response, request)))

  const stream = (request: TransportRequest): Effect.Effect<StreamingResponse, TransportFailure, Scope.Scope> =>
    Effect.timeoutOrElse(
      Effect.flatMap(execute(request), (response) => {
        const invalid = invalidStatus(response.status)
        if (invalid !== undefined) return Effect.fail(invalid)
        return Effect.succeed<StreamingResponse>({ ...headOf(response, request), body: platformBody(response.stream) })
      }),
      { duration: request.timeoutMillis, orElse: () => Effect.fail(TIMEOUT) }
    )

  return { send, stream, uses: "an HttpClient" }
}

/**
 * The transport over the `HttpClient` in the context; a `FetchHttpClient.Fetch` in the layer's context is the
 * default fetch of its calls.
 * @internal
 */
export const httpClientTransport: Effect.Effect<Transport, never, HttpClient.HttpClient> = Effect.withFiber((fiber) =>
  Effect.map(
    Effect.service(HttpClient.HttpClient),
    (client) => overHttpClient(client, Context.getOrUndefined(fiber.context, FetchHttpClient.Fetch))
  )
)
