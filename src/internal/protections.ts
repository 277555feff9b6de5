/** @internal */
import type * as ExperimentalRateLimiter from "@effect/experimental/RateLimiter"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import { type CircuitState, CircuitStateChanged, type ResilientEvent } from "../ResilientEvent.js"
import * as Bulkhead from "./bulkhead.js"
import * as CircuitBreaker from "./circuitBreaker.js"
import type { HedgeOptions, HedgeSettings } from "./hedge.js"
import { knownOptions, showValue } from "./optionValue.js"
import * as RateLimiter from "./rateLimiter.js"
import * as RetryBudget from "./retryBudget.js"
import * as Telemetry from "./telemetry.js"

// ---------------------------------------------------------------------------
// options
// ---------------------------------------------------------------------------

/**
 * The protection options of a client, each `false` to turn it off.
 * @internal
 */
export interface ProtectionOptions {
  readonly circuitBreaker?: CircuitBreaker.Strategy | CircuitBreaker.CircuitBreakerOptions | false | undefined
  readonly bulkhead?: Bulkhead.BulkheadOptions | false | undefined
  readonly rateLimiter?: RateLimiter.RateLimiterOptions | false | undefined
  readonly retryBudget?: RetryBudget.RetryBudgetOptions | false | undefined
  readonly hedge?: HedgeOptions | false | undefined
}

/** @internal */
export interface ProtectionSettings {
  readonly circuitBreaker: CircuitBreaker.CircuitBreakerSettings | undefined
  readonly bulkhead: Bulkhead.BulkheadSettings | undefined
  readonly rateLimiter: RateLimiter.RateLimiterSettings | undefined
  readonly retryBudget: RetryBudget.RetryBudgetSettings | undefined
  readonly hedge: HedgeSettings | undefined
}

type Problems = Array<ConfigError.ConfigError>

const problem = (problems: Problems, path: ReadonlyArray<string>, value: unknown, expected: string) => {
  problems.push(ConfigError.InvalidData([...path], `${path.join(".")}: ${showValue(value)} is not ${expected}`))
}

const checkKeys = (problems: Problems, option: string, value: object, allowed: ReadonlyArray<string>) => {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      problems.push(
        ConfigError.InvalidData([option, key], `${option}.${key}: unknown option (${knownOptions(key, allowed)})`)
      )
    }
  }
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const checkInt = (problems: Problems, path: ReadonlyArray<string>, value: unknown, min: number) => {
  if (value === undefined) return
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > Number.MAX_SAFE_INTEGER) {
    problem(problems, path, value, `an integer ≥ ${min}`)
  }
}

const checkNumber = (problems: Problems, path: ReadonlyArray<string>, value: unknown, min: number, max: number) => {
  if (value === undefined) return
  if (typeof value !== "number" || !(value >= min && value <= max)) {
    problem(problems, path, value, `a number from ${min} to ${max}`)
  }
}

const checkDuration = (problems: Problems, path: ReadonlyArray<string>, value: unknown) => {
  if (value === undefined) return
  const decoded = Duration.decodeUnknown(value)
  if (decoded._tag === "None" || !Duration.isFinite(decoded.value) || Duration.toMillis(decoded.value) < 1) {
    problem(problems, path, value, `a finite duration of at least 1 millisecond (e.g. "5 seconds" or 5000)`)
  }
}

const validateCircuitBreaker = (problems: Problems, value: unknown) => {
  if (value === undefined || value === false || CircuitBreaker.isStrategy(value)) return
  if (!isObject(value)) {
    return problem(
      problems,
      ["circuitBreaker"],
      value,
      "false, a strategy (CircuitBreaker.consecutive(n), CircuitBreaker.ratio(...)) or circuit breaker options"
    )
  }
  checkKeys(problems, "circuitBreaker", value, [
    "strategy",
    "breakDuration",
    "backoffFactor",
    "maxBreakDuration",
    "probes",
    "isFailure"
  ])
  if (value.strategy !== undefined && !CircuitBreaker.isStrategy(value.strategy)) {
    problem(problems, ["circuitBreaker", "strategy"], value.strategy, "CircuitBreaker.consecutive(n) or ratio(...)")
  }
  checkDuration(problems, ["circuitBreaker", "breakDuration"], value.breakDuration)
  checkDuration(problems, ["circuitBreaker", "maxBreakDuration"], value.maxBreakDuration)
  checkNumber(problems, ["circuitBreaker", "backoffFactor"], value.backoffFactor, 1, 100)
  checkInt(problems, ["circuitBreaker", "probes"], value.probes, 1)
  if (value.isFailure !== undefined && typeof value.isFailure !== "function") {
    problem(problems, ["circuitBreaker", "isFailure"], value.isFailure, "a predicate on the error")
  }
}

