/**
 * A run of a streaming verb of the v4 edition (`stream`, `lines`, `ndjson`, `sse`): its attempts at opening the
 * response (through the client's streamed pipeline, `pipeline.ts` `runStreamed`), each in its own scope, retried
 * under the session's policy (the `retry` option, else the client's, else `RetryPolicy.default`), which also decides
 * on resuming or reconnecting after a drop; its deadline; its events after the head arrived.
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { positiveDuration } from "../../../src/core/durationRules.js"
import { redactUrl } from "../../../src/core/secrets.js"
import { Dropped as CoreDropped } from "../../../src/core/streaming.js"
import type { TransportFailure } from "../../../src/core/transportFailure.js"
import {
  type HttpResilientError,
  InvalidRequestError,
  type RequestInfo,
  setCall,
  TimeoutError
} from "../HttpResilientError.js"
import * as Events from "../ResilientEvent.js"
import { defaultPolicy } from "../RetryPolicy.js"
import { failureToError } from "./attempt.js"
import { optionalMillis } from "./options.js"
import type { RequestOptions } from "./request.js"
import { CurrentDeadline, type Opened, ResilientClient, type StreamParts } from "./service.js"
import type { StreamingResponse } from "./transport.js"

type Step = (error: HttpResilientError) => Effect.Effect<unknown, unknown>

/**
 * Mutable bookkeeping of one run of a streaming verb.
 * @internal
 */
export interface Session {
  readonly parts: StreamParts
  readonly method: string
  readonly url: string | URL
  readonly options: RequestOptions
  /** the verb's own headers (an event stream's `accept`), under the request's */
  readonly verbHeaders: Record<string, string> | undefined
  readonly policy: Schedule.Schedule<unknown, HttpResilientError, HttpResilientError>
  /** the policy's step (sleeping its delay); made again to start the policy over */
  step: Step
  /** the `deadline` option as an instant on the Clock (epoch ms), if set */
  readonly deadlineAt: number | undefined
  /** the number of the last attempt made */
  attempt: number
  /** how events and errors show the last attempt */
  info: RequestInfo
}

const stepOf = (policy: Session["policy"]): Effect.Effect<Step> =>
  Schedule.toStepWithSleep(policy) as Effect.Effect<Step>

/**
 * A bad option of a streaming verb (`resume`, `method`, `lastEventId`): `InvalidRequestError` naming it.
 * @internal
 */
export const checkOption = (
  name: string,
  value: unknown,
  type: "boolean" | "string",
  info: RequestInfo
): InvalidRequestError | undefined =>
  value === undefined || typeof value === type ? undefined : new InvalidRequestError({
    ...info,
    reason: "InvalidOption",
    detail: `${name}: ${JSON.stringify(String(value))} is not a ${type}`
  })

/**
 * Starts a session of `method url` (the policy made, the deadline fixed), or fails with an option's error.
 * @internal
 */
export const makeSession = (
  verb: "stream" | "sse",
  method: string,
  url: string | URL,
  options: RequestOptions,
  verbHeaders: Record<string, string> | undefined,
  checks: ReadonlyArray<readonly [string, unknown, "boolean" | "string"]>
): Effect.Effect<Session, HttpResilientError, ResilientClient> =>
  Effect.flatMap(Effect.service(ResilientClient), (service) =>
    Effect.gen(function*() {
      const parts = service.streams
      const shown = typeof url === "string" || url instanceof URL ? redactUrl(url, parts.secrets) : ""
      const info = { method: String(method).toUpperCase(), url: shown, attempt: 1 }
      for (const [name, value, type] of checks) {
        const invalid = checkOption(name, value, type, info)
        if (invalid !== undefined) return yield* invalid
      }
      let deadline: number | undefined
      try {
        deadline = optionalMillis(`HttpResilient.${verb}`, "deadline", options.deadline, positiveDuration)
      } catch (bad) {
        return yield* new InvalidRequestError({ ...info, reason: "InvalidOption", detail: (bad as Error).message })
      }
      const now = yield* Clock.currentTimeMillis
      const policy = options.retry === false
        ? Schedule.recurs(0)
        : options.retry ?? parts.retry ?? defaultPolicy
      return {
        parts,
        method,
        url,
        options,
        verbHeaders,
        policy,
        step: yield* stepOf(policy),
        deadlineAt: deadline === undefined ? undefined : now + deadline,
        attempt: 0,
        info
      } satisfies Session
    }))

/**
 * The policy's next step after `error` (sleeping its delay), seeing the session's deadline; fails with `error` when
 * the policy is done, or with what it refused the retry with (budget, Retry-After too long, deadline). A request
 * whose body cannot be sent again (its call facts say so) is never retried: the session gives up (`Failed`, reason
 * `not-retryable`).
 * @internal
 */
export const retryOrFail = (session: Session, error: HttpResilientError): Effect.Effect<void, HttpResilientError> => {
  // a body that cannot be sent again (a `stream` upload): never retried, whatever the policy
  if (error.call?.replayable === false) return giveUp(session, error)
  const step = session.step(error)
  const bounded = session.deadlineAt === undefined
    ? step
    : Effect.flatMap(Effect.service(CurrentDeadline), (existing) =>
      Effect.provideService(
        step,
        CurrentDeadline,
        existing === undefined ? session.deadlineAt : Math.min(existing, session.deadlineAt!)
      ))
  return Effect.catch(
    Effect.asVoid(bounded),
    (failure) => Effect.fail(Cause.isDone(failure) ? error : failure as HttpResilientError)
  )
}

