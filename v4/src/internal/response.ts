/**
 * The response users read in the v4 edition: an `effect/http` `HttpClientResponse` over the body already in memory
 * and the core's header record, with no web `Response` or `Headers` made per response. Everything it shows is what a
 * web `Response` wrapped by `HttpClientResponse.fromWeb` showed — the same status, headers (sorted by name,
 * `set-cookie` values joined), cookies, body readers and errors, `url`, `toWeb` — each made on first use. Its
 * `request` carries no secret (the URL and header values redacted by the client's rule), built on first use too.
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Cookies from "effect/http/Cookies"
import * as Headers from "effect/http/Headers"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import * as UrlParams from "effect/http/UrlParams"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import type * as Schema from "effect/Schema"
import type * as Socket from "effect/socket/Socket"
import * as Stream from "effect/Stream"
import type { RawResponse } from "../../../src/core/exchange.js"
import { redactHeaders, type Secrets } from "../../../src/core/secrets.js"

/** What `HttpClientResponse.toWeb` calls on a response (effect's internal `WebSourceSymbol`). */
const WebSourceSymbol = "~effect/http/HttpClientResponse/WebSource"

/** Statuses a web `Response` has no body for: its `stream` fails with `EmptyBodyError`. */
const nullBodyStatuses = new Set([101, 204, 205, 304])

const decoder = new TextDecoder()
// URL-encoded bodies keep a leading U+FEFF as form data (effect's own rule)
const formDecoder = new TextDecoder("utf-8", { ignoreBOM: true })

/**
 * An `HttpClientResponse` whose body is in memory.
 * @internal
 */
