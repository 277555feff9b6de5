/**
 * Request bodies in the v4 edition: what the body options build (the core's rules, src/core/bodies.ts), how the
 * stages carry a body, and how the transport hands it to undici.
 * @internal
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HttpBody from "effect/http/HttpBody"
import * as Stream from "effect/Stream"
import { Readable } from "node:stream"
import {
  type BodyOptionsOf,
  encodeBody,
  encodeMultipart,
  isContentLength,
  isReplayable
} from "../../../src/core/bodies.js"
import type { UndiciBody } from "../../../src/core/exchange.js"
import { isValidHeaderValue } from "../../../src/core/headers.js"
import { countChunks, type Progress } from "../../../src/core/progress.js"
import { RequestValidationError } from "../../../src/core/requestError.js"
import { shown } from "./options.js"

/**
 * A body as the stages carry it: text or bytes in memory, a multipart form (encoded when sent), or a one-shot
 * stream (`effect/http`'s `HttpBody.Stream`: the stream, its content type and length).
 * @internal
 */
export type OutgoingBody = string | Uint8Array | FormData | HttpBody.Stream | null

/**
 * The body options of the v4 edition: the root entry's, `stream` a v4 `Stream` and `body` an `effect/http`
 * `HttpBody`.
 * @internal
 */
export type BodyOptionsInput = BodyOptionsOf<Stream.Stream<Uint8Array, unknown>, HttpBody.HttpBody>

/**
 * The body the options set, with its `content-type` (and `content-length` when known) set on `headers` where they
 * are missing, and whether it can be sent again.
 * @internal
 */
export const bodyOf = (
  options: BodyOptionsInput,
  headers: Record<string, string>
): { readonly body: OutgoingBody; readonly replayable: boolean } | RequestValidationError => {
  const invalid = checkBodyOptions(options)
  if (invalid !== undefined) return invalid
  const encoded = encodeBody(options)
  if (encoded instanceof RequestValidationError) return encoded
  switch (encoded.kind) {
    case "empty":
      return inMemory(null)
    case "body": {
      const body = fromHttpBody(encoded.body, headers)
      if (body instanceof TypeError) return badBody(`body: ${body.message}; send bytes, text, a FormData or a stream`)
      return { body, replayable: isReplayable(encoded, isOneShot) }
    }
    case "text":
      headers["content-type"] ??= encoded.contentType
      headers["content-length"] ??= String(Buffer.byteLength(encoded.text))
      return inMemory(encoded.text)
    case "bytes":
      headers["content-type"] ??= encoded.contentType
      headers["content-length"] ??= String(encoded.bytes.byteLength)
      return inMemory(encoded.bytes)
    case "multipart":
      return inMemory(encoded.form)
    case "stream": {
      headers["content-type"] ??= encoded.contentType
      const length = encoded.contentLength
      if (length !== undefined) headers["content-length"] ??= String(length)
      return {
        body: HttpBody.stream(encoded.stream, encoded.contentType, length),
        replayable: isReplayable(encoded)
      }
    }
  }
}

/** An `effect/http` body sent once: a stream (the core's rule asks). */
const isOneShot = (body: HttpBody.HttpBody): boolean => body._tag === "Stream"

/**
 * An `effect/http` body as the stages carry it (the `body` option's, an interceptor's request's): bytes, a form or a
 * stream, its content type and length set on `headers` where they have none; a raw body that is no string or bytes
 * is a `TypeError` saying so.
 * @internal
 */
export const fromHttpBody = (body: HttpBody.HttpBody, headers: Record<string, string>): OutgoingBody | TypeError => {
  switch (body._tag) {
    case "Empty":
      return null
    case "FormData":
      return body.formData
    case "Uint8Array":
    case "Stream":
      headers["content-type"] ??= body.contentType
      if (body.contentLength !== undefined) headers["content-length"] ??= String(body.contentLength)
      return body._tag === "Stream" ? body : body.body
    case "Raw":
      if (typeof body.body === "string" || body.body instanceof Uint8Array) {
        if (body.contentType !== undefined) headers["content-type"] ??= body.contentType
        return body.body
      }
      return new TypeError("the request's raw body is neither a string nor a Uint8Array")
  }
}

