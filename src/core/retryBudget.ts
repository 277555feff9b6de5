/**
 * The accounting of a retry budget: retries over a rolling window against a share of the requests plus a reserve,
 * the share following the origin's health. Plain numbers, no `effect` import: the caller passes the time.
 * @internal
 */
import type { RetryBudgetOf } from "./options.js"
import { RollingCounters } from "./rollingWindow.js"

/**
 * The resolved settings of a retry budget.
 * @internal
 */
export interface RetryBudgetSettings {
  readonly ratio: number
  readonly windowMillis: number
  readonly minRetriesPerSecond: number
  /** whether `ratio` is scaled by the share of recent outcomes that were successes */
  readonly adaptive: boolean
}

/**
 * The defaults of a retry budget, in both editions: ratio 0.8 scaled by the origin's health, window 10 s, 10
 * retries per second in reserve.
 * @internal
 */
export const retryBudgetDefaults = {
  ratio: 0.8,
  windowMillis: 10_000,
  minRetriesPerSecond: 10,
  adaptive: true
} as const

/**
 * The largest values the options `ratio` and `minRetriesPerSecond` take.
 * @internal
 */
export const retryBudgetLimits = { ratio: 1000, minRetriesPerSecond: 1_000_000 } as const

/**
 * A Finagle-style retry budget whose allowance follows the origin's health. Every attempt is recorded as a
 * request; a retry (or a hedge) is allowed while the retries in the window, this one included, stay within
 * `ratio` × `health` × the first attempts in the window plus a reserve of `minRetriesPerSecond` × the window's
 * length in seconds. `health` is the share of the attempts that ended in the window that succeeded (1 when none
 * has ended yet, or when `adaptive` is off): an origin that mostly answers gets nearly the whole `ratio`, one that
 * fails every attempt gets the reserve alone. Retries earn no budget themselves: first attempts are the recorded
 * requests minus the retries granted.
 *
 * So at a steady rate of R calls per second, a failing origin receives at most R + minRetriesPerSecond requests per
 * second once its failures fill the window, and a healthy one at most R × (1 + ratio) + minRetriesPerSecond.
 *
 * Time is epoch ms passed by the caller; nothing is allocated per request.
 * @internal
 */
export class RetryBudgetAccount {
  /** first: requests, second: retries granted */
  private readonly counters: RollingCounters
  /** first: successes, second: failures */
  private readonly outcomes: RollingCounters
  private readonly reserve: number

  constructor(readonly settings: RetryBudgetSettings) {
    this.counters = new RollingCounters(settings.windowMillis)
    this.outcomes = new RollingCounters(settings.windowMillis)
    this.reserve = settings.minRetriesPerSecond * settings.windowMillis / 1000
  }

  /** Records one request (every attempt, first or not) at `nowMillis`. */
  recordRequest(nowMillis: number): void {
    this.counters.addFirst(nowMillis)
  }

  /** Records that an attempt ended in a success at `nowMillis` (an answer that says the origin works). */
  recordSuccess(nowMillis: number): void {
    this.outcomes.addFirst(nowMillis)
  }

  /** Records that an attempt ended in a failure of the origin at `nowMillis` (5xx, timeout, transport error). */
  recordFailure(nowMillis: number): void {
    this.outcomes.addSecond(nowMillis)
  }

  /** The share of the attempts ended in the window that succeeded (1 when none, or when `adaptive` is off). */
  health(nowMillis: number): number {
    if (!this.settings.adaptive) return 1
    const outcomes = this.outcomes
    outcomes.advance(nowMillis)
    const total = outcomes.firstSum + outcomes.secondSum
    return total === 0 ? 1 : outcomes.firstSum / total
  }

  /** Spends one retry if the budget allows it at `nowMillis`; false (nothing spent) when it is empty. */
  tryRetry(nowMillis: number): boolean {
    const counters = this.counters
    counters.advance(nowMillis)
    const retries = counters.secondSum
    if (retries + 1 > this.allowance(nowMillis)) return false
    counters.addSecond(nowMillis)
    return true
  }

  /** How many retries the budget would grant at `nowMillis` (for inspection and tests). */
  available(nowMillis: number): number {
    const counters = this.counters
    counters.advance(nowMillis)
    return Math.max(0, Math.floor(this.allowance(nowMillis) - counters.secondSum))
  }

  /** Retries the window allows in all (granted ones included); the counters are advanced to `nowMillis`. */
  private allowance(nowMillis: number): number {
    const counters = this.counters
    const firstAttempts = Math.max(0, counters.firstSum - counters.secondSum)
    return this.settings.ratio * this.health(nowMillis) * firstAttempts + this.reserve
  }
}

/**
 * The retry budgets of a client, one per origin, made on first use and kept for at most `maxOrigins` origins: past
 * the cap the least recently used is forgotten (a forgotten origin starts again from the reserve alone, so a flood
 * of new origins cannot raise what a failing one may retry). One origin's failures never spend another's budget.
 * @internal
 */
export class RetryBudgetRegistry<B extends RetryBudgetAccount = RetryBudgetAccount> {
  /** in order of use, least recent first */
  private readonly budgets = new Map<string, B>()
  private latestOrigin: string | undefined
  private latestBudget: B | undefined

  constructor(
    private readonly make: () => B,
    readonly maxOrigins: number
  ) {}

  /** Origins with a remembered budget. */
  get size(): number {
    return this.budgets.size
  }

  /** The budget used last, if any. */
  get latest(): B | undefined {
    return this.latestBudget
  }

  /** The budget of `origin`, made (and remembered) on first use; marks it most recently used. */
  get(origin: string): B {
    if (origin === this.latestOrigin) return this.latestBudget!
    let budget = this.budgets.get(origin)
    if (budget !== undefined) {
      this.budgets.delete(origin)
    } else {
      budget = this.make()
      if (this.budgets.size >= this.maxOrigins) {
        const oldest = this.budgets.keys().next().value as string
        this.budgets.delete(oldest)
      }
    }
    this.budgets.set(origin, budget)
    this.latestOrigin = origin
    this.latestBudget = budget
    return budget
  }

  /** The budget of `origin` if one is remembered, without marking it used. */
  peek(origin: string): B | undefined {
    return this.budgets.get(origin)
  }

  /** What `origin`'s budget (else the one used last) would grant at `nowMillis`; a fresh origin's reserve if none. */
  available(origin: string | undefined, nowMillis: number): number {
    const budget = origin === undefined ? this.latestBudget : this.budgets.get(origin)
    return (budget ?? this.make()).available(nowMillis)
  }

  /** Forgets every budget (the client's scope closed). */
  clear(): void {
    this.budgets.clear()
    this.latestOrigin = undefined
    this.latestBudget = undefined
  }
}

/**
 * `budget` as `RetryBudget.make` returns it: its methods as functions.
 * @internal
 */
export const budgetView = (budget: RetryBudgetAccount): RetryBudgetOf => ({
  recordRequest: (now) => budget.recordRequest(now),
  recordSuccess: (now) => budget.recordSuccess(now),
  recordFailure: (now) => budget.recordFailure(now),
  tryRetry: (now) => budget.tryRetry(now),
  available: (now) => budget.available(now)
})
