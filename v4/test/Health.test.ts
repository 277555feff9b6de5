/**
 * `ResilientClient.health` and `healthy(origin?)`: the root entry's report (per breaker, per bulkhead compartment, the
 * retry budget left), over the scripted transport on the TestClock.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { HttpResilient, HttpResilientTest, ResilientClient } from "effect-http-resilient/v4"
import { TestClock } from "effect/testing"

const url = "http://api.test"

describe("ResilientClient.health and healthy", () => {
  // before and after failures, healthy() and healthy(origin): the shared suite (test/shared/pool.ts)
  it.effect("attempts in flight and queued, per breaker and in the bulkhead; a queued or rejected one is not the breaker's", () =>
    Effect.gen(function*() {
      const calls = yield* Effect.forEach(
        ["/a", "/b", "/c"],
        (path) => Effect.forkChild(HttpResilient.get(`${url}${path}`))
      )
      yield* TestClock.adjust("10 millis")
      // a fourth finds the queue full: rejected by the bulkhead, never let through by the breaker
      const rejected = yield* Effect.flip(HttpResilient.get(`${url}/d`))
      assert.strictEqual(rejected._tag, "BulkheadRejectedError")
      const busy = yield* ResilientClient.health
      assert.deepStrictEqual(busy.bulkheads, [
        { route: undefined, inFlight: 2, queued: 1, maxConcurrent: 2, maxQueue: 1 }
      ])
      assert.strictEqual(busy.origins.length, 1)
      assert.strictEqual(busy.origins[0].inFlight, 2)
      yield* TestClock.adjust("2 seconds")
      for (const call of calls) assert.strictEqual((yield* Fiber.join(call)).status, 200)
      const idle = yield* ResilientClient.health
      assert.deepStrictEqual(idle.bulkheads.map((b) => [b.inFlight, b.queued]), [[0, 0]])
      assert.strictEqual(idle.origins[0].inFlight, 0)
      assert.isTrue(idle.healthy)
    }).pipe(Effect.provide(HttpResilientTest.layer(() => HttpResilientTest.reply(200, { delay: "1 second" }), {
      bulkhead: { maxConcurrent: 2, maxQueue: 1 }
    }))))

  // a client with every protection off: the shared suite (test/shared/pool.ts)

  // the retry budget left as retries spend it: the shared suite (test/shared/pool.ts)
})
