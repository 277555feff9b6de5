/** @internal */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Interval from "effect/ScheduleInterval"
import { isToken } from "../core/headers.js"
import type { RetryPolicyOptionsOf } from "../core/options.js"
import * as Replay from "../core/replay.js"
import { sourceOf } from "../core/retryAfter.js"
import {
  type HttpResilientError,
  idempotentMethods,
  isHttpResilientError,
  isTransient,
  RetryAfterTooLongError,
  RetryBudgetExhaustedError,
  TimeoutError
} from "../HttpResilientError.js"
import * as Events from "../ResilientEvent.js"
import { decisionDelay, exponential, fullJitter, optionsDecoder } from "./backoff.js"
import { bareFacts, CallFacts, callOf, setCall } from "./callFacts.js"
import { normaliseOrigin } from "./circuitBreaker.js"
import { type ClientInternals, findInternals, ResilientClient } from "./client.js"
import { currentDeadline, earliestDeadline } from "./deadline.js"
import type { OptionsSpec } from "./schema/frame.js"
import { durationMillis, functionRule, NonNegativeDuration, oneOf, rule } from "./schema/rules.js"
import * as Telemetry from "./telemetry.js"

/** @internal */
export interface RetryPolicyOptions extends
  RetryPolicyOptionsOf<
    Duration.DurationInput,
    Schedule.Schedule<unknown, HttpResilientError, never>,
    HttpResilientError
  >
{}

/** @internal */
export type RetryPolicy = Schedule.Schedule<Duration.Duration, unknown>

/** @internal */
export const defaults = {
  retries: 3,
  maxRetryAfter: Duration.seconds(60),
  backoff: fullJitter(exponential({ base: "100 millis", max: "20 seconds" }))
} as const

interface State {
  /** retries scheduled so far */
  readonly retries: number
  readonly backoff: unknown
  /** a retry was refused: the one extra run the refusal needs has been granted, the next input ends it */
  readonly refused: boolean
}

type Step = readonly [State, Duration.Duration, ScheduleDecision.ScheduleDecision]

const fn = "RetryPolicy.make"

/** The options {@link make} knows. */
const optionNames: ReadonlyArray<keyof RetryPolicyOptions> = [
  "retries",
  "backoff",
  "statuses",
  "methods",
  "retryOn",
  "respectRetryAfter",
  "maxRetryAfter",
  "onRetryAfterTooLong"
]

/** What each option of {@link make} must be. */
const optionsSpec: OptionsSpec = {
  expected: `an object with the options ${optionNames.join(", ")}`,
  fields: {
    retries: {
      rule: rule(
        (u) => typeof u === "number" && (Number.isInteger(u) || u === Infinity) && u >= 0,
        "a non-negative integer (or Infinity)"
      )
    },
    backoff: { rule: rule(Schedule.isSchedule, "a Schedule (see the Backoff module)") },
    statuses: {
      rule: rule(
        (u) => Array.isArray(u) && u.every((s) => Number.isInteger(s) && s >= 100 && s <= 599),
        "a list of HTTP statuses (integers from 100 to 599)"
      )
    },
    methods: {
      rule: rule(
        (u) => Array.isArray(u) && u.every((m) => typeof m === "string" && isToken(m)),
        "a list of HTTP method names"
      )
    },
    retryOn: { rule: functionRule("a function from the error to a boolean") },
    respectRetryAfter: { rule: rule((u) => typeof u === "boolean", "a boolean") },
    maxRetryAfter: { rule: NonNegativeDuration },
    onRetryAfterTooLong: { rule: oneOf("fail", "clamp") }
  }
}

const decodeOptions = optionsDecoder<RetryPolicyOptions>(fn, optionsSpec)