const noBody = { body: null, replayable: true } as const
const inMemory = (body: OutgoingBody) => body === null ? noBody : { body, replayable: true }

const badBody = (detail: string) => new RequestValidationError("InvalidBody", detail)

/** The body options' values that are not what they must be (as the root entry reports them). */
const checkBodyOptions = (options: BodyOptionsInput): RequestValidationError | undefined => {
  const { body, contentLength, contentType, stream, text } = options
  if (text !== undefined && typeof text !== "string") return badBody(`text: expected a string, got ${shown(text)}`)
  if (stream !== undefined && !Stream.isStream(stream)) {
    return badBody(`stream: expected a Stream of Uint8Array, got ${shown(stream)}`)
  }
  if (body !== undefined && !HttpBody.isHttpBody(body)) {
    return badBody(`body: expected an HttpBody (effect/http), got ${shown(body)}`)
  }
  if (contentLength !== undefined && !isContentLength(contentLength)) {
    return badBody(`contentLength: expected a non-negative integer, got ${shown(contentLength)}`)
  }
  const validType = typeof contentType === "string" && contentType.length > 0 && isValidHeaderValue(contentType)
  if (contentType !== undefined && !validType) {
    return badBody(
      typeof contentType === "string" && contentType.length > 0
        ? "contentType: the value contains a control character (CR, LF, NUL …)"
        : `contentType: expected a non-empty header value, got ${shown(contentType)}`
    )
  }
  return undefined
}

/**
 * Whether a body is text or bytes in memory (what undici takes as it is).
 * @internal
 */
export const isInMemory = (body: OutgoingBody): body is string | Uint8Array | null =>
  body === null || typeof body === "string" || body instanceof Uint8Array

/**
 * A body as undici takes it: a multipart form encoded (its `content-type` set on `headers`, replacing another), a
 * stream run with `context` as a Node `Readable` (the transport pulls it; aborting the socket ends the run).
 * @internal
 */
export const toUndici = (
  body: FormData | HttpBody.Stream,
  headers: Record<string, string>,
  context: Context.Context<never>
): Effect.Effect<UndiciBody> => {
  if (body instanceof FormData) {
    const encoded = encodeMultipart(body)
    if (encoded.contentType !== undefined) headers["content-type"] = encoded.contentType
    return Effect.promise(() => encoded.bytes)
  }
  const iterable = Stream.toAsyncIterableWith(body.stream as Stream.Stream<Uint8Array>, context)
  return Effect.succeed(Readable.from(iterable, { objectMode: false }))
}

/**
 * A stream body whose chunks are reported as the transport takes them, counted from 0 on every run (the core's
 * `countChunks`); another body as it is.
 * @internal
 */
export const countedBody = (body: OutgoingBody, report: (progress: Progress) => void): OutgoingBody =>
  body instanceof HttpBody.Stream
    ? HttpBody.stream(
      Stream.suspend(() => Stream.mapArray(body.stream, countChunks(body.contentLength, report))),
      body.contentType,
      body.contentLength
    )
    : body

/**
 * The size of a body held in memory, as its one upload report gives it (a multipart form's is not known; a stream
 * reports as it goes).
 * @internal
 */
export const sizeInMemory = (body: OutgoingBody): number | undefined =>
  typeof body === "string" ? Buffer.byteLength(body) : body instanceof Uint8Array ? body.byteLength : undefined

/**
 * A form or a stream body read into memory (the test kit records what would be sent): a form encoded, its
 * `content-type` set on `headers`; a stream run to its end.
 * @internal
 */
export const readBody = (
  body: FormData | HttpBody.Stream,
  headers: Record<string, string>
): Effect.Effect<Uint8Array> => {
  if (body instanceof FormData) {
    const encoded = encodeMultipart(body)
    if (encoded.contentType !== undefined) headers["content-type"] = encoded.contentType
    return Effect.promise(() => encoded.bytes)
  }
  return Effect.orDie(Stream.mkUint8Array(body.stream))
}
