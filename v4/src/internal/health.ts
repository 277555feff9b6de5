/**
 * The client's health for readiness probes (`ResilientClient.health`, `healthy`), as the shared core reads it
 * (core/health.ts) from the client's breakers, bulkhead and per-origin retry budgets.
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { type Health, healthOf } from "../../../src/core/health.js"
import { InvalidRequestError } from "../HttpResilientError.js"
import { type ClientInternals, ResilientClient } from "./service.js"

/** The health of a client's protections at `now`. */
const healthAt = (client: ClientInternals, now: number): Health => {
  const budget = client.retryBudget
  return healthOf(
    client.routes === undefined || client.routes.length === 0
      ? [{ route: undefined, breakers: client.breakers, bulkhead: client.bulkhead }]
      : [{ route: undefined, breakers: client.breakers, bulkhead: client.bulkhead }, ...client.routes],
    budget === undefined ? undefined : (origin) => budget.available(origin, now),
    now
  )
}

/** @internal */
export const health: Effect.Effect<Health, never, ResilientClient> = Effect.flatMap(
  Effect.service(ResilientClient),
  (service) => Effect.map(Clock.currentTimeMillis, (now) => healthAt(service.internals, now))
)

/** The origin of `origin` (absolute, or relative to `baseUrl`), or `undefined` when it names none. */
const originIn = (origin: string | URL, baseUrl: URL | undefined): string | undefined => {
  try {
    const url = new URL(origin, baseUrl)
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : undefined
  } catch {
    return undefined
  }
}

/**
 * Whether every breaker of the client (of `origin`, when given) is closed.
 * @internal
 */
export function healthy(): Effect.Effect<boolean, never, ResilientClient>
export function healthy(origin: string | URL): Effect.Effect<boolean, InvalidRequestError, ResilientClient>
export function healthy(origin?: string | URL): Effect.Effect<boolean, InvalidRequestError, ResilientClient> {
  if (origin === undefined) return Effect.map(health, (h) => h.healthy)
  return Effect.flatMap(Effect.service(ResilientClient), (service) => {
    const normalised = originIn(origin, service.internals.baseUrl)
    return normalised === undefined
      ? Effect.fail(
        new InvalidRequestError({
          method: "",
          url: "",
          attempt: 1,
          reason: "InvalidUrl",
          detail: `healthy: ${JSON.stringify(String(origin))} names no origin`
        })
      )
      : Effect.map(service.circuitState(normalised), (state) => state === "closed")
  })
}
