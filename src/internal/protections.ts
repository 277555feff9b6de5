/** @internal */
import type * as ExperimentalRateLimiter from "@effect/experimental/RateLimiter"
import type { HttpResilientError } from "../HttpResilientError.js"
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
// the protections of a client
// ---------------------------------------------------------------------------

/**
 * The protections of one client: rate limiter, bulkhead and circuit breakers (run around each attempt by the
 * pipeline's stages `protect`, `rateLimit`, `bulkhead`, `breaker` and `settle`), and the per-origin retry budgets.
 * @internal
 */
export class Protections {
  readonly breakers: CircuitBreaker.BreakerRegistry | undefined
  readonly bulkhead: Bulkhead.Bulkhead | undefined
  readonly rateLimiter: RateLimiter.ClientRateLimiter | undefined
  /** the retry budgets, one per origin */
  readonly retryBudget: RetryBudget.RetryBudgets | undefined
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
      : new RetryBudget.RetryBudgets(settings.retryBudget, maxOrigins)
    this.hedge = settings.hedge
    this.guarding = this.breakers !== undefined || this.bulkhead !== undefined || this.rateLimiter !== undefined
  }

  /** Forgets every origin's state (breakers, pauses, in-memory quotas, retry budgets): the client's scope closed. */
  release(): void {
    this.breakers?.clear()
    this.rateLimiter?.clear()
    this.retryBudget?.clear()
  }

  /**
   * What `error` says of its origin, for its breaker and its retry budget's view of its health: as the breakers'
   * `isFailure` counts it, or by the default rule when breakers are off.
   */
  outcomeOf(error: HttpResilientError): CircuitBreaker.Outcome {
    if (this.breakers !== undefined) return this.breakers.classify(error)
    const failed = CircuitBreaker.defaultIsFailure(error)
    return failed === undefined ? "ignored" : failed ? "failure" : "success"
  }

  /** The call site of every breaker state change: event and metric. */
  private onCircuitTransition(origin: string, from: CircuitState, to: CircuitState, now: number): void {
    Telemetry.recordCircuitTransition(from, to)
    this.publish(new CircuitStateChanged({ origin, from, to, timestamp: now }))
  }

  /** The state of `origin`'s breaker at `now` ("closed" when breakers are off). */
  circuitState(origin: string | URL, now: number): CircuitState {
    return this.breakers === undefined ? "closed" : this.breakers.stateAt(CircuitBreaker.normaliseOrigin(origin), now)
  }
}
