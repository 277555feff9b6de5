/**
 * Per-origin circuit breakers for the v4 edition: the same strategies, options and defaults as the root entry
 * (`consecutive(n)`, `ratio({ threshold, minThroughput, window })`, a break that may grow, n half-open probes),
 * kept by the shared core's state machine — plus `persisted`, which hands the breaking to v4's own
 * `effect/persistence` `CircuitBreaker`, so a `CircuitBreakerStore` on Redis gives a **fleet-wide breaker**.
 *
 * Why both: v4's breaker counts a ratio over the last `size` calls (not over a time window), admits exactly one
 * half-open probe, and keeps its state in a store other processes see. Ours is the default (the ratio over a
 * 10 s window, `probes` half-open probes, in memory); choose `persisted` when every instance of a service must see
 * one breaker per origin. With `persisted`, `probes` and `backoffFactor` do not apply (v4's `openDuration` and
 * `maxOpenDuration` do), and `circuitState` reads the store.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as PersistedBreaker from "effect/persistence/CircuitBreaker"
import { breakerDefaults, type CircuitState as CoreCircuitState } from "../../src/core/circuitBreaker.js"
import { millisDuration } from "../../src/core/durationRules.js"
import type { CircuitBreakerOptionsOf } from "../../src/core/options.js"
import { breakerVerdict } from "../../src/core/verdicts.js"
import type { HttpResilientError } from "./HttpResilientError.js"
import { badOption, millisOf, numberOf, optionalMillis } from "./internal/options.js"

/**
 * `closed`, `open` or `half-open` (the root entry's states).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { type CircuitBreaker, ResilientClient } from "effect-http-resilient/v4"
 *
 * const label = (state: CircuitBreaker.CircuitState) => state === "half-open" ? "probing" : state
 * const program = Effect.map(ResilientClient.circuitState("https://api.example.com"), label)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type CircuitState = CoreCircuitState

/**
 * The mark every strategy carries ({@link isStrategy} checks for it). The v4 edition's own symbol
 * (`effect-http-resilient/v4/CircuitBreaker/Strategy`): a root-entry (Effect v3) strategy is not a v4 one.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "effect-http-resilient/v4"
 *
 * assert.ok(CircuitBreaker.StrategyTypeId in CircuitBreaker.consecutive(5))
 * ```
 *
 * @since 0.1.0
 * @category type ids
 */
export const StrategyTypeId: unique symbol = Symbol.for("effect-http-resilient/v4/CircuitBreaker/Strategy")

/**
 * @since 0.1.0
 * @category type ids
 */
export type StrategyTypeId = typeof StrategyTypeId

/**
 * Opens after `threshold` failures in a row.
 * @since 0.1.0
 * @category models
 */
export interface ConsecutiveStrategy {
  readonly [StrategyTypeId]: StrategyTypeId
  readonly _tag: "Consecutive"
  readonly threshold: number
}

/**
 * Opens when at least `threshold` of the attempts in the last `window` failed, once there were `minThroughput`.
 * @since 0.1.0
 * @category models
 */
export interface RatioStrategy {
  readonly [StrategyTypeId]: StrategyTypeId
  readonly _tag: "Ratio"
  readonly threshold: number
  readonly minThroughput: number
  readonly window: Duration.Duration
}

/**
 * Breaking by v4's `effect/persistence` `CircuitBreaker` over the `CircuitBreakerStore` in context (memory when
 * none is provided; `CircuitBreaker.layerStoreRedis` from `effect/persistence` for one breaker per origin across
 * processes).
 * @since 0.1.0
 * @category models
 */
