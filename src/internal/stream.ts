/** @internal */
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import type * as ParseResult from "effect/ParseResult"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { LineSplitter } from "../core/lines.js"
import { RequestValidationError } from "../core/requestError.js"
import { redactUrl } from "../core/secrets.js"
import {
  DecodeError,
  type HttpResilientError,
  InvalidRequestError,
  TimeoutError,
  TransportError
} from "../HttpResilientError.js"
import * as Events from "../ResilientEvent.js"
import {
  AttemptTime,
  CallFacts,
  callOf,
  currentDeadline,
  earliestDeadline,
  optionsForAttempt,
  redirectHop,
  redirectStatuses,
  ResilientClient,
  type ResilientClientService,
  setCall,
  statusError,
  takeRetryRefusal,
  transportErrorFor,
  urlForAttempt,
  validationError
} from "./client.js"
import * as Interceptors from "./interceptor.js"
import { type PreparedRequest, type RequestOptions, toPlatformRequest } from "./request.js"
import { type RequestOptionFields, streamOptions } from "./requestOptions.js"
import { BufferedResponse, type RawResponse } from "./response.js"
import { defaultPolicy } from "./retryPolicy.js"
import * as Telemetry from "./telemetry.js"
import type { StreamingResponse } from "./transport.js"

/**
 * Options of the streaming verbs.
 * @internal
 */
export interface StreamOptions extends RequestOptions {
  /** After a reset mid-body, continue with a range request instead of failing. @default false */
  readonly resume?: boolean | undefined
}

/** @internal */
export const policyFor = (
  client: ResilientClientService,
  options: RequestOptions | undefined
): Schedule.Schedule<unknown, HttpResilientError> =>
  options?.retry === false ? Schedule.stop : options?.retry ?? client.config.retry ?? defaultPolicy

const ERROR_BODY_LIMIT = 1 << 20

/** Reads (at most 1 MiB of) an error response's body, so a `StatusError` carries it like a buffered call's. */
const readErrorBody = (response: StreamingResponse): Effect.Effect<RawResponse> =>
  Effect.map(
    response.body.pipe(
      Stream.runFoldWhile(
        { chunks: [] as Array<Uint8Array>, size: 0 },
        (acc) => acc.size < ERROR_BODY_LIMIT,
        (acc, chunk) => {
          acc.chunks.push(chunk)
          acc.size += chunk.byteLength
          return acc
        }
      ),
      Effect.orElseSucceed(() => ({ chunks: [] as Array<Uint8Array>, size: 0 }))
    ),
    (acc): RawResponse => ({
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      setCookie: response.setCookie,
      body: Buffer.concat(acc.chunks, acc.size),
      url: response.url
    })
  )

/**
 * One attempt at opening a streamed response, through the steps of a buffered attempt: the deadline (spent →
 * `TimeoutError` deadline; the attempt timeout, which covers the headers, clipped to it), rate limiter, bulkhead and
 * circuit breaker (which records how the opening ended), request interceptors, redirects followed by the buffered
 * rules (a redirect's body is read and dropped), a status outside `acceptStatus` failing with `StatusError`;
 * events, metrics and spans likewise. The bulkhead slot is held until the response head arrives, not for the
 * whole body: a long stream does not starve buffered calls. The scope owns the socket.
 * @internal
 */
