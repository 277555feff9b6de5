import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { CircuitBreaker, HttpResilient, HttpResilientTest, ResilientClient } from "effect-http-resilient/v4"
import { TestClock } from "effect/testing"

const url = "http://api.test/x"

describe("circuit breaker (TestClock)", () => {
  it.effect("consecutive(3): the 4th call is rejected without a request; after the break one probe closes it", () =>
    Effect.gen(function*() {
      for (let i = 0; i < 3; i++) yield* Effect.flip(HttpResilient.get(url))
      assert.strictEqual(yield* ResilientClient.circuitState("http://api.test"), "open")
      const rejected = yield* Effect.flip(HttpResilient.get(url))
      assert.strictEqual(rejected._tag, "CircuitOpenError")
      if (rejected._tag === "CircuitOpenError") {
        assert.strictEqual(rejected.origin, "http://api.test")
        assert.strictEqual(rejected.retryAt, 5000)
        assert.strictEqual(rejected.message, "Circuit open for http://api.test: GET http://api.test/x (attempt 1)")
      }
      assert.strictEqual((yield* HttpResilientTest.requests).length, 3)
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual(yield* ResilientClient.circuitState("http://api.test"), "half-open")
      const ok = yield* HttpResilient.get(url)
      assert.strictEqual(ok.status, 200)
      assert.strictEqual(yield* ResilientClient.circuitState("http://api.test"), "closed")
      const bad = yield* Effect.flip(ResilientClient.circuitState("nope"))
      assert.strictEqual(bad._tag, "InvalidRequestError")
    }).pipe(
      Effect.provide(HttpResilientTest.layer(
        (_request, index) => index < 3 ? HttpResilientTest.reply(500) : HttpResilientTest.reply(200),
        { circuitBreaker: CircuitBreaker.consecutive(3) }
      ))
    ))

  it.effect("persisted (effect/persistence, memory store): opens after the trip policy, rejects without I/O", () =>
    Effect.gen(function*() {
      for (let i = 0; i < 2; i++) yield* Effect.flip(HttpResilient.get(url))
      const rejected = yield* Effect.flip(HttpResilient.get(url))
      assert.strictEqual(rejected._tag, "CircuitOpenError")
      assert.strictEqual((yield* HttpResilientTest.requests).length, 2)
      assert.strictEqual(yield* ResilientClient.circuitState("http://api.test/any"), "open")
    }).pipe(
      Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(503)], {
        circuitBreaker: CircuitBreaker.persisted({ tripPolicy: { _tag: "Consecutive", failures: 2 } })
      }))
    ))

  it("bad options name the option, the value and why", () => {
    assert.throws(
      () => CircuitBreaker.consecutive(0),
      /CircuitBreaker.consecutive: option "threshold" 0 is not a positive integer/
    )
    assert.throws(() => CircuitBreaker.ratio({ threshold: 2 }), /option "threshold" 2 is not a share from 0 to 1/)
  })
})
