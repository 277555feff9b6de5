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
import { type SseEvent, SseParser } from "../../../src/core/sse.js"
import { EventLog, sseRequestHeaders } from "../../../src/core/sseReconnect.js"
import { NdjsonLines, type SseVerbOptions, type StreamVerbOptions } from "../../../src/core/streaming.js"
import { DecodeError, type HttpResilientError, TransportError } from "../HttpResilientError.js"
import { runHook } from "./hooks.js"
import type { RequestOptions } from "./request.js"
import { ResilientClient } from "./service.js"
import * as Session from "./streamSession.js"

/**
 * Options of `stream`, `lines` and `ndjson`: the request's and the core's `resume` and `method`.
 * @internal
 */
export interface StreamOptions extends RequestOptions, StreamVerbOptions {}

/**
 * Options of `sse`: the request's and the core's `lastEventId`.
 * @internal
 */
export interface SseOptions extends RequestOptions, SseVerbOptions {}

/**
 * One server-sent event (the core's, as the root entry's).
 * @internal
 */
export type ServerSentEvent = SseEvent

const failure = (session: Session.Session, reason: "NotResumable" | "ProtocolError" | "StreamEnded", detail?: string) =>
  new TransportError({ ...session.info, attempt: Math.max(1, session.attempt), reason, detail })

/** @internal */
export const stream = (
  url: string | URL,
  options: StreamOptions = {}
): Stream.Stream<Uint8Array, HttpResilientError, ResilientClient> =>
  Stream.unwrap(Effect.map(
    Session.makeSession("stream", options.method ?? "GET", url, options, undefined, [
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
      ): Stream.Stream<Uint8Array, HttpResilientError | Session.Dropped> =>
        Stream.unwrap(Effect.flatMap(Session.establish(session, extraHeaders), (opened) => {
          const response = opened.response
          const problem = download.open(extraHeaders !== undefined, response.status, response.headers)
          if (problem !== undefined) return Session.giveUp(session, failure(session, "NotResumable", problem.detail))
          if (onProgress !== undefined && extraHeaders === undefined) total = totalOf(response.headers)
          return Effect.succeed(Stream.mapArray(Session.bodyOf(opened), (chunk) => {
            const bytes = download.count(chunk)
            if (onProgress !== undefined) runHook(onProgress, { direction: "download", bytes, total }, "onProgress")
            return chunk
          }))
        }))

      const afterDrop = (
        error: HttpResilientError
      ): Effect.Effect<Record<string, string> | undefined, HttpResilientError> =>
        Effect.gen(function*() {
          yield* Session.publishDrop(session, error)
          if (download.progressed()) yield* Session.resetPolicy(session)
          const next = download.next(resume)
          if (next === "fail") return yield* Session.giveUp(session, error)
          if (next instanceof NotResumable) {
            return yield* Session.giveUp(session, failure(session, "NotResumable", next.detail))
          }
          yield* Session.retryOrFail(session, error)
          return next.headers
        })

      return Session.bounded(session, Session.reconnecting(segment, afterDrop)(undefined))
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
      Stream.suspend(() => Stream.fromIterable(splitter.rest()))
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
    const reader = new NdjsonLines()
    const decodeLine = (text: string) => {
      const parsed = reader.read(text)
      if (parsed === undefined) return Effect.succeed([])
      const decodeError = (cause: unknown) => new DecodeError({ ...info, cause, line: parsed.line })
      return "cause" in parsed
        ? Effect.fail(decodeError(parsed.cause))
        : Effect.mapBoth(decode(parsed.value), { onFailure: decodeError, onSuccess: (value) => [value] })
    }
    return Stream.flattenIterable(Stream.mapEffect(lines(url, options), decodeLine))
  }))
}

/** @internal */
export const sse = (
  url: string | URL,
  options: SseOptions = {}
): Stream.Stream<ServerSentEvent, HttpResilientError, ResilientClient> =>
  Stream.unwrap(Effect.map(
    Session.makeSession("sse", "GET", url, options, sseRequestHeaders, [[
      "lastEventId",
      options.lastEventId,
      "string"
    ]]),
    (session) => {
      const log = new EventLog(options.lastEventId)

      const deliver = (
        parser: SseParser,
        text: string
      ): Effect.Effect<ReadonlyArray<ServerSentEvent>, HttpResilientError> => {
        const out = log.fresh(parser.feed(text), parser.retry)
        if (parser.error !== undefined) {
          return Session.giveUp(session, failure(session, "ProtocolError", parser.error.message))
        }
        return Effect.succeed(out)
      }

      const connection = (): Stream.Stream<ServerSentEvent, HttpResilientError | Session.Dropped> =>
        Stream.unwrap(Effect.map(Session.establish(session, log.headers()), (opened) => {
          if (opened.response.status === 204) {
            log.stopped = true
            return Stream.empty
          }
          const parser = new SseParser()
          return Stream.flattenIterable(
            Stream.mapEffect(Stream.decodeText(Session.bodyOf(opened)), (text) => deliver(parser, text))
          )
        }))

      const closed = Stream.suspend(() =>
        log.stopped ? Stream.empty : Stream.fail(new Session.Dropped(failure(session, "StreamEnded")))
      )

      const reconnect = (error: HttpResilientError): Effect.Effect<undefined | null, HttpResilientError> =>
        Effect.gen(function*() {
          if (log.stopped) return null
          yield* Session.publishDrop(session, error)
          const next = log.afterDrop()
          if (next.resetPolicy) yield* Session.resetPolicy(session)
          if (next.askPolicy) yield* Session.retryOrFail(session, error)
          if (next.waitMillis !== undefined) yield* Effect.sleep(next.waitMillis)
          return undefined
        })

      return Session.bounded(
        session,
        Session.reconnecting(() => Stream.concat(connection(), closed), reconnect)(undefined)
      )
    }
  ))
