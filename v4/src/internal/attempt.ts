/**
 * One attempt as the pipeline's stages see it (see `pipeline.ts`): its state, made once when it starts, and the
 * shapes of an attempt and a stage.
 * @internal
 */
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"
import { type Outcome, REJECTED } from "../../../src/core/circuitBreaker.js"
import { invalidRequestDetail, type TransportFailure } from "../../../src/core/transportFailure.js"
import {
  type CallInfo,
  CircuitOpenError,
  type HttpResilientError,
  InvalidRequestError,
  isHttpResilientError,
  type RequestInfo,
  TimeoutError,
  TransportError
} from "../HttpResilientError.js"
import { Failed, type ResilientEvent } from "../ResilientEvent.js"
import type { OutgoingBody } from "./body.js"
import type { Built, RequestOptions } from "./request.js"

/**
 * A request as the stages pass it down: what an earlier stage made of the built one (a redirect's hop).
 * @internal
 */
export interface Outgoing {
  readonly method: string
  readonly url: URL
  readonly headers: Record<string, string>
  readonly body: OutgoingBody
}

/**
 * The state of one attempt, made once when it starts and handed down the stages: the built request, how events and
 * errors show it (`info`), the attempt's number, when it started, its deadline and its timeout (clipped to the
 * deadline), and the call's facts its errors carry.
 * @internal
 */
export class AttemptState {
  /** when the first hop was sent (after any wait of the bulkhead): the attempt's timeout runs from there */
  sentAt: number | undefined = undefined
  /** a streamed attempt's scope: it owns the response's socket (set by the streamed runner, see `pipeline.ts`) */
  scope: Scope.Scope | undefined = undefined
  /** the attempt gets its span: `tracing: true`, or left unset with a tracer installed (see `spansOn`) */
  spans = false
  constructor(
    readonly built: Built,
    readonly options: RequestOptions,
    readonly info: RequestInfo,
    /** when the attempt started */
    readonly now: number,
    readonly deadlineAt: number,
    /** the attempt's timeout, clipped to what is left of the deadline */
    readonly timeoutMillis: number,
    /** the timeout is the deadline's (clipped): running out of it is `TimeoutError` deadline */
    readonly byDeadline: boolean,
    readonly accept: (status: number) => boolean,
    readonly call: { -readonly [K in keyof CallInfo]: CallInfo[K] }
  ) {}
  /** The deadline is already spent: the attempt fails with `TimeoutError` deadline and sends nothing. */
  get spent(): boolean {
    return this.now >= this.deadlineAt
  }
}

/**
 * The rest of an attempt from some stage on: it sends `request` (the built request, or a redirect's hop).
 * @internal
 */
export type Attempt<A> = (state: AttemptState, request: Outgoing) => Effect.Effect<A, HttpResilientError>

/**
 * One stage of the pipeline: what it does around (or instead of) the stages after it.
 * @internal
 */
export type Stage<In, Out = In> = (next: Attempt<In>) => Attempt<Out>

/**
 * A transport's failure as the attempt's error: a timeout is the attempt's (or the deadline's when the timeout was
 * clipped to it).
 * @internal
 */
export const failureToError = (failure: TransportFailure, state: AttemptState): HttpResilientError => {
  const info = state.info
  if (failure.reason === "Timeout") {
    return new TimeoutError({
      ...info,
      scope: state.byDeadline ? "deadline" : "attempt",
      timeout: Duration.millis(state.timeoutMillis)
    })
  }
  if (failure.reason === "InvalidRequest") {
    return new InvalidRequestError({
      ...info,
      reason: failure.invalid ?? "InvalidOption",
      detail: invalidRequestDetail(failure),
      cause: failure.cause
    })
  }
  return new TransportError({ ...info, reason: failure.reason, detail: failure.detail, cause: failure.cause })
}

/**
 * What an attempt's end says of its origin, for its breaker and its retry budget: by `isFailure` (the breakers'),
 * an interruption or a defect saying nothing.
 * @internal
 */
export const outcomeOf = (
  exit: Exit.Exit<unknown, unknown>,
  isFailure: (error: HttpResilientError) => boolean | undefined
): Outcome => {
  if (Exit.isSuccess(exit)) return "success"
  const error = Exit.findErrorOption(exit)
  if (error._tag === "None" || !isHttpResilientError(error.value)) return "ignored"
  const verdict = isFailure(error.value)
  return verdict === undefined ? "ignored" : verdict ? "failure" : "success"
}

/**
 * The call of `error` gave up (no retry around it, or around the hedge of its copies): `Failed` is published and
 * its facts say why, once.
 * @internal
 */
export const reportGaveUp = (
  publish: (event: ResilientEvent) => void,
  error: HttpResilientError,
  timestamp: number
): void => {
  const call = error.call
  if (call === undefined || call.gaveUp !== undefined) return
  const reason = error._tag === "TimeoutError" && error.scope === "deadline" ? "deadline" : "exhausted"
  ;(call as { gaveUp: CallInfo["gaveUp"] }).gaveUp = reason
  const { attempt, method, url } = error
  publish(new Failed({ method, url, attempt, timestamp, tag: call.tag, reason, error }))
}

/**
 * The error of an open breaker: no request was sent.
 * @internal
 */
export const circuitOpen = (
  info: RequestInfo,
  origin: string,
  retryAt: number,
  half: boolean,
  probes: number | undefined
): CircuitOpenError => new CircuitOpenError({ ...info, origin, retryAt, state: half ? "half-open" : "open", probes })

export { REJECTED }
