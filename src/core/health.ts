/**
 * The client's health for readiness probes, read from the protections' own state: each breaker's state, attempts in
 * flight and last failure, each bulkhead compartment's slots and queue, and what the retry budget would grant.
 * Effect-free: both editions report it from their protections (the core's breakers and bulkhead slots).
 * @internal
 */
import type { BulkheadSlots } from "./bulkhead.js"
import type { Breaker, CircuitState } from "./circuitBreaker.js"

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

/**
 * One set of protections a health report reads: the client's own, or a route's (which may share the client's
 * breakers or compartment: each is reported once).
 * @internal
 */
export interface HealthSource {
  /** `routes[i]` for a route's protections, `undefined` for the client's */
  readonly route: string | undefined
  readonly breakers: { readonly list: () => ReadonlyArray<Breaker> } | undefined
  readonly bulkhead: BulkheadSlots<unknown> | undefined
}

/**
 * What the retry budget would grant now: for `origin`, or (undefined) for the origin called last; `undefined` for
 * the whole when the budget is off.
 * @internal
 */
export type BudgetReader = ((origin: string | undefined) => number) | undefined

/** The route a breaker is kept for under `key: "route"` (its key is `${origin} routes[i]`). */
const routeOfKey = (breaker: Breaker): string | undefined => {
  const key = breaker.origin
  const prefix = `${breaker.requestOrigin} routes[`
  return key.startsWith(prefix) ? key.slice(breaker.requestOrigin.length + 1) : undefined
}

/**
 * The health of `sources` (the client's protections first, then each route's) at `now`.
 * @internal
 */
export const healthOf = (sources: ReadonlyArray<HealthSource>, budget: BudgetReader, now: number): Health => {
  const origins: Array<OriginHealth> = []
  const bulkheads: Array<BulkheadHealth> = []
  const registries = new Set<unknown>()
  const compartments = new Set<unknown>()
  for (const p of sources) {
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
          retryBudget: budget?.(breaker.requestOrigin)
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
    retryBudget: budget?.(undefined),
    at: now
  }
}
