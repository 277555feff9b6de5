/** @internal */
import * as Duration from "effect/Duration"
import { pipeArguments } from "effect/Pipeable"
import type { Pipeable } from "effect/Pipeable"
import * as core from "../core/circuitBreaker.js"
import type { CircuitBreakerOptionsOf } from "../core/options.js"
import { breakerVerdict } from "../core/verdicts.js"
import type { HttpResilientError } from "../HttpResilientError.js"
import { showValue } from "./optionValue.js"
import {
  constructorFrame,
  decodeOrThrow,
  firstProblemDecoder,
  optionsSchema,
  type OptionsSpec,
  ruleSchema
} from "./schema/frame.js"
import { MillisDuration, PositiveInt, Share } from "./schema/rules.js"

// ---------------------------------------------------------------------------
// strategies: when a closed breaker opens (kept apart from the breaker's state)
// ---------------------------------------------------------------------------

/** @internal */
export const StrategyTypeId: unique symbol = Symbol.for("effect-http-resilient/CircuitBreaker/Strategy")

/** @internal */
export type StrategyTypeId = typeof StrategyTypeId

/** @internal */
export interface ConsecutiveStrategy extends Pipeable {
  readonly [StrategyTypeId]: StrategyTypeId
  readonly _tag: "Consecutive"
  readonly threshold: number
}

/** @internal */
export interface RatioStrategy extends Pipeable {
  readonly [StrategyTypeId]: StrategyTypeId
  readonly _tag: "Ratio"
  readonly threshold: number
  readonly minThroughput: number
  readonly window: Duration.Duration
}

/** @internal */
export type Strategy = ConsecutiveStrategy | RatioStrategy

const strategyProto = {
  [StrategyTypeId]: StrategyTypeId,
  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  },
  toJSON(this: Strategy) {
    return this._tag === "Consecutive"
      ? { _tag: this._tag, threshold: this.threshold }
      : {
        _tag: this._tag,
        threshold: this.threshold,
        minThroughput: this.minThroughput,
        window: Duration.format(this.window)
      }
  }
}

/** @internal */
export const isStrategy = (u: unknown): u is Strategy => typeof u === "object" && u !== null && StrategyTypeId in u

const decodeConsecutive = firstProblemDecoder(
  ruleSchema<number>(
    [],
    PositiveInt,
    constructorFrame(
      "CircuitBreaker.consecutive",
      (_path, value, rule) => `CircuitBreaker.consecutive: ${String(value)} is not ${rule.expected}`
    )
  )
)

/** @internal */
export const consecutive = (threshold: number): ConsecutiveStrategy => {
  decodeOrThrow(decodeConsecutive, threshold, (message) => new RangeError(message))
  const self = Object.create(strategyProto)
  self._tag = "Consecutive"
  self.threshold = threshold
  return self
}

/** @internal */
export const ratioDefaults = {
  threshold: 0.5,
  minThroughput: 20,
  window: Duration.seconds(10)
} as const

/**
 * The options of `ratio`, and how the environment reads them (`CIRCUIT_BREAKER_THRESHOLD` …, see configEnv.ts).
 * @internal
 */
export const ratioSpec: OptionsSpec = {
  expected: "an object with the options threshold, minThroughput, window",
  fields: {
    threshold: { rule: Share, env: "number" },
    minThroughput: { rule: PositiveInt, env: "integer" },
    window: { rule: MillisDuration, env: "duration" }
  }
}

const decodeRatio = firstProblemDecoder(
  optionsSchema<RatioOptions>(
    ratioSpec,
    [],
    constructorFrame("CircuitBreaker.ratio", (path, value, rule) =>
      path.length === 0
        ? `CircuitBreaker.ratio: ${showValue(value)} is not ${rule.expected}`
        : `CircuitBreaker.ratio: ${path.join(".")} ${String(value)} is not ${rule.expected}`)
  )
)

/** @internal */
export interface RatioOptions {
  readonly threshold?: number | undefined
  readonly minThroughput?: number | undefined
  readonly window?: Duration.DurationInput | undefined
}

