/**
 * The streaming verbs over bytes: `stream` (with `resume`), `lines`, `ndjson`.
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { normaliseMethod } from "../core/headers.js"
import { LineSplitter } from "../core/lines.js"
import { Download, NotResumable } from "../core/resume.js"
import { redactUrl } from "../core/secrets.js"
import { NdjsonLines, type StreamVerbOptions } from "../core/streaming.js"
import { DecodeError, type HttpResilientError, TransportError } from "../HttpResilientError.js"
import { internalsOf, ResilientClient } from "./client.js"
import { report, totalOf } from "./progress.js"
import type { RequestOptions } from "./request.js"
import {
  bodyOf,
  bounded,
  type Dropped,
  establish,
  giveUp,
  makeSession,
  methodOf,
  publishDrop,
  reconnecting,
  retryOrFail,
  type Session
} from "./streamSession.js"

/**
 * Options of `stream`, `lines` and `ndjson`: the request's and the core's `resume` and `method`.
 * @internal
 */
export interface StreamOptions extends RequestOptions, StreamVerbOptions {}

const notResumable = (session: Session, reason: NotResumable): TransportError =>
  new TransportError({
    method: session.prepared.method,
    url: redactUrl(session.prepared.url, session.prepared.secrets),
    attempt: session.attempt,
    reason: "NotResumable",
    detail: reason.detail
  })

/**
 * The bytes of `url`, with backpressure. With `resume`, a reset mid-body continues with
 * `Range: bytes=N-` + `If-Range` (strong ETag, else Last-Modified) on a 206 whose `Content-Range` starts at N and
 * whose ETag did not change; anything else fails with `TransportError` `NotResumable`. A reset before any byte was
 * emitted restarts the download, with or without `resume`. The rules are the core's (src/core/resume.ts).
 * @internal
 */
export const stream = (
  url: string | URL,
  options?: StreamOptions
): Stream.Stream<Uint8Array, HttpResilientError, ResilientClient> =>
  Stream.unwrap(Effect.map(makeSession(url, options), (session) => {
    const resume = options?.resume === true
    const download = new Download()
    const onProgress = options?.onProgress
    let total: number | undefined

    const segment = (
      extraHeaders: Record<string, string> | undefined
    ): Stream.Stream<Uint8Array, HttpResilientError | Dropped> =>
      Stream.unwrapScoped(Effect.flatMap(establish(session, extraHeaders), (response) => {
        const problem = download.open(extraHeaders !== undefined, response.status, response.headers)
        if (problem !== undefined) return giveUp(session, notResumable(session, problem))
        if (onProgress !== undefined && extraHeaders === undefined) total = totalOf(response.headers)
        return Effect.succeed(
          Stream.mapChunks(bodyOf(session, response), (chunk) => {
            const bytes = download.count(chunk)
            if (onProgress !== undefined) report(onProgress, { direction: "download", bytes, total })
            return chunk
          })
        )
      }))

    const afterDrop = (
      error: HttpResilientError
    ): Effect.Effect<Record<string, string> | undefined, HttpResilientError> =>
      Effect.gen(function*() {
        yield* publishDrop(session, error)
        if (download.progressed()) yield* session.driver.reset
        const next = download.next(resume)
        if (next === "fail") return yield* giveUp(session, error)
        if (next instanceof NotResumable) return yield* giveUp(session, notResumable(session, next))
        yield* retryOrFail(session, error)
        return next.headers
      })

    return bounded(session, reconnecting(segment, afterDrop)(undefined))
  }))

/**
 * Splits text into lines ended by `\n`, `\r\n` or a lone `\r` (also when a `\r\n` is split between chunks); a last
 * line without an end is emitted when the text ends, an empty text at the end is not.
 * @internal
 */
export const splitLines = <E, R>(self: Stream.Stream<string, E, R>): Stream.Stream<string, E, R> =>
  Stream.suspend(() => {
    const splitter = new LineSplitter()
    return Stream.concat(
      Stream.mapConcat(self, (text) => splitter.feed(text)),
      Stream.suspend(() => Stream.fromIterable(splitter.rest()))
    )
  })

/** @internal */
export const lines = (
  url: string | URL,
  options?: StreamOptions
): Stream.Stream<string, HttpResilientError, ResilientClient> =>
  stream(url, options).pipe(Stream.decodeText(), splitLines)

/** The method as errors show it: a standard one upper-cased, as the request sends it. */
const shownMethod = (method: string): string => {
  const normalised = normaliseMethod(method)
  return typeof normalised === "string" ? normalised : "?"
}

/** @internal */
export const ndjson = <A, I, R>(
  url: string | URL,
  schema: Schema.Schema<A, I, R>,
  options?: StreamOptions
): Stream.Stream<A, HttpResilientError, ResilientClient | R> => {
  const decode = Schema.decodeUnknown(schema)
  return Stream.unwrap(Effect.map(ResilientClient, (service) => {
    const info = {
      method: shownMethod(methodOf(options)),
      url: redactUrl(url, internalsOf(service).config.redacted),
      attempt: 1
    }
    const reader = new NdjsonLines()
    return Stream.mapConcatEffect(lines(url, options), (text) => {
      const parsed = reader.read(text)
      if (parsed === undefined) return Effect.succeed([])
      const fail = (cause: unknown) => new DecodeError({ ...info, cause, line: parsed.line })
      if ("cause" in parsed) return Effect.fail(fail(parsed.cause))
      return Effect.mapBoth(decode(parsed.value), { onFailure: fail, onSuccess: (value) => [value] })
    })
  }))
}
