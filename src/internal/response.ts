/** @internal */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Effect from "effect/Effect"
import { NodeInspectSymbol } from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { RawResponse } from "../core/exchange.js"
import { redactHeaders, redactUrl, type Secrets } from "../core/secrets.js"
import { urlWithParams } from "../core/url.js"

/** What a transport hands back for a buffered attempt (src/core/exchange.ts). @internal */
export type { RawResponse }

const ResponseTypeId: HttpClientResponse.TypeId = Symbol.for(
  "@effect/platform/HttpClientResponse"
) as HttpClientResponse.TypeId

const decoder = new TextDecoder()
const emptyBytes = new Uint8Array(0)

/**
 * The request as it may be shown: its `toJSON`, `toString` and inspected form redact header values and the URL
 * (the object itself keeps every real value, for code that reads it).
 * @internal
 */
export const withRedactedViews = (
  request: HttpClientRequest.HttpClientRequest,
  redacted: Secrets
): HttpClientRequest.HttpClientRequest => {
  const view = () => {
    let url = request.url
    try {
      url = redactUrl(urlWithParams(request.url, request.urlParams), redacted)
    } catch {
      url = redactUrl(request.url, redacted)
    }
    return {
      _id: "@effect/platform/HttpClientRequest",
      method: request.method,
      url,
      headers: redactHeaders(request.headers, redacted),
      body: { _tag: request.body._tag }
    }
  }
  for (const key of ["toJSON", NodeInspectSymbol] as const) {
    Object.defineProperty(request, key, { value: view, enumerable: false, configurable: true, writable: true })
  }
  Object.defineProperty(request, "toString", {
    value: () => JSON.stringify(view(), null, 2),
    enumerable: false,
    configurable: true,
    writable: true
  })
  return request
}

/**
 * An `@effect/platform` `HttpClientResponse` whose body is already in memory. Its `request`
 * is built on first use, from `source`. Inspection and JSON never show redacted header values.
 * @internal
 */
export class BufferedResponse<S = any> implements HttpClientResponse.HttpClientResponse {
  readonly [IncomingMessage.TypeId]: IncomingMessage.TypeId = IncomingMessage.TypeId
  readonly [ResponseTypeId]: HttpClientResponse.TypeId = ResponseTypeId

  /**
   * what the request is made of (its headers' real values: a private field, which no walk over the object's
   * properties sees, as a closure's variable was not), made into the request by `makeRequest(source)`
   */
  readonly #source: S

  constructor(
    private readonly raw: RawResponse,
    source: S,
    private readonly makeRequest: (source: S) => HttpClientRequest.HttpClientRequest,
    private readonly redacted: Secrets,
    /** the attempt that got this response: 1, 2, 3 … */
    readonly attempt: number = 1
  ) {
    this.#source = source
  }

  get status(): number {
    return this.raw.status
  }

  get statusText(): string {
    return this.raw.statusText
  }

  /** The URL that produced this response (the last one, if redirects were followed). */
  get url(): string {
    return this.raw.url
  }

  /** `url` as it may be shown, by the client's rule for secret names. */
  get redactedUrl(): string {
    return redactUrl(this.raw.url, this.redacted)
  }

  /** The body bytes, as received. */
  get bytes(): Uint8Array {
    return this.raw.body
  }

  private cachedHeaders?: Headers.Headers
  get headers(): Headers.Headers {
    if (this.cachedHeaders) return this.cachedHeaders
    const input: Record<string, string> = { ...this.raw.headers }
    if (this.raw.setCookie.length > 0) input["set-cookie"] = this.raw.setCookie.join(", ")
    return this.cachedHeaders = Headers.unsafeFromRecord(input)
  }

  private cachedRequest?: HttpClientRequest.HttpClientRequest
  get request(): HttpClientRequest.HttpClientRequest {
    return this.cachedRequest ??= withRedactedViews(this.makeRequest(this.#source), this.redacted)
  }

  private cachedCookies?: Cookies.Cookies
  get cookies(): Cookies.Cookies {
    return this.cachedCookies ??= Cookies.fromSetCookie(this.raw.setCookie)
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  private decodeError(cause: unknown, description?: string) {
    return new HttpClientError.ResponseError({
      request: this.request,
      response: this,
      reason: "Decode",
      cause,
      ...(description ? { description } : {})
    })
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.sync(() => decoder.decode(this.raw.body))
  }

  /** The body decoded as UTF-8, synchronously. */
  get textSync(): string {
    return decoder.decode(this.raw.body)
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.try({
      try: () => {
        const text = decoder.decode(this.raw.body)
        return text === "" ? null : JSON.parse(text) as unknown
      },
      catch: (cause) => this.decodeError(cause)
    })
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.try({
      try: () => UrlParams.fromInput(new URLSearchParams(decoder.decode(this.raw.body))),
      catch: (cause) => this.decodeError(cause)
    })
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.sync(() => {
      const body = this.raw.body
      return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer
    })
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.tryPromise({
      try: () =>
        new Response((this.raw.body.byteLength === 0 ? emptyBytes : this.raw.body) as BodyInit, {
          headers: this.raw.headers
        }).formData(),
      catch: (cause) => this.decodeError(cause)
    })
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return this.raw.body.byteLength === 0 ? Stream.empty : Stream.succeed(this.raw.body)
  }

  toJSON(): unknown {
    return {
      _id: "@effect/platform/HttpClientResponse",
      status: this.raw.status,
      statusText: this.raw.statusText,
      url: redactUrl(this.raw.url, this.redacted),
      headers: redactHeaders(this.raw.headers, this.redacted),
      bodyLength: this.raw.body.byteLength
    }
  }

  toString(): string {
    return JSON.stringify(this.toJSON(), null, 2)
  }

  [NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}