const validateBulkhead = (problems: Problems, value: unknown) => {
  if (value === undefined || value === false) return
  if (!isObject(value)) {
    return problem(problems, ["bulkhead"], value, "false or { maxConcurrent, maxQueue, queueTimeout }")
  }
  checkKeys(problems, "bulkhead", value, ["maxConcurrent", "maxQueue", "queueTimeout"])
  checkInt(problems, ["bulkhead", "maxConcurrent"], value.maxConcurrent, 1)
  checkInt(problems, ["bulkhead", "maxQueue"], value.maxQueue, 0)
  checkDuration(problems, ["bulkhead", "queueTimeout"], value.queueTimeout)
}

const validateRateLimiter = (problems: Problems, value: unknown) => {
  if (value === undefined || value === false) return
  if (!isObject(value)) {
    return problem(problems, ["rateLimiter"], value, "false or { limit, window, algorithm, key, adaptive }")
  }
  checkKeys(problems, "rateLimiter", value, ["limit", "window", "algorithm", "key", "adaptive"])
  checkInt(problems, ["rateLimiter", "limit"], value.limit, 1)
  checkDuration(problems, ["rateLimiter", "window"], value.window)
  if (value.algorithm !== undefined && value.algorithm !== "token-bucket" && value.algorithm !== "fixed-window") {
    problem(problems, ["rateLimiter", "algorithm"], value.algorithm, `"token-bucket" or "fixed-window"`)
  }
  if (value.key !== undefined && typeof value.key !== "string" && typeof value.key !== "function") {
    problem(problems, ["rateLimiter", "key"], value.key, "a string or a function of the request")
  }
  if (value.adaptive !== undefined && typeof value.adaptive !== "boolean") {
    problem(problems, ["rateLimiter", "adaptive"], value.adaptive, "true or false")
  }
  if ((value.limit === undefined) !== (value.window === undefined)) {
    problems.push(
      ConfigError.InvalidData(
        ["rateLimiter", value.limit === undefined ? "limit" : "window"],
        `rateLimiter: "limit" and "window" go together (got ${
          value.limit === undefined ? "a window without a limit" : "a limit without a window"
        })`
      )
    )
  } else if (value.limit === undefined && value.adaptive !== true) {
    problems.push(
      ConfigError.InvalidData(["rateLimiter"], `rateLimiter: set "limit" and "window", or "adaptive: true", or both`)
    )
  }
}

const validateRetryBudget = (problems: Problems, value: unknown) => {
  if (value === undefined || value === false) return
  if (!isObject(value)) {
    return problem(problems, ["retryBudget"], value, "false or { ratio, window, minRetriesPerSecond }")
  }
  checkKeys(problems, "retryBudget", value, ["ratio", "window", "minRetriesPerSecond"])
  checkNumber(problems, ["retryBudget", "ratio"], value.ratio, 0, 1000)
  checkDuration(problems, ["retryBudget", "window"], value.window)
  checkNumber(problems, ["retryBudget", "minRetriesPerSecond"], value.minRetriesPerSecond, 0, 1_000_000)
}

const validateHedge = (problems: Problems, value: unknown) => {
  if (value === undefined || value === false) return
  if (!isObject(value)) return problem(problems, ["hedge"], value, "false or { delay, maxHedges }")
  checkKeys(problems, "hedge", value, ["delay", "maxHedges"])
  if (value.delay === undefined) {
    problems.push(ConfigError.InvalidData(["hedge", "delay"], "hedge.delay: missing (e.g. \"50 millis\")"))
  } else checkDuration(problems, ["hedge", "delay"], value.delay)
  if (value.maxHedges !== undefined) {
    const n = value.maxHedges
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 16) {
      problem(problems, ["hedge", "maxHedges"], n, "an integer from 1 to 16")
    }
  }
}

/**
 * Validates the protection options (a `ConfigError` naming each option at fault) and resolves the defaults.
 * @internal
 */