export const open = (
  client: ResilientClientService,
  prepared: PreparedRequest,
  extraHeaders: Record<string, string> | undefined,
  attempt: number,
  deadline?: number | undefined
): Effect.Effect<StreamingResponse, HttpResilientError, Scope.Scope> =>
  Effect.withFiberRuntime((fiber) => {
    const config = client.config
    const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
    const now = clock.unsafeCurrentTimeMillis()
    const url = prepared.url
    const info = { method: prepared.method, url: redactUrl(url, prepared.secrets), attempt, tag: prepared.tag }
    const time = new AttemptTime(now, prepared.timeoutMillis ?? config.timeoutMillis, deadline)
    if (time.spent) {
      return Effect.fail(
        new TimeoutError({ method: info.method, url: info.url, attempt, scope: "deadline", timeout: Duration.zero })
      )
    }
    const listening = client.hasListeners()
    if (listening) client.publish(new Events.RequestStarted({ ...info, timestamp: now }))
    const headers = extraHeaders === undefined ? prepared.headers : { ...prepared.headers, ...extraHeaders }
    const maxRedirects = prepared.followRedirects ?? config.followRedirects
    const send = (
      outgoing: Interceptors.Outgoing,
      scope: Scope.Scope,
      redirects: number,
      visited: Set<string> | undefined
    ): Effect.Effect<StreamingResponse, HttpResilientError> =>
      Effect.flatMap(
        Effect.mapError(
          Scope.extend(
            client.transport.stream({
              method: outgoing.method,
              url: outgoing.url,
              headers: { ...outgoing.headers },
              body: outgoing.body,
              timeoutMillis: time.left(clock.unsafeCurrentTimeMillis()),
              maxResponseSize: prepared.maxResponseSize ?? config.maxResponseSize,
              clock
            }),
            scope
          ),
          (failure) => transportErrorFor(failure, prepared, outgoing.url, attempt, time.timeoutMillis, time.clipped)
        ),
        (response) => {
          if (!redirectStatuses.has(response.status) || maxRedirects === 0) return Effect.succeed(response)
          const hop = redirectHop(
            outgoing,
            response.status,
            response.headers.location,
            prepared.replayable,
            redirects,
            maxRedirects,
            visited,
            { method: prepared.method, url: info.url, attempt },
            config
          )
          if (hop === undefined) return Effect.succeed(response)
          // the redirect's own body is read (and dropped) so that its connection can be reused
          return Effect.zipRight(
            readErrorBody(response),
            hop instanceof TransportError ? Effect.fail(hop) : send(hop, scope, redirects + 1, hop.visited)
          )
        }
      )
    const classify = (response: StreamingResponse): Effect.Effect<StreamingResponse, HttpResilientError> => {
      if (config.acceptStatus(response.status)) {
        if (listening) {
          const end = clock.unsafeCurrentTimeMillis()
          client.publish(
            new Events.Succeeded({
              ...info,
              timestamp: end,
              status: response.status,
              duration: Duration.millis(end - now)
            })
          )
        }
        return Effect.succeed(response)
      }
      return Effect.flatMap(readErrorBody(response), (raw) =>
        Effect.fail(
          statusError(
            prepared,
            info.url,
            attempt,
            raw,
            new BufferedResponse(raw, () => toPlatformRequest(prepared), config.redacted, attempt),
            config.redacted,
            clock
          )
        ))
    }
    return Effect.scopeWith((scope) =>
      Telemetry.instrument(
        fiber,
        config.tracing,
        { method: prepared.method, url, headers, tag: prepared.tag, secrets: prepared.secrets },
        attempt,
        clock,
        now,
        (h) =>
          client.protections.guard(
            prepared,
            attempt,
            clock,
            time,
            Effect.flatMap(
              Effect.flatMap(
                config.interceptors === undefined
                  ? Effect.succeed<Interceptors.Outgoing>({
                    method: prepared.method,
                    url,
                    headers: h,
                    body: prepared.body
                  })
                  : Interceptors.runRequestSide(config.interceptors, { ...prepared, headers: h }, attempt),
                (outgoing) => send(outgoing, scope, 0, undefined)
              ),
              classify
            )
          )
      )
    ).pipe(
      (effect) =>
        listening
          ? Effect.tapError(effect, (error) =>
            Effect.sync(() =>
              client.publish(new Events.AttemptFailed({ ...info, timestamp: clock.unsafeCurrentTimeMillis(), error }))
            ))
          : effect
    )
  })

/**
 * Mutable bookkeeping of one run of a streaming verb.
 * @internal
 */
export interface Session {
  readonly client: ResilientClientService
  readonly url: string | URL
  readonly options: RequestOptions | undefined
  /** the verb's own headers (an event stream's `accept`), under the request's */
  readonly verbHeaders: Record<string, string> | undefined
  /** the request of the last attempt made (until then the first attempt's) */
  prepared: PreparedRequest
  readonly driver: Schedule.ScheduleDriver<unknown, HttpResilientError>
  /** the `deadline` option as an instant on the Clock (epoch ms), if set */
  readonly deadlineAt: number | undefined
  /** the number of the last attempt made */
  attempt: number
}

