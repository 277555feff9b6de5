/**
 * A whole buffered call: its options checked, its idempotency key and deadline, its attempts (to the primary or a
 * `failover` URL, with their entry of `attempts`), hedged when the client hedges, under the request's or the
 * client's retry policy.
 *
 * A call's state lives as long as one run of the call's effect. When the effect is run again by a retry around it
 * (a user's plain `Effect.retry(policy)`), the previous run's error carries its `call` facts: the same call (same
 * method, URL and options object) takes its idempotency key and deadline from them.
 * @internal
 */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import { RequestValidationError } from "../core/requestError.js"
import { redactUrl } from "../core/secrets.js"
import type { HttpResilientError } from "../HttpResilientError.js"
import { validationError } from "./attemptErrors.js"
import { CallFacts, callOf, newIdempotencyKey, setCall, takeRetryRefusal } from "./callFacts.js"
import type { ResolvedConfig } from "./config.js"
import { boundByDeadline, currentDeadline, currentDeadlineInfo, type DeadlineInfo, noteAttempt } from "./deadline.js"
import { insideRetry, reportFinal } from "./finalFailure.js"
import * as Hedge from "./hedge.js"
import { optionsForAttempt, type Prepare, urlForAttempt, type Validate } from "./prepare.js"
import type { PreparedRequest, RequestOptions } from "./request.js"
import { requestOptions as requestOptionFields } from "./requestOptions.js"
import { retryOnFailure } from "./retryDriver.js"
import { type ResilientClientService, type RunIn, withRunIn } from "./service.js"

type Response = HttpClientResponse.HttpClientResponse

/** One run of a call. */
interface Call {
  readonly method: string
  readonly url: string | URL
  readonly options: RequestOptions | undefined
  readonly idempotencyKey: string | undefined
  readonly deadlineAt: number | undefined
  /**
   * set when `deadlineAt` is the request's own `deadline` option (enforced around the call, not a policy's):
   * what its timeout names, updated as attempts start
   */
  readonly info: DeadlineInfo | undefined
  /** the same for an enclosing `withDeadline` */
  readonly outerInfo: DeadlineInfo | undefined
  /**
   * no retry policy and no hedge: an attempt's failure is the call's, its last unless a retry encloses the call
   * (then it reports `Failed`: `reportLast`)
   */
  readonly last: boolean
}

/** What a client's calls are made of, given once at `make`. */
export interface CallParts {
  readonly config: ResolvedConfig
  readonly validate: Validate
  readonly prepare: Prepare
  /** one attempt of a prepared request (the pipeline) */
  readonly attempt: (prepared: PreparedRequest) => Effect.Effect<Response, HttpResilientError>
  /** `attempt` as the fiber that runs it at once runs it */
  readonly attemptIn: (
    fiber: Fiber.RuntimeFiber<any, any>,
    prepared: PreparedRequest
  ) => Effect.Effect<Response, HttpResilientError>
  /** the client's `hedge` option, and what the hedger needs of the client */
  readonly hedge: Hedge.HedgeSettings | undefined
  readonly hedgeClientOf: () => Hedge.HedgeClient
}

/**
 * The client's `request` over `run` (a whole call as the fiber that runs it runs it, see `makeRunIn`), carrying
 * `run` so that the verbs run it in their own fiber (`requestIn`).
 * @internal
 */
export const requestOf = (run: RunIn): ResilientClientService["request"] =>
  withRunIn(
    (method, url, requestOptions) => Effect.withFiberRuntime((fiber) => run(fiber, method, url, requestOptions)),
    run
  )

/**
 * A whole call, with the request's or the client's retry policy around attempts, run by `fiber`, the fiber that
 * runs the effect it returns (see `RunIn`).
 * @internal
 */