const validate = (options: RetryPolicyOptions) => {
  decodeOptions(options)
  const retries = options.retries ?? defaults.retries
  const backoff = options.backoff ?? defaults.backoff
  const statuses = options.statuses
  const methods = options.methods
  const maxRetryAfter = options.maxRetryAfter === undefined
    ? Duration.toMillis(defaults.maxRetryAfter)
    : durationMillis(options.maxRetryAfter)!
  const onTooLong = options.onRetryAfterTooLong ?? "fail"
  return {
    retries,
    backoff: backoff as Schedule.Schedule<unknown, HttpResilientError, never>,
    statuses: statuses === undefined ? undefined : new Set(statuses),
    methods: methods === undefined ? idempotentMethods : new Set(methods.map((m) => m.toUpperCase())),
    retryOn: options.retryOn,
    respectRetryAfter: options.respectRetryAfter ?? true,
    maxRetryAfter,
    clamp: onTooLong === "clamp"
  }
}

/** @internal */
export const make = (options: RetryPolicyOptions = {}): RetryPolicy => {
  const policy = validate(options)
  const { backoff, methods, retries, retryOn, statuses } = policy

  /** what: the error is worth retrying */
  const worthRetrying = (error: HttpResilientError): boolean => {
    if (retryOn !== undefined) return retryOn(error)
    if (statuses !== undefined && error._tag === "StatusError") return statuses.has(error.status)
    return isTransient(error)
  }

  /** whether: the request may be sent again */
  const mayResend = (error: HttpResilientError, call: CallFacts | undefined): boolean => {
    if (call !== undefined && !call.replayable) return false
    return Replay.mayRepeat(error.method.toUpperCase(), call?.idempotencyKey !== undefined, methods)
  }

  const initial: State = { retries: 0, backoff: backoff.initial, refused: false }

  return Schedule.makeWithState(
    initial,
    (now, input: unknown, state: State) =>
      Effect.withFiberRuntime<Step>((fiber) => {
        if (state.refused || !isHttpResilientError(input)) return Effect.succeed(stopAt(state))
        const error = input
        const service = Option.getOrUndefined(Context.getOption(fiber.currentContext, ResilientClient))
        const client = service === undefined ? undefined : findInternals(service)
        const verdict = new Verdict(error, callOf(error), client, now, state)
        if (error._tag === "TimeoutError" && error.scope === "deadline") return verdict.giveUp("deadline")
        if (!worthRetrying(error) || !mayResend(error, verdict.call)) return verdict.giveUp("not-retryable")
        if (state.retries >= retries) return verdict.giveUp("exhausted")
        return Effect.flatMap(
          backoff.step(now, error, state.backoff),
          ([nextBackoff, , decision]): Effect.Effect<Step> => {
            if (ScheduleDecision.isDone(decision)) return verdict.giveUp("exhausted")
            const deadline = earliestDeadline(fiber.getFiberRef(currentDeadline), verdict.call?.deadlineAt)
            return Effect.succeed(scheduleRetry(policy, verdict, nextBackoff, decisionDelay(now, decision), deadline))
          }
        )
      })
  )
}

const stopAt = (state: State): Step => [state, Duration.zero, ScheduleDecision.done]

/** What the policy decides about one error, and how it tells it (events; the error's call facts). */
class Verdict {
  readonly listening: boolean
  constructor(
    readonly error: HttpResilientError,
    readonly call: CallFacts | undefined,
    readonly client: ClientInternals | undefined,
    readonly now: number,
    readonly state: State
  ) {
    this.listening = client !== undefined && client.hasListeners()
  }

  info() {
    const error = this.error
    return { method: error.method, url: error.url, attempt: error.attempt, timestamp: this.now, tag: this.call?.tag }
  }

  /** Stops: the decision is written on the error's call facts (an error from outside a call gets bare ones). */
  giveUp(reason: Events.FailureReason): Effect.Effect<Step> {
    // an error some policy already gave up on (a call's own policy inside a retry around the call) is not reported
    // twice
    const facts = this.call ?? setCall(this.error, bareFacts(this.error))
    if (facts.gaveUp === undefined) {
      if (this.listening) this.client!.publish(new Events.Failed({ ...this.info(), reason, error: this.error }))
      facts.gaveUp = reason
    }
    return Effect.succeed(stopAt(this.state))
  }

