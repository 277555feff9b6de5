/**
 * Retry policies: v4 `Schedule`s over `HttpResilientError` that decide what is retried (transient errors only;
 * POST and PATCH only with an `Idempotency-Key`), when (the backoff, or the server's Retry-After / RateLimit-Reset
 * exactly), and whether the client's retry budget and the deadline allow it. The same options and defaults as the
 * root entry: `HttpResilient.get(url).pipe(Effect.retry(RetryPolicy.default))`.
 *
 * One difference forced by (and better in) v4: a v4 schedule step may fail, so a refused retry (Retry-After too
 * long or past the deadline, an empty budget) ends the call at once with `RetryAfterTooLongError`, `TimeoutError`
 * or `RetryBudgetExhaustedError` — the type is `Schedule<Duration, unknown, HttpResilientError>`, not
 * `Schedule<Duration, unknown>`; the v3 entry needs one extra run without I/O to end with that error.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import { nonNegativeDuration } from "../../src/core/durationRules.js"
import type { RetryPolicyOptionsOf } from "../../src/core/options.js"
import * as Replay from "../../src/core/replay.js"
import { sourceOf } from "../../src/core/retryAfter.js"
import { normaliseOrigin } from "../../src/core/url.js"
import { isTransientFacts } from "../../src/core/verdicts.js"
import * as Backoff from "./Backoff.js"
import {
  type CallInfo,
  type HttpResilientError,
  isHttpResilientError,
  RetryAfterTooLongError,
  RetryBudgetExhaustedError,
  setCall,
  TimeoutError
} from "./HttpResilientError.js"
import { millisOf, numberOf } from "./internal/options.js"
import { type ClientInternals, CurrentDeadline, ResilientClient } from "./internal/service.js"
import * as Events from "./ResilientEvent.js"

/**
 * @since 0.1.0
 * @category models
 */
export type RetryPolicy = Schedule.Schedule<Duration.Duration, unknown, HttpResilientError>

/**
 * `retries` (default 3), `backoff` (default exponential from 100 ms, full jitter, capped at 20 s), `statuses`
 * (instead of the transient ones), `methods` (default the idempotent ones), `retryOn` (replaces the transient rule),
 * `respectRetryAfter` (default true), `maxRetryAfter` (default 60 s), `onRetryAfterTooLong` (default "fail").
 * @since 0.1.0
 * @category models
 */
export interface Options
  extends RetryPolicyOptionsOf<Duration.Input, Schedule.Schedule<unknown, HttpResilientError>, HttpResilientError>
{}

/**
 * @since 0.1.0
 * @category defaults
 */
export const defaults = {
  retries: 3,
  maxRetryAfter: Duration.seconds(60),
  backoff: Backoff.fullJitter(Backoff.exponential({ base: "100 millis", max: "20 seconds" }))
} as const

interface Settings {
  readonly retries: number
  readonly backoff: Schedule.Schedule<unknown, HttpResilientError>
  readonly worthRetrying: (error: HttpResilientError) => boolean
  readonly methods: ReadonlySet<string>
  readonly respectRetryAfter: boolean
  readonly maxRetryAfter: number
  readonly clamp: boolean
}

const settingsOf = (options: Options): Settings => {
  const fn = "RetryPolicy.make"
  const { retryOn, statuses } = options
  if (options.backoff !== undefined && !Schedule.isSchedule(options.backoff)) {
    throw new RangeError(`${fn}: option "backoff" is not a Schedule (see the Backoff module)`)
  }
  const statusSet = statuses === undefined ? undefined : new Set(statuses)
  return {
    retries: numberOf(fn, "retries", options.retries ?? defaults.retries, {
      integer: true,
      min: 0,
      expected: "a non-negative integer (or Infinity)"
    }),
    backoff: options.backoff ?? defaults.backoff,
    worthRetrying: retryOn ??
      ((error) =>
        statusSet !== undefined && error._tag === "StatusError"
          ? statusSet.has(error.status)
          : isTransientFacts(error)),
    methods: options.methods === undefined
      ? Replay.idempotentMethods
      : new Set(options.methods.map((m) => m.toUpperCase())),
    respectRetryAfter: options.respectRetryAfter ?? true,
    maxRetryAfter: millisOf(fn, "maxRetryAfter", options.maxRetryAfter ?? defaults.maxRetryAfter, nonNegativeDuration),
    clamp: options.onRetryAfterTooLong === "clamp"
  }
}

type Pulled = Effect.Effect<[Duration.Duration, Duration.Duration], HttpResilientError | Cause.Done<Duration.Duration>>

/** One decision: the error, the client (when one is in context) and how the decision is told. */
class Verdict {
  constructor(
    readonly error: HttpResilientError,
    readonly call: CallInfo | undefined,
    readonly client: ClientInternals | undefined,
    readonly now: number
  ) {}

  info() {
    const { attempt, method, url } = this.error
    return { method, url, attempt, timestamp: this.now, tag: this.call?.tag }
  }

  /** Stops: the schedule is done, the call ends with the error. */
  giveUp(reason: Events.FailureReason): Pulled {
    this.tell(reason, this.error)
    return Cause.done(Duration.zero)
  }

