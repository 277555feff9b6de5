/** @internal */
import type * as ExperimentalRateLimiter from "@effect/experimental/RateLimiter"
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { redactUrl, type Secrets } from "../core/secrets.js"
import {
  BulkheadRejectedError,
  CircuitOpenError,
  type HttpResilientError,
  RateLimitedError
} from "../HttpResilientError.js"
import { type CircuitState, CircuitStateChanged, type ResilientEvent } from "../ResilientEvent.js"
import * as Bulkhead from "./bulkhead.js"
import * as CircuitBreaker from "./circuitBreaker.js"
import type { HedgeSettings } from "./hedge.js"
import * as RateLimiter from "./rateLimiter.js"
import * as RetryBudget from "./retryBudget.js"
import type { ProtectionSettings } from "./schema/protections.js"
import * as Telemetry from "./telemetry.js"

/** @internal */
export type { ProtectionOptions, ProtectionSettings } from "./schema/protections.js"

// ---------------------------------------------------------------------------
// the admission step of an attempt
// ---------------------------------------------------------------------------

/**
 * What the admission step needs to know about the attempt.
 * @internal
 */
export interface AttemptInfo {
  readonly method: string
  readonly url: URL
  /** the client's rule for secret names, to show `url` */
  readonly secrets: Secrets
}

/**
 * An attempt's time as the protections see it: the deadline a rate limiter's wait may not pass, and what to tell
 * when the attempt was made to wait.
 * @internal
 */
export interface AttemptWindow {
  readonly deadline: number | undefined
  /** When the attempt's time started (when it was let through, after any wait). */
  readonly startedAt: number
  /** The attempt's timeout, clipped to the deadline. */
  readonly timeoutMillis: number
  rebase(admittedAt: number): void
}

/**
 * The protections of one client: rate limiter → bulkhead → circuit breaker around each attempt, and the
 * client-wide retry budget.
 * @internal
 */
export class Protections {
  readonly breakers: CircuitBreaker.BreakerRegistry | undefined
  readonly bulkhead: Bulkhead.Bulkhead | undefined
  readonly rateLimiter: RateLimiter.ClientRateLimiter | undefined
  readonly retryBudget: RetryBudget.RetryBudget | undefined
  /** Hedging of every call of the client (the `hedge` option), if on. */
  readonly hedge: HedgeSettings | undefined
  /** Whether any per-attempt protection is on (the retry budget is counted either way). */
  readonly guarding: boolean

  constructor(
    settings: ProtectionSettings,
    private readonly publish: (event: ResilientEvent) => void,
    limiter: ExperimentalRateLimiter.RateLimiter | undefined,
    /** how many origins (or rate limiter keys) per-origin state is kept for; see `BreakerRegistry` */
    maxOrigins: number
  ) {
    this.breakers = settings.circuitBreaker === undefined
      ? undefined
      : new CircuitBreaker.BreakerRegistry(
        settings.circuitBreaker,
        (origin, from, to, now) => this.onCircuitTransition(origin, from, to, now),
        maxOrigins
      )
    this.bulkhead = settings.bulkhead === undefined ? undefined : new Bulkhead.Bulkhead(settings.bulkhead)
    if (settings.rateLimiter === undefined) {
      this.rateLimiter = undefined
    } else if (settings.rateLimiter.quota === undefined || limiter !== undefined) {
      this.rateLimiter = new RateLimiter.ClientRateLimiter(settings.rateLimiter, limiter, maxOrigins)
    } else {
      const memory = RateLimiter.makeMemoryLimiter(maxOrigins)
      this.rateLimiter = new RateLimiter.ClientRateLimiter(
        settings.rateLimiter,
        memory.limiter,
        maxOrigins,
        memory.store
      )
    }
    this.retryBudget = settings.retryBudget === undefined
      ? undefined
      : new RetryBudget.RetryBudget(settings.retryBudget)
    this.hedge = settings.hedge
    this.guarding = this.breakers !== undefined || this.bulkhead !== undefined || this.rateLimiter !== undefined
  }

  /** Forgets every origin's state (breakers, pauses, in-memory quotas): the client's scope closed. */
  release(): void {
    this.breakers?.clear()
    this.rateLimiter?.clear()
  }

  /** The call site of every breaker state change: event and metric. */
  private onCircuitTransition(origin: string, from: CircuitState, to: CircuitState, now: number): void {
    Telemetry.recordCircuitTransition(from, to)
    this.publish(new CircuitStateChanged({ origin, from, to, timestamp: now }))
  }

  /** The call site of every bulkhead rejection: the queue was full, or the wait in it timed out. */
  private bulkheadRejected(
    info: AttemptInfo,
    attempt: number,
    reason: "full" | "queue-timeout"
  ): Effect.Effect<never, HttpResilientError> {
    const bulkhead = this.bulkhead!
    Telemetry.recordBulkheadRejection()
    const queueTimeout = bulkhead.settings.queueTimeoutMillis
    return Effect.fail(
      new BulkheadRejectedError({
        method: info.method,
        url: redactUrl(info.url, info.secrets),
        attempt,
        limit: bulkhead.settings.maxConcurrent,
        queued: bulkhead.queued,
        reason,
        ...(reason === "queue-timeout" && queueTimeout !== undefined
          ? { queueTimeout: Duration.millis(queueTimeout) }
          : {})
      })
    )
  }

