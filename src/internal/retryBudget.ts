/** @internal */
import * as Duration from "effect/Duration"
import type { RetryBudgetHandle } from "./client.js"
import * as Telemetry from "./telemetry.js"

/**
 * Two counters over a rolling time window, kept in buckets: O(1) per update, no allocation after construction.
 *
 * The window is cut into `buckets` slices; the sums cover the current slice and the `buckets` full slices
 * before it, so nothing is forgotten sooner than `windowMillis` after it was counted (and nothing is kept
 * more than one slice longer). Time comes from the caller (epoch ms by the `Clock`).
 * @internal
 */
export class RollingCounters {
  private readonly sliceMillis: number
  private readonly slots: number
  private readonly first: Float64Array
  private readonly second: Float64Array
  private current = Number.NaN
  /** The sum of the first counter over the window. */
  firstSum = 0
  /** The sum of the second counter over the window. */
  secondSum = 0

  constructor(windowMillis: number, buckets = 10) {
    this.sliceMillis = windowMillis / buckets
    this.slots = buckets + 1
    this.first = new Float64Array(this.slots)
    this.second = new Float64Array(this.slots)
  }

  /** Moves the window to `now`, dropping the slices that fell out of it. */
  advance(now: number): void {
    const index = Math.floor(now / this.sliceMillis)
    if (Number.isNaN(this.current)) {
      this.current = index
      return
    }
    if (index <= this.current) return
    const gap = index - this.current
    if (gap >= this.slots) {
      this.first.fill(0)
      this.second.fill(0)
      this.firstSum = 0
      this.secondSum = 0
    } else {
      for (let i = 1; i <= gap; i++) {
        const slot = (this.current + i) % this.slots
        this.firstSum -= this.first[slot]
        this.secondSum -= this.second[slot]
        this.first[slot] = 0
        this.second[slot] = 0
      }
    }
    this.current = index
  }

  /** Counts one in the first counter at `now`. */
  addFirst(now: number): void {
    this.advance(now)
    this.first[this.current % this.slots]++
    this.firstSum++
  }

  /** Counts one in the second counter at `now`. */
  addSecond(now: number): void {
    this.advance(now)
    this.second[this.current % this.slots]++
    this.secondSum++
  }

  /** Forgets everything. */
  clear(): void {
    this.first.fill(0)
    this.second.fill(0)
    this.firstSum = 0
    this.secondSum = 0
  }
}

/** @internal */
export interface RetryBudgetOptions {
  readonly ratio?: number | undefined
  readonly window?: Duration.DurationInput | undefined
  readonly minRetriesPerSecond?: number | undefined
}

/** @internal */
export const defaults = {
  ratio: 0.2,
  window: Duration.seconds(10),
  minRetriesPerSecond: 10
} as const

/**
 * The resolved settings of a retry budget.
 * @internal
 */
export interface RetryBudgetSettings {
  readonly ratio: number
  readonly windowMillis: number
  readonly minRetriesPerSecond: number
}

/**
 * A Finagle-style retry budget. Every attempt is recorded as a request; a retry (or a hedge) is allowed while
 * the retries in the window, this one included, stay within `ratio` × the first attempts in the window plus a
 * reserve of `minRetriesPerSecond` × the window's length in seconds. Retries earn no budget themselves:
 * first attempts are the recorded requests minus the retries granted, so at a steady rate of R calls per
 * second an outage costs at most R × (1 + ratio) + minRetriesPerSecond requests per second.
 * @internal
 */
export class RetryBudget implements RetryBudgetHandle {
  private readonly counters: RollingCounters
  private readonly reserve: number

  constructor(readonly settings: RetryBudgetSettings) {
    this.counters = new RollingCounters(settings.windowMillis)
    this.reserve = settings.minRetriesPerSecond * settings.windowMillis / 1000
  }

  readonly recordRequest = (nowMillis: number): void => {
    this.counters.addFirst(nowMillis)
  }

  readonly tryRetry = (nowMillis: number): boolean => {
    const counters = this.counters
    counters.advance(nowMillis)
    const retries = counters.secondSum
    const firstAttempts = Math.max(0, counters.firstSum - retries)
    if (retries + 1 > this.settings.ratio * firstAttempts + this.reserve) {
      Telemetry.recordRetryBudgetRejection()
      return false
    }
    counters.addSecond(nowMillis)
    return true
  }

  /** How many retries the budget would grant at `nowMillis` (for inspection and tests). */
  available(nowMillis: number): number {
    const counters = this.counters
    counters.advance(nowMillis)
    const firstAttempts = Math.max(0, counters.firstSum - counters.secondSum)
    return Math.max(0, Math.floor(this.settings.ratio * firstAttempts + this.reserve - counters.secondSum))
  }
}

/** @internal */
export const resolve = (options: RetryBudgetOptions | undefined): RetryBudgetSettings => ({
  ratio: options?.ratio ?? defaults.ratio,
  windowMillis: Duration.toMillis(options?.window === undefined ? defaults.window : Duration.decode(options.window)),
  minRetriesPerSecond: options?.minRetriesPerSecond ?? defaults.minRetriesPerSecond
})
