/** @internal */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import type { Pipeable } from "effect/Pipeable"
import type { HttpResilientError } from "../HttpResilientError.js"
import type { CircuitState } from "../ResilientEvent.js"
import { showValue, unknownOptionsMessage } from "./optionValue.js"
import { RollingCounters } from "./retryBudget.js"

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

const invalid = (what: string, value: unknown, expected: string): never => {
  throw new RangeError(`CircuitBreaker.${what}: ${String(value)} is not ${expected}`)
}

/** @internal */
export const consecutive = (threshold: number): ConsecutiveStrategy => {
  if (!Number.isInteger(threshold) || threshold < 1) invalid("consecutive", threshold, "an integer ≥ 1")
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

const ratioOptionNames = ["threshold", "minThroughput", "window"]

/** @internal */
export const ratio = (
  options: {
    readonly threshold?: number | undefined
    readonly minThroughput?: number | undefined
    readonly window?: Duration.DurationInput | undefined
  } = {}
): RatioStrategy => {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    invalid("ratio", showValue(options), "an object with the options threshold, minThroughput, window")
  }
  const unknown = unknownOptionsMessage("CircuitBreaker.ratio", options, ratioOptionNames)
  if (unknown !== undefined) throw new RangeError(unknown)
  const threshold = options.threshold ?? ratioDefaults.threshold
  if (typeof threshold !== "number" || !(threshold > 0 && threshold <= 1)) {
    invalid("ratio", `threshold ${threshold}`, "a share in (0, 1]")
  }
  const minThroughput = options.minThroughput ?? ratioDefaults.minThroughput
  if (!Number.isInteger(minThroughput) || minThroughput < 1) {
    invalid("ratio", `minThroughput ${minThroughput}`, "an integer ≥ 1")
  }
  const window = options.window === undefined
    ? Option.some(ratioDefaults.window)
    : Duration.decodeUnknown(options.window)
  if (Option.isNone(window) || !Duration.isFinite(window.value) || Duration.toMillis(window.value) < 1) {
    return invalid("ratio", `window ${String(options.window)}`, "a finite duration of at least 1 millisecond")
  }
  const self = Object.create(strategyProto)
  self._tag = "Ratio"
  self.threshold = threshold
  self.minThroughput = minThroughput
  self.window = window.value
  return self
}

/** What a strategy keeps for one origin. */
interface StrategyState {
  onSuccess(now: number): void
  /** Counts a failure; true when the breaker should open. */
  onFailure(now: number): boolean
  reset(): void
}

class ConsecutiveState implements StrategyState {
  private failures = 0
  constructor(private readonly threshold: number) {}
  onSuccess(): void {
    this.failures = 0
  }
  onFailure(): boolean {
    return ++this.failures >= this.threshold
  }
  reset(): void {
    this.failures = 0
  }
}

class RatioState implements StrategyState {
  /** first: successes, second: failures */
  private readonly counters: RollingCounters
  constructor(private readonly strategy: RatioStrategy) {
    this.counters = new RollingCounters(Duration.toMillis(strategy.window))
  }
  onSuccess(now: number): void {
    this.counters.addFirst(now)
  }
  onFailure(now: number): boolean {
    const counters = this.counters
    counters.addSecond(now)
    const total = counters.firstSum + counters.secondSum
    return total >= this.strategy.minThroughput && counters.secondSum >= this.strategy.threshold * total
  }
  reset(): void {
    this.counters.clear()
  }
}

const makeStrategyState = (strategy: Strategy): StrategyState =>
  strategy._tag === "Consecutive" ? new ConsecutiveState(strategy.threshold) : new RatioState(strategy)

// ---------------------------------------------------------------------------
// options
// ---------------------------------------------------------------------------

/** @internal */
export interface CircuitBreakerOptions {
  readonly strategy?: Strategy | undefined
  readonly breakDuration?: Duration.DurationInput | undefined
  readonly backoffFactor?: number | undefined
  readonly maxBreakDuration?: Duration.DurationInput | undefined
  readonly probes?: number | undefined
  readonly isFailure?: ((error: HttpResilientError) => boolean) | undefined
}

