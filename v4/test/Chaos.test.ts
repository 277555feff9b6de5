/**
 * The v4 edition's `HttpResilientTest.chaos` over the scripted transport under the TestClock: a seed's exact fault
 * sequence, drawn from v4's `Random` (another generator than the root entry's: the same seed gives another sequence),
 * and the injected latency within the attempt timeout. Its rates over a real server: test/shared/chaos.ts.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, Layer } from "effect"
import { HttpResilient, HttpResilientTest, ResilientClient } from "effect-http-resilient/v4"
import { TestClock } from "effect/testing"

const over = (chaos: HttpResilientTest.ChaosOptions, options: ResilientClient.ClientOptions = {}) =>
  ResilientClient.layerWithTransport({ circuitBreaker: false, ...options }).pipe(
    Layer.provide(HttpResilientTest.chaos(chaos)),
    Layer.provideMerge(HttpResilientTest.layerTransport([HttpResilientTest.reply(200)])),
    Layer.orDie
  )

/** Each call's outcome and when it ended, in virtual milliseconds since `start`. */
const outcomes = (calls: number) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const seen: Array<string> = []
    const fiber = yield* Effect.forkChild(Effect.forEach(
      Array.from({ length: calls }, (_, i) => i),
      (i) =>
        HttpResilient.get(`http://api.test/${i}`, { retry: false }).pipe(
          Effect.map((r) => String(r.status)),
          Effect.catch((e) =>
            Effect.succeed(
              e._tag === "StatusError" ? String(e.status) : e._tag === "TransportError" ? e.reason : e._tag
            )
          ),
          Effect.flatMap((outcome) =>
            Effect.map(Clock.currentTimeMillis, (now) => {
              seen.push(`${outcome}@${now - start}`)
            })
          )
        ),
      { discard: true }
    ))
    yield* TestClock.adjust("1 minute")
    yield* Fiber.join(fiber)
    return seen
  })

describe("HttpResilientTest.chaos (v4)", () => {
  it.effect("seed 7 draws latency, then a fault, then a status, in this exact order", () =>
    Effect.gen(function*() {
      const seen = yield* outcomes(16)
      // v4's seeded Random (Random.withSeed(7)); the root entry's seed 7 gives another sequence (Effect v3's generator)
      assert.deepStrictEqual(seen, [
        "502@0",
        "200@1000",
        "200@2000",
        "200@3000",
        "200@3000",
        "ConnectTimeout@3000",
        "200@4000",
        "200@4000",
        "200@5000",
        "200@5000",
        "ConnectTimeout@5000",
        "ConnectTimeout@5000",
        "200@5000",
        "502@6000",
        "200@6000",
        "200@7000"
      ])
      // what was injected never reached the transport
      const sent = yield* HttpResilientTest.requests
      assert.strictEqual(sent.length, seen.filter((o) => o.startsWith("200@")).length)
    }).pipe(Effect.provide(over({
      seed: 7,
      latency: { rate: 0.5, delay: "1 second" },
      fault: { rate: 0.2, reason: "ConnectTimeout" },
      status: { rate: 0.3, status: 502 }
    }))))

  it.effect("injected latency past the attempt timeout is a TimeoutError at the timeout", () =>
    Effect.gen(function*() {
      const seen = yield* outcomes(2)
      assert.deepStrictEqual(seen, ["TimeoutError@500", "TimeoutError@1000"])
    }).pipe(Effect.provide(over({ latency: { rate: 1, delay: "1 second" } }, { timeout: "500 millis" }))))

  it.effect("injected latency within the attempt timeout leaves the server what is left of it", () =>
    Effect.gen(function*() {
      const layer = (serverDelay: Duration.Input) =>
        ResilientClient.layerWithTransport({ circuitBreaker: false, timeout: "500 millis" }).pipe(
          Layer.provide(HttpResilientTest.chaos({ latency: { rate: 1, delay: "400 millis" } })),
          Layer.provideMerge(
            HttpResilientTest.layerTransport([HttpResilientTest.reply(200, { delay: serverDelay })])
          ),
          Layer.orDie
        )
      // 400 ms of latency + a 400 ms server: past the 500 ms timeout; + a 50 ms server: the answer after both
      assert.deepStrictEqual(yield* outcomes(1).pipe(Effect.provide(layer("400 millis"))), ["TimeoutError@500"])
      assert.deepStrictEqual(yield* outcomes(1).pipe(Effect.provide(layer("50 millis"))), ["200@450"])
    }))

  it("a bad latency delay names the option and the value", () => {
    assert.throws(
      () => HttpResilientTest.chaos({ latency: { rate: 0.5, delay: -1 } }),
      /HttpResilientTest\.chaos.*latency\.delay.*-1/
    )
  })
})
