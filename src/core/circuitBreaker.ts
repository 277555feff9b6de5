/**
 * The circuit breaker as a state machine over numbers: closed → open → half-open → closed (or back to open), the
 * strategies that decide when a closed breaker opens, break durations that grow with each opening, the half-open
 * probes, and the bounded registry of per-origin breakers. No `effect` import and no clock: every method that
 * depends on time takes `now` (epoch ms); the Effect face reads the `Clock`, classifies errors and publishes events.
 *
 * A strategy's *configuration* (`StrategyConfig`: plain data, shared by every origin) is kept apart from its
 * *state* (`StrategyState`: the counts of one origin), and a breaker's state can be written out (`toJSON`) and
 * read back (`restore`), e.g. to share it or to keep it across restarts.
 * @internal
 */
import { RollingCounters, type RollingCountersSnapshot } from "./rollingWindow.js"

/** @internal */
export type CircuitState = "closed" | "open" | "half-open"

// ---------------------------------------------------------------------------
// strategies: when a closed breaker opens — configuration apart from state
// ---------------------------------------------------------------------------

/**
 * Open after `threshold` failures in a row.
 * @internal
 */
export interface ConsecutiveConfig {
  readonly _tag: "Consecutive"
  readonly threshold: number
}

/**
 * Open when failures reach `threshold` (a share) of at least `minThroughput` outcomes over `windowMillis`.
 * @internal
 */
export interface RatioConfig {
  readonly _tag: "Ratio"
  readonly threshold: number
  readonly minThroughput: number
  readonly windowMillis: number
}

/** @internal */
export type StrategyConfig = ConsecutiveConfig | RatioConfig

/**
 * A strategy's counts as plain data.
 * @internal
 */
export type StrategySnapshot =
  | { readonly _tag: "Consecutive"; readonly failures: number }
  | { readonly _tag: "Ratio"; readonly window: RollingCountersSnapshot }

/**
 * What a strategy keeps for one origin while the breaker is closed.
 * @internal
 */
export interface StrategyState {
  onSuccess(now: number): void
  /** Counts a failure; true when the breaker should open. */
  onFailure(now: number): boolean
  reset(): void
  toJSON(): StrategySnapshot
  /** Takes the counts of `snapshot`; one of another strategy is ignored (the counts start from zero). */
  restore(snapshot: StrategySnapshot): void
}

/** @internal */
export class ConsecutiveState implements StrategyState {
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
  toJSON(): StrategySnapshot {
    return { _tag: "Consecutive", failures: this.failures }
  }
  restore(snapshot: StrategySnapshot): void {
    this.failures = snapshot._tag === "Consecutive" ? snapshot.failures : 0
  }
}

/** @internal */
export class RatioState implements StrategyState {
  /** first: successes, second: failures */
  private readonly counters: RollingCounters
  constructor(private readonly config: RatioConfig) {
    this.counters = new RollingCounters(config.windowMillis)
  }
  onSuccess(now: number): void {
    this.counters.addFirst(now)
  }
  onFailure(now: number): boolean {
    const counters = this.counters
    counters.addSecond(now)
    const total = counters.firstSum + counters.secondSum
    return total >= this.config.minThroughput && counters.secondSum >= this.config.threshold * total
  }
  reset(): void {
    this.counters.clear()
  }
  toJSON(): StrategySnapshot {
    return { _tag: "Ratio", window: this.counters.toJSON() }
  }
  restore(snapshot: StrategySnapshot): void {
    if (snapshot._tag === "Ratio") this.counters.restore(snapshot.window)
    else this.counters.clear()
  }
}

/** @internal */
export const makeStrategyState = (config: StrategyConfig): StrategyState =>
  config._tag === "Consecutive" ? new ConsecutiveState(config.threshold) : new RatioState(config)

// ---------------------------------------------------------------------------
// the breaker of one origin
// ---------------------------------------------------------------------------

/**
 * The settings of a breaker, in milliseconds.
 * @internal
 */
export interface BreakerConfig {
  readonly strategy: StrategyConfig
  readonly breakMillis: number
  readonly backoffFactor: number
  readonly maxBreakMillis: number
  readonly probes: number
}

/**
 * Told of every state change of a breaker, with the time (epoch ms) it happened at.
 * @internal
 */
export type OnTransition = (origin: string, from: CircuitState, to: CircuitState, now: number) => void

/**
 * How an attempt ended for the breaker: `ignored` says nothing about the origin (but frees a probe slot).
 * @internal
 */
export type Outcome = "success" | "failure" | "ignored"

/** @internal */
export const REJECTED = -1