/** @internal */
export const defaults = {
  breakDuration: Duration.seconds(5),
  backoffFactor: 1,
  maxBreakDuration: Duration.minutes(1),
  probes: 1
} as const

/** @internal */
export interface CircuitBreakerSettings {
  readonly strategy: Strategy
  readonly breakMillis: number
  readonly backoffFactor: number
  readonly maxBreakMillis: number
  readonly probes: number
  readonly isFailure: ((error: HttpResilientError) => boolean) | undefined
}

/**
 * Whether an attempt's error counts against the origin: a transport failure, an attempt timeout, or a
 * status of 5xx, 408 or 429. Other statuses are successes (the origin answered); a deadline, an invalid
 * request, a decode or interceptor failure and an interruption say nothing about the origin (`undefined`).
 * @internal
 */
export const defaultIsFailure = (error: HttpResilientError): boolean | undefined => {
  switch (error._tag) {
    case "TransportError":
      return true
    case "TimeoutError":
      return error.scope === "attempt" ? true : undefined
    case "StatusError":
      return error.status >= 500 || error.status === 408 || error.status === 429
    default:
      return undefined
  }
}

// ---------------------------------------------------------------------------
// the breaker of one origin
// ---------------------------------------------------------------------------

/** @internal */
export type Outcome = "success" | "failure" | "ignored"

/** @internal */
export const REJECTED = -1

/**
 * One origin's breaker: closed → open → half-open → closed (or back to open).
 *
 * `admit` returns a ticket (≥ 0) or `REJECTED`; the ticket encodes the breaker's generation and whether the
 * attempt is a half-open probe, so `record` can ignore outcomes of attempts admitted before the last state
 * change and release probe slots — without allocating anything per attempt.
 * @internal
 */
export class Breaker {
  state: CircuitState = "closed"
  /** Epoch ms at which an open breaker turns half-open. */
  openUntil = 0
  private opens = 0
  private probing = 0
  /** When each probe in flight is due to end (epoch ms), one entry per probe, in no order. */
  private readonly probesDue: Array<number> = []
  private generation = 0
  private readonly strategy: StrategyState

  constructor(
    readonly origin: string,
    private readonly settings: CircuitBreakerSettings,
    private readonly onTransition: (origin: string, from: CircuitState, to: CircuitState, now: number) => void
  ) {
    this.strategy = makeStrategyState(settings.strategy)
  }

  /** Half-open probes now in flight. */
  get probesInFlight(): number {
    return this.probing
  }

  /** The state at `now`; an open breaker whose break is over turns half-open here. */
  stateAt(now: number): CircuitState {
    if (this.state === "open" && now >= this.openUntil) this.transition("half-open", now)
    return this.state
  }

  /**
   * A ticket for an attempt, or `REJECTED`. `due` is when the attempt will have ended at the latest (its timeout),
   * kept while it is a half-open probe so that a rejection can tell when a probe is due to settle.
   */
  admit(now: number, due: number): number {
    if (this.state === "closed") return this.generation * 2
    if (this.stateAt(now) === "open") return REJECTED
    if (this.probing >= this.settings.probes) return REJECTED
    this.probing++
    this.probesDue.push(due)
    return this.generation * 2 + 1
  }

  /** The outcome of the attempt holding `ticket`; `due` is what it was admitted with. */
  record(ticket: number, outcome: Outcome, now: number, due: number): void {
    const probe = (ticket & 1) === 1
    if ((ticket - (probe ? 1 : 0)) / 2 !== this.generation) return
    if (probe) {
      this.probing--
      const index = this.probesDue.indexOf(due)
      if (index >= 0) this.probesDue.splice(index, 1)
      if (outcome === "success") this.close(now)
      else if (outcome === "failure") this.open(now)
      return
    }
    if (outcome === "success") this.strategy.onSuccess(now)
    else if (outcome === "failure" && this.strategy.onFailure(now)) this.open(now)
  }

