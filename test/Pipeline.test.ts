import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer, Option, Stream, TestClock } from "effect"
import { HttpResilient, HttpResilientTest, ResilientClient, RetryPolicy, Transport } from "../src/index.js"
import type { Attempt } from "../src/internal/attempt.js"
import { resolveConfig } from "../src/internal/config.js"
import { Protections } from "../src/internal/protections.js"
import { breaker } from "../src/internal/stage/breaker.js"
import { bulkhead } from "../src/internal/stage/bulkhead.js"
import { interceptors, requestInterceptors } from "../src/internal/stage/interceptors.js"
import { protect } from "../src/internal/stage/protect.js"
import { rateLimit } from "../src/internal/stage/rateLimit.js"

/** A transport that answers every request at once with a 200, noting the timeout each request was given. */
const recording = () => {
  const timeouts: Array<{ readonly verb: "send" | "stream"; readonly timeoutMillis: number }> = []
  const service: Transport.TransportService = {
    send: (request) =>
      Effect.sync(() => {
        timeouts.push({ verb: "send", timeoutMillis: request.timeoutMillis })
        return {
          status: 200,
          statusText: "OK",
          headers: {},
          setCookie: [],
          body: new Uint8Array(0),
          url: request.url.href
        }
      }),
    stream: (request) =>
      Effect.sync(() => {
        timeouts.push({ verb: "stream", timeoutMillis: request.timeoutMillis })
        // an event stream ends at once (204), a download is empty
        const status = request.headers.accept === "text/event-stream" ? 204 : 200
        return { status, statusText: "", headers: {}, setCookie: [], url: request.url.href, body: Stream.empty }
      }),
    warmUp: () => Effect.void
  }
  return {
    timeouts,
    layer: Layer.provide(ResilientClient.layerWithTransport({}), Layer.succeed(Transport.Transport, service))
  }
}

describe("the attempt pipeline", () => {
  it.effect("a streamed attempt's timeout is clipped to the enclosing deadline, like a buffered one's", () => {
    const { layer, timeouts } = recording()
    return Effect.gen(function*() {
      // the client's timeout is 10 s; the deadline around the calls leaves 2 s (virtual time stands still)
      yield* HttpResilient.get("http://api.test/a").pipe(HttpResilient.withDeadline("2 seconds"))
      yield* Stream.runDrain(HttpResilient.stream("http://api.test/b")).pipe(HttpResilient.withDeadline("2 seconds"))
      yield* Stream.runDrain(HttpResilient.sse("http://api.test/c", { retry: false })).pipe(
        HttpResilient.withDeadline("2 seconds")
      )
      // without a deadline around it, the client's timeout
      yield* Stream.runDrain(HttpResilient.stream("http://api.test/d"))
      assert.deepStrictEqual(timeouts, [
        { verb: "send", timeoutMillis: 2000 },
        { verb: "stream", timeoutMillis: 2000 },
        { verb: "stream", timeoutMillis: 2000 },
        { verb: "stream", timeoutMillis: 10_000 }
      ])
    }).pipe(Effect.provide(layer))
  })

  it("a stage whose feature is off is the next stage itself", () => {
    const config = resolveConfig({ circuitBreaker: false, bulkhead: false, retryBudget: false })
    assert.strictEqual(config._tag, "Right")
    if (config._tag !== "Right") return
    const off = new Protections(config.right.protections, () => {}, undefined, 10)
    const next: Attempt<any> = () => Effect.die("not run")
    assert.strictEqual(protect(off)(next), next)
    assert.strictEqual(rateLimit(off.rateLimiter)(next), next)
    assert.strictEqual(bulkhead(off.bulkhead)(next), next)
    assert.strictEqual(breaker(off)(next), next)
    assert.strictEqual(interceptors(config.right)(next), next)
    assert.strictEqual(requestInterceptors(config.right)(next), next)
    // on by default: each wraps the next
    const defaults = resolveConfig({})
    if (defaults._tag !== "Right") return assert.fail("the defaults resolve")
    const on = new Protections(defaults.right.protections, () => {}, undefined, 10)
    assert.notStrictEqual(protect(on)(next), next)
    assert.notStrictEqual(bulkhead(on.bulkhead)(next), next)
    assert.notStrictEqual(breaker(on)(next), next)
  })
})

describe("an attempt made to wait by the protections", () => {
  it.effect("is given, after a wait in the bulkhead queue, what is left before its policy's deadline", () =>
    Effect.gen(function*() {
      // the first call holds the only slot for 1 s; the second waits for it, then its server takes 800 ms more
      const client = HttpResilientTest.layer(
        (request) =>
          HttpResilientTest.reply(200, { delay: request.url.endsWith("/first") ? "1 second" : "800 millis" }),
        { bulkhead: { maxConcurrent: 1, maxQueue: 1 }, deadline: "1500 millis" }
      )
      return yield* Effect.gen(function*() {
        const first = yield* Effect.fork(HttpResilient.get("http://api.test/first"))
        const second = yield* Effect.fork(
          Effect.flip(HttpResilient.get("http://api.test/second", { retry: RetryPolicy.make({ retries: 0 }) }))
        )
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(first)
        // let through at 1 s, its timeout clipped to the 500 ms left of the 1.5 s deadline: it times out at 1.5 s
        yield* TestClock.adjust("500 millis")
        // (it used to be given the 1.5 s it had before the wait, and ran on past its deadline)
        const done = yield* Fiber.poll(second)
        assert.isTrue(Option.isSome(done), "ended at the deadline")
        const error = yield* Fiber.join(second)
        assert.strictEqual(error._tag, "TimeoutError")
        if (error._tag !== "TimeoutError") return
        assert.strictEqual(error.scope, "deadline")
        assert.strictEqual(Duration.toMillis(error.timeout), 500)
      }).pipe(Effect.provide(client))
    }))
})
