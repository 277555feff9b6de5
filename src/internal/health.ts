/**
 * The client's health for readiness probes: what its breakers, bulkheads and retry budget hold now, as the shared
 * core reads it (core/health.ts) from the protections' own state.
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as core from "../core/health.js"
import type { Health } from "../core/health.js"
import type { InvalidRequestError } from "../HttpResilientError.js"
import { originOf } from "./clientOps.js"
import type { Protections } from "./protections.js"
import { internalsOf, ResilientClient } from "./service.js"

export type { BulkheadHealth, Health, OriginHealth } from "../core/health.js"

/**
 * The health of a client's protections at `now`.
 * @internal
 */
export const healthOf = (protections: Protections, now: number): Health => {
  const budget = protections.retryBudget
  // the budget of the origin used last (as `RetryBudget.available`); each origin's own beside its breaker
  return core.healthOf(
    [protections, ...protections.routes],
    budget === undefined ? undefined : (origin) => budget.available(origin, now),
    now
  )
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
