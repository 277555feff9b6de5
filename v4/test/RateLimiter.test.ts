import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer } from "effect"
import { HttpResilient, HttpResilientTest, RateLimiter, ResilientClient } from "effect-http-resilient/v4"
import { TestClock } from "effect/testing"

const times = Effect.map(HttpResilientTest.requests, (requests) => requests.map((r) => r.at))

/** Lets forked fibers run up to their first suspension. */
const settle = Effect.yieldNow.pipe(Effect.repeat({ times: 20 }))

const forkCalls = (urls: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const fibers = []
    for (const url of urls) fibers.push(yield* Effect.forkChild(HttpResilient.get(url)))
    yield* settle
    return fibers
  })

describe("RateLimiter (TestClock)", () => {
  it.effect("token bucket per origin: a burst of `limit`, then one every window / limit, waiting on the Clock", () =>
    Effect.gen(function*() {
      const fibers = yield* forkCalls(Array.from({ length: 8 }, (_, i) => `http://a.test/${i}`))
      const other = yield* HttpResilient.get("http://b.test/") // another origin has its own quota
      assert.strictEqual(other.status, 200)
      assert.deepStrictEqual(yield* times, [0, 0, 0, 0, 0, 0])
      yield* TestClock.adjust("1 second")
      yield* Effect.forEach(fibers, Fiber.join)
      assert.deepStrictEqual(yield* times, [0, 0, 0, 0, 0, 0, 200, 400, 600])
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)], {
      rateLimiter: { limit: 5, window: "1 second" }
    }))))

  it.effect("a wait past the deadline fails at once with RateLimitedError and uses up nothing", () =>
    Effect.gen(function*() {
      for (let i = 0; i < 2; i++) yield* HttpResilient.get("http://a.test/")
      const error = yield* Effect.flip(HttpResilient.get("http://a.test/", { deadline: "499 millis" }))
      assert.strictEqual(error._tag, "RateLimitedError")
      if (error._tag === "RateLimitedError") {
        assert.strictEqual(Duration.toMillis(error.waitFor), 500)
        assert.match(error.message, /^Rate limited, would wait 500ms: GET http:\/\/a\.test\/ \(attempt 1\)$/)
      }
      // the refused call took no slot: the next one goes as soon as a token is back
      const fiber = yield* Effect.forkChild(HttpResilient.get("http://a.test/", { deadline: "1 second" }))
      yield* settle
      yield* TestClock.adjust("500 millis")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* times, [0, 0, 500])
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)], {
      rateLimiter: { limit: 2, window: "1 second" }
    }))))

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

  it.effect("key: a function of the request gives each user a quota; a string shares one across origins", () =>
    Effect.gen(function*() {
      const perUser = yield* Effect.gen(function*() {
        const fibers = yield* forkCalls(["http://a.test/?user=1", "http://a.test/?user=2", "http://a.test/?user=1"])
        assert.strictEqual((yield* times).length, 2)
        yield* TestClock.adjust("1 second")
        yield* Effect.forEach(fibers, Fiber.join)
        return yield* times
      }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)], {
        rateLimiter: { limit: 1, window: "1 second", key: (request) => request.url.searchParams.get("user") ?? "" }
      })))
      assert.deepStrictEqual(perUser, [0, 0, 1000])
      const shared = yield* Effect.gen(function*() {
        const fibers = yield* forkCalls(["http://a.test/", "http://b.test/"])
        yield* TestClock.adjust("1 second")
        yield* Effect.forEach(fibers, Fiber.join)
        return (yield* times).map((t, _, all) => t - all[0])
      }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)], {
        rateLimiter: { limit: 1, window: "1 second", key: "partner" }
      })))
      assert.deepStrictEqual(shared, [0, 1000])
    }))

  it.effect("fixed window: at most `limit` per window", () =>
    Effect.gen(function*() {
      const fibers = yield* forkCalls(Array.from({ length: 7 }, () => "http://a.test/"))
      yield* TestClock.adjust("5 seconds")
      yield* Effect.forEach(fibers, Fiber.join)
      const sent = yield* times
      assert.strictEqual(sent.length, 7)
      for (const t of sent) assert.isAtMost(sent.filter((u) => u >= t && u < t + 1000).length, 3)
      assert.deepStrictEqual(sent.slice(0, 3), [0, 0, 0])
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)], {
      rateLimiter: { limit: 3, window: "1 second", algorithm: "fixed-window" }
    }))))

  it.effect("adaptive: a 429 with Retry-After pauses the whole origin, not just that call", () =>
    Effect.gen(function*() {
      const limited = yield* Effect.flip(HttpResilient.get("http://a.test/first"))
      assert.strictEqual(limited._tag === "StatusError" && limited.status, 429)
      const fibers = yield* forkCalls(["http://a.test/second", "http://a.test/third"])
      assert.strictEqual((yield* HttpResilient.get("http://b.test/")).status, 200)
      yield* TestClock.adjust("1999 millis")
      assert.isTrue(fibers.every((f) => f.pollUnsafe() === undefined))
      yield* TestClock.adjust("1 millis")
      yield* Effect.forEach(fibers, Fiber.join)
      const sent = yield* HttpResilientTest.requests
      assert.deepStrictEqual(sent.map((r) => `${r.url}@${r.at}`).sort(), [
        "http://a.test/first@0",
        "http://a.test/second@2000",
        "http://a.test/third@2000",
        "http://b.test/@0"
      ])
      // a pause that would pass the deadline fails at once
      yield* Effect.flip(HttpResilient.get("http://a.test/first"))
      const error = yield* Effect.flip(HttpResilient.get("http://a.test/x", { deadline: "1 second" }))
      assert.strictEqual(error._tag, "RateLimitedError")
    }).pipe(Effect.provide(HttpResilientTest.layer(
      (request) =>
        request.url.endsWith("/first")
          ? HttpResilientTest.reply(429, { headers: { "retry-after": "2" } })
          : HttpResilientTest.reply(200),
      { rateLimiter: { adaptive: true } }
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