  /**
   * Refuses to retry, ending the call with `refusal`. Effect.retry ends with the last error: its step cannot fail,
   * and its decision only says stop or go on. To end with `refusal` the policy lets the effect run once more, at
   * once, and the call turns that run into `refusal` without I/O (`error.call.refusal`; see `takeRetryRefusal` in
   * callFacts.ts). The client's own retry driver (`HttpResilient.retry`, the `retry` option, streams) fails with it
   * without that run.
   */
  refuse(reason: Events.FailureReason, refusal: HttpResilientError): Step {
    if (this.listening) this.client!.publish(new Events.Failed({ ...this.info(), reason, error: refusal }))
    const facts = this.call ?? setCall(this.error, bareFacts(this.error))
    setCall(refusal, refusalFacts(facts, reason))
    facts.refusal = refusal
    return [{ ...this.state, refused: true }, Duration.zero, ScheduleDecision.continueWith(Interval.after(this.now))]
  }
}

/**
 * when: the backoff's `delay`, or the server's wait, which replaces it exactly; refused when the wait is too long or
 * passes the deadline, or the retry budget is empty; else the retry is scheduled (metric, `RetryScheduled`).
 */
const scheduleRetry = (
  policy: ReturnType<typeof validate>,
  verdict: Verdict,
  nextBackoff: unknown,
  backoffDelay: number,
  deadline: number | undefined
): Step => {
  const { clamp, maxRetryAfter, respectRetryAfter } = policy
  const { client, error, now, state } = verdict
  let delay = backoffDelay
  let reason: Events.RetryReason = "backoff"
  const remaining = deadline === undefined ? Infinity : deadline - now
  if (respectRetryAfter && error._tag === "StatusError" && Option.isSome(error.retryAfter)) {
    // the server's wait replaces the backoff exactly
    const serverWait = error.retryAfter.value
    const wait = Duration.toMillis(serverWait)
    reason = sourceOf(error.headers, now) ?? "retry-after"
    const tooLong = (limit: number) =>
      new RetryAfterTooLongError({
        method: error.method,
        url: error.url,
        attempt: error.attempt,
        retryAfter: serverWait,
        limit: Duration.millis(limit),
        lastError: error
      })
    if (wait > maxRetryAfter && !clamp) return verdict.refuse("retry-after-too-long", tooLong(maxRetryAfter))
    delay = Math.min(wait, maxRetryAfter)
    if (delay >= remaining) return verdict.refuse("retry-after-too-long", tooLong(Math.max(0, remaining)))
  } else if (delay >= remaining) {
    return verdict.refuse(
      "deadline",
      new TimeoutError({
        method: error.method,
        url: error.url,
        attempt: error.attempt,
        scope: "deadline",
        timeout: Duration.millis(Math.max(0, remaining))
      })
    )
  }
  if (client !== undefined && !spendRetry(client, error.url, now)) {
    if (verdict.listening) client.publish(new Events.RetryBudgetExhausted(verdict.info()))
    return verdict.refuse("budget", new RetryBudgetExhaustedError({ ...requestInfo(error), lastError: error }))
  }
  Telemetry.recordRetry(reason)
  if (verdict.listening) {
    client!.publish(new Events.RetryScheduled({ ...verdict.info(), delay: Duration.millis(delay), reason, error }))
  }
  const next: State = { retries: state.retries + 1, backoff: nextBackoff, refused: false }
  return [next, Duration.millis(delay), ScheduleDecision.continueWith(Interval.after(now + delay))] as const
}

/** The facts of a refusal: those of the error it refuses to retry, and the policy's reason. */
const refusalFacts = (of: CallFacts, reason: Events.FailureReason): CallFacts => {
  const facts = new CallFacts(of.attempt, of.idempotencyKey, of.replayable, of.deadlineAt, of.tag, undefined)
  facts.gaveUp = reason
  return facts
}

const requestInfo = (error: HttpResilientError) => ({
  method: error.method,
  url: error.url,
  attempt: error.attempt
})

/** Spends a retry of the budget of the origin of `url` (the failed request's, as errors show it). */
const spendRetry = (client: ClientInternals, url: string, now: number): boolean =>
  client.retryBudget === undefined || client.retryBudget.tryRetry(normaliseOrigin(url), now)

/** @internal */
export const defaultPolicy: RetryPolicy = make()

/** @internal */
export const none: RetryPolicy = Schedule.map(Schedule.recurs(0), () => Duration.zero)
