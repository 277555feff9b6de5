/**
 * The streaming verbs of the v4 edition over v4's `effect/Stream`: `stream` (with `resume`), `lines`, `ndjson`,
 * `sse`. The rules are the shared core's, as the root entry's: resuming a download (src/core/resume.ts), line
 * framing (src/core/lines.ts), SSE framing (src/core/sse.ts) and reconnecting (src/core/sseReconnect.ts).
 *
 * Events are parsed with the core's parser, not `effect/encoding/Sse`: v4's `Sse.decode` channel acts on `retry:`
 * itself and does not report it, where the client waits the server's `retry:` delay between connections and must
 * read it; and the core's parser is the root entry's, so both editions frame CRLF cut between chunks and a BOM alike.
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { LineSplitter } from "../../../src/core/lines.js"
import { totalOf } from "../../../src/core/progress.js"
import { Download, NotResumable } from "../../../src/core/resume.js"
import { redactUrl } from "../../../src/core/secrets.js"
import { SseParser } from "../../../src/core/sse.js"
import { EventLog, sseRequestHeaders } from "../../../src/core/sseReconnect.js"
import { parseNdjsonLine } from "../../../src/core/streaming.js"
import { DecodeError, type HttpResilientError, TransportError } from "../HttpResilientError.js"
import { runHook } from "./hooks.js"
import type { RequestOptions } from "./request.js"
import { ResilientClient } from "./service.js"
import {
  bodyOf,
  bounded,
  Dropped,
  establish,
  giveUp,
  makeSession,
  publishDrop,
  resetPolicy,
  retryOrFail,
  type Session
} from "./streamSession.js"

/**
 * Options of `stream`, `lines` and `ndjson`.
 * @internal
 */
export interface StreamOptions extends RequestOptions {
  /**
   * After a reset mid-body, continue with a range request (`Range` + `If-Range`) instead of failing.
   * @default false
   */
  readonly resume?: boolean | undefined
  /**
   * The request's method, any token (`POST`, `QUERY` …), with any body option.
   * @default "GET"
   */
  readonly method?: string | undefined
}

/**
 * Options of `sse`.
 * @internal
 */
export interface SseOptions extends RequestOptions {
  /** Sent as `Last-Event-ID` on the first connection, to resume a stream seen before. */
  readonly lastEventId?: string | undefined
}

/**
 * One server-sent event.
 * @internal
 */
export interface ServerSentEvent {
  /** The event's `id:` field, if it had one. */
  readonly id: string | undefined
  /** The `event:` field ("message" when it had none). */
  readonly event: string
  /** The `data:` lines joined with "\n". */
  readonly data: string
}

const failure = (session: Session, reason: "NotResumable" | "ProtocolError" | "StreamEnded", detail?: string) =>
  new TransportError({ ...session.info, attempt: Math.max(1, session.attempt), reason, detail })

/** @internal */
export const stream = (
  url: string | URL,
  options: StreamOptions = {}
): Stream.Stream<Uint8Array, HttpResilientError, ResilientClient> =>
  Stream.unwrap(Effect.map(
    makeSession("stream", options.method ?? "GET", url, options, undefined, [
      ["resume", options.resume, "boolean"],
      ["method", options.method, "string"]
    ]),
    (session) => {
      const resume = options.resume === true
      const download = new Download()
      const onProgress = options.onProgress
      let total: number | undefined

      const segment = (
        extraHeaders: Record<string, string> | undefined
      ): Stream.Stream<Uint8Array, HttpResilientError | Dropped> =>
        Stream.unwrap(Effect.flatMap(establish(session, extraHeaders), (opened) => {
          const response = opened.response
          if (extraHeaders === undefined) {
            download.first(response.headers)
            if (onProgress !== undefined) total = totalOf(response.headers)
          } else {
            const problem = download.checkRange(response.status, response.headers)
            if (problem !== undefined) return giveUp(session, failure(session, "NotResumable", problem.detail))
          }
          return Effect.succeed(Stream.mapArray(bodyOf(opened), (chunk) => {
            for (const bytes of chunk) download.offset += bytes.byteLength
            if (onProgress !== undefined) {
              runHook(onProgress, { direction: "download", bytes: download.offset, total }, "onProgress")
            }
            return chunk
          }))
        }))

      const afterDrop = (
        error: HttpResilientError
      ): Effect.Effect<Stream.Stream<Uint8Array, HttpResilientError>, HttpResilientError> =>
        Effect.gen(function*() {
          yield* publishDrop(session, error)
          if (download.progressed()) yield* resetPolicy(session)
          const next = download.afterDrop(resume)
          if (next === "fail") return yield* giveUp(session, error)
          if (next instanceof NotResumable) {
            return yield* giveUp(session, failure(session, "NotResumable", next.detail))
          }
          yield* retryOrFail(session, error)
          return run(download.rangeHeaders())
        })

      const run = (extraHeaders: Record<string, string> | undefined): Stream.Stream<Uint8Array, HttpResilientError> =>
        Stream.catch(
          segment(extraHeaders),
          (failed) => failed instanceof Dropped ? Stream.unwrap(afterDrop(failed.error)) : Stream.fail(failed)
        )

      return bounded(session, run(undefined))
    }
  ))

