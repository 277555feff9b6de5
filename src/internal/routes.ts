/**
 * Per-route policies (the client option `routes`): which route a call takes, and what it sets over the client's
 * options. A call's route is found once, from its method and its primary URL (joined to `baseUrl`), by comparing
 * strings: the first route whose `match` holds wins; none, and the call runs as the client's own.
 * @internal
 */
import * as Duration from "effect/Duration"
import { toAcceptStatus } from "../core/acceptStatus.js"
import { normaliseMethod } from "../core/headers.js"
import { RequestValidationError } from "../core/requestError.js"
import { joinUrl } from "../core/url.js"
import * as Bulkhead from "./bulkhead.js"
import type { CircuitBreakerSettings } from "./circuitBreaker.js"
import type { ResolvedConfig } from "./config.js"
import { resolveBreaker } from "./schema/protections.js"
import { originOf, type RouteMatch, type RouteOptions } from "./schema/routes.js"

/** @internal */
export type { RouteMatch, RouteOptions } from "./schema/routes.js"

/**
 * A route, resolved once per client.
 * @internal
 */
export interface ResolvedRoute {
  /** `routes[i]` */
  readonly label: string
  readonly origin: string | undefined
  readonly pathPrefix: string | undefined
  /** the methods as a request's are normalised; `undefined`: any */
  readonly methods: ReadonlyArray<string> | undefined
  /** the client's configuration with the route's `retry`, `timeout`, `deadline` and `acceptStatus` over it */
  readonly config: ResolvedConfig
  /** the route's own breakers' settings (`false`: none), `undefined` for the client's */
  readonly circuitBreaker: CircuitBreakerSettings | false | undefined
  /** the route's own bulkhead's settings (`false`: none), `undefined` for the client's */
  readonly bulkhead: Bulkhead.BulkheadSettings | false | undefined
}

const methodsOf = (method: RouteMatch["method"]): ReadonlyArray<string> | undefined => {
  if (method === undefined) return undefined
  const list = typeof method === "string" ? [method] : method
  return list.map((m) => {
    const normal = normaliseMethod(m)
    return normal instanceof RequestValidationError ? m : normal
  })
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
    origin: route.match.origin === undefined ? undefined : originOf(route.match.origin),
    pathPrefix: route.match.pathPrefix,
    methods: methodsOf(route.match.method),
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

/** Whether `path` is `prefix`, or under it. */
const underPrefix = (path: string, prefix: string): boolean =>
  path.startsWith(prefix) &&
  (path.length === prefix.length || prefix.endsWith("/") || path.charCodeAt(prefix.length) === 47 /* / */)

/**
 * What finds a call's route: `(method, url)` → the index of the first route that matches, or -1. The URL is joined
 * to `baseUrl` only when some route matches on origin or path; a method or URL the call will reject takes no route
 * (the call reports it as without routes).
 * @internal
 */
export const routeFinder = (
  routes: ReadonlyArray<ResolvedRoute>,
  config: ResolvedConfig
): (method: string, url: string | URL) => number => {
  const needsUrl = routes.some((route) => route.origin !== undefined || route.pathPrefix !== undefined)
  const needsMethod = routes.some((route) => route.methods !== undefined)
  return (method, url) => {
    let m: string | undefined
    if (needsMethod) {
      const normal = normaliseMethod(method)
      if (normal instanceof RequestValidationError) return -1
      m = normal
    }
    let origin: string | undefined
    let path: string | undefined
    if (needsUrl) {
      const joined = joinUrl(url, config.baseUrl, config.redacted)
      if (joined instanceof RequestValidationError) return -1
      origin = joined.origin
      path = joined.pathname
    }
    for (let i = 0; i < routes.length; i++) {
      const route = routes[i]
      if (route.origin !== undefined && route.origin !== origin) continue
      if (route.pathPrefix !== undefined && !underPrefix(path!, route.pathPrefix)) continue
      if (route.methods !== undefined && !route.methods.includes(m!)) continue
      return i
    }
    return -1
  }
}
