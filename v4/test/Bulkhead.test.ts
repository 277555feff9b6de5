import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Metric } from "effect"
import { Bulkhead, HttpResilient, HttpResilientTest, ResilientClient, Telemetry } from "effect-http-resilient/v4"
import { TestClock } from "effect/testing"

const url = "http://api.test/slow"

describe("Bulkhead (v4)", () => {
  it("defaults: 1000 concurrent attempts, no queue (the root entry's)", () => {
    assert.deepStrictEqual(Bulkhead.defaults, { maxConcurrent: 1000, maxQueue: 0 })
  })

  it.effect("a client without bulkhead options has the defaults", () =>
    Effect.gen(function*() {
      const health = yield* ResilientClient.health
      assert.deepStrictEqual(health.bulkheads, [{ route: undefined, inFlight: 0, queued: 0, ...Bulkhead.defaults }])
    }).pipe(Effect.provide(HttpResilientTest.layer([]))))

  it.effect("BulkheadOptions: one running, one queued, a third rejected at once; the queue timeout on the Clock", () =>
    Effect.gen(function*() {
      const rejections = Effect.map(Metric.value(Telemetry.bulkheadRejections), (state) => state.count)
      const before = yield* rejections
      const first = yield* Effect.forkChild(HttpResilient.get(url))
      const second = yield* Effect.forkChild(Effect.flip(HttpResilient.get(url)))
      yield* Effect.yieldNow
      const third = yield* Effect.flip(HttpResilient.get(url))
      assert.strictEqual(third._tag, "BulkheadRejectedError")
      if (third._tag === "BulkheadRejectedError") assert.strictEqual(third.reason, "full")
      yield* TestClock.adjust("100 millis")
      const timedOut = yield* Fiber.join(second)
      assert.strictEqual(timedOut._tag, "BulkheadRejectedError")
      if (timedOut._tag === "BulkheadRejectedError") assert.strictEqual(timedOut.reason, "queue-timeout")
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(first)).status, 200)
      // both rejections counted by http_resilient.bulkhead.rejections
      assert.strictEqual((yield* rejections) - before, 2)
    }).pipe(
      Effect.provide(HttpResilientTest.layer(
        [HttpResilientTest.reply(200, { delay: "1 second" })],
        { bulkhead: { maxConcurrent: 1, maxQueue: 1, queueTimeout: "100 millis" } satisfies Bulkhead.BulkheadOptions }
      ))
    ))
})
