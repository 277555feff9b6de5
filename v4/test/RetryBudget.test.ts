import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Layer } from "effect"
import {
  Backoff,
  HttpResilient,
  HttpResilientTest,
  ResilientClient,
  RetryBudget,
  RetryPolicy
} from "effect-http-resilient/v4"
import { TestClock } from "effect/testing"

describe("retry budget (one per origin, adaptive; the root entry's options and defaults)", () => {
  it("the defaults are the root entry's: ratio 0.8 scaled by the origin's health, 10 s, 10 per second", () => {
    assert.strictEqual(RetryBudget.defaults.ratio, 0.8)
    assert.strictEqual(RetryBudget.defaults.adaptive, true)
    assert.strictEqual(Duration.toSeconds(RetryBudget.defaults.window), 10)
    assert.strictEqual(RetryBudget.defaults.minRetriesPerSecond, 10)
  })

  it("RetryBudget.make: adaptive by default, classic with adaptive: false", () => {
    const adaptive = RetryBudget.make({ ratio: 0.5, minRetriesPerSecond: 0 })
    const classic = RetryBudget.make({ ratio: 0.5, minRetriesPerSecond: 0, adaptive: false })
    for (const budget of [adaptive, classic]) {
      for (let i = 0; i < 10; i++) budget.recordRequest(0)
      for (let i = 0; i < 10; i++) budget.recordFailure(0)
    }
    assert.strictEqual(adaptive.tryRetry(0), false)
    assert.strictEqual(classic.tryRetry(0), true)
  })

  it.effect("a failing origin spends its own budget only: another origin keeps its reserve", () =>
    Effect.gen(function*() {
      for (let i = 0; i < 20; i++) yield* Effect.exit(HttpResilient.get("http://down.test/x"))
      assert.strictEqual(yield* RetryBudget.availableFor("http://down.test"), 100)
      assert.strictEqual(yield* RetryBudget.availableFor(new URL("http://up.test/y")), 100)
      const policy = RetryPolicy.make({ retries: 2, backoff: Backoff.constant("1 millis") })
      const fiber = yield* Effect.forkChild(
        Effect.exit(HttpResilient.get("http://down.test/x").pipe(Effect.retry(policy)))
      )
      yield* TestClock.adjust("10 millis")
      yield* Fiber.join(fiber)
      assert.strictEqual(yield* RetryBudget.availableFor("http://down.test"), 98)
      assert.strictEqual(yield* RetryBudget.available, 98)
      assert.strictEqual(yield* RetryBudget.availableFor("http://up.test"), 100)
    }).pipe(
      Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(503)], { circuitBreaker: false }))
    ))

  it.effect("the allowance follows the origin's health: a healthy origin earns ratio × its first attempts", () =>
    Effect.gen(function*() {
      for (let i = 0; i < 10; i++) yield* HttpResilient.get("http://up.test/x")
      // 0.8 × health 1 × 10 first attempts + a reserve of 0
      assert.strictEqual(yield* RetryBudget.availableFor("http://up.test"), 8)
    }).pipe(
      Effect.provide(
        HttpResilientTest.layer([HttpResilientTest.reply(200)], { retryBudget: { minRetriesPerSecond: 0 } })
      )
    ))

  it.effect("a bad option fails the layer with a ConfigError naming it, its value and why", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Layer.build(ResilientClient.layer({ retryBudget: { adaptive: "yes" as never } }))
      )
      assert.isTrue(Exit.isFailure(exit))
      const shown = String(Exit.isFailure(exit) ? exit.cause : "")
      assert.include(shown, "retryBudget.adaptive")
      assert.include(shown, "\"yes\"")
      assert.include(shown, "true or false")
      const ratio = yield* Effect.exit(Layer.build(ResilientClient.layer({ retryBudget: { ratio: 5000 } })))
      assert.include(String(Exit.isFailure(ratio) ? ratio.cause : ""), "retryBudget.ratio")
    }).pipe(Effect.scoped))
})