export const makeRunIn = (parts: CallParts): RunIn => {
  const { config, validate } = parts
  return (fiber, method, url, requestOptions) => {
    const meta = Context.get(fiber.currentContext, Schedule.CurrentIterationMetadata)
    if (requestOptions !== undefined) {
      const invalid = validate(requestOptions, requestOptionFields)
      if (invalid !== undefined) {
        return Effect.fail(validationError(invalid, method, url, meta.recurrence + 1, config.redacted))
      }
    }
    const policy = requestOptions?.retry === false ? undefined : requestOptions?.retry ?? config.retry
    let previous: CallFacts | undefined
    if (meta.recurrence > 0) {
      const refusal = takeRetryRefusal(meta.input)
      if (refusal !== undefined) return Effect.fail(refusal)
      const facts = callOf(meta.input)
      if (facts !== undefined && facts.isCallOf(method, url, requestOptions)) previous = facts
    }
    const attemptNo = meta.recurrence + 1
    const call = startCall(fiber, parts, method, url, requestOptions, attemptNo, previous, policy !== undefined)
    // a policy's deadline reaches the attempts through `prepared.deadlineAt` and the policy through the
    // errors' `call.deadlineAt`, so nothing is wrapped around the call for it
    // the first attempt is run at once by this fiber unless a hedge or a deadline (`boundByDeadline`) encloses it
    const direct = parts.hedge === undefined && call.info === undefined ? fiber : undefined
    const run = policy === undefined
      ? parts.hedge === undefined
        ? attemptOf(parts, call, attemptNo, direct)
        : Effect.catchAllCause(hedged(parts, attemptOf(parts, call, attemptNo)), (cause) => reportLast(parts, cause))
      : retryOnFailure(
        meta.recurrence,
        () => hedged(parts, attemptOf(parts, call, 1, direct)),
        () => hedged(parts, retriedAttempt(parts, call)),
        policy,
        parts.hedgeClientOf()
      )
    if (call.info === undefined) return run
    const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
    const existing = fiber.getFiberRef(currentDeadline)
    const bounded = boundByDeadline(run, call.deadlineAt!, clock.unsafeCurrentTimeMillis(), existing, call.info)
    // the deadline passing fails the call from outside its attempt
    return Effect.catchAllCause(bounded, (cause) => reportLast(parts, cause))
  }
}

/**
 * Attempt `attemptNo` of a call: its request prepared, and, when it fails, the facts a retry policy needs. `fiber`,
 * when given, is the fiber that runs the effect at once.
 */
const attemptOf = (
  parts: CallParts,
  call: Call,
  attemptNo: number,
  fiber?: Fiber.RuntimeFiber<any, any>
): Effect.Effect<Response, HttpResilientError> => {
  const url = urlForAttempt(call.url, call.options, attemptNo)
  const prepared = parts.prepare(
    call.method,
    url,
    optionsForAttempt(call.options, attemptNo),
    call.idempotencyKey,
    // a policy's deadline travels with the request; the request's own is a fiber ref around the whole call
    call.info === undefined ? call.deadlineAt : undefined
  )
  if (prepared instanceof RequestValidationError) {
    const error = validationError(prepared, call.method, url, attemptNo, parts.config.redacted)
    setCall(error, factsOf(call, attemptNo, undefined, true, call.options?.tag))
    return call.last ? reportLast(parts, Cause.fail(error)) : Effect.fail(error)
  }
  if (call.info !== undefined) noteAttempt(call.info, prepared, attemptNo)
  if (call.outerInfo !== undefined) noteAttempt(call.outerInfo, prepared, attemptNo)
  // on failure only (a failure handler costs nothing on success, unlike mapError): the facts a retry policy needs
  const attempt = fiber === undefined ? parts.attempt(prepared) : parts.attemptIn(fiber, prepared)
  return Effect.catchAllCause(attempt, (cause) => {
    const error = Cause.failureOption(cause)
    if (Option.isSome(error)) {
      setCall(
        error.value,
        factsOf(call, attemptNo, prepared.headers["idempotency-key"], prepared.replayable, prepared.tag)
      )
    }
    return call.last ? reportLast(parts, cause) : Effect.failCause(cause)
  })
}