/**
 * Starts the session's policy over (a connection made progress).
 * @internal
 */
export const resetPolicy = (session: Session): Effect.Effect<void> =>
  Effect.map(stepOf(session.policy), (step) => {
    session.step = step
  })

/** One attempt at opening the response, in a scope of its own (closed at once when the attempt fails). */
const attemptOnce = (
  session: Session,
  extraHeaders: Record<string, string> | undefined
): Effect.Effect<Opened, HttpResilientError, Scope.Scope> =>
  Effect.flatMap(Effect.scope, (parent) =>
    Effect.flatMap(Scope.fork(parent), (scope) => {
      const number = ++session.attempt
      return Effect.onError(
        Effect.tap(
          session.parts.open(
            session.method,
            session.url,
            session.options,
            session.verbHeaders,
            extraHeaders,
            number,
            session.deadlineAt,
            scope
          ),
          (opened) =>
            Effect.sync(() => {
              session.info = opened.state.info
            })
        ),
        (cause) => Scope.close(scope, Exit.failCause(cause))
      )
    }))

/**
 * Opens a streamed response (one attempt through the client's pipeline), retrying per the session's policy.
 * @internal
 */
export const establish = (
  session: Session,
  extraHeaders: Record<string, string> | undefined
): Effect.Effect<Opened, HttpResilientError, Scope.Scope> =>
  Effect.catch(
    attemptOnce(session, extraHeaders),
    (error) => Effect.andThen(retryOrFail(session, error), establish(session, extraHeaders))
  )

/** Publishes the event `make` builds from the session's last attempt. */
const publishAbout = (
  session: Session,
  make: (info: Events.EventInfo) => Events.ResilientEvent
): Effect.Effect<void> =>
  Effect.map(
    Clock.currentTimeMillis,
    (timestamp) => session.parts.publish(make({ ...session.info, timestamp, tag: session.options.tag }))
  )

/**
 * A failure of the body after the response began: the stream may continue on a new connection (the core's).
 * @internal
 */
export class Dropped extends CoreDropped<HttpResilientError> {}

/** `AttemptFailed` to listeners: the body of the last attempt broke after its head. @internal */
export const publishDrop = (session: Session, error: HttpResilientError): Effect.Effect<void> =>
  publishAbout(session, (info) => new Events.AttemptFailed({ ...info, error }))

/** Fails with `error`, the policy unasked (the stream cannot go on): `Failed` `not-retryable`. @internal */
export const giveUp = (session: Session, error: HttpResilientError): Effect.Effect<never, HttpResilientError> => {
  const failed = (info: Events.EventInfo) => new Events.Failed({ ...info, reason: "not-retryable", error })
  return Effect.andThen(publishAbout(session, failed), Effect.fail(error))
}

/**
 * The session's connections one after another: `open(first)`, and after each drop of a body the connection `next`
 * names (`null`: the stream ends), until `next` fails.
 * @internal
 */
export const reconnecting = <A, I>(
  open: (input: I) => Stream.Stream<A, HttpResilientError | Dropped>,
  next: (error: HttpResilientError) => Effect.Effect<I | null, HttpResilientError>
): (first: I) => Stream.Stream<A, HttpResilientError> => {
  const run = (input: I): Stream.Stream<A, HttpResilientError> =>
    Stream.catch(open(input), (failed) => {
      if (!(failed instanceof Dropped)) return Stream.fail(failed)
      return Stream.unwrap(Effect.map(next(failed.error), (again) => again === null ? Stream.empty : run(again)))
    })
  return run
}

/**
 * The body of an opened response; a read failure is a `Dropped` of the attempt's error.
 * @internal
 */
export const bodyOf = (opened: Opened): Stream.Stream<Uint8Array, Dropped> =>
  Stream.mapError(opened.response.body, (failure: TransportFailure) => {
    const error = failureToError(failure, opened.state)
    setCall(error, opened.state.call)
    return new Dropped(error)
  })

/**
 * `self` bounded by the session's deadline, if it has one: when it passes the stream is interrupted (its socket
 * closed) and fails with `TimeoutError` deadline, naming the last attempt.
 * @internal
 */
export const bounded = <A, E>(session: Session, self: Stream.Stream<A, E>): Stream.Stream<A, E | TimeoutError> => {
  const deadlineAt = session.deadlineAt
  if (deadlineAt === undefined) return self
  const passed = (remaining: Duration.Duration) =>
    new TimeoutError({ ...session.info, attempt: Math.max(1, session.attempt), scope: "deadline", timeout: remaining })
  const deadline = Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const remaining = Duration.millis(Math.max(0, deadlineAt - now))
    return Effect.delay(Effect.fail(passed(remaining)), remaining)
  })
  return Stream.interruptWhen(self, deadline)
}

export type { StreamingResponse }
