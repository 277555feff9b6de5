/**
 * The v4 test kit's `delayed` and `layerTransport` (the root entry's `HttpResilientTest.delayed` / `layerTransport`),
 * over the scripted transport on the TestClock.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import { HttpResilient, HttpResilientTest, ResilientClient } from "effect-http-resilient/v4"
import { TestClock } from "effect/testing"

const url = "http://api.test/slow"

describe("HttpResilientTest.delayed (TestClock)", () => {
  it.effect("a step delayed past the attempt timeout is a TimeoutError at the timeout, not before", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(Effect.flip(HttpResilient.get(url, { retry: false })))
      yield* TestClock.adjust("999 millis")
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "TimeoutError")
    }).pipe(
      Effect.provide(
        HttpResilientTest.layer([HttpResilientTest.delayed(HttpResilientTest.reply(200), "3 seconds")], {
          timeout: "1 second"
        })
      )
    ))

  it.effect("a step delayed within the timeout answers exactly when the delay has passed", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(HttpResilient.get(url, { retry: false }))
      yield* TestClock.adjust("499 millis")
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      assert.strictEqual((yield* Fiber.join(fiber)).status, 201)
    }).pipe(
      Effect.provide(HttpResilientTest.layer([HttpResilientTest.delayed(HttpResilientTest.reply(201), 500)]))
    ))

  it("a bad delay names the function, the option and the value", () => {
    assert.throws(
      () => HttpResilientTest.delayed(HttpResilientTest.reply(200), -1),
      /HttpResilientTest\.delayed.*delay.*-1/
    )
  })
})

describe("HttpResilientTest.layerTransport", () => {
  it.effect("the scripted transport under ResilientClient.layerWithTransport, its requests recorded", () =>
    Effect.gen(function*() {
      const response = yield* HttpResilient.get(url, { retry: false })
      assert.strictEqual(response.status, 204)
      const sent = yield* HttpResilientTest.requests
      assert.deepStrictEqual(sent.map((r) => [r.method, r.url]), [["GET", url]])
    }).pipe(
      Effect.provide(
        ResilientClient.layerWithTransport().pipe(
          Layer.provideMerge(HttpResilientTest.layerTransport([HttpResilientTest.reply(204)]))
        )
      )
    ))
})