  /** Stops with another error than the last one (a refused retry). */
  refuse(reason: Events.FailureReason, refusal: HttpResilientError): Pulled {
    this.tell(reason, refusal)
    setCall(refusal, this.call === undefined ? undefined : { ...this.call, gaveUp: reason })
    return Effect.fail(refusal)
  }

  private tell(reason: Events.FailureReason, error: HttpResilientError): void {
    if (this.call !== undefined) {
      if (this.call.gaveUp !== undefined) return
      ;(this.call as { gaveUp: Events.FailureReason | undefined }).gaveUp = reason
    }
    this.client?.publish(new Events.Failed({ ...this.info(), reason, error }))
  }
}

const requestInfo = (error: HttpResilientError) => ({ method: error.method, url: error.url, attempt: error.attempt })

/** when: the backoff's delay, or the server's wait exactly; refused past the limit, the deadline or the budget. */
const scheduleRetry = (settings: Settings, verdict: Verdict, backoffDelay: number, deadline: number | undefined) => {
  const { client, error, now } = verdict
  let delay = backoffDelay
  let reason: Events.RetryReason = "backoff"
  const remaining = deadline === undefined ? Infinity : deadline - now
  if (settings.respectRetryAfter && error._tag === "StatusError" && Option.isSome(error.retryAfter)) {
    const serverWait = error.retryAfter.value
    const wait = Duration.toMillis(serverWait)
    reason = sourceOf(error.headers, now) ?? "retry-after"
    const tooLong = (limit: number) =>
      new RetryAfterTooLongError({
        ...requestInfo(error),
        retryAfter: serverWait,
        limit: Duration.millis(limit),
        lastError: error
      })
    if (wait > settings.maxRetryAfter && !settings.clamp) {
      return verdict.refuse("retry-after-too-long", tooLong(settings.maxRetryAfter))
    }
    delay = Math.min(wait, settings.maxRetryAfter)
    if (delay >= remaining) return verdict.refuse("retry-after-too-long", tooLong(Math.max(0, remaining)))
  } else if (delay >= remaining) {
    const timeout = Duration.millis(Math.max(0, remaining))
    return verdict.refuse("deadline", new TimeoutError({ ...requestInfo(error), scope: "deadline", timeout }))
  }
  // the budget of the failed request's origin (as its error shows the URL)
  if (client?.retryBudget !== undefined && !client.retryBudget.get(normaliseOrigin(error.url)).tryRetry(now)) {
    client.recordBudgetRejection()
    client.publish(new Events.RetryBudgetExhausted(verdict.info()))
    return verdict.refuse("budget", new RetryBudgetExhaustedError({ ...requestInfo(error), lastError: error }))
  }
  client?.recordRetry(reason)
  client?.publish(new Events.RetryScheduled({ ...verdict.info(), delay: Duration.millis(delay), reason, error }))
  const out = Duration.millis(delay)
  return Effect.succeed([out, out] as [Duration.Duration, Duration.Duration])
}

/**
 * A policy from options (validated: a bad option throws a `RangeError` naming it).
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): RetryPolicy => {
  const settings = settingsOf(options)
  return Schedule.fromStepWithMetadata(Effect.gen(function*() {
    const backoffStep = yield* Schedule.toStep(settings.backoff)
    let retries = 0
    return (meta: Schedule.InputMetadata<unknown>): Pulled => {
      const input = meta.input
      if (!isHttpResilientError(input)) return Cause.done(Duration.zero)
      return Effect.flatMap(Effect.serviceOption(ResilientClient), (service) => {
        const verdict = new Verdict(input, input.call, Option.getOrUndefined(service)?.internals, meta.now)
        if (input._tag === "TimeoutError" && input.scope === "deadline") return verdict.giveUp("deadline")
        const replayable = input.call === undefined || input.call.replayable
        const keyed = input.call?.idempotencyKey !== undefined
        if (!settings.worthRetrying(input) || !replayable || !Replay.mayRepeat(input.method, keyed, settings.methods)) {
          return verdict.giveUp("not-retryable")
        }
        if (retries >= settings.retries) return verdict.giveUp("exhausted")
        return Effect.flatMap(Effect.exit(backoffStep(meta.now, input)), (exit): Pulled => {
          if (Exit.isFailure(exit)) return verdict.giveUp("exhausted")
          return Effect.flatMap(Effect.service(CurrentDeadline), (scoped) => {
            const own = input.call?.deadlineAt
            const deadline = scoped === undefined ? own : own === undefined ? scoped : Math.min(scoped, own)
            const pulled = scheduleRetry(settings, verdict, Duration.toMillis(exit.value[1]), deadline)
            return Effect.tap(pulled, () =>
              Effect.sync(() => {
                retries++
              }))
          })
        })
      })
    }
  }))
}

/**
 * 3 retries, exponential backoff from 100 ms with full jitter (capped at 20 s), Retry-After up to 60 s.
 * @since 0.1.0
 * @category policies
 */
export const defaultPolicy: RetryPolicy = make()

export {
  /**
   * @since 0.1.0
   * @category policies
   */
  defaultPolicy as default
}

/**
 * Never retries.
 * @since 0.1.0
 * @category policies
 */
export const none: RetryPolicy = make({ retries: 0 })