export class BufferedResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpIncomingMessage.TypeId]: typeof HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: typeof HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly #raw: RawResponse
  // what the request is made of, in private fields (no walk over the object's properties sees real header values)
  readonly #method: string
  readonly #redactedUrl: string
  readonly #requestHeaders: Readonly<Record<string, string>>
  readonly #secrets: Secrets
  #request: HttpClientRequest.HttpClientRequest | undefined = undefined
  #headers: Headers.Headers | undefined = undefined
  #cookies: Cookies.Cookies | undefined = undefined
  #arrayBuffer: ArrayBuffer | undefined = undefined
  #formData: Effect.Effect<FormData, HttpClientError.HttpClientError> | undefined = undefined
  #web: Response | undefined = undefined

  /**
   * `raw` answered the request `method` with `requestHeaders` (real values), shown as `redactedUrl` (the attempt's
   * URL as its events show it) and with its secret header values (by `secrets`) redacted.
   */
  constructor(
    raw: RawResponse,
    method: string,
    redactedUrl: string,
    requestHeaders: Readonly<Record<string, string>>,
    secrets: Secrets,
    /** the attempt that answered (1 for the first) */
    readonly attempt: number = 1
  ) {
    super()
    this.#raw = raw
    this.#method = method
    this.#redactedUrl = redactedUrl
    this.#requestHeaders = requestHeaders
    this.#secrets = secrets
  }

  get request(): HttpClientRequest.HttpClientRequest {
    if (this.#request !== undefined) return this.#request
    return this.#request = HttpClientRequest.make(this.#method as "GET")(this.#redactedUrl, {
      headers: redactHeaders(this.#requestHeaders, this.#secrets)
    })
  }

  /** The attempt's URL as its events show it (the client's secret query values redacted), fragment kept. */
  get redactedUrl(): string {
    return this.#redactedUrl
  }

  get status(): number {
    return this.#raw.status
  }

  /** The size of the body held in memory, in bytes (what an event carrying this response keeps alive). */
  get byteLength(): number {
    return this.#raw.body.byteLength
  }

  /** The request's URL (as shown: redacted), without its fragment. */
  get url(): string {
    const url = HttpClientRequest.toUrl(this.request)
    if (Option.isNone(url)) return ""
    url.value.hash = ""
    return url.value.href
  }

  /** The response's headers, names in order, `set-cookie` values joined with ", " (as from a web `Headers`). */
  get headers(): Headers.Headers {
    if (this.#headers !== undefined) return this.#headers
    const raw = this.#raw
    const record = raw.headers
    const names = Object.keys(record)
    if (raw.setCookie.length > 0) names.push("set-cookie")
    names.sort()
    const out: Record<string, string> = {}
    for (const name of names) out[name] = name === "set-cookie" ? raw.setCookie.join(", ") : record[name]
    return this.#headers = Headers.fromRecordUnsafe(out)
  }

  get cookies(): Cookies.Cookies {
    return this.#cookies ??= Cookies.fromSetCookie(this.#raw.setCookie)
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  private decodeError(cause: unknown): HttpClientError.HttpClientError {
    return new HttpClientError.HttpClientError({
      reason: new HttpClientError.DecodeError({ request: this.request, response: this, cause })
    })
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.HttpClientError> {
    const raw = this.#raw
    if (nullBodyStatuses.has(raw.status)) {
      return Stream.fail(
        new HttpClientError.HttpClientError({
          reason: new HttpClientError.EmptyBodyError({
            request: this.request,
            response: this,
            description: "can not create stream from empty body"
          })
        })
      )
    }
    return raw.body.byteLength === 0 ? Stream.empty : Stream.succeed(raw.body)
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.HttpClientError> {
    // a copy of the body's bytes alone: a Node `Buffer`'s own `slice` is a view into a shared pool
    return Effect.sync(() =>
      this.#arrayBuffer ??= Uint8Array.prototype.slice.call(this.#raw.body).buffer as ArrayBuffer
    )
  }

  get text(): Effect.Effect<string, HttpClientError.HttpClientError> {
    return Effect.sync(() => decoder.decode(this.#raw.body))
  }

  get json(): Effect.Effect<Schema.Json, HttpClientError.HttpClientError> {
    return Effect.try({
      try: () => {
        const text = decoder.decode(this.#raw.body)
        return text === "" ? null : JSON.parse(text)
      },
      catch: (cause) => this.decodeError(cause)
    })
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.HttpClientError> {
    return Effect.try({
      // a leading "?" is form data; URLSearchParams would drop it as a query prefix (effect's own rule)
      try: () => UrlParams.fromInput(new URLSearchParams(formDecoder.decode(this.#raw.body).replace(/^\?/, "%3F"))),
      catch: (cause) => this.decodeError(cause)
    })
  }

  get formData(): Effect.Effect<FormData, HttpClientError.HttpClientError> {
    return this.#formData ??= Effect.tryPromise({
      try: () => this.toWebResponse().clone().formData(),
      catch: (cause) => this.decodeError(cause)
    }).pipe(Effect.cached, Effect.runSync)
  }

  get upgrade(): Effect.Effect<Socket.Socket, HttpClientError.HttpClientError> {
    return Effect.fail(
      new HttpClientError.HttpClientError({
        reason: new HttpClientError.StatusCodeError({
          request: this.request,
          response: this,
          description: "fetch cannot hand over the connection of an HTTP upgrade"
        })
      })
    )
  }

  /** The response as a web `Response` (`HttpClientResponse.toWeb`), made on first use. */
  toWebResponse(): Response {
    if (this.#web !== undefined) return this.#web
    const raw = this.#raw
    const headers = new globalThis.Headers(raw.headers)
    for (const cookie of raw.setCookie) headers.append("set-cookie", cookie)
    const body = nullBodyStatuses.has(raw.status) ? null : raw.body
    return this.#web = new Response(body as BodyInit | null, { status: raw.status, headers })
  }

  [WebSourceSymbol](): Response {
    return this.toWebResponse()
  }

  toJSON(): unknown {
    return HttpIncomingMessage.inspect(this, {
      _id: "HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }
}
