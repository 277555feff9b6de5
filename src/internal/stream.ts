/**
 * The streaming verbs over bytes: `stream` (with `resume`), `lines`, `ndjson`.
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { normaliseMethod } from "../core/headers.js"
import { LineSplitter } from "../core/lines.js"
import { Download, NotResumable } from "../core/resume.js"
import { redactUrl } from "../core/secrets.js"
import { parseNdjsonLine } from "../core/streaming.js"
import { DecodeError, type HttpResilientError, TransportError } from "../HttpResilientError.js"
import { internalsOf, ResilientClient } from "./client.js"
import { report, totalOf } from "./progress.js"
import type { RequestOptions } from "./request.js"
import {
  bodyOf,
  bounded,
  Dropped,
  establish,
  giveUp,
  makeSession,
  methodOf,
  publishDrop,
  retryOrFail,
  type Session
} from "./streamSession.js"

/**
 * Options of the streaming verbs.
 * @internal
 */
export interface StreamOptions extends RequestOptions {
  /** After a reset mid-body, continue with a range request instead of failing. @default false */
  readonly resume?: boolean | undefined
  /**
   * The request's method, any token (`POST`, `QUERY` …), with any body option; a `stream` body (an upload) is never
   * retried. @default "GET"
   */
  readonly method?: string | undefined
}

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
        if (extraHeaders === undefined) {
          download.first(response.headers)
          if (onProgress !== undefined) total = totalOf(response.headers)
        } else {
          const problem = download.checkRange(response.status, response.headers)
          if (problem !== undefined) return giveUp(session, notResumable(session, problem))
        }
        return Effect.succeed(
          Stream.mapChunks(bodyOf(session, response), (chunk) => {
            Chunk.forEach(chunk, (bytes) => {
              download.offset += bytes.byteLength
            })
            if (onProgress !== undefined) report(onProgress, { direction: "download", bytes: download.offset, total })
            return chunk
          })
        )
      }))

    const afterDrop = (
      error: HttpResilientError
    ): Effect.Effect<Stream.Stream<Uint8Array, HttpResilientError>, HttpResilientError> =>
      Effect.gen(function*() {
        yield* publishDrop(session, error)
        if (download.progressed()) yield* session.driver.reset
        const next = download.afterDrop(resume)
        if (next === "fail") return yield* giveUp(session, error)
        if (next instanceof NotResumable) return yield* giveUp(session, notResumable(session, next))
        const retried = yield* Effect.either(retryOrFail(session, error))
        if (retried._tag === "Left") return Stream.fail(retried.left)
        return run(download.rangeHeaders())
      })

    const run = (extraHeaders: Record<string, string> | undefined): Stream.Stream<Uint8Array, HttpResilientError> =>
      Stream.catchAll(
        segment(extraHeaders),
        (failure) => failure instanceof Dropped ? Stream.unwrap(afterDrop(failure.error)) : Stream.fail(failure)
      )

    return bounded(session, run(undefined))
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
      Stream.suspend(() => {
        const last = splitter.end()
        return last === undefined ? Stream.empty : Stream.make(last)
      })
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
    return lines(url, options).pipe(
      Stream.zipWithIndex,
      Stream.filter(([line]) => line.trim() !== ""),
      Stream.mapEffect(([line, index]) => {
        const parsed = parseNdjsonLine(line)
        if ("cause" in parsed) return Effect.fail(new DecodeError({ ...info, cause: parsed.cause, line: index + 1 }))
        return Effect.mapError(
          decode(parsed.value),
          (cause: ParseResult.ParseError) => new DecodeError({ ...info, cause, line: index + 1 })
        )
      })
    )
  }))
}
