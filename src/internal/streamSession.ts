/**
 * A run of a streaming verb (`stream`, `lines`, `ndjson`, `sse`): its attempts at opening the response (through the
 * client's attempt pipeline, `streamPartsOf`), retried by the client's one retry driver under the session's policy,
 * which also decides on reconnecting after a drop; its deadline; its events after the head arrived.
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { RequestValidationError } from "../core/requestError.js"
import { redactUrl } from "../core/secrets.js"
import { Dropped as CoreDropped } from "../core/streaming.js"
import { type HttpResilientError, InvalidRequestError, TimeoutError } from "../HttpResilientError.js"
import * as Events from "../ResilientEvent.js"
import { transportErrorFor, validationError } from "./attemptErrors.js"
import { CallFacts, callOf, setCall } from "./callFacts.js"
import { type ClientInternals, internalsOf, ResilientClient } from "./client.js"
import { currentDeadline, earliestDeadline } from "./deadline.js"
import * as Pipeline from "./pipeline.js"
import { makePrepare, optionsForAttempt, type Prepare, urlForAttempt } from "./prepare.js"
import type { PreparedRequest, RequestOptions } from "./request.js"
import { type RequestOptionFields, streamOptions } from "./requestOptions.js"
import { decide, retryLoop } from "./retryDriver.js"
import { defaultPolicy } from "./retryPolicy.js"
import type { StreamingResponse } from "./transport.js"

/** What the streams of a client use: its streamed attempt's pipeline and its request preparation. */
interface StreamParts {
  readonly open: ReturnType<typeof Pipeline.runStreamed>
  readonly prepare: Prepare
}

/** The stream parts of each client, made on its first stream. */
const streamParts = new WeakMap<ClientInternals, StreamParts>()

/**
 * What the streams of `client` use: one attempt at opening a streamed response through its attempt pipeline (see
 * `pipeline.ts`: the same stages as a buffered attempt, composed once per client), and its request preparation
 * (which takes a verb's own headers).
 * @internal
 */
export const streamPartsOf = (client: ClientInternals): StreamParts => {
  let parts = streamParts.get(client)
  if (parts === undefined) {
    const { config, hasListeners, protections, publish, subscribe, transport } = client
    const hub = { publish, hasListeners, subscribe }
    parts = {
      open: Pipeline.runStreamed(Pipeline.streamed({ config, transport, protections, hub }), config),
      prepare: makePrepare(config)
    }
    streamParts.set(client, parts)
  }
  return parts
}

/** @internal */
export const policyFor = (
  client: ClientInternals,
  options: RequestOptions | undefined
): Schedule.Schedule<unknown, HttpResilientError> =>
  options?.retry === false ? Schedule.stop : options?.retry ?? client.config.retry ?? defaultPolicy

/**
 * Mutable bookkeeping of one run of a streaming verb.
 * @internal
 */
export interface Session {
  readonly client: ClientInternals
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

/**
 * The method of a stream's requests: its `method` option (`stream`, `lines`, `ndjson`), else GET.
 * @internal
 */
export const methodOf = (options: RequestOptions | undefined): string =>
  (options as { readonly method?: unknown } | undefined)?.method as string | undefined ?? "GET"

/** The request of attempt `attemptNo`: to the primary URL or a `failover` one, with its entry of `attempts`. */
const prepareAttempt = (
  client: ClientInternals,
  url: string | URL,
  options: RequestOptions | undefined,
  verbHeaders: Record<string, string> | undefined,
  attemptNo: number
): PreparedRequest | InvalidRequestError => {
  const attemptUrl = urlForAttempt(url, options, attemptNo)
  const method = methodOf(options)
  const prepared = streamPartsOf(client).prepare(
    method,
    attemptUrl,
    optionsForAttempt(options, attemptNo),
    undefined,
    undefined,
    verbHeaders
  )
  if (prepared instanceof RequestValidationError) {
    return validationError(prepared, method, attemptUrl, attemptNo, client.config.redacted)
  }
  return prepared
}

/** @internal */
export const makeSession = (
  url: string | URL,
  options: RequestOptions | undefined,
  verbHeaders?: Record<string, string>,
  fields: RequestOptionFields = streamOptions
): Effect.Effect<Session, HttpResilientError, ResilientClient> =>
  Effect.flatMap(ResilientClient, (service) => {
    const client = internalsOf(service)
    if (options !== undefined) {
      const invalid = client.validate(options, fields)
      if (invalid !== undefined) {
        return Effect.fail(validationError(invalid, methodOf(options), url, 1, client.config.redacted))
      }
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
 * The session's policy's next step after `error` (the error gets the session's call facts first, if it has none).
 * A request whose body cannot be sent again (a `stream` upload) is never retried, whatever the policy: the session
 * gives up (`Failed`, reason `not-retryable`).
 */
const step = (session: Session, error: HttpResilientError) => {
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
  if (!session.prepared.replayable) return giveUp(session, error)
  return stepPolicy(session, error)
}

/**
 * Asks the session's policy whether to try again after `error` (sleeping its delay); fails with `error` when not,
 * or with what the policy refused the retry with (budget, Retry-After too long, deadline), without another attempt.
 * @internal
 */
export const retryOrFail = (session: Session, error: HttpResilientError): Effect.Effect<void, HttpResilientError> =>
  decide(step(session, error), error, Effect.void)

/**
 * Opens a streamed response (one attempt through the client's pipeline, `streamPartsOf`), retrying per the session's
 * policy by the client's one retry driver.
 * @internal
 */
export const establish = (
  session: Session,
  extraHeaders: Record<string, string> | undefined
): Effect.Effect<StreamingResponse, HttpResilientError, Scope.Scope> =>
  retryLoop(
    Effect.suspend(() => {
      const attemptNo = ++session.attempt
      if (attemptNo > 1 && attemptsDiffer(session.options)) {
        const prepared = prepareAttempt(session.client, session.url, session.options, session.verbHeaders, attemptNo)
        if (prepared instanceof InvalidRequestError) return Effect.fail(prepared)
        session.prepared = prepared
      }
      return streamPartsOf(session.client).open(session.prepared, extraHeaders, attemptNo, session.deadlineAt)
    }),
    (error: HttpResilientError) => step(session, error)
  ).loop

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
 * A failure of the body after the response began: the stream may continue on a new connection (the core's).
 * @internal
 */
export class Dropped extends CoreDropped<HttpResilientError> {}

/**
 * `open(first)`, continued on a new connection after each drop of its body: `next` gives the next connection's
 * input (`null` ends the stream) or fails the stream.
 * @internal
 */
export const reconnecting = <A, I>(
  open: (input: I) => Stream.Stream<A, HttpResilientError | Dropped>,
  next: (error: HttpResilientError) => Effect.Effect<I | null, HttpResilientError>
): (first: I) => Stream.Stream<A, HttpResilientError> => {
  const run = (input: I): Stream.Stream<A, HttpResilientError> =>
    Stream.catchAll(open(input), (failure) =>
      failure instanceof Dropped
        ? Stream.unwrap(Effect.map(next(failure.error), (again) => again === null ? Stream.empty : run(again)))
        : Stream.fail(failure))
  return run
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
