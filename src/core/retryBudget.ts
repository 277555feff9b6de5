/**
 * The accounting of a retry budget: retries over a rolling window against a share of the requests plus a reserve.
 * Plain numbers, no `effect` import: the caller passes the time.
 * @internal
 */
import { RollingCounters } from "./rollingWindow.js"

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
 *
 * Time is epoch ms passed by the caller; nothing is allocated per request.
 * @internal
 */
export class RetryBudgetAccount {
  /** first: requests, second: retries granted */
  private readonly counters: RollingCounters
  private readonly reserve: number

  constructor(readonly settings: RetryBudgetSettings) {
    this.counters = new RollingCounters(settings.windowMillis)
    this.reserve = settings.minRetriesPerSecond * settings.windowMillis / 1000
  }

  /** Records one request (every attempt, first or not) at `nowMillis`. */
  recordRequest(nowMillis: number): void {
    this.counters.addFirst(nowMillis)
  }

  /** Spends one retry if the budget allows it at `nowMillis`; false (nothing spent) when it is empty. */
  tryRetry(nowMillis: number): boolean {
    const counters = this.counters
    counters.advance(nowMillis)
    const retries = counters.secondSum
    const firstAttempts = Math.max(0, counters.firstSum - retries)
    if (retries + 1 > this.settings.ratio * firstAttempts + this.reserve) return false
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
