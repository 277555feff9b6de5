/**
 * Inside the protections' region (bulkhead, breaker, rate limiter on), the part of an attempt after the slot is taken
 * runs without an interruptible region of its own: each of its waits is made interruptible where it waits (the
 * transport, an `acceptResponse` effect, the cookie jar, a streamed response's head). Each test interrupts a call
 * while it waits there and checks that the interruption ends it at once (virtual time does not move: a wait that
 * could not be interrupted would keep the interrupter waiting) and that the bulkhead slot and the breaker's probe
 * are given back (the next call goes through). The fibers are daemons, so that a wait that could not be
 * interrupted fails its test rather than hanging it.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Stream, TestClock } from "effect"
import { CircuitBreaker, HttpResilient, HttpResilientTest, type ResilientClient } from "../src/index.js"

/** Lets forked fibers run up to their first suspension. */
const settle = Effect.repeatN(Effect.yieldNow(), 20)

/** One slot, no queue: a slot that was not given back refuses the next call. */
const oneSlot: ResilientClient.ClientOptions = { bulkhead: { maxConcurrent: 1, maxQueue: 0 } }

/** Interrupts `fiber` and asserts it ended without the clock moving; returns its exit. */
const interruptNow = <A, E>(fiber: Fiber.RuntimeFiber<A, E>) =>
  Effect.gen(function*() {
    const interrupter = yield* Effect.forkDaemon(Fiber.interrupt(fiber))
    yield* settle
    const done = interrupter.unsafePoll()
    assert.isNotNull(done, "the interruption is still waiting for the attempt's wait to end")
    const exit = yield* Fiber.await(fiber)
    assert.isTrue(Exit.isInterrupted(exit))
    return exit
  })

describe("interruption reaches every wait of an attempt inside the protections' region", () => {
  it.effect("the transport's wait (a transport of the user's)", () =>
    Effect.gen(function*() {
      const slow = yield* Effect.forkDaemon(HttpResilient.get("http://api.test/slow"))
      yield* settle
      assert.strictEqual((yield* HttpResilientTest.requests).length, 1)
      yield* interruptNow(slow)
      // the slot came back: the next call is let in and answered
      const next = yield* HttpResilient.get("http://api.test/fast")
      assert.strictEqual(next.status, 200)
    }).pipe(
      Effect.provide(HttpResilientTest.layer(
        (request) => HttpResilientTest.reply(200, { delay: request.url.endsWith("/slow") ? "1 hour" : 0 }),
        oneSlot
      ))
    ))

  it.effect("an acceptResponse effect", () =>
    Effect.gen(function*() {
      const checking = yield* Effect.forkDaemon(
        HttpResilient.get("http://api.test/a", {
          acceptResponse: () => Effect.as(Effect.sleep("1 hour"), true)
        })
      )
      yield* settle
      yield* interruptNow(checking)
      const next = yield* HttpResilient.get("http://api.test/b")
      assert.strictEqual(next.status, 200)
    }).pipe(Effect.provide(HttpResilientTest.layer(() => HttpResilientTest.reply(200), oneSlot))))

  it.effect("the cookie jar", () =>
    Effect.gen(function*() {
      let hanging = true
      const jar = {
        getCookieString: () => hanging ? new Promise<string>(() => {}) : Promise.resolve(""),
        setCookie: () => Promise.resolve(undefined)
      }
      const program = Effect.gen(function*() {
        const waiting = yield* Effect.forkDaemon(HttpResilient.get("http://api.test/a"))
        yield* settle
        yield* interruptNow(waiting)
        hanging = false
        const next = yield* HttpResilient.get("http://api.test/b")
        assert.strictEqual(next.status, 200)
        // the interrupted call sent nothing
        assert.deepStrictEqual((yield* HttpResilientTest.requests).map((r) => r.url), ["http://api.test/b"])
      })
      yield* program.pipe(
        Effect.provide(HttpResilientTest.layer(() => HttpResilientTest.reply(200), { ...oneSlot, cookies: jar }))
      )
    }))

  it.scoped("a streamed response's head", () =>
    Effect.gen(function*() {
      const opening = yield* Effect.forkDaemon(Stream.runDrain(HttpResilient.stream("http://api.test/slow")))
      yield* settle
      yield* interruptNow(opening)
      const next = yield* Stream.runCollect(HttpResilient.stream("http://api.test/fast"))
      assert.isAbove(next.length, 0)
    }).pipe(
      Effect.provide(HttpResilientTest.layer(
        (request) => HttpResilientTest.reply(200, { body: "ok", delay: request.url.endsWith("/slow") ? "1 hour" : 0 }),
        oneSlot
      ))
    ))

  it.effect("a breaker's half-open probe that is interrupted is given back", () =>
    Effect.gen(function*() {
      // three 503s open the breaker; after its open time the next call is the one probe
      for (let i = 0; i < 3; i++) yield* Effect.exit(HttpResilient.get("http://api.test/down"))
      yield* TestClock.adjust("1 minute")
      const probe = yield* Effect.forkDaemon(HttpResilient.get("http://api.test/slow"))
      yield* settle
      yield* interruptNow(probe)
      // the probe's ticket was recorded (as neither success nor failure): another probe may go
      const next = yield* HttpResilient.get("http://api.test/fast")
      assert.strictEqual(next.status, 200)
    }).pipe(
      Effect.provide(HttpResilientTest.layer(
        (request) =>
          request.url.endsWith("/down")
            ? HttpResilientTest.reply(503)
            : HttpResilientTest.reply(200, { delay: request.url.endsWith("/slow") ? "1 hour" : 0 }),
        { circuitBreaker: { strategy: CircuitBreaker.consecutive(3), breakDuration: "30 seconds" } }
      ))
    ))
})