  /**
   * When a call rejected at `now` may be worth trying again (epoch ms, never before `now`): an open breaker's end
   * of break; in half-open with no free probe, when the first probe in flight is due to end (by its attempt
   * timeout) — by then a probe has closed the breaker, opened it again, or freed its slot.
   */
  retryAt(now: number): number {
    if (this.state === "open") return Math.max(now, this.openUntil)
    let due = Infinity
    for (const d of this.probesDue) if (d < due) due = d
    return Number.isFinite(due) ? Math.max(now, due) : now
  }

  private open(now: number): void {
    const settings = this.settings
    const millis = Math.min(settings.maxBreakMillis, settings.breakMillis * settings.backoffFactor ** this.opens)
    this.opens++
    this.openUntil = now + millis
    this.transition("open", now)
  }

  private close(now: number): void {
    this.opens = 0
    this.strategy.reset()
    this.transition("closed", now)
  }

  private transition(to: CircuitState, now: number): void {
    const from = this.state
    this.state = to
    this.generation++
    this.probing = 0
    this.probesDue.length = 0
    this.onTransition(this.origin, from, to, now)
  }
}

/**
 * The breakers of a client, one per origin, made on first use and kept for at most `maxOrigins` origins.
 *
 * Past the cap, the least recently used breaker that is closed is forgotten (a closed breaker holds only recent
 * counts, and forgetting it costs at most a late opening). An open or half-open breaker is never forgotten to make
 * room: a flood of new origins cannot close a breaker that protects an origin in trouble. When every remembered
 * breaker is open or half-open, a new origin gets a breaker of its own that is not remembered (each attempt to it
 * starts closed) until a remembered one closes.
 * @internal
 */
export class BreakerRegistry {
  /** in order of use, least recent first */
  private readonly breakers = new Map<string, Breaker>()
  /** the breaker used last (moving it to the end of `breakers` again is skipped) */
  private latest: Breaker | undefined

  constructor(
    readonly settings: CircuitBreakerSettings,
    private readonly onTransition: (origin: string, from: CircuitState, to: CircuitState, now: number) => void,
    readonly maxOrigins: number
  ) {}

  /** Origins with a remembered breaker. */
  get size(): number {
    return this.breakers.size
  }

  get(origin: string): Breaker {
    const latest = this.latest
    if (latest !== undefined && latest.origin === origin) return latest
    let breaker = this.breakers.get(origin)
    if (breaker !== undefined) {
      // most recently used goes last
      this.breakers.delete(origin)
      this.breakers.set(origin, breaker)
    } else {
      breaker = new Breaker(origin, this.settings, this.onTransition)
      if (this.breakers.size >= this.maxOrigins && !this.evictClosed()) return breaker
      this.breakers.set(origin, breaker)
    }
    this.latest = breaker
    return breaker
  }

  /** Forgets the least recently used closed breaker; false when there is none. */
  private evictClosed(): boolean {
    for (const [origin, breaker] of this.breakers) {
      if (breaker.state === "closed") {
        this.breakers.delete(origin)
        if (this.latest === breaker) this.latest = undefined
        return true
      }
    }
    return false
  }

  /** Forgets every breaker (the client's scope closed). */
  clear(): void {
    this.breakers.clear()
    this.latest = undefined
  }

  stateAt(origin: string, now: number): CircuitState {
    const breaker = this.breakers.get(origin)
    return breaker === undefined ? "closed" : breaker.stateAt(now)
  }

  /** The outcome of an attempt's error for the breaker. */
  classify(error: HttpResilientError): Outcome {
    const verdict = this.settings.isFailure === undefined ? defaultIsFailure(error) : this.settings.isFailure(error)
    return verdict === undefined ? "ignored" : verdict ? "failure" : "success"
  }
}

/** @internal */
export const normaliseOrigin = (origin: string | URL): string => {
  if (origin instanceof URL) return origin.origin
  try {
    return new URL(origin).origin
  } catch {
    return origin
  }
}
