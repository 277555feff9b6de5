/**
 * Per-route policies (the client option `routes`): which route a call takes, and what it sets over the client's
 * options. A call's route is found once, from its method and its primary URL (joined to `baseUrl`), by comparing
 * strings: the first route whose `match` holds wins; none, and the call runs as the client's own.
 * @internal
 */
import * as Duration from "effect/Duration"
import { toAcceptStatus } from "../core/acceptStatus.js"
import { type ResolvedMatch, resolveMatch, routeFinder as coreRouteFinder } from "../core/routes.js"
import * as Bulkhead from "./bulkhead.js"
import type { CircuitBreakerSettings } from "./circuitBreaker.js"
import type { ResolvedConfig } from "./config.js"
import { resolveBreaker } from "./schema/protections.js"
import type { RouteOptions } from "./schema/routes.js"

/** @internal */
export type { RouteMatch, RouteOptions } from "./schema/routes.js"

/**
 * A route, resolved once per client.
 * @internal
 */
export interface ResolvedRoute extends ResolvedMatch {
  /** `routes[i]` */
  readonly label: string
  /** the client's configuration with the route's `retry`, `timeout`, `deadline` and `acceptStatus` over it */
  readonly config: ResolvedConfig
  /** the route's own breakers' settings (`false`: none), `undefined` for the client's */
  readonly circuitBreaker: CircuitBreakerSettings | false | undefined
  /** the route's own bulkhead's settings (`false`: none), `undefined` for the client's */
  readonly bulkhead: Bulkhead.BulkheadSettings | false | undefined
}

/**
 * The routes of a client whose options were checked, each over `config`; `undefined` when there are none.
 * @internal
 */
export const resolveRoutes = (config: ResolvedConfig): ReadonlyArray<ResolvedRoute> | undefined => {
  const routes = (config.options as { readonly routes?: ReadonlyArray<RouteOptions> | undefined }).routes
  if (routes === undefined || routes.length === 0) return undefined
  return routes.map((route, i): ResolvedRoute => ({
    label: `routes[${i}]`,
    ...resolveMatch(route.match),
    config: {
      ...config,
      timeoutMillis: route.timeout === undefined
        ? config.timeoutMillis
        : Duration.toMillis(Duration.decode(route.timeout)),
      deadline: route.deadline === undefined ? config.deadline : Duration.decode(route.deadline),
      acceptStatus: route.acceptStatus === undefined ? config.acceptStatus : toAcceptStatus(route.acceptStatus),
      retry: route.retry === undefined ? config.retry : route.retry === false ? undefined : route.retry
    },
    circuitBreaker: route.circuitBreaker === undefined || route.circuitBreaker === false
      ? route.circuitBreaker
      : resolveBreaker(route.circuitBreaker),
    bulkhead: route.bulkhead === undefined || route.bulkhead === false
      ? route.bulkhead
      : Bulkhead.resolve(route.bulkhead)
  }))
}

/**
 * What finds a call's route (`core/routes.ts`): `(method, url)` → the index of the first route that matches, or -1.
 * @internal
 */
export const routeFinder = (
  routes: ReadonlyArray<ResolvedRoute>,
  config: ResolvedConfig
): (method: string, url: string | URL) => number => coreRouteFinder(routes, config.baseUrl, config.redacted)