/**
 * Fails with `cause`, the failure of a call with no retry policy of its own: its final failure when no retry
 * encloses the call, reported (`Failed`, see finalFailure.ts).
 */
const reportLast = (
  parts: CallParts,
  cause: Cause.Cause<HttpResilientError>
): Effect.Effect<never, HttpResilientError> =>
  Effect.withFiberRuntime((fiber) => {
    const error = Cause.failureOption(cause)
    if (Option.isSome(error) && !insideRetry(fiber)) reportFinal(error.value, parts.hedgeClientOf(), currentTime(fiber))
    return Effect.failCause(cause)
  })

/** An attempt with the client's `hedge` option, if set. */
const hedged = (
  parts: CallParts,
  run: Effect.Effect<Response, HttpResilientError>
): Effect.Effect<Response, HttpResilientError> =>
  parts.hedge === undefined ? run : Hedge.hedge(run, parts.hedge, parts.hedgeClientOf)

/** One attempt under a call's own retry policy: the attempt number and a refusal come from that policy. */
const retriedAttempt = (parts: CallParts, call: Call) =>
  Effect.withFiberRuntime<Response, HttpResilientError>((fiber) => {
    const meta = Context.get(fiber.currentContext, Schedule.CurrentIterationMetadata)
    if (meta.recurrence > 0) {
      const refusal = takeRetryRefusal(meta.input)
      if (refusal !== undefined) return Effect.fail(refusal)
    }
    return attemptOf(parts, call, meta.recurrence + 1)
  })

/**
 * The state of one run of a call: its idempotency key (for `idempotencyKey: true`: the previous run's, else one
 * shared by a hedge's copies, else a fresh one) and its deadline: the request's own (exact: the call is interrupted
 * when it passes), else the client's for a call retried by a policy (attempts clip their timeout to it and the
 * policy schedules no sleep past it).
 */
const startCall = (
  fiber: Fiber.RuntimeFiber<any, any>,
  parts: CallParts,
  method: string,
  url: string | URL,
  options: RequestOptions | undefined,
  attemptNo: number,
  previous: CallFacts | undefined,
  retried: boolean
): Call => {
  const config = parts.config
  let idempotencyKey: string | undefined
  if (options?.idempotencyKey === true) {
    idempotencyKey = previous?.idempotencyKey
    if (idempotencyKey === undefined) {
      // the copies of a hedged call are one request to the server: they share its key
      const gate = fiber.getFiberRef(Hedge.currentHedgeGate)
      idempotencyKey = gate === undefined ? newIdempotencyKey() : Hedge.sharedKey(gate, options, newIdempotencyKey)
    }
  }
  let deadlineAt: number | undefined
  let exact = false
  if (options?.deadline !== undefined) {
    deadlineAt = previous?.deadlineAt ?? currentTime(fiber) + Duration.toMillis(Duration.decode(options.deadline))
    exact = true
  } else if (retried) {
    deadlineAt = previous?.deadlineAt ?? currentTime(fiber) + Duration.toMillis(config.deadline)
  }
  return {
    method,
    url,
    options,
    idempotencyKey,
    deadlineAt,
    info: exact ? { method, url: redactUrl(url, config.redacted), attempt: attemptNo, outer: undefined } : undefined,
    outerInfo: fiber.getFiberRef(currentDeadlineInfo),
    last: !retried && parts.hedge === undefined
  }
}

const currentTime = (fiber: Fiber.RuntimeFiber<any, any>): number =>
  Context.get(fiber.currentDefaultServices, Clock.Clock).unsafeCurrentTimeMillis()

const factsOf = (
  call: Call,
  attemptNo: number,
  idempotencyKey: string | undefined,
  replayable: boolean,
  tag: string | undefined
): CallFacts => new CallFacts(attemptNo, idempotencyKey, replayable, call.deadlineAt, tag, call)
