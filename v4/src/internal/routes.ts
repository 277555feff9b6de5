/**
 * The client option `routes` of the v4 edition: each route read and checked once per layer (a bad field throws a
 * `RangeError` naming `routes[i].field`, its value and why). What a `match` accepts and which route a call takes are
 * the shared core's rules (src/core/routes.ts), as the root entry's.
 * @internal
 */
import type * as Duration from "effect/Duration"
import * as Schedule from "effect/Schedule"
import { type AcceptStatus, isAcceptStatus, toAcceptStatus } from "../../../src/core/acceptStatus.js"
import { positiveDuration } from "../../../src/core/durationRules.js"
import {
  isPathPrefix,
  isRouteMethod,
  originExpected,
  originOf,
  pathPrefixExpected,
  type ResolvedMatch,
  resolveMatch,
  type RouteMatch,
  routeMethodExpected,
  type RouteOptionsOf
} from "../../../src/core/routes.js"
import type * as CircuitBreaker from "../CircuitBreaker.js"
import type { HttpResilientError } from "../HttpResilientError.js"
import type { BulkheadOptions } from "./bulkhead.js"
import { badOption, millisOf } from "./options.js"

export type { RouteMatch } from "../../../src/core/routes.js"

/**
 * A route's own breakers: the client's breaker options, `key` included (one breaker per origin and route under
 * `"route"`: its key is `"<origin> routes[i]"`).
 * @since 0.1.0
 * @category models
 */
export interface RouteBreakerOptions extends CircuitBreaker.CircuitBreakerOptions {}

/**
 * One route: its `match`, and the client options it sets for the calls it takes (what it leaves unset is the
 * client's; `false` turns the client's off for the route).
 * @since 0.1.0
 * @category models
 */
export interface RouteOptions extends
  RouteOptionsOf<
    Duration.Input,
    Schedule.Schedule<unknown, HttpResilientError, HttpResilientError>,
    AcceptStatus,
    CircuitBreaker.Strategy | RouteBreakerOptions,
    BulkheadOptions
  >
{}

/**
 * Checks a `circuitBreaker.key` (the client's or a route's, `at`): throws a `RangeError` naming it, the value and
 * why unless it is `"origin"`, `"route"`, a function or unset.
 * @internal
 */
export const checkKey = (fn: string, at: string, key: unknown): void => {
  if (key !== undefined && key !== "origin" && key !== "route" && typeof key !== "function") {
    throw badOption(fn, at, key, `"origin", "route" or a function of the request`)
  }
}

/** A route, read once per layer. */
export interface ResolvedRoute extends ResolvedMatch {
  /** `routes[i]` */
  readonly label: string
  readonly timeoutMillis: number | undefined
  readonly deadlineMillis: number | undefined
  readonly accept: ((status: number) => boolean) | undefined
  /** `false`: no retry on the route; `undefined`: the client's */
  readonly retry: Schedule.Schedule<unknown, HttpResilientError, HttpResilientError> | false | undefined
  readonly circuitBreaker: RouteBreakerOptions | false | undefined
  readonly bulkhead: BulkheadOptions | false | undefined
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

const isStrategy = (u: unknown): u is CircuitBreaker.Strategy =>
  isObject(u) && ["Consecutive", "Ratio", "Persisted"].includes(u._tag as string)

const routeFields = new Set(["match", "retry", "timeout", "deadline", "acceptStatus", "circuitBreaker", "bulkhead"])
const matchFields = new Set(["origin", "pathPrefix", "method"])

/**
 * The routes of the options, checked (throws a `RangeError` naming `routes[i].field`); `undefined` when none.
 * @internal
 */
export const routesOf = (fn: string, routes: unknown): ReadonlyArray<ResolvedRoute> | undefined => {
  if (routes === undefined) return undefined
  if (!Array.isArray(routes)) {
    throw badOption(fn, "routes", routes, "a list of routes ({ match: { origin?, pathPrefix?, method? }, ... })")
  }
  if (routes.length === 0) return undefined
  return routes.map((route: unknown, i): ResolvedRoute => {
    const at = `routes[${i}]`
    if (!isObject(route)) {
      throw badOption(
        fn,
        at,
        route,
        "{ match, retry?, timeout?, deadline?, acceptStatus?, circuitBreaker?, bulkhead? }"
      )
    }
    for (const key of Object.keys(route)) {
      if (!routeFields.has(key)) throw badOption(fn, `${at}.${key}`, route[key], "a route option (unknown field)")
    }
    const match = route.match
    if (!isObject(match)) throw badOption(fn, `${at}.match`, match, "{ origin?, pathPrefix?, method? }")
    for (const key of Object.keys(match)) {
      if (!matchFields.has(key)) throw badOption(fn, `${at}.match.${key}`, match[key], "a match field (unknown)")
    }
    if (match.origin !== undefined && originOf(match.origin) === undefined) {
      throw badOption(fn, `${at}.match.origin`, match.origin, originExpected)
    }
    if (match.pathPrefix !== undefined && !isPathPrefix(match.pathPrefix)) {
      throw badOption(fn, `${at}.match.pathPrefix`, match.pathPrefix, pathPrefixExpected)
    }
    if (match.method !== undefined && !isRouteMethod(match.method)) {
      throw badOption(fn, `${at}.match.method`, match.method, routeMethodExpected)
    }
    const retry = route.retry
    if (retry !== undefined && retry !== false && !Schedule.isSchedule(retry)) {
      throw badOption(fn, `${at}.retry`, retry, "a Schedule (e.g. a RetryPolicy) or false")
    }
    const positive = (name: string): number | undefined => {
      if (route[name] === undefined) return undefined
      return millisOf(fn, `${at}.${name}`, route[name], positiveDuration)
    }
    if (route.acceptStatus !== undefined && !isAcceptStatus(route.acceptStatus)) {
      throw badOption(fn, `${at}.acceptStatus`, route.acceptStatus, "a predicate or a non-empty list of statuses")
    }
    const breaker = route.circuitBreaker
    if (breaker !== undefined && breaker !== false && !isObject(breaker)) {
      throw badOption(fn, `${at}.circuitBreaker`, breaker, "a strategy, breaker options or false")
    }
    const breakerOptions = breaker === undefined || breaker === false
      ? breaker
      : isStrategy(breaker)
      ? { strategy: breaker }
      : breaker as RouteBreakerOptions
    if (breakerOptions !== undefined && breakerOptions !== false) {
      checkKey(fn, `${at}.circuitBreaker.key`, breakerOptions.key)
    }
    const bulkhead = route.bulkhead
    if (bulkhead !== undefined && bulkhead !== false && !isObject(bulkhead)) {
      throw badOption(fn, `${at}.bulkhead`, bulkhead, "bulkhead options ({ maxConcurrent?, maxQueue?, ... }) or false")
    }
    return {
      label: at,
      ...resolveMatch(match as RouteMatch),
      timeoutMillis: positive("timeout"),
      deadlineMillis: positive("deadline"),
      accept: route.acceptStatus === undefined ? undefined : toAcceptStatus(route.acceptStatus as AcceptStatus),
      retry: retry as ResolvedRoute["retry"],
      circuitBreaker: breakerOptions,
      bulkhead: bulkhead as BulkheadOptions | false | undefined
    }
  })
}