export const resolve = (
  options: ProtectionOptions
): Either.Either<ProtectionSettings, ConfigError.ConfigError> => {
  const problems: Problems = []
  validateCircuitBreaker(problems, options.circuitBreaker)
  validateBulkhead(problems, options.bulkhead)
  validateRateLimiter(problems, options.rateLimiter)
  validateRetryBudget(problems, options.retryBudget)
  validateHedge(problems, options.hedge)
  if (problems.length > 0) return Either.left(problems.reduce((a, b) => ConfigError.And(a, b)))
  return Either.right({
    circuitBreaker: options.circuitBreaker === false ? undefined : resolveBreaker(options.circuitBreaker),
    bulkhead: options.bulkhead === false ? undefined : Bulkhead.resolve(options.bulkhead),
    rateLimiter: options.rateLimiter === false || options.rateLimiter === undefined
      ? undefined
      : RateLimiter.resolve(options.rateLimiter),
    retryBudget: options.retryBudget === false ? undefined : RetryBudget.resolve(options.retryBudget),
    hedge: options.hedge === false || options.hedge === undefined
      ? undefined
      : { delay: Duration.decode(options.hedge.delay), maxHedges: options.hedge.maxHedges ?? 1 }
  })
}

const resolveBreaker = (
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
    strategy: o.strategy ?? CircuitBreaker.ratio(),
    breakMillis,
    backoffFactor: o.backoffFactor ?? CircuitBreaker.defaults.backoffFactor,
    maxBreakMillis: Math.max(breakMillis, millis(o.maxBreakDuration, CircuitBreaker.defaults.maxBreakDuration)),
    probes: o.probes ?? CircuitBreaker.defaults.probes,
    isFailure: o.isFailure
  }
}

// ---------------------------------------------------------------------------
// the protections of a client
// ---------------------------------------------------------------------------

/**
 * The protections of one client: rate limiter, bulkhead and circuit breakers (run around each attempt by the
 * pipeline's stages `protect`, `rateLimit`, `bulkhead`, `breaker` and `settle`), and the client-wide retry budget.
 * @internal
 */
export class Protections {
  readonly breakers: CircuitBreaker.BreakerRegistry | undefined
  readonly bulkhead: Bulkhead.Bulkhead | undefined
  readonly rateLimiter: RateLimiter.ClientRateLimiter | undefined
  readonly retryBudget: RetryBudget.RetryBudget | undefined
  /** Hedging of every call of the client (the `hedge` option), if on. */
  readonly hedge: HedgeSettings | undefined
  /** Whether any per-attempt protection is on (the retry budget is counted either way). */
  readonly guarding: boolean

  constructor(
    settings: ProtectionSettings,
    private readonly publish: (event: ResilientEvent) => void,
    limiter: ExperimentalRateLimiter.RateLimiter | undefined,
    /** how many origins (or rate limiter keys) per-origin state is kept for; see `BreakerRegistry` */
    maxOrigins: number
  ) {
    this.breakers = settings.circuitBreaker === undefined
      ? undefined
      : new CircuitBreaker.BreakerRegistry(
        settings.circuitBreaker,
        (origin, from, to, now) => this.onCircuitTransition(origin, from, to, now),
        maxOrigins
      )
    this.bulkhead = settings.bulkhead === undefined ? undefined : new Bulkhead.Bulkhead(settings.bulkhead)
    if (settings.rateLimiter === undefined) {
      this.rateLimiter = undefined
    } else if (settings.rateLimiter.quota === undefined || limiter !== undefined) {
      this.rateLimiter = new RateLimiter.ClientRateLimiter(settings.rateLimiter, limiter, maxOrigins)
    } else {
      const memory = RateLimiter.makeMemoryLimiter(maxOrigins)
      this.rateLimiter = new RateLimiter.ClientRateLimiter(
        settings.rateLimiter,
        memory.limiter,
        maxOrigins,
        memory.store
      )
    }
    this.retryBudget = settings.retryBudget === undefined
      ? undefined
      : new RetryBudget.RetryBudget(settings.retryBudget)
    this.hedge = settings.hedge
    this.guarding = this.breakers !== undefined || this.bulkhead !== undefined || this.rateLimiter !== undefined
  }

  /** Forgets every origin's state (breakers, pauses, in-memory quotas): the client's scope closed. */
  release(): void {
    this.breakers?.clear()
    this.rateLimiter?.clear()
  }

  /** The call site of every breaker state change: event and metric. */
  private onCircuitTransition(origin: string, from: CircuitState, to: CircuitState, now: number): void {
    Telemetry.recordCircuitTransition(from, to)
    this.publish(new CircuitStateChanged({ origin, from, to, timestamp: now }))
  }

  /** The state of `origin`'s breaker at `now` ("closed" when breakers are off). */
  circuitState(origin: string | URL, now: number): CircuitState {
    return this.breakers === undefined ? "closed" : this.breakers.stateAt(CircuitBreaker.normaliseOrigin(origin), now)
  }
}
