import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import { HttpResilient, HttpResilientTest, RateLimiter, ResilientClient } from "effect-http-resilient/v4"
import { TestClock } from "effect/testing"

const times = Effect.map(HttpResilientTest.requests, (requests) => requests.map((r) => r.at))

/** Lets forked fibers run up to their first suspension. */
const settle = Effect.yieldNow.pipe(Effect.repeat({ times: 20 }))

describe("RateLimiter (TestClock)", () => {
  // the token bucket, fixed window, keys, adaptive pause and deadline: the shared suite (test/shared/rateLimiter.ts)
  it.effect("the attempt timeout starts when the limiter lets the attempt through", () =>
    Effect.gen(function*() {
      yield* HttpResilient.get("http://a.test/")
      const fiber = yield* Effect.forkChild(HttpResilient.get("http://a.test/slow"))
      yield* settle
      yield* TestClock.adjust("1 second") // waited for its token: sent now, its 2 s timeout starts now
      assert.deepStrictEqual(yield* times, [0, 1000])
      yield* TestClock.adjust("1500 millis")
      assert.strictEqual((yield* Fiber.join(fiber)).status, 200)
    }).pipe(Effect.provide(HttpResilientTest.layer(
      (request) =>
        request.url.endsWith("/slow")
          ? HttpResilientTest.reply(200, { delay: "1500 millis" })
          : HttpResilientTest.reply(200),
      { timeout: "2 seconds", rateLimiter: { limit: 1, window: "1 second" } }
    ))))

  it.effect("after a wait, the attempt timeout is clipped to what is left of the deadline", () =>
    Effect.gen(function*() {
      yield* HttpResilient.get("http://a.test/")
      const fiber = yield* Effect.forkChild(
        Effect.flip(HttpResilient.get("http://a.test/slow", { deadline: "1500 millis" }))
      )
      yield* settle
      yield* TestClock.adjust("1 second") // let through at 1 s: 500 ms of the deadline are left
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag === "TimeoutError" && error.scope, "deadline")
    }).pipe(Effect.provide(HttpResilientTest.layer(
      (request) =>
        request.url.endsWith("/slow")
          ? HttpResilientTest.reply(200, { delay: "800 millis" })
          : HttpResilientTest.reply(200),
      { rateLimiter: { limit: 1, window: "1 second" } }
    ))))

  it.effect("RateLimiter.layerMemory under two clients: they share one quota", () =>
    Effect.gen(function*() {
      const options = { rateLimiter: { limit: 1, window: "1 second", key: "partner" } } as const
      const store = yield* Layer.build(RateLimiter.layerMemory)
      const client = () =>
        Layer.build(
          HttpResilientTest.layer([HttpResilientTest.reply(200)], options).pipe(
            Layer.provide(Layer.succeedContext(store))
          )
        )
      const first = yield* client()
      const second = yield* client()
      yield* HttpResilient.get("http://a.test/").pipe(Effect.provideContext(first))
      const fiber = yield* Effect.forkChild(HttpResilient.get("http://b.test/").pipe(Effect.provideContext(second)))
      yield* settle
      const sent = HttpResilientTest.requests.pipe(Effect.provideContext(second), Effect.map((r) => r.map((x) => x.at)))
      assert.deepStrictEqual(yield* sent, [], "the second client waits for the quota the first one used")
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* sent, [1000])
    }))

  it.effect("without a store in context each client has a memory store of its own", () =>
    Effect.gen(function*() {
      const options = { rateLimiter: { limit: 1, window: "1 second", key: "partner" } } as const
      const client = () => Layer.build(HttpResilientTest.layer([HttpResilientTest.reply(200)], options))
      const first = yield* client()
      const second = yield* client()
      yield* HttpResilient.get("http://a.test/").pipe(Effect.provideContext(first))
      yield* HttpResilient.get("http://a.test/").pipe(Effect.provideContext(second))
      const sent = yield* HttpResilientTest.requests.pipe(Effect.provideContext(second))
      assert.deepStrictEqual(sent.map((r) => r.at), [0], "the second client's quota is its own")
    }))

  it.effect("bad options fail the layer with a ConfigError naming the option, the value and why", () =>
    Effect.gen(function*() {
      const build = (rateLimiter: unknown) =>
        Effect.flip(Layer.build(ResilientClient.layer({ rateLimiter: rateLimiter as any })))
      const message = (rateLimiter: unknown) => Effect.map(build(rateLimiter), String)
      assert.include(yield* message({ limit: 0, window: "1 second" }), `"rateLimiter.limit" 0 is not an integer ≥ 1`)
      assert.include(
        yield* message({ limit: 1, window: "1 second", algorithm: "leaky" }),
        `"rateLimiter.algorithm" "leaky" is not "token-bucket" or "fixed-window"`
      )
      assert.include(
        yield* message({ limit: 1, window: "1 second", key: 3 }),
        `"rateLimiter.key" 3 is not a string or a function of the request`
      )
      assert.include(yield* message({ limit: 5 }), `"rateLimiter.window": "limit" and "window" go together`)
      assert.include(yield* message({}), `"rateLimiter": set "limit" and "window", or "adaptive: true"`)
    }))
})
