/**
 * The options of a client's protections (circuit breaker, bulkhead, rate limiter, retry budget, hedging): one
 * `OptionsSpec` each, the Schemas the client options (config.ts), the environment (configEnv.ts) and the
 * constructors (`RetryBudget.make`, `HttpResilient.hedge`) are checked by, and the defaults they resolve to.
 * @internal
 */
import type * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { hedgeLimits } from "../../core/hedge.js"
import { rateLimiterShapeProblem } from "../../core/rateLimit.js"
import * as RetryBudgetCore from "../../core/retryBudget.js"
import * as Bulkhead from "../bulkhead.js"
import * as CircuitBreaker from "../circuitBreaker.js"
import type { HedgeOptions, HedgeSettings } from "../hedgeSettings.js"
import * as RateLimiter from "../rateLimiter.js"
import {
  type Frame,
  layerFrame,
  optionsSchema,
  type OptionsSpec,
  type Path,
  type Problem,
  toConfigError
} from "./frame.js"
import {
  functionRule,
  intRange,
  MillisDuration,
  NonNegativeInt,
  numberRange,
  oneOf,
  PositiveInt,
  rule
} from "./rules.js"

/** @internal */
export interface RetryBudgetOptions {
  readonly ratio?: number | undefined
  readonly window?: Duration.DurationInput | undefined
  readonly minRetriesPerSecond?: number | undefined
  readonly adaptive?: boolean | undefined
}

/**
 * The protection options of a client, each `false` to turn it off.
 * @internal
 */
export interface ProtectionOptions {
  readonly circuitBreaker?: CircuitBreaker.Strategy | CircuitBreaker.CircuitBreakerOptions | false | undefined
  readonly bulkhead?: Bulkhead.BulkheadOptions | false | undefined
  readonly rateLimiter?: RateLimiter.RateLimiterOptions | false | undefined
  readonly retryBudget?: RetryBudgetOptions | false | undefined
  readonly hedge?: HedgeOptions | false | undefined
}

/** @internal */
export interface ProtectionSettings {
  readonly circuitBreaker: CircuitBreaker.CircuitBreakerSettings | undefined
  readonly bulkhead: Bulkhead.BulkheadSettings | undefined
  readonly rateLimiter: RateLimiter.RateLimiterSettings | undefined
  readonly retryBudget: RetryBudgetCore.RetryBudgetSettings | undefined
  readonly hedge: HedgeSettings | undefined
}

const off = (u: unknown) => u === false

/** @internal */
export const circuitBreakerSpec: OptionsSpec = {
  expected: "false, a strategy (CircuitBreaker.consecutive(n), CircuitBreaker.ratio(...)) or circuit breaker options",
  pass: (u) => u === false || CircuitBreaker.isStrategy(u),
  fields: {
    key: {
      rule: rule(
        (u) => u === "origin" || u === "route" || typeof u === "function",
        `"origin", "route" or a function of the request returning a string`
      )
    },
    strategy: { rule: rule(CircuitBreaker.isStrategy, "CircuitBreaker.consecutive(n) or ratio(...)") },
    breakDuration: { rule: MillisDuration, env: "duration" },
    backoffFactor: { rule: numberRange(1, 100), env: "number" },
    maxBreakDuration: { rule: MillisDuration, env: "duration" },
    probes: { rule: PositiveInt, env: "integer" },
    isFailure: { rule: functionRule("a predicate on the error") }
  }
}

/** @internal */
export const bulkheadSpec: OptionsSpec = {
  expected: "false or { maxConcurrent, maxQueue, queueTimeout }",
  pass: off,
  fields: {
    maxConcurrent: { rule: PositiveInt, env: "integer" },
    maxQueue: { rule: NonNegativeInt, env: "integer" },
    queueTimeout: { rule: MillisDuration, env: "duration" }
  }
}

