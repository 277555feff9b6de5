import { assert, describe, it } from "@effect/vitest"
import { RetryBudgetAccount } from "../../src/core/retryBudget.js"

describe("core/retryBudget", () => {
  it("grants retries up to ratio × first attempts; retries earn no budget", () => {
    const budget = new RetryBudgetAccount({ ratio: 0.2, windowMillis: 10_000, minRetriesPerSecond: 0 })
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
    const budget = new RetryBudgetAccount({ ratio: 0, windowMillis: 2000, minRetriesPerSecond: 1.5 })
    assert.strictEqual(budget.available(0), 3)
    assert.isTrue(budget.tryRetry(0))
    assert.isTrue(budget.tryRetry(0))
    assert.isTrue(budget.tryRetry(0))
    assert.isFalse(budget.tryRetry(0))
  })

  it("retries and requests leave the window as time passes", () => {
    const budget = new RetryBudgetAccount({ ratio: 0.5, windowMillis: 1000, minRetriesPerSecond: 0 })
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
})