/**
 * Text split into lines by the core's splitter (`\n`, `\r\n`, a lone `\r`, also a `\r\n` cut between chunks).
 * @internal
 */
export const splitLines = <E, R>(self: Stream.Stream<string, E, R>): Stream.Stream<string, E, R> =>
  Stream.suspend(() => {
    const splitter = new LineSplitter()
    return Stream.concat(
      Stream.flattenIterable(Stream.map(self, (text) => splitter.feed(text))),
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
): Stream.Stream<string, HttpResilientError, ResilientClient> => splitLines(Stream.decodeText(stream(url, options)))

/** @internal */
export const ndjson = <S extends Schema.Constraint>(
  url: string | URL,
  schema: S,
  options: StreamOptions = {}
): Stream.Stream<S["Type"], HttpResilientError, ResilientClient | S["DecodingServices"]> => {
  const decode = Schema.decodeUnknownEffect(schema)
  return Stream.unwrap(Effect.map(Effect.service(ResilientClient), (service) => {
    const info = {
      method: String(options.method ?? "GET").toUpperCase(),
      url: typeof url === "string" || url instanceof URL ? redactUrl(url, service.streams.secrets) : "",
      attempt: 1
    }
    return lines(url, options).pipe(
      Stream.zipWithIndex,
      Stream.filter(([line]) => line.trim() !== ""),
      Stream.mapEffect(([line, index]) => {
        const parsed = parseNdjsonLine(line)
        if ("cause" in parsed) return Effect.fail(new DecodeError({ ...info, cause: parsed.cause, line: index + 1 }))
        return Effect.mapError(decode(parsed.value), (cause) => new DecodeError({ ...info, cause, line: index + 1 }))
      })
    )
  }))
}

/** @internal */
export const sse = (
  url: string | URL,
  options: SseOptions = {}
): Stream.Stream<ServerSentEvent, HttpResilientError, ResilientClient> =>
  Stream.unwrap(Effect.map(
    makeSession("sse", "GET", url, options, sseRequestHeaders, [["lastEventId", options.lastEventId, "string"]]),
    (session) => {
      const log = new EventLog(options.lastEventId)

      const deliver = (
        parser: SseParser,
        text: string
      ): Effect.Effect<ReadonlyArray<ServerSentEvent>, HttpResilientError> => {
        const out = log.fresh(parser.feed(text), parser.retry)
        if (parser.error !== undefined) {
          return giveUp(session, failure(session, "ProtocolError", parser.error.message))
        }
        return Effect.succeed(out)
      }

      const connection = (): Stream.Stream<ServerSentEvent, HttpResilientError | Dropped> =>
        Stream.unwrap(Effect.map(establish(session, log.headers()), (opened) => {
          if (opened.response.status === 204) {
            log.stopped = true
            return Stream.empty
          }
          const parser = new SseParser()
          return Stream.flattenIterable(
            Stream.mapEffect(Stream.decodeText(bodyOf(opened)), (text) => deliver(parser, text))
          )
        }))

      const closed = Stream.suspend(() =>
        log.stopped ? Stream.empty : Stream.fail(new Dropped(failure(session, "StreamEnded")))
      )

      const reconnect = (
        error: HttpResilientError
      ): Effect.Effect<Stream.Stream<ServerSentEvent, HttpResilientError>> =>
        Effect.gen(function*() {
          if (log.stopped) return Stream.empty
          yield* publishDrop(session, error)
          const next = log.afterDrop()
          if (next.resetPolicy) yield* resetPolicy(session)
          if (next.askPolicy) {
            const retried = yield* Effect.result(retryOrFail(session, error))
            if (retried._tag === "Failure") return Stream.fail(retried.failure)
          }
          if (next.waitMillis !== undefined) yield* Effect.sleep(next.waitMillis)
          return run()
        })

      const run = (): Stream.Stream<ServerSentEvent, HttpResilientError> =>
        Stream.catch(
          Stream.concat(connection(), closed),
          (failed) => failed instanceof Dropped ? Stream.unwrap(reconnect(failed.error)) : Stream.fail(failed)
        )

      return bounded(session, run())
    }
  ))
