import { assert, describe, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { RetryBudgetAccount, RetryBudgetRegistry, type RetryBudgetSettings } from "../../src/core/retryBudget.js"

const settings = (over: Partial<RetryBudgetSettings>): RetryBudgetSettings => ({
  ratio: 0.2,
  windowMillis: 10_000,
  minRetriesPerSecond: 0,
  adaptive: true,
  ...over
})

/** A seeded generator, so the "random" failures are the same on every run. */
const seeded = (seed: number) => {
  let state = seed >>> 0
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    return state / 2_147_483_648
  }
}

/**
 * `calls` calls, one every `everyMillis`, each attempt failing with probability `share` and retried up to `retries`
 * times at once while the budget allows: the calls that succeeded and the requests sent.
 */
const simulate = (budget: RetryBudgetAccount, share: number, calls: number, everyMillis: number, seed = 7) => {
  const next = seeded(seed)
  let requests = 0
  let succeeded = 0
  for (let i = 0; i < calls; i++) {
    const now = i * everyMillis
    for (let attempt = 0; attempt <= 3; attempt++) {
      if (attempt > 0 && !budget.tryRetry(now)) break
      budget.recordRequest(now)
      requests++
      if (next() < share) {
        budget.recordFailure(now)
      } else {
        budget.recordSuccess(now)
        succeeded++
        break
      }
    }
  }
  return { succeeded: succeeded / calls, perCall: requests / calls }
}

