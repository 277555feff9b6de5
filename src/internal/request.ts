/** @internal */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import type * as Schedule from "effect/Schedule"
import type * as Stream from "effect/Stream"
import type { AcceptStatus } from "../core/acceptStatus.js"
import { type BodyOptionsOf, encodeBody, isReplayable } from "../core/bodies.js"
import type { HeadersInput } from "../core/headers.js"
import type { CommonRequestOptions } from "../core/options.js"
import { RequestValidationError } from "../core/requestError.js"
import type { Secrets } from "../core/secrets.js"
import type { UrlParamsInput } from "../core/url.js"
import type { HttpResilientError } from "../HttpResilientError.js"
import type { AcceptResponse } from "./acceptResponse.js"
import type { OnProgress } from "./progress.js"

/**
 * Request body options: at most one of them.
 * @internal
 */
export interface BodyOptions extends BodyOptionsOf<Stream.Stream<Uint8Array, unknown>, HttpBody.HttpBody> {}

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

/**
 * Builds the body from the options (the core's rules, src/core/bodies.ts) and reports whether it can be sent twice.
 * @internal
 */
export const makeBody = (
  options: BodyOptions | undefined
): { readonly body: HttpBody.HttpBody; readonly replayable: boolean } | RequestValidationError => {
  if (options === undefined) return emptyBody
  const encoded = encodeBody(options)
  if (encoded instanceof RequestValidationError) return encoded
  switch (encoded.kind) {
    case "empty":
      return emptyBody
    case "text":
      return { body: HttpBody.text(encoded.text, encoded.contentType), replayable: true }
    case "bytes":
      return { body: HttpBody.uint8Array(encoded.bytes, encoded.contentType), replayable: true }
    case "multipart":
      return { body: HttpBody.formData(encoded.form), replayable: true }
    case "stream":
      return {
        body: HttpBody.stream(encoded.stream, encoded.contentType, encoded.contentLength),
        replayable: false
      }
    case "body":
      return { body: encoded.body, replayable: isReplayable(encoded, isStreamBody) }
  }
}

const isStreamBody = (body: HttpBody.HttpBody): boolean => body._tag === "Stream"

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
