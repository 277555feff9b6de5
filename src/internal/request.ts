/** @internal */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import type * as Schedule from "effect/Schedule"
import type * as Stream from "effect/Stream"
import type { AcceptStatus } from "../core/acceptStatus.js"
import type { HeadersInput } from "../core/headers.js"
import type { CommonRequestOptions } from "../core/options.js"
import { RequestValidationError } from "../core/requestError.js"
import type { Secrets } from "../core/secrets.js"
import { appendParams, type UrlParamsInput } from "../core/url.js"
import type { HttpResilientError } from "../HttpResilientError.js"
import type { AcceptResponse } from "./acceptResponse.js"
import type { OnProgress } from "./progress.js"

/**
 * Request body options: at most one of them.
 * @internal
 */
export interface BodyOptions {
  readonly json?: unknown
  readonly text?: string | undefined
  readonly form?:
    | Readonly<Record<string, string | number | boolean | ReadonlyArray<string> | undefined>>
    | URLSearchParams
    | undefined
  readonly multipart?: FormData | undefined
  readonly bytes?: Uint8Array | undefined
  readonly stream?: Stream.Stream<Uint8Array, unknown> | undefined
  readonly body?: HttpBody.HttpBody | undefined
  readonly contentType?: string | undefined
  readonly contentLength?: number | undefined
}

/**
 * Request options; documented on `HttpResilient.RequestOptions`. Call-level options (`deadline`,
 * `idempotencyKey: true`, `failover`, `attempts`, `retry`) are read by the client's `request`; an entry of
 * `attempts` is merged over the others for its attempt (its `deadline`, `failover`, `attempts` and `retry` are
 * ignored).
 * @internal
 */
export interface RequestOptions
  extends BodyOptions, CommonRequestOptions<Duration.DurationInput, HeadersInput, UrlParamsInput>
{
  readonly failover?: ReadonlyArray<string | URL> | undefined
  readonly attempts?: ReadonlyArray<Partial<RequestOptions>> | undefined
  readonly retry?: Schedule.Schedule<unknown, HttpResilientError, never> | false | undefined
  readonly maxResponseSize?: number | undefined
  readonly followRedirects?: boolean | number | undefined
  readonly acceptStatus?: AcceptStatus | undefined
  readonly acceptResponse?: AcceptResponse | undefined
  readonly onProgress?: OnProgress | undefined
}

/**
 * A request ready for the pipeline: validated, URL joined and parsed, headers lower-cased and merged.
 * @internal
 */
export interface PreparedRequest {
  readonly method: string
  readonly url: URL
  readonly headers: Record<string, string>
  readonly body: HttpBody.HttpBody
  /** a body that can be sent again on a retry or a 307/308 */
  readonly replayable: boolean
  readonly timeoutMillis: number | undefined
  readonly maxResponseSize: number | undefined
  readonly followRedirects: number | undefined
  readonly tag: string | undefined
  readonly options: RequestOptions | undefined
  /** the deadline (epoch ms by the Clock) of the call's own retry policy, if any: the attempt clips its timeout to it */
  readonly deadlineAt?: number | undefined
  /** the client's rule for secret names: what every view of this request redacts */
  readonly secrets: Secrets
}

const bodyKeys = ["json", "text", "form", "multipart", "bytes", "stream", "body"] as const

/**
 * Builds the body from the options and reports whether it can be sent twice.
 * @internal
 */
export const makeBody = (
  options: BodyOptions | undefined
): { readonly body: HttpBody.HttpBody; readonly replayable: boolean } | RequestValidationError => {
  if (options === undefined) return emptyBody
  let found: (typeof bodyKeys)[number] | undefined
  for (const key of bodyKeys) {
    if (options[key] !== undefined) {
      if (found !== undefined) {
        return new RequestValidationError(
          "InvalidBody",
          `options "${found}" and "${key}" both set a body; choose one`
        )
      }
      found = key
    }
  }
  const contentType = options.contentType
  switch (found) {
    case undefined:
      return emptyBody
    case "json": {
      let text: string | undefined
      try {
        text = JSON.stringify(options.json)
      } catch (cause) {
        return new RequestValidationError("InvalidBody", `option "json" could not be serialised`, cause)
      }
      if (text === undefined) {
        return new RequestValidationError("InvalidBody", `option "json" has no JSON form (a function or undefined?)`)
      }
      return { body: HttpBody.text(text, contentType ?? "application/json"), replayable: true }
    }
    case "text":
      return { body: HttpBody.text(options.text!, contentType ?? "text/plain; charset=utf-8"), replayable: true }
    case "form": {
      const params = new URLSearchParams()
      appendParams(params, options.form as UrlParamsInput)
      return {
        body: HttpBody.text(params.toString(), contentType ?? "application/x-www-form-urlencoded"),
        replayable: true
      }
    }
    case "multipart":
      if (!(options.multipart instanceof FormData)) {
        return new RequestValidationError("InvalidBody", `option "multipart" must be a FormData`)
      }
      return { body: HttpBody.formData(options.multipart), replayable: true }
    case "bytes":
      if (!(options.bytes instanceof Uint8Array)) {
        return new RequestValidationError("InvalidBody", `option "bytes" must be a Uint8Array`)
      }
      return { body: HttpBody.uint8Array(options.bytes, contentType ?? "application/octet-stream"), replayable: true }
    case "stream":
      return {
        body: HttpBody.stream(
          options.stream as Stream.Stream<Uint8Array, unknown>,
          contentType ?? "application/octet-stream",
          options.contentLength
        ),
        replayable: false
      }
    case "body": {
      const body = options.body!
      return { body, replayable: body._tag !== "Stream" }
    }
  }
}

const emptyBody = { body: HttpBody.empty, replayable: true } as const

/**
 * A platform request for a prepared one (for `response.request`).
 * @internal
 */
export const toPlatformRequest = (prepared: PreparedRequest): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.make(prepared.method as any)(prepared.url, {
    headers: prepared.headers,
    body: prepared.body
  })
