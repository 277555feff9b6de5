/**
 * Per-origin circuit breakers: stop sending to an origin that keeps failing, and let one probe through
 * now and then to find out whether it is back.
 *
 * A breaker is **closed** (calls go through) until its *strategy* says the origin is failing; then it is
 * **open** for the break duration: every attempt to the origin fails at once with `CircuitOpenError`, no
 * I/O. After the break it is **half-open**: `probes` attempts (default 1) go through, the rest are rejected
 * at once; a probe's success closes the breaker, its failure opens it again (for a longer break when
 * `backoffFactor` > 1, up to `maxBreakDuration`).
 *
 * A rejection's `CircuitOpenError` says which: `state: "open"` with `retryAt` the end of the break, or
 * `state: "half-open"` (`Circuit half-open for …, no free probe (n in flight)`) with `retryAt` when the first probe
 * in flight is due to end by its attempt timeout — by then it has closed the breaker, opened it again or freed its
 * slot. `retryAt` is never before the rejection.
 *
 * Strategies, kept apart from the breaker's state:
 * - `consecutive(n)`: open after `n` failures in a row;
 * - `ratio({ threshold, minThroughput, window })`: open when at least `threshold` of the attempts in the
 *   last `window` failed, once there were at least `minThroughput` of them (the default: 50 %, 20, 10 s).
 *
 * What counts: a `TransportError`, an attempt `TimeoutError`, and a `StatusError` with 5xx, 408 or 429 are
 * failures; other statuses (404, 401 …) are successes — the origin answered. A deadline, an invalid request
 * and an interrupted attempt (a losing hedge, a caller that gave up) count as neither. `isFailure` replaces
 * this rule. Breakers are keyed by the origin of the URL the attempt was sent to (redirects followed within the
 * attempt count for it). The open → half-open change happens, and its `CircuitStateChanged` event is published,
 * when the first attempt (or `ResilientClient.circuitState`) arrives after the break. All time is the `Clock`'s.
 *
 * A client keeps breakers for at most `maxOrigins` origins (default 1,000) and forgets them when its scope closes.
 * Past the cap the least recently used closed breaker is forgotten; an open or half-open one never is, so a flood of
 * new origins cannot close a breaker that protects an origin in trouble. When every kept breaker is open or
 * half-open, a new origin's breaker is not kept (each attempt to it starts closed) until one of them closes.
 *
 * The client option `circuitBreaker` takes a strategy, options, or `false`:
 *
 * @example
 * ```ts
 * import { CircuitBreaker, ResilientClient } from "effect-http-resilient"
 *
 * const Client = ResilientClient.layer({
 *   circuitBreaker: {
 *     strategy: CircuitBreaker.consecutive(5),
 *     breakDuration: "5 seconds",
 *     backoffFactor: 2,
 *     maxBreakDuration: "1 minute"
 *   }
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type { HttpResilientError } from "./HttpResilientError.js"
import * as internal from "./internal/circuitBreaker.js"
import type * as Event from "./ResilientEvent.js"

/**
 * @example
 * ```ts
 * import { CircuitBreaker } from "effect-http-resilient"
 *
 * // every strategy carries the type id; `isStrategy` checks for it
 * assert.ok(CircuitBreaker.StrategyTypeId in CircuitBreaker.consecutive(5))
 * ```
 *
 * @since 0.1.0
 * @category type ids
 */
export const StrategyTypeId: typeof internal.StrategyTypeId = internal.StrategyTypeId

/**
 * @since 0.1.0
 * @category type ids
 */
export type StrategyTypeId = internal.StrategyTypeId

/**
 * Opens after `threshold` failures in a row; a success resets the count.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConsecutiveStrategy extends internal.ConsecutiveStrategy {}

/**
 * Opens when at least `threshold` (a share, 0–1) of the attempts in the last `window` failed, once the window
 * holds at least `minThroughput` attempts.
 *
 * @since 0.1.0
 * @category models
 */
export interface RatioStrategy extends internal.RatioStrategy {}

/**
 * When a closed breaker opens.
 *
 * @since 0.1.0
 * @category models
 */
export type Strategy = ConsecutiveStrategy | RatioStrategy

/**
 * `closed`, `open` or `half-open`.
 *
 * @since 0.1.0
 * @category models
 */
export type CircuitState = Event.CircuitState

/**
 * Options of the client's `circuitBreaker` (and of a route's, see `ResilientClient.ClientOptions` `routes`).
 *
 * - `key`: what breakers are kept per. `"origin"`: one breaker per origin. `"route"`: one per route of the client's
 *   `routes` and origin (a call that matches no route keeps its origin's), so one failing endpoint does not open
 *   the breaker of the healthy paths beside it. A function of the request (`{ method, url }`, the URL as errors show
 *   it: userinfo and secret query values redacted) returning a string: one per value it returns. The keys are bounded as origins are (`maxOrigins`); `CircuitStateChanged.origin` is the
 *   key. @default "origin"
 * - `strategy`: when to open. @default `ratio()` — 50 % failing, at least 20 attempts, 10 s window
 * - `breakDuration`: how long an opened breaker stays open. @default "5 seconds"
 * - `backoffFactor`: each time a probe fails, the next break is this many times longer (1: always the same). @default 1
 * - `maxBreakDuration`: the longest break when it grows. @default "1 minute"
 * - `probes`: attempts let through at once while half-open; the others are rejected without I/O. @default 1
 * - `isFailure`: whether an error counts against the origin (`true`) or as a success (`false`); replaces the
 *   default rule (transport errors, attempt timeouts, 5xx, 408, 429).
 *
 * @since 0.1.0
 * @category models
 */
