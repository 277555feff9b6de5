/** @internal */
import * as Sse from "@effect/experimental/Sse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { redactUrl } from "../core/secrets.js"
import { type SseEvent, SseParser } from "../core/sse.js"
import { EventLog, sseRequestHeaders } from "../core/sseReconnect.js"
import type { SseVerbOptions } from "../core/streaming.js"
import { type HttpResilientError, TransportError } from "../HttpResilientError.js"
import type { ResilientClient } from "./client.js"
import type { RequestOptions } from "./request.js"
import { sseOptions } from "./requestOptions.js"
import {
  bodyOf,
  bounded,
  Dropped,
  establish,
  giveUp,
  makeSession,
  publishDrop,
  reconnecting,
  retryOrFail,
  type Session
} from "./streamSession.js"

/**
 * One server-sent event (the core's, as the v4 edition's).
 * @internal
 */
export type ServerSentEvent = SseEvent

/**
 * Options of `sse`: the request's and the core's `lastEventId`.
 * @internal
 */
export interface SseOptions extends RequestOptions, SseVerbOptions {}

/**
 * What feeding a chunk of text gives: the complete events in it, the last `retry:` delay, or an error when an
 * event grows past the parser's limit.
 * @internal
 */
export interface Parsed {
  readonly events: ReadonlyArray<ServerSentEvent>
  readonly retry: Duration.Duration | undefined
  readonly error: Sse.SseError | undefined
}

/**
 * An incremental parser over the core's (src/core/sse.ts: `@effect/experimental`'s `Sse.makeParser`, carried over)
 * that strips a leading byte order mark and reports `retry:` fields instead of acting on them.
 * @internal
 */
export const makeEventParser = (options?: Sse.DecodeOptions): { readonly feed: (text: string) => Parsed } => {
  const parser = new SseParser(options?.maxEventSize)
  return {
    feed(text) {
      const events = parser.feed(text)
      const retry = parser.retry
      const error = parser.error
      return {
        events,
        retry: retry === undefined ? undefined : Duration.millis(retry),
        error: error === undefined
          ? undefined
          : new Sse.SseError({ cause: new Sse.EventTooLarge({ maxEventSize: error.maxEventSize }) })
      }
    }
  }
}

/**
 * Server-sent events from `url`, reconnecting after a drop (or the server closing the stream) after the server's
 * `retry:` delay, else the `retry` policy's backoff, with `Last-Event-ID`; an event whose id was already delivered
 * is not delivered again (the core's rules, src/core/sseReconnect.ts). A connection that delivered no event counts against the policy (its backoff, then the
 * server's delay), so a server that keeps dropping ends the stream once the policy gives up. A 204 ends the stream.
 * @internal
 */
export const sse = (
  url: string | URL,
  options?: SseOptions
): Stream.Stream<ServerSentEvent, HttpResilientError, ResilientClient> =>
  Stream.unwrap(Effect.map(
    makeSession(url, options, sseRequestHeaders, sseOptions),
    (session) => {
      const log = new EventLog(options?.lastEventId)

      const deliver = (
        parser: SseParser,
        text: string
      ): Effect.Effect<ReadonlyArray<ServerSentEvent>, HttpResilientError> => {
        const out = log.fresh(parser.feed(text), parser.retry)
        if (parser.error !== undefined) return giveUp(session, protocolError(session, parser.error.message))
        return Effect.succeed(out)
      }

      const connection = (): Stream.Stream<ServerSentEvent, HttpResilientError | Dropped> =>
        Stream.unwrapScoped(
          Effect.map(
            establish(session, log.headers()),
            (response) => {
              if (response.status === 204) {
                log.stopped = true
                return Stream.empty
              }
              const parser = new SseParser()
              return bodyOf(session, response).pipe(
                Stream.decodeText(),
                Stream.mapConcatEffect((text) => deliver(parser, text))
              )
            }
          )
        )

      const reconnect = (error: HttpResilientError): Effect.Effect<undefined | null, HttpResilientError> =>
        Effect.gen(function*() {
          if (log.stopped) return null
          yield* publishDrop(session, error)
          const next = log.afterDrop()
          if (next.resetPolicy) yield* session.driver.reset
          if (next.askPolicy) yield* retryOrFail(session, error)
          if (next.waitMillis !== undefined) yield* Effect.sleep(Duration.millis(next.waitMillis))
          return undefined
        })

      const connect = () => Stream.concat(connection(), closed(session, log))
      return bounded(session, reconnecting(connect, reconnect)(undefined))
    }
  ))

/** The end of a connection: the end of the stream after a 204, else a drop (`StreamEnded`) to reconnect after. */
const closed = (session: Session, log: EventLog): Stream.Stream<never, Dropped> =>
  Stream.suspend(() =>
    log.stopped ? Stream.empty : Stream.fail(
      new Dropped(
        new TransportError({
          method: "GET",
          url: redactUrl(session.prepared.url, session.prepared.secrets),
          attempt: session.attempt,
          reason: "StreamEnded"
        })
      )
    )
  )

const protocolError = (session: Session, detail: string): TransportError =>
  new TransportError({
    method: "GET",
    url: redactUrl(session.prepared.url, session.prepared.secrets),
    attempt: session.attempt,
    reason: "ProtocolError",
    detail
  })