describe("core/retryBudget", () => {
  it("grants retries up to ratio × first attempts; retries earn no budget", () => {
    const budget = new RetryBudgetAccount(settings({}))
    for (let i = 0; i < 10; i++) budget.recordRequest(0)
    assert.strictEqual(budget.available(0), 2)
    assert.isTrue(budget.tryRetry(0))
    budget.recordRequest(0) // the retry's own attempt
    assert.isTrue(budget.tryRetry(0))
    budget.recordRequest(0)
    assert.isFalse(budget.tryRetry(0))
    assert.strictEqual(budget.available(0), 0)
  })

  it("keeps a reserve of minRetriesPerSecond × the window in seconds", () => {
    const budget = new RetryBudgetAccount(settings({ ratio: 0, windowMillis: 2000, minRetriesPerSecond: 1.5 }))
    assert.strictEqual(budget.available(0), 3)
    assert.isTrue(budget.tryRetry(0))
    assert.isTrue(budget.tryRetry(0))
    assert.isTrue(budget.tryRetry(0))
    assert.isFalse(budget.tryRetry(0))
  })

  it("retries and requests leave the window as time passes", () => {
    const budget = new RetryBudgetAccount(settings({ ratio: 0.5, windowMillis: 1000 }))
    for (let i = 0; i < 4; i++) budget.recordRequest(0)
    assert.isTrue(budget.tryRetry(0))
    budget.recordRequest(0) // the retry's own attempt
    assert.isTrue(budget.tryRetry(0))
    budget.recordRequest(0)
    assert.isFalse(budget.tryRetry(0))
    assert.strictEqual(budget.available(5000), 0) // everything forgotten: no requests, no reserve
    for (let i = 0; i < 4; i++) budget.recordRequest(5000)
    assert.strictEqual(budget.available(5000), 2)
  })

  it("adaptive: the ratio is scaled by the share of recent outcomes that succeeded", () => {
    const budget = new RetryBudgetAccount(settings({ ratio: 1 }))
    for (let i = 0; i < 100; i++) budget.recordRequest(0)
    assert.strictEqual(budget.health(0), 1, "no outcome yet: healthy")
    assert.strictEqual(budget.available(0), 100)
    for (let i = 0; i < 70; i++) budget.recordSuccess(0)
    for (let i = 0; i < 30; i++) budget.recordFailure(0)
    assert.strictEqual(budget.health(0), 0.7)
    assert.strictEqual(budget.available(0), 70)
    for (let i = 0; i < 100; i++) budget.recordFailure(0)
    assert.strictEqual(budget.available(0), 35)
    // the outcomes leave the window too: a full window later the origin starts healthy again
    for (let i = 0; i < 100; i++) budget.recordRequest(20_000)
    assert.strictEqual(budget.health(20_000), 1)
    assert.strictEqual(budget.available(20_000), 100)
  })

  it("adaptive: false keeps the whole ratio whatever the outcomes (the classic budget)", () => {
    const budget = new RetryBudgetAccount(settings({ ratio: 0.5, adaptive: false }))
    for (let i = 0; i < 10; i++) {
      budget.recordRequest(0)
      budget.recordFailure(0)
    }
    assert.strictEqual(budget.health(0), 1)
    assert.strictEqual(budget.available(0), 5)
  })

  it.prop(
    "never more retries in a window than ratio × health × first attempts + reserve",
    {
      ratio: fc.double({ min: 0, max: 3, noNaN: true }),
      reserve: fc.integer({ min: 0, max: 5 }),
      ops: fc.array(
        fc.tuple(fc.constantFrom("request", "success", "failure", "retry"), fc.integer({ min: 0, max: 300 })),
        { maxLength: 400 }
      )
    },
    ({ ops, ratio, reserve }) => {
      const windowMillis = 1000
      const budget = new RetryBudgetAccount(settings({ ratio, windowMillis, minRetriesPerSecond: reserve }))
      let now = 0
      // what was granted, and when: no window of the budget's may hold more than it allows
      const granted: Array<number> = []
      for (const [op, step] of ops) {
        now += step
        if (op === "request") budget.recordRequest(now)
        else if (op === "success") budget.recordSuccess(now)
        else if (op === "failure") budget.recordFailure(now)
        else if (budget.tryRetry(now)) granted.push(now)
        assert.isAtLeast(budget.available(now), 0)
      }
      // with no request recorded, only the reserve: never more retries than it within any window
      const noRequests = ops.every(([op]) => op !== "request")
      if (noRequests) {
        for (const t of granted) {
          const inWindow = granted.filter((g) => g > t - windowMillis && g <= t).length
          assert.isAtMost(inWindow, reserve)
        }
      }
    }
  )

  it.prop(
    "an origin failing every attempt gets the reserve alone: retries per window ≤ minRetriesPerSecond × window",
    {
      ratio: fc.double({ min: 0, max: 10, noNaN: true }),
      perSecond: fc.integer({ min: 0, max: 20 }),
      everyMillis: fc.integer({ min: 1, max: 50 }),
      calls: fc.integer({ min: 1, max: 3000 })
    },
    ({ calls, everyMillis, perSecond, ratio }) => {
      const windowMillis = 2000
      const budget = new RetryBudgetAccount(settings({ ratio, windowMillis, minRetriesPerSecond: perSecond }))
      const { perCall } = simulate(budget, 1, calls, everyMillis)
      // every window holds at most the reserve: over the run, at most (windows + 1) × reserve retries
      const windows = Math.ceil((calls * everyMillis) / windowMillis) + 1
      const reserve = perSecond * windowMillis / 1000
      assert.isAtMost(perCall * calls - calls, windows * reserve)
    }
  )

  it("30 % of attempts failing, 3 retries each: ≥ 99 % of calls succeed at ≤ 1.45 requests per call", () => {
    // the defaults: ratio 0.8 scaled by health, 10 s window, 10 retries a second in reserve; 100 calls a second
    const defaults = settings({ ratio: 0.8, minRetriesPerSecond: 10 })
    for (const seed of [1, 7, 42, 1234]) {
      const { perCall, succeeded } = simulate(new RetryBudgetAccount(defaults), 0.3, 20_000, 10, seed)
      assert.isAtLeast(succeeded, 0.99, `seed ${seed}`)
      assert.isAtMost(perCall, 1.45, `seed ${seed}`)
    }
    // the classic budget (20 % whatever the health) refuses retries a partly failing origin needs
    const classic = simulate(new RetryBudgetAccount({ ...defaults, ratio: 0.2, adaptive: false }), 0.3, 20_000, 10)
    assert.isBelow(classic.succeeded, 0.95)
  })

  it("a full outage at 100 calls a second: ≤ 1.1 requests per call with the defaults, asymptotically ≤ 1.01", () => {
    const defaults = settings({ ratio: 0.8, minRetriesPerSecond: 10 })
    const tenSeconds = simulate(new RetryBudgetAccount(defaults), 1, 1_000, 10)
    assert.strictEqual(tenSeconds.succeeded, 0)
    assert.isAtMost(tenSeconds.perCall, 1.1)
    // 1,000 calls a second for a minute: the reserve is spread thin
    const long = simulate(new RetryBudgetAccount(defaults), 1, 60_000, 1)
    assert.isAtMost(long.perCall, 1.01)
  })

  it("registry: one budget per origin, so one failing origin does not spend another's", () => {
    const registry = new RetryBudgetRegistry(() => new RetryBudgetAccount(settings({ ratio: 0.5 })), 10)
    const down = registry.get("http://down.test")
    const up = registry.get("http://up.test")
    for (let i = 0; i < 10; i++) {
      up.recordRequest(0)
      up.recordSuccess(0)
    }
    // the failing origin has no budget of its own, and cannot take the healthy one's
    for (let i = 0; i < 10; i++) {
      down.recordRequest(0)
      down.recordFailure(0)
    }
    assert.isFalse(registry.get("http://down.test").tryRetry(0))
    assert.strictEqual(registry.get("http://up.test").available(0), 5)
    assert.strictEqual(registry.get("http://up.test"), up, "the same budget each time")
  })

  it("registry: bounded, least recently used forgotten first; clear forgets all", () => {
    const registry = new RetryBudgetRegistry(() => new RetryBudgetAccount(settings({})), 3)
    const a = registry.get("a")
    registry.get("b")
    registry.get("c")
    registry.get("a") // a is now the most recent
    registry.get("d") // b goes
    assert.strictEqual(registry.size, 3)
    assert.isUndefined(registry.peek("b"))
    assert.strictEqual(registry.peek("a"), a)
    for (let i = 0; i < 10_000; i++) registry.get(`o${i}`)
    assert.strictEqual(registry.size, 3)
    registry.clear()
    assert.strictEqual(registry.size, 0)
    assert.isUndefined(registry.latest)
  })
})