/**
 * A breaker's state as plain data (`Breaker.toJSON`). Probes in flight are not part of it: a restored half-open
 * breaker admits its probes afresh.
 * @internal
 */
export interface BreakerSnapshot {
  readonly state: CircuitState
  /** Epoch ms at which an open breaker turns half-open. */
  readonly openUntil: number
  /** Openings since the breaker last closed (the exponent of `backoffFactor`). */
  readonly opens: number
  readonly strategy: StrategySnapshot
}

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
  /** Attempts admitted and not yet recorded (for health reports). */
  inFlight = 0
  /** Epoch ms of the last attempt recorded as a failure; `undefined` when none was. */
  lastFailureAt: number | undefined = undefined

  constructor(
    /** The breaker's key: the origin, unless the client keys its breakers otherwise (by route, by a function). */
    readonly origin: string,
    private readonly settings: BreakerConfig,
    private readonly onTransition: OnTransition,
    /** The origin of the request that made the breaker (its key, under the default key). */
    readonly requestOrigin: string = origin
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
    if (this.state === "closed") {
      this.inFlight++
      return this.generation * 2
    }
    if (this.stateAt(now) === "open") return REJECTED
    if (this.probing >= this.settings.probes) return REJECTED
    this.probing++
    this.probesDue.push(due)
    this.inFlight++
    return this.generation * 2 + 1
  }

  /** The outcome of the attempt holding `ticket`; `due` is what it was admitted with. */
  record(ticket: number, outcome: Outcome, now: number, due: number): void {
    this.inFlight--
    if (outcome === "failure") this.lastFailureAt = now
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

  /** The breaker's state as plain data (JSON-safe); {@link Breaker.restore} reads it back. */
  toJSON(): BreakerSnapshot {
    return { state: this.state, openUntil: this.openUntil, opens: this.opens, strategy: this.strategy.toJSON() }
  }

  /**
   * Takes the state of `snapshot` (from `toJSON` of a breaker with the same settings) without telling
   * `onTransition`; outcomes of attempts admitted before are ignored, as after any state change.
   */
  restore(snapshot: BreakerSnapshot): void {
    this.state = snapshot.state
    this.openUntil = snapshot.openUntil
    this.opens = snapshot.opens
    this.strategy.restore(snapshot.strategy)
    this.generation++
    this.probing = 0
    this.probesDue.length = 0
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

// ---------------------------------------------------------------------------
// the breakers of a client
// ---------------------------------------------------------------------------

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
    readonly config: BreakerConfig,
    private readonly onTransition: OnTransition,
    readonly maxOrigins: number
  ) {}

  /** Origins with a remembered breaker. */
  get size(): number {
    return this.breakers.size
  }

  /**
   * The breaker of `origin` (a key: an origin unless the client keys breakers otherwise), made (and remembered, room
   * permitting) on first use; marks it most recently used. `requestOrigin` is the origin of the request asking, kept
   * by a breaker it makes (for health reports).
   */
  get(origin: string, requestOrigin: string = origin): Breaker {
    const latest = this.latest
    if (latest !== undefined && latest.origin === origin) return latest
    let breaker = this.breakers.get(origin)
    if (breaker !== undefined) {
      // most recently used goes last
      this.breakers.delete(origin)
      this.breakers.set(origin, breaker)
    } else {
      breaker = new Breaker(origin, this.config, this.onTransition, requestOrigin)
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

  /** The remembered breakers, least recently used first (for health reports; a copy). */
  list(): ReadonlyArray<Breaker> {
    return [...this.breakers.values()]
  }

  /** The state of `origin`'s breaker at `now` (`"closed"` for an origin with no remembered breaker). */
  stateAt(origin: string, now: number): CircuitState {
    const breaker = this.breakers.get(origin)
    return breaker === undefined ? "closed" : breaker.stateAt(now)
  }
}

/**
 * The circuit breaker's defaults, in milliseconds.
 * @internal
 */
export const breakerDefaults = { breakMillis: 5_000, backoffFactor: 1, maxBreakMillis: 60_000, probes: 1 } as const

/**
 * The key a `circuitBreaker.key` function gives a request's breaker. The function is given the method and the URL
 * as events and errors show it (`shownUrl`: userinfo and secret query values redacted, see DESIGN "Security rules"),
 * never the URL sent: the key is shown in `CircuitStateChanged` and health reports, so it must carry no secret.
 * @internal
 */
export const keyOfRequest = (
  key: (request: { readonly method: string; readonly url: URL }) => unknown,
  method: string,
  shownUrl: string
): string => String(key({ method, url: new URL(shownUrl) }))