  /** The call site of every rate limiter refusal (the wait would pass the deadline). */
  private rateLimited(info: AttemptInfo, attempt: number, waitMillis: number): RateLimitedError {
    return new RateLimitedError({
      method: info.method,
      url: redactUrl(info.url, info.secrets),
      attempt,
      waitFor: Duration.millis(waitMillis)
    })
  }

  /** The state of `origin`'s breaker at `now` ("closed" when breakers are off). */
  circuitState(origin: string | URL, now: number): CircuitState {
    return this.breakers === undefined ? "closed" : this.breakers.stateAt(CircuitBreaker.normaliseOrigin(origin), now)
  }

  /**
   * Runs `inner` (interceptors, transport, classification) once the attempt is admitted: rate limiter (which
   * may wait), bulkhead (a slot, or the queue), circuit breaker (open → `CircuitOpenError`, no I/O). The
   * outcome is recorded on the origin's breaker and the slot released however `inner` ends. `time` is told
   * when the attempt was made to wait, so its timeout counts from when it is let through.
   */
  guard<A>(
    info: AttemptInfo,
    attempt: number,
    clock: Clock.Clock,
    time: AttemptWindow,
    inner: Effect.Effect<A, HttpResilientError>
  ): Effect.Effect<A, HttpResilientError> {
    if (!this.guarding) {
      this.retryBudget?.recordRequest(clock.unsafeCurrentTimeMillis())
      return inner
    }
    return Effect.uninterruptibleMask((restore) => {
      const origin = info.url.origin
      const limiter = this.rateLimiter
      if (limiter === undefined) return this.admit(restore, info, attempt, clock, origin, time, inner)
      return Effect.flatMap(
        Effect.mapError(
          restore(limiter.acquire(info.method, info.url, origin, clock, time.deadline)),
          (refused) => this.rateLimited(info, attempt, refused.waitMillis)
        ),
        (waited) => {
          if (waited > 0) time.rebase(clock.unsafeCurrentTimeMillis())
          return this.admit(restore, info, attempt, clock, origin, time, inner)
        }
      )
    })
  }

  private admit<A>(
    restore: <X, E, R>(effect: Effect.Effect<X, E, R>) => Effect.Effect<X, E, R>,
    info: AttemptInfo,
    attempt: number,
    clock: Clock.Clock,
    origin: string,
    time: AttemptWindow,
    inner: Effect.Effect<A, HttpResilientError>
  ): Effect.Effect<A, HttpResilientError> {
    const bulkhead = this.bulkhead
    if (bulkhead !== undefined && !bulkhead.tryAcquire()) {
      if (!bulkhead.canQueue()) return this.bulkheadRejected(info, attempt, "full")
      return Effect.flatMap(restore(bulkhead.wait(clock)), (granted) => {
        if (!granted) return this.bulkheadRejected(info, attempt, "queue-timeout")
        time.rebase(clock.unsafeCurrentTimeMillis())
        return this.pass(restore, info, attempt, clock, origin, time, inner)
      })
    }
    return this.pass(restore, info, attempt, clock, origin, time, inner)
  }

  private pass<A>(
    restore: <X, E, R>(effect: Effect.Effect<X, E, R>) => Effect.Effect<X, E, R>,
    info: AttemptInfo,
    attempt: number,
    clock: Clock.Clock,
    origin: string,
    time: AttemptWindow,
    inner: Effect.Effect<A, HttpResilientError>
  ): Effect.Effect<A, HttpResilientError> {
    const now = clock.unsafeCurrentTimeMillis()
    let breaker: CircuitBreaker.Breaker | undefined
    let ticket = 0
    const due = time.startedAt + time.timeoutMillis
    if (this.breakers !== undefined) {
      breaker = this.breakers.get(origin)
      ticket = breaker.admit(now, due)
      if (ticket === CircuitBreaker.REJECTED) {
        this.bulkhead?.release()
        return Effect.fail(
          new CircuitOpenError({
            method: info.method,
            url: redactUrl(info.url, info.secrets),
            attempt,
            origin,
            retryAt: breaker.retryAt(now),
            ...(breaker.state === "half-open"
              ? { state: "half-open", probes: breaker.probesInFlight }
              : { state: "open" })
          })
        )
      }
    }
    this.retryBudget?.recordRequest(now)
    return Effect.matchCauseEffect(restore(inner), {
      onSuccess: (value) => {
        this.bulkhead?.release()
        breaker?.record(ticket, "success", clock.unsafeCurrentTimeMillis(), due)
        return Effect.succeed(value)
      },
      onFailure: (cause) => {
        this.settleFailure(cause, breaker, ticket, due, origin, clock)
        return Effect.failCause(cause)
      }
    })
  }

  /** Releases the slot and records a failure's outcome. */
  private settleFailure(
    cause: Cause.Cause<HttpResilientError>,
    breaker: CircuitBreaker.Breaker | undefined,
    ticket: number,
    due: number,
    origin: string,
    clock: Clock.Clock
  ): void {
    this.bulkhead?.release()
    if (breaker === undefined && this.rateLimiter === undefined) return
    const now = clock.unsafeCurrentTimeMillis()
    const failure = Cause.failureOption(cause)
    if (failure._tag === "None") {
      // interrupted (a hedge lost, a deadline, the caller gave up) or a defect: says nothing about the origin
      breaker?.record(ticket, "ignored", now, due)
      return
    }
    breaker?.record(ticket, this.breakers!.classify(failure.value), now, due)
    this.rateLimiter?.observe(origin, failure.value, now)
  }
}