/** The request of attempt `attemptNo`: to the primary URL or a `failover` one, with its entry of `attempts`. */
const prepareAttempt = (
  client: ResilientClientService,
  url: string | URL,
  options: RequestOptions | undefined,
  verbHeaders: Record<string, string> | undefined,
  attemptNo: number
): PreparedRequest | InvalidRequestError => {
  const attemptUrl = urlForAttempt(url, options, attemptNo)
  const prepared = client.prepare("GET", attemptUrl, optionsForAttempt(options, attemptNo))
  if (prepared instanceof RequestValidationError) {
    return validationError(prepared, "GET", attemptUrl, attemptNo, client.config.redacted)
  }
  return verbHeaders === undefined ? prepared : { ...prepared, headers: { ...verbHeaders, ...prepared.headers } }
}

/** @internal */
export const makeSession = (
  url: string | URL,
  options: RequestOptions | undefined,
  verbHeaders?: Record<string, string>,
  fields: RequestOptionFields = streamOptions
): Effect.Effect<Session, HttpResilientError, ResilientClient> =>
  Effect.flatMap(ResilientClient, (client) => {
    if (options !== undefined) {
      const invalid = client.validate(options, fields)
      if (invalid !== undefined) return Effect.fail(validationError(invalid, "GET", url, 1, client.config.redacted))
    }
    const prepared = prepareAttempt(client, url, options, verbHeaders, 1)
    if (prepared instanceof InvalidRequestError) return Effect.fail(prepared)
    const deadline = options?.deadline === undefined ? undefined : Duration.toMillis(Duration.decode(options.deadline))
    return Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.map(Schedule.driver(policyFor(client, options)), (driver) => ({
        client,
        url,
        options,
        verbHeaders,
        prepared,
        driver,
        deadlineAt: deadline === undefined ? undefined : now + deadline,
        attempt: 0
      })))
  })

/** Whether attempts differ in anything but their number (`failover` URLs, `attempts` entries). */
const attemptsDiffer = (options: RequestOptions | undefined): boolean =>
  (options?.failover?.length ?? 0) > 0 || (options?.attempts?.length ?? 0) > 0

/**
 * `self` bounded by the session's deadline, if it has one: when it passes the stream is interrupted (its socket
 * closed) and fails with `TimeoutError` deadline, naming the last attempt.
 * @internal
 */
export const bounded = <A, E>(
  session: Session,
  self: Stream.Stream<A, E>
): Stream.Stream<A, E | TimeoutError> => {
  const deadlineAt = session.deadlineAt
  if (deadlineAt === undefined) return self
  return Stream.interruptWhen(
    self,
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const remaining = Math.max(0, deadlineAt - now)
      return Effect.zipRight(
        Effect.sleep(Duration.millis(remaining)),
        Effect.fail(
          new TimeoutError({
            method: session.prepared.method,
            url: redactUrl(session.prepared.url, session.prepared.secrets),
            attempt: Math.max(1, session.attempt),
            scope: "deadline",
            timeout: Duration.millis(remaining)
          })
        )
      )
    })
  )
}

/** The policy's next step, which sees the session's deadline (a policy schedules no sleep past it). */
const stepPolicy = (session: Session, error: HttpResilientError) => {
  const deadlineAt = session.deadlineAt
  if (deadlineAt === undefined) return session.driver.next(error)
  return FiberRef.getWith(
    currentDeadline,
    (existing) =>
      Effect.locally(
        session.driver.next(error),
        currentDeadline,
        earliestDeadline(existing, deadlineAt)
      )
  )
}

/**
 * Asks the session's policy whether to try again after `error` (sleeping its delay); fails with `error` when not.
 * @internal
 */
