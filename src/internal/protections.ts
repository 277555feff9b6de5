/** @internal */
import type * as ExperimentalRateLimiter from "@effect/experimental/RateLimiter"
import { keyOfRequest } from "../core/circuitBreaker.js"
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

/**
 * What a route (the client option `routes`) sets of the protections: its own breakers or bulkhead (`false`: none),
 * or `undefined` for the client's, shared. The rate limiter and the retry budget are always the client's.
 * @internal
 */
export interface RouteProtections {
  readonly parent: Protections
  /** `routes[i]`: in breaker keys (`key: "route"`) and health reports */
  readonly label: string
  readonly circuitBreaker: CircuitBreaker.CircuitBreakerSettings | false | undefined
  readonly bulkhead: Bulkhead.BulkheadSettings | false | undefined
}

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
  /**
   * The key of a request's breaker when it is not the request's origin (`circuitBreaker.key` `"route"` on a route,
   * or a function) from its method, its URL as shown (redacted) and its origin; `undefined` for the origin, so the
   * default costs nothing.
   */
  readonly breakerKey: ((method: string, shownUrl: string, origin: string) => string) | undefined
  /** The route these protections are of (`routes[i]`), `undefined` for the client's own. */
  readonly route: string | undefined
  /** The client's routes' protections (on the client's own only), in the order of `routes`. */
  readonly routes: Array<Protections> = []

  constructor(
    settings: ProtectionSettings,
    private readonly publish: (event: ResilientEvent) => void,
    limiter: ExperimentalRateLimiter.RateLimiter | undefined,
    /** how many origins (or rate limiter keys) per-origin state is kept for; see `BreakerRegistry` */
    maxOrigins: number,
    /** a route's protections: its own breakers and bulkhead where it sets them, the client's (`parent`) elsewhere */
    route?: RouteProtections | undefined
  ) {
    const breakerSettings = route === undefined ? settings.circuitBreaker : route.circuitBreaker
    this.breakers = route !== undefined && breakerSettings === undefined
      ? route.parent.breakers
      : breakerSettings === undefined || breakerSettings === false
      ? undefined
      : new CircuitBreaker.BreakerRegistry(
        breakerSettings,
        (origin, from, to, now) => this.onCircuitTransition(origin, from, to, now),
        maxOrigins
      )
    this.route = route?.label
    this.breakerKey = breakerKeyOf(this.breakers?.settings.key, route?.label)
    const bulkheadSettings = route === undefined ? settings.bulkhead : route.bulkhead
    this.bulkhead = route !== undefined && bulkheadSettings === undefined
      ? route.parent.bulkhead
      : bulkheadSettings === undefined || bulkheadSettings === false
      ? undefined
      : new Bulkhead.Bulkhead(bulkheadSettings)
    if (route !== undefined) {
      route.parent.routes.push(this)
      this.rateLimiter = route.parent.rateLimiter
      this.retryBudget = route.parent.retryBudget
      this.hedge = route.parent.hedge
      this.guarding = this.breakers !== undefined || this.bulkhead !== undefined || this.rateLimiter !== undefined
      return
    }
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
    for (const route of this.routes) route.breakers?.clear()
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

/** How `key` keys a request's breaker, `undefined` for its origin (the default, and `"route"` off any route). */
const breakerKeyOf = (
  key: CircuitBreaker.BreakerKey | undefined,
  route: string | undefined
): Protections["breakerKey"] => {
  if (key === undefined || key === "origin") return undefined
  if (key === "route") return route === undefined ? undefined : (_method, _url, origin) => `${origin} ${route}`
  return (method, shownUrl) => keyOfRequest(key, method, shownUrl)
}
