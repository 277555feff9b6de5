/**
 * The client's health for readiness probes: what its breakers, bulkheads and retry budget hold now. Read from the
 * protections' own state (nothing is counted for it on the hot path but each breaker's attempts in flight and the
 * time of its last failure).
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { InvalidRequestError } from "../HttpResilientError.js"
import type { CircuitState } from "../ResilientEvent.js"
import type { Breaker } from "./circuitBreaker.js"
import { originOf } from "./clientOps.js"
import type { Protections } from "./protections.js"
import { internalsOf, ResilientClient } from "./service.js"

/**
 * One breaker's view: per origin under the default key, else per key (route, or what the key function returned).
 * @internal
 */
export interface OriginHealth {
  /** the breaker's key: the origin under the default `circuitBreaker.key` */
  readonly key: string
  /** the origin of the calls it counts (of the first call, for a key function's breaker) */
  readonly origin: string
  /** the route (`routes[i]`) whose own breaker this is, or that it is kept for under `key: "route"` */
  readonly route: string | undefined
  readonly state: CircuitState
  /** attempts the breaker let through that have not ended */
  readonly inFlight: number
  /** when the open breaker lets a probe through (epoch ms by the `Clock`); `undefined` unless open */
  readonly retryAt: number | undefined
  /** when an attempt last failed by the breaker's rule (epoch ms by the `Clock`); `undefined`: none did */
  readonly lastFailureAt: number | undefined
  /** retries the retry budget would grant the origin now; `undefined` when the budget is off */
  readonly retryBudget: number | undefined
}

/**
 * One bulkhead compartment's view: the client's, or a route's own.
 * @internal
 */
export interface BulkheadHealth {
  /** the route (`routes[i]`) whose own compartment this is; `undefined` for the client's */
  readonly route: string | undefined
  /** attempts holding a slot */
  readonly inFlight: number
  /** attempts waiting in its queue */
  readonly queued: number
  readonly maxConcurrent: number
  readonly maxQueue: number
}

/**
 * The client's health (`ResilientClient.health`).
 * @internal
 */
export interface Health {
  /** every breaker is closed (what `healthy()` answers) */
  readonly healthy: boolean
  /** one entry per breaker the client keeps (bounded by `maxOrigins`), least recently used first */
  readonly origins: ReadonlyArray<OriginHealth>
  /** the client's bulkhead, then each route's own; empty when bulkheads are off */
  readonly bulkheads: ReadonlyArray<BulkheadHealth>
  /** retries the budget of the origin called last would grant now; `undefined` when it is off */
  readonly retryBudget: number | undefined
  /** when this was read (epoch ms by the `Clock`) */
  readonly at: number
}

/** The route a breaker is kept for under `key: "route"` (its key is `${origin} routes[i]`). */
const routeOfKey = (breaker: Breaker): string | undefined => {
  const key = breaker.origin
  const prefix = `${breaker.requestOrigin} routes[`
  return key.startsWith(prefix) ? key.slice(breaker.requestOrigin.length + 1) : undefined
}

/**
 * The health of a client's protections at `now`.
 * @internal
 */
export const healthOf = (protections: Protections, now: number): Health => {
  const budget = protections.retryBudget
  // the budget of the origin used last (as `RetryBudget.available`); each origin's own beside its breaker
  const retryBudget = budget?.available(undefined, now)
  const budgetOf = (origin: string): number | undefined => budget?.available(origin, now)
  const origins: Array<OriginHealth> = []
  const bulkheads: Array<BulkheadHealth> = []
  const registries = new Set<unknown>()
  const compartments = new Set<unknown>()
  for (const p of [protections, ...protections.routes]) {
    if (p.breakers !== undefined && !registries.has(p.breakers)) {
      registries.add(p.breakers)
      for (const breaker of p.breakers.list()) {
        const state = breaker.stateAt(now)
        origins.push({
          key: breaker.origin,
          origin: breaker.requestOrigin,
          route: p.route ?? routeOfKey(breaker),
          state,
          inFlight: breaker.inFlight,
          retryAt: state === "open" ? breaker.retryAt(now) : undefined,
          lastFailureAt: breaker.lastFailureAt,
          retryBudget: budgetOf(breaker.requestOrigin)
        })
      }
    }
    const bulkhead = p.bulkhead
    if (bulkhead !== undefined && !compartments.has(bulkhead)) {
      compartments.add(bulkhead)
      bulkheads.push({
        route: p.route,
        inFlight: bulkhead.active,
        queued: bulkhead.queued,
        maxConcurrent: bulkhead.settings.maxConcurrent,
        maxQueue: bulkhead.settings.maxQueue
      })
    }
  }
  return {
    healthy: origins.every((origin) => origin.state === "closed"),
    origins,
    bulkheads,
    retryBudget,
    at: now
  }
}

/** @internal */
export const health: Effect.Effect<Health, never, ResilientClient> = Effect.flatMap(
  ResilientClient,
  (service) => Effect.map(Clock.currentTimeMillis, (now) => healthOf(internalsOf(service).protections, now))
)

/**
 * Whether every breaker of the client (of `origin`, when given: an origin or a URL on it, relative ones against
 * `baseUrl`) is closed.
 * @internal
 */
export function healthy(): Effect.Effect<boolean, never, ResilientClient>
export function healthy(origin: string | URL): Effect.Effect<boolean, InvalidRequestError, ResilientClient>
export function healthy(origin?: string | URL): Effect.Effect<boolean, InvalidRequestError, ResilientClient> {
  return origin === undefined
    ? Effect.map(health, (h) => h.healthy)
    : Effect.flatMap(
      originOf(origin, "healthy"),
      (o) => Effect.map(health, (h) => h.origins.every((entry) => entry.origin !== o || entry.state === "closed"))
    )
}