export const retryOrFail = (session: Session, error: HttpResilientError): Effect.Effect<void, HttpResilientError> => {
  if (callOf(error) === undefined) {
    const prepared = session.prepared
    setCall(
      error,
      new CallFacts(
        error.attempt,
        prepared.headers["idempotency-key"],
        prepared.replayable,
        session.deadlineAt,
        prepared.tag,
        undefined
      )
    )
  }
  return Effect.matchEffect(stepPolicy(session, error), {
    onFailure: () => Effect.fail(error),
    onSuccess: () => {
      // a policy that refuses a retry (budget, Retry-After too long, deadline) writes what the call ends with
      // instead on the error's `call.refusal`; the session fails with it at once, without another attempt
      const refusal = takeRetryRefusal(error)
      return refusal === undefined ? Effect.void : Effect.fail(refusal)
    }
  })
}

/**
 * Opens a streamed response, retrying per the session's policy.
 * @internal
 */
export const establish = (
  session: Session,
  extraHeaders: Record<string, string> | undefined
): Effect.Effect<StreamingResponse, HttpResilientError, Scope.Scope> => {
  const loop: Effect.Effect<StreamingResponse, HttpResilientError, Scope.Scope> = Effect.suspend(() => {
    const attemptNo = ++session.attempt
    if (attemptNo > 1 && attemptsDiffer(session.options)) {
      const prepared = prepareAttempt(session.client, session.url, session.options, session.verbHeaders, attemptNo)
      if (prepared instanceof InvalidRequestError) return Effect.fail(prepared)
      session.prepared = prepared
    }
    return open(session.client, session.prepared, extraHeaders, attemptNo, session.deadlineAt)
  }).pipe(Effect.catchAll((error) => Effect.zipRight(retryOrFail(session, error), loop)))
  return loop
}

/** Publishes the event `make` builds from the session's last attempt, when anything listens. */
const publishAbout = (
  session: Session,
  make: (info: Events.EventInfo) => Events.ResilientEvent
): Effect.Effect<void> =>
  session.client.hasListeners()
    ? Effect.map(Clock.currentTimeMillis, (timestamp) =>
      session.client.publish(make({
        method: session.prepared.method,
        url: redactUrl(session.prepared.url, session.prepared.secrets),
        attempt: session.attempt,
        timestamp,
        tag: session.prepared.tag
      })))
    : Effect.void

/**
 * Tells listeners that the body of the session's last attempt failed after its head arrived (`AttemptFailed`).
 * @internal
 */
export const publishDrop = (session: Session, error: HttpResilientError): Effect.Effect<void> =>
  publishAbout(session, (info) => new Events.AttemptFailed({ ...info, error }))

/**
 * Ends the session with `error` without asking its policy, because the stream cannot go on (it would repeat or
 * skip bytes, or the server broke the protocol); listeners see `Failed` with reason `not-retryable`.
 * @internal
 */
export const giveUp = (session: Session, error: HttpResilientError): Effect.Effect<never, HttpResilientError> =>
  Effect.zipRight(
    publishAbout(session, (info) => new Events.Failed({ ...info, reason: "not-retryable", error })),
    Effect.fail(error)
  )

/**
 * A failure of the body after the response began: the stream may continue on a new connection.
 * @internal
 */
export class Dropped {
  readonly _tag = "Dropped"
  constructor(readonly error: HttpResilientError) {}
}

/** @internal */
export const bodyOf = (
  session: Session,
  response: StreamingResponse
): Stream.Stream<Uint8Array, Dropped> => {
  const prepared = session.prepared
  const attempt = session.attempt
  return Stream.mapError(
    response.body,
    (failure) => new Dropped(transportErrorFor(failure, prepared, prepared.url, attempt, Infinity, false))
  )
}

const notResumable = (session: Session, detail: string): TransportError =>
  new TransportError({
    method: session.prepared.method,
    url: redactUrl(session.prepared.url, session.prepared.secrets),
    attempt: session.attempt,
    reason: "NotResumable",
    detail
  })

/** A strong ETag (a weak `W/` one cannot validate a range), else undefined. */
const strongEtag = (headers: Record<string, string>): string | undefined => {
  const etag = headers.etag
  return etag === undefined || etag.startsWith("W/") ? undefined : etag
}

const contentRangeStart = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const match = /^\s*bytes\s+(\d+)-\d+\/(?:\d+|\*)\s*$/i.exec(value)
  return match === null ? undefined : Number(match[1])
}