export interface PersistedStrategy {
  readonly [StrategyTypeId]: StrategyTypeId
  readonly _tag: "Persisted"
  readonly tripPolicy: PersistedBreaker.TripPolicy
  readonly openDuration: Duration.Duration
  readonly maxOpenDuration: Duration.Duration | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export type Strategy = ConsecutiveStrategy | RatioStrategy | PersistedStrategy

/**
 * What a client's breakers are kept per (`CircuitBreakerOptions.key`): `"origin"`, `"route"` (one per route of the
 * client's `routes` and origin; a call that matches no route keeps its origin's), or a function of the request
 * returning the key. The function is given the URL as errors show it (userinfo and secret query values redacted).
 *
 * @example
 * ```ts
 * import { ResilientClient } from "effect-http-resilient/v4"
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
export type BreakerKey = "origin" | "route" | ((request: { readonly method: string; readonly url: URL }) => string)

/**
 * The client's `circuitBreaker` option (and a route's): `strategy` (default `ratio()`), `breakDuration` (how long it
 * stays open, default 5 s), `backoffFactor` (the break grows by it on every opening in a row, default 1),
 * `maxBreakDuration` (default 1 minute), `probes` (half-open probes at once, default 1), `isFailure` (whether an
 * attempt's error counts as a failure; default {@link defaultIsFailure}), `key` (what breakers are kept per, see
 * {@link BreakerKey}; default `"origin"`; the keys are bounded as origins are, by `maxOrigins`, and
 * `CircuitStateChanged.origin` is the key).
 * @since 0.1.0
 * @category models
 */
export interface CircuitBreakerOptions extends CircuitBreakerOptionsOf<Duration.Input, Strategy, HttpResilientError> {
  /** @default "origin" */
  readonly key?: BreakerKey | undefined
}

/**
 * @since 0.1.0
 * @category defaults
 */
export const defaults = {
  breakDuration: Duration.millis(breakerDefaults.breakMillis),
  backoffFactor: breakerDefaults.backoffFactor,
  maxBreakDuration: Duration.millis(breakerDefaults.maxBreakMillis),
  probes: breakerDefaults.probes
} as const

/**
 * @since 0.1.0
 * @category defaults
 */
export const ratioDefaults = { threshold: 0.5, minThroughput: 20, window: Duration.seconds(10) } as const

/**
 * @since 0.1.0
 * @category constructors
 */
export const consecutive = (threshold: number): ConsecutiveStrategy => ({
  [StrategyTypeId]: StrategyTypeId,
  _tag: "Consecutive",
  threshold: numberOf("CircuitBreaker.consecutive", "threshold", threshold, {
    integer: true,
    min: 1,
    expected: "a positive integer"
  })
})

/**
 * @since 0.1.0
 * @category constructors
 */
export const ratio = (
  options: { readonly threshold?: number; readonly minThroughput?: number; readonly window?: Duration.Input } = {}
): RatioStrategy => {
  const fn = "CircuitBreaker.ratio"
  const share = { min: 0, max: 1, expected: "a share from 0 to 1" }
  return {
    [StrategyTypeId]: StrategyTypeId,
    _tag: "Ratio",
    threshold: numberOf(fn, "threshold", options.threshold ?? ratioDefaults.threshold, share),
    minThroughput: numberOf(fn, "minThroughput", options.minThroughput ?? ratioDefaults.minThroughput, {
      integer: true,
      min: 1,
      expected: "a positive integer"
    }),
    window: Duration.millis(millisOf(fn, "window", options.window ?? ratioDefaults.window, millisDuration))
  }
}

/**
 * v4's persisted breaker: `tripPolicy` (`PersistedBreaker.consecutive(n)` or `rate(...)`, default
 * `consecutive(5)`), open for `openDuration` (default 5 s), growing up to `maxOpenDuration`.
 * @since 0.1.0
 * @category constructors
 */
export const persisted = (
  options: {
    readonly tripPolicy?: PersistedBreaker.TripPolicy | undefined
    readonly openDuration?: Duration.Input | undefined
    readonly maxOpenDuration?: Duration.Input | undefined
  } = {}
): PersistedStrategy => {
  const fn = "CircuitBreaker.persisted"
  const tripPolicy = options.tripPolicy ?? PersistedBreaker.consecutive(5)
  if (tripPolicy._tag !== "Consecutive" && tripPolicy._tag !== "Rate") {
    throw badOption(fn, "tripPolicy", tripPolicy, "a TripPolicy of effect/persistence/CircuitBreaker")
  }
  const max = optionalMillis(fn, "maxOpenDuration", options.maxOpenDuration, millisDuration)
  return {
    [StrategyTypeId]: StrategyTypeId,
    _tag: "Persisted",
    tripPolicy,
    openDuration: Duration.millis(
      millisOf(fn, "openDuration", options.openDuration ?? defaults.breakDuration, millisDuration)
    ),
    maxOpenDuration: max === undefined ? undefined : Duration.millis(max)
  }
}

/**
 * Whether `u` is a strategy made by {@link consecutive}, {@link ratio} or {@link persisted} (it carries
 * {@link StrategyTypeId}); the client reads a `circuitBreaker` option that is one as `{ strategy: u }`.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "effect-http-resilient/v4"
 *
 * assert.strictEqual(CircuitBreaker.isStrategy(CircuitBreaker.ratio()), true)
 * assert.strictEqual(CircuitBreaker.isStrategy({ threshold: 5 }), false)
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isStrategy = (u: unknown): u is Strategy => typeof u === "object" && u !== null && StrategyTypeId in u

/**
 * How an attempt's error counts by default: transport failures, attempt timeouts, 5xx, 408 and 429 are failures;
 * other statuses are successes; the deadline and the client's own rejections are not counted.
 * @since 0.1.0
 * @category predicates
 */
export const defaultIsFailure = (error: HttpResilientError): boolean | undefined => breakerVerdict(error)