/** A limiter needs a quota (`limit` with `window`), or to be adaptive, or both. */
const rateLimiterCheck = (options: Record<string, unknown>, path: Path, frame: Frame): ReadonlyArray<Problem> => {
  const problem = rateLimiterShapeProblem(options)
  if (problem === undefined) return []
  const field = problem.field
  return [{
    key: field,
    message: field === undefined
      ? frame.problem(path, problem.text)
      : frame.problem([...path, field], problem.text, path)
  }]
}

/** @internal */
export const rateLimiterSpec: OptionsSpec = {
  expected: "false or { limit, window, algorithm, key, adaptive }",
  pass: off,
  fields: {
    limit: { rule: PositiveInt, env: "integer" },
    window: { rule: MillisDuration, env: "duration" },
    algorithm: { rule: oneOf("token-bucket", "fixed-window"), env: "string" },
    key: {
      rule: rule((u) => typeof u === "string" || typeof u === "function", "a string or a function of the request")
    },
    adaptive: { rule: rule((u) => typeof u === "boolean", "true or false") }
  },
  check: rateLimiterCheck
}

/** @internal */
export const retryBudgetSpec: OptionsSpec = {
  expected: "false or { ratio, window, minRetriesPerSecond, adaptive }",
  pass: off,
  fields: {
    ratio: { rule: numberRange(0, RetryBudgetCore.retryBudgetLimits.ratio), env: "number" },
    window: { rule: MillisDuration, env: "duration" },
    minRetriesPerSecond: { rule: numberRange(0, RetryBudgetCore.retryBudgetLimits.minRetriesPerSecond), env: "number" },
    adaptive: { rule: rule((u) => typeof u === "boolean", "true or false"), env: "boolean" }
  }
}

/** The options of `HttpResilient.hedge` (the client option `hedge` may also be `false`). */
const hedgeOptionsSpec: OptionsSpec = {
  expected: "{ delay, maxHedges? }",
  required: true,
  fields: {
    delay: { rule: MillisDuration },
    maxHedges: { rule: intRange(1, hedgeLimits.maxHedges) }
  },
  check: (options, path, frame) =>
    options.delay === undefined
      ? [{ key: "delay", message: frame.problem([...path, "delay"], `missing (e.g. "50 millis")`) }]
      : []
}

/** @internal */
export const hedgeSpec: OptionsSpec = {
  ...hedgeOptionsSpec,
  expected: "false or { delay, maxHedges }",
  required: false,
  pass: off
}

/**
 * The protections' options, by client option.
 * @internal
 */
export const protectionSpecs = {
  circuitBreaker: circuitBreakerSpec,
  bulkhead: bulkheadSpec,
  rateLimiter: rateLimiterSpec,
  retryBudget: retryBudgetSpec,
  hedge: hedgeSpec
} as const

/**
 * The Schemas of the protection options, for the client options' Schema, reporting by `frame`.
 * @internal
 */
export const protectionFields = (frame: Frame = layerFrame) => ({
  circuitBreaker: Schema.optional(
    optionsSchema<CircuitBreaker.Strategy | CircuitBreaker.CircuitBreakerOptions | false>(
      circuitBreakerSpec,
      ["circuitBreaker"],
      frame
    )
  ),
  bulkhead: Schema.optional(optionsSchema<Bulkhead.BulkheadOptions | false>(bulkheadSpec, ["bulkhead"], frame)),
  rateLimiter: Schema.optional(
    optionsSchema<RateLimiter.RateLimiterOptions | false>(rateLimiterSpec, ["rateLimiter"], frame)
  ),
  retryBudget: Schema.optional(optionsSchema<RetryBudgetOptions | false>(retryBudgetSpec, ["retryBudget"], frame)),
  hedge: Schema.optional(optionsSchema<HedgeOptions | false>(hedgeSpec, ["hedge"], frame))
})

// ---------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------

const decodeRetryBudget = Schema.decodeUnknownEither(
  optionsSchema<RetryBudgetOptions | false>(retryBudgetSpec, ["retryBudget"]),
  { errors: "all" }
)

/**
 * The options of `RetryBudget.make`, checked as the client option `retryBudget` is: a `ConfigError` naming each
 * option at fault.
 * @internal
 */