/**
 * The bytes of `url`, with backpressure. With `resume`, a reset mid-body continues with
 * `Range: bytes=N-` + `If-Range` (strong ETag, else Last-Modified) on a 206 whose `Content-Range` starts at N and
 * whose ETag did not change; anything else fails with `TransportError` `NotResumable`. A reset before any byte was
 * emitted restarts the download, with or without `resume`.
 * @internal
 */
export const stream = (
  url: string | URL,
  options?: StreamOptions
): Stream.Stream<Uint8Array, HttpResilientError, ResilientClient> =>
  Stream.unwrap(Effect.map(makeSession(url, options), (session) => {
    const resume = options?.resume === true
    let offset = 0
    let offsetAtLastDrop = 0
    let validator: string | undefined
    let etag: string | undefined

    const checkRange = (response: StreamingResponse): HttpResilientError | undefined => {
      if (response.status === 200) return notResumable(session, "the server sent the whole body again (200)")
      if (response.status !== 206) return notResumable(session, `status ${response.status} to a range request`)
      const contentRange = response.headers["content-range"]
      if (contentRange === undefined) {
        return notResumable(session, `the 206 has no Content-Range (expected a start at ${offset})`)
      }
      if (contentRangeStart(contentRange) !== offset) {
        return notResumable(session, `Content-Range ${JSON.stringify(contentRange)} does not start at ${offset}`)
      }
      const now = strongEtag(response.headers) ?? response.headers.etag
      if (etag !== undefined && now !== undefined && now !== etag) {
        return notResumable(session, "the ETag changed")
      }
      return undefined
    }

    const segment = (
      extraHeaders: Record<string, string> | undefined
    ): Stream.Stream<Uint8Array, HttpResilientError | Dropped> =>
      Stream.unwrapScoped(Effect.flatMap(establish(session, extraHeaders), (response) => {
        if (extraHeaders === undefined) {
          etag = strongEtag(response.headers)
          validator = etag ?? response.headers["last-modified"]
        } else {
          const problem = checkRange(response)
          if (problem !== undefined) return giveUp(session, problem)
        }
        return Effect.succeed(
          Stream.mapChunks(bodyOf(session, response), (chunk) => {
            Chunk.forEach(chunk, (bytes) => {
              offset += bytes.byteLength
            })
            return chunk
          })
        )
      }))

    const afterDrop = (
      error: HttpResilientError
    ): Effect.Effect<Stream.Stream<Uint8Array, HttpResilientError>, HttpResilientError> =>
      Effect.gen(function*() {
        yield* publishDrop(session, error)
        if (offset > offsetAtLastDrop) yield* session.driver.reset
        offsetAtLastDrop = offset
        if (offset > 0 && !resume) return yield* giveUp(session, error)
        if (offset > 0 && validator === undefined) {
          return yield* giveUp(
            session,
            notResumable(session, "the response has neither a strong ETag nor Last-Modified")
          )
        }
        const retried = yield* Effect.either(retryOrFail(session, error))
        if (retried._tag === "Left") return Stream.fail(retried.left)
        return run(offset === 0 ? undefined : { range: `bytes=${offset}-`, "if-range": validator! })
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

/** @internal */
export const ndjson = <A, I, R>(
  url: string | URL,
  schema: Schema.Schema<A, I, R>,
  options?: StreamOptions
): Stream.Stream<A, HttpResilientError, ResilientClient | R> => {
  const decode = Schema.decodeUnknown(schema)
  return Stream.unwrap(Effect.map(ResilientClient, (client) => {
    const info = { method: "GET", url: redactUrl(url, client.config.redacted), attempt: 1 }
    return lines(url, options).pipe(
      Stream.zipWithIndex,
      Stream.filter(([line]) => line.trim() !== ""),
      Stream.mapEffect(([line, index]) => {
        let value: unknown
        try {
          value = JSON.parse(line)
        } catch (cause) {
          return Effect.fail(new DecodeError({ ...info, cause, line: index + 1 }))
        }
        return Effect.mapError(
          decode(value),
          (cause: ParseResult.ParseError) => new DecodeError({ ...info, cause, line: index + 1 })
        )
      })
    )
  }))
}