/** @internal */
export const ratio = (options: RatioOptions = {}): RatioStrategy => {
  decodeOrThrow(decodeRatio, options, (message) => new RangeError(message))
  const self = Object.create(strategyProto)
  self._tag = "Ratio"
  self.threshold = options.threshold ?? ratioDefaults.threshold
  self.minThroughput = options.minThroughput ?? ratioDefaults.minThroughput
  self.window = options.window === undefined ? ratioDefaults.window : Duration.decode(options.window)
  return self
}

// ---------------------------------------------------------------------------
// options
// ---------------------------------------------------------------------------

/**
 * What a breaker `key` function sees of a request.
 * @internal
 */
export interface BreakerKeyRequest {
  readonly method: string
  readonly url: URL
}

/**
 * What a client's breakers are kept per: the request's origin, its route (`routes`; the origin for a request that
 * matches none), or what a function of the request returns.
 * @internal
 */
export type BreakerKey = "origin" | "route" | ((request: BreakerKeyRequest) => string)

/** @internal */
export interface CircuitBreakerOptions
  extends CircuitBreakerOptionsOf<Duration.DurationInput, Strategy, HttpResilientError>
{
  readonly key?: BreakerKey | undefined
}

/** @internal */
export const defaults = {
  breakDuration: Duration.millis(core.breakerDefaults.breakMillis),
  backoffFactor: core.breakerDefaults.backoffFactor,
  maxBreakDuration: Duration.millis(core.breakerDefaults.maxBreakMillis),
  probes: core.breakerDefaults.probes
} as const

/** @internal */
export interface CircuitBreakerSettings {
  readonly key: BreakerKey
  readonly strategy: Strategy
  readonly breakMillis: number
  readonly backoffFactor: number
  readonly maxBreakMillis: number
  readonly probes: number
  readonly isFailure: ((error: HttpResilientError) => boolean) | undefined
}

/**
 * The settings as the core's breaker takes them: plain numbers (the ratio strategy's window in milliseconds).
 * @internal
 */
export const breakerConfig = (settings: CircuitBreakerSettings): core.BreakerConfig => ({
  strategy: settings.strategy._tag === "Consecutive"
    ? { _tag: "Consecutive", threshold: settings.strategy.threshold }
    : {
      _tag: "Ratio",
      threshold: settings.strategy.threshold,
      minThroughput: settings.strategy.minThroughput,
      windowMillis: Duration.toMillis(settings.strategy.window)
    },
  breakMillis: settings.breakMillis,
  backoffFactor: settings.backoffFactor,
  maxBreakMillis: settings.maxBreakMillis,
  probes: settings.probes
})

/**
 * Whether an attempt's error counts against the origin: a transport failure, an attempt timeout, or a
 * status of 5xx, 408 or 429. Other statuses are successes (the origin answered); a deadline, an invalid
 * request, a decode or interceptor failure and an interruption say nothing about the origin (`undefined`).
 * @internal
 */
export const defaultIsFailure = (error: HttpResilientError): boolean | undefined => breakerVerdict(error)

// ---------------------------------------------------------------------------
// the breakers of a client: the core's state machine, and how an error counts
// ---------------------------------------------------------------------------

/** @internal */
export type Outcome = core.Outcome

/** @internal */
export const REJECTED = core.REJECTED

/** @internal */
export type Breaker = core.Breaker

/**
 * The core's per-origin breakers (`core/circuitBreaker.ts`), with the client's rule for which errors count.
 * @internal
 */
export class BreakerRegistry extends core.BreakerRegistry {
  constructor(readonly settings: CircuitBreakerSettings, onTransition: core.OnTransition, maxOrigins: number) {
    super(breakerConfig(settings), onTransition, maxOrigins)
  }

  /** The outcome of an attempt's error for the breaker. */
  classify(error: HttpResilientError): Outcome {
    const verdict = this.settings.isFailure === undefined ? defaultIsFailure(error) : this.settings.isFailure(error)
    return verdict === undefined ? "ignored" : verdict ? "failure" : "success"
  }
}

/** @internal */
export { normaliseOrigin } from "../core/url.js"