export const checkRetryBudget = (options: unknown): Either.Either<unknown, ConfigError.ConfigError> =>
  Either.mapLeft(
    decodeRetryBudget(options),
    (error) => toConfigError(error, { ...layerFrame, at: (path) => ["retryBudget", ...path] })
  )

/**
 * The Schema of the options of `HttpResilient.hedge`, reporting by `frame`.
 * @internal
 */
export const hedgeOptionsSchema = (frame: Frame): Schema.Schema<HedgeOptions> =>
  optionsSchema<HedgeOptions>(hedgeOptionsSpec, [], frame)

// ---------------------------------------------------------------------------
// defaults
// ---------------------------------------------------------------------------

/** @internal */
export const retryBudgetDefaults = {
  ratio: RetryBudgetCore.retryBudgetDefaults.ratio,
  window: Duration.millis(RetryBudgetCore.retryBudgetDefaults.windowMillis),
  minRetriesPerSecond: RetryBudgetCore.retryBudgetDefaults.minRetriesPerSecond,
  adaptive: RetryBudgetCore.retryBudgetDefaults.adaptive
} as const

/**
 * A retry budget's settings from its (checked) options and the defaults.
 * @internal
 */
export const resolveRetryBudget = (options: RetryBudgetOptions | undefined): RetryBudgetCore.RetryBudgetSettings => ({
  ratio: options?.ratio ?? retryBudgetDefaults.ratio,
  windowMillis: Duration.toMillis(
    options?.window === undefined ? retryBudgetDefaults.window : Duration.decode(options.window)
  ),
  minRetriesPerSecond: options?.minRetriesPerSecond ?? retryBudgetDefaults.minRetriesPerSecond,
  adaptive: options?.adaptive ?? retryBudgetDefaults.adaptive
})

/**
 * A circuit breaker's settings from its (checked) options and the defaults.
 * @internal
 */
export const resolveBreaker = (
  options: CircuitBreaker.Strategy | CircuitBreaker.CircuitBreakerOptions | undefined
): CircuitBreaker.CircuitBreakerSettings => {
  const o: CircuitBreaker.CircuitBreakerOptions = options === undefined
    ? {}
    : CircuitBreaker.isStrategy(options)
    ? { strategy: options }
    : options
  const millis = (d: Duration.DurationInput | undefined, fallback: Duration.Duration) =>
    Duration.toMillis(d === undefined ? fallback : Duration.decode(d))
  const breakMillis = millis(o.breakDuration, CircuitBreaker.defaults.breakDuration)
  return {
    key: o.key ?? "origin",
    strategy: o.strategy ?? CircuitBreaker.ratio(),
    breakMillis,
    backoffFactor: o.backoffFactor ?? CircuitBreaker.defaults.backoffFactor,
    maxBreakMillis: Math.max(breakMillis, millis(o.maxBreakDuration, CircuitBreaker.defaults.maxBreakDuration)),
    probes: o.probes ?? CircuitBreaker.defaults.probes,
    isFailure: o.isFailure
  }
}

/**
 * The protections' settings from their options, already checked by the client options' Schema, and the defaults.
 * @internal
 */
export const resolveProtections = (options: ProtectionOptions): ProtectionSettings => ({
  circuitBreaker: options.circuitBreaker === false ? undefined : resolveBreaker(options.circuitBreaker),
  bulkhead: options.bulkhead === false ? undefined : Bulkhead.resolve(options.bulkhead),
  rateLimiter: options.rateLimiter === false || options.rateLimiter === undefined
    ? undefined
    : RateLimiter.resolve(options.rateLimiter),
  retryBudget: options.retryBudget === false ? undefined : resolveRetryBudget(options.retryBudget),
  hedge: options.hedge === false || options.hedge === undefined
    ? undefined
    : {
      delay: Duration.decode(options.hedge.delay),
      maxHedges: options.hedge.maxHedges ?? hedgeLimits.defaultMaxHedges
    }
})