export interface CircuitBreakerOptions extends internal.CircuitBreakerOptions {}

/**
 * What a client's breakers are kept per (`CircuitBreakerOptions.key`): `"origin"`, `"route"`, or a function of the
 * request returning the key.
 *
 * @example
 * ```ts
 * import { ResilientClient } from "effect-http-resilient"
 *
 * // one breaker per origin and first path segment: /search failing leaves /users alone
 * const Client = ResilientClient.layer({
 *   circuitBreaker: { key: (request) => `${request.url.origin}/${request.url.pathname.split("/")[1] ?? ""}` }
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type BreakerKey = internal.BreakerKey

/**
 * Opens after `threshold` consecutive failures. Throws a `RangeError` unless `threshold` is an integer ≥ 1.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, ResilientClient } from "effect-http-resilient"
 *
 * const Client = ResilientClient.layer({ circuitBreaker: CircuitBreaker.consecutive(5) })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const consecutive: (threshold: number) => ConsecutiveStrategy = internal.consecutive

/**
 * Opens when the share of failing attempts in the rolling `window` reaches `threshold`, once there were at
 * least `minThroughput` attempts. Throws a `RangeError` on a bad value, and on an option it does not know (naming
 * it and the known ones).
 *
 * - `threshold`: a share in (0, 1]. @default 0.5
 * - `minThroughput`: attempts in the window before the breaker may open. @default 20
 * - `window`: the rolling window, counted in 10 slices. @default "10 seconds"
 *
 * @example
 * ```ts
 * import { CircuitBreaker, ResilientClient } from "effect-http-resilient"
 *
 * const Client = ResilientClient.layer({
 *   circuitBreaker: CircuitBreaker.ratio({ threshold: 0.3, minThroughput: 50, window: "30 seconds" })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const ratio: (options?: {
  readonly threshold?: number | undefined
  readonly minThroughput?: number | undefined
  readonly window?: Duration.DurationInput | undefined
}) => RatioStrategy = internal.ratio

/**
 * Whether a value is a breaker strategy.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "effect-http-resilient"
 *
 * assert.strictEqual(CircuitBreaker.isStrategy(CircuitBreaker.ratio()), true)
 * assert.strictEqual(CircuitBreaker.isStrategy({ threshold: 5 }), false)
 * ```
 *
 * @since 0.1.0
 * @category refinements
 */
export const isStrategy: (u: unknown) => u is Strategy = internal.isStrategy

/**
 * The default rule: `true` for a failure (transport error, attempt timeout, 5xx, 408, 429), `false` for a
 * success (any other status), `undefined` for what says nothing about the origin (deadline, invalid request,
 * decode or interceptor failure).
 *
 * @example
 * ```ts
 * import { Duration } from "effect"
 * import { CircuitBreaker, HttpResilientError } from "effect-http-resilient"
 *
 * const request = { method: "GET", url: "https://api.example.com/", attempt: 1 }
 * const reset = new HttpResilientError.TransportError({ ...request, reason: "ConnectionReset" })
 * const deadline = new HttpResilientError.TimeoutError({ ...request, scope: "deadline", timeout: Duration.zero })
 * assert.strictEqual(CircuitBreaker.defaultIsFailure(reset), true) // counts against the origin
 * assert.strictEqual(CircuitBreaker.defaultIsFailure(deadline), undefined) // says nothing about it
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const defaultIsFailure: (error: HttpResilientError) => boolean | undefined = internal.defaultIsFailure

/**
 * The defaults: `breakDuration` 5 s, `backoffFactor` 1, `maxBreakDuration` 1 min, `probes` 1; the `ratio`
 * strategy's are in `ratioDefaults`.
 *
 * @example
 * ```ts
 * import { Duration } from "effect"
 * import { CircuitBreaker } from "effect-http-resilient"
 *
 * assert.strictEqual(Duration.toSeconds(CircuitBreaker.defaults.breakDuration), 5)
 * assert.strictEqual(CircuitBreaker.defaults.probes, 1)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: typeof internal.defaults = internal.defaults

/**
 * The `ratio` strategy's defaults: `threshold` 0.5, `minThroughput` 20, `window` 10 s.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "effect-http-resilient"
 *
 * assert.strictEqual(CircuitBreaker.ratioDefaults.threshold, 0.5)
 * assert.strictEqual(CircuitBreaker.ratioDefaults.minThroughput, 20)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const ratioDefaults: typeof internal.ratioDefaults = internal.ratioDefaults
