import { assert, describe, it } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, Fiber, Layer, TestClock } from "effect"
import { HttpResilient, HttpResilientTest, ResilientClient } from "../src/index.js"
import { failureTag } from "./support/events.js"
import { serverScoped } from "./support/server.js"

/** A slow server that counts the requests it is handling at once. */
const slowServer = (delayMs: number) =>
  Effect.gen(function*() {
    const stats = { inFlight: 0, maxInFlight: 0 }
    const server = yield* serverScoped((_req, res) => {
      stats.inFlight++
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight)
      setTimeout(() => {
        stats.inFlight--
        res.end("ok")
      }, delayMs)
    })
    return { server, stats }
  })

/** Lets forked fibers run up to their first suspension. */
const settle = Effect.repeatN(Effect.yieldNow(), 20)

describe("Bulkhead", () => {
  it.scoped("maxConcurrent 10 with a queue: 200 concurrent calls never put more than 10 in flight", () =>
    Effect.gen(function*() {
      const { server, stats } = yield* slowServer(15)
      const results = yield* Effect.all(
        Array.from({ length: 200 }, (_, i) => Effect.exit(HttpResilient.get(`${server.url}/${i}`))),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(results.filter(Exit.isSuccess).length, 200)
      assert.strictEqual(server.count(), 200)
      assert.strictEqual(stats.maxInFlight, 10)
    }).pipe(Effect.provide(ResilientClient.layer({ bulkhead: { maxConcurrent: 10, maxQueue: 190 } }))))

  it.scoped("no queue (the default): calls beyond the limit fail at once with BulkheadRejectedError", () =>
    Effect.gen(function*() {
      const { server, stats } = yield* slowServer(50)
      const results = yield* Effect.all(
        Array.from({ length: 200 }, () => Effect.exit(HttpResilient.get(`${server.url}/x`))),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(results.filter(Exit.isSuccess).length, 10)
      assert.strictEqual(results.filter((e) => failureTag(e) === "BulkheadRejectedError").length, 190)
      assert.strictEqual(server.count(), 10)
      assert.isAtMost(stats.maxInFlight, 10)
      const rejected = results.find((e) => failureTag(e) === "BulkheadRejectedError")!
      const error = Cause.failureOption((rejected as Exit.Failure<unknown, any>).cause)
      assert.match(
        error._tag === "Some" ? error.value.message : "",
        /^Bulkhead full \(10 running, 0 queued\): GET http:\/\/127\.0\.0\.1:\d+\/x \(attempt 1\)$/
      )
      // the slots came back
      const after = yield* Effect.all(
        Array.from({ length: 10 }, () => Effect.exit(HttpResilient.get(`${server.url}/x`))),
        { concurrency: "unbounded" }
      )
      assert.isTrue(after.every(Exit.isSuccess))
    }).pipe(Effect.provide(ResilientClient.layer({ bulkhead: { maxConcurrent: 10 } }))))

  it.effect("queueTimeout (on the Clock) rejects a call that waited too long; an interrupted waiter leaves", () =>
    Effect.gen(function*() {
      // /1 takes 1.5 s to answer: it holds the only slot meanwhile
      const first = yield* Effect.fork(HttpResilient.get("http://api.test/1"))
      yield* settle
      const queued = yield* Effect.fork(HttpResilient.get("http://api.test/2"))
      yield* settle
      const interrupted = yield* Effect.fork(HttpResilient.get("http://api.test/3"))
      yield* settle
      const full = yield* Effect.flip(HttpResilient.get("http://api.test/4"))
      assert.strictEqual(full._tag, "BulkheadRejectedError")
      assert.strictEqual(full._tag === "BulkheadRejectedError" && full.queued, 2)
      yield* Fiber.interrupt(interrupted)
      yield* TestClock.adjust("999 millis")
      assert.isNull(queued.unsafePoll())
      yield* TestClock.adjust("1 millis")
      const timedOut = yield* Fiber.await(queued)
      assert.strictEqual(failureTag(timedOut), "BulkheadRejectedError")
      assert.strictEqual(full._tag === "BulkheadRejectedError" && full.reason, "full")
      // the queue is empty again; the running call finishes and its slot goes to the next caller
      const next = yield* Effect.fork(HttpResilient.get("http://api.test/5"))
      yield* settle
      assert.strictEqual((yield* HttpResilientTest.requests).length, 1)
      yield* TestClock.adjust("500 millis")
      assert.strictEqual((yield* Fiber.join(first)).status, 200)
      assert.strictEqual((yield* Fiber.join(next)).status, 200)
      const sent = yield* HttpResilientTest.requests
      assert.deepStrictEqual(sent.map((r) => [r.url, r.at]), [["http://api.test/1", 0], ["http://api.test/5", 1500]])
    }).pipe(
      Effect.provide(HttpResilientTest.layer(
        (request) => HttpResilientTest.reply(200, { delay: request.url.endsWith("/1") ? "1500 millis" : 0 }),
        { bulkhead: { maxConcurrent: 1, maxQueue: 2, queueTimeout: "1 second" } }
      ))
    ))

  it.effect("a queue timeout says so, and for how long; a full queue says full", () =>
    Effect.gen(function*() {
      const first = yield* Effect.fork(HttpResilient.get("http://api.test/1"))
      yield* settle
      const second = yield* Effect.fork(HttpResilient.get("http://api.test/2"))
      yield* settle
      yield* TestClock.adjust("50 millis")
      const error = yield* Fiber.join(second).pipe(Effect.flip)
      assert.strictEqual(error._tag, "BulkheadRejectedError")
      if (error._tag !== "BulkheadRejectedError") return
      assert.strictEqual(error.reason, "queue-timeout")
      assert.strictEqual(error.limit, 1)
      assert.strictEqual(error.queued, 0)
      assert.deepStrictEqual(error.queueTimeout, Duration.millis(50))
      assert.strictEqual(
        error.message,
        "Bulkhead queue wait timed out after 50ms (1 running, 0 queued): GET http://api.test/2 (attempt 1)"
      )
      assert.strictEqual((yield* HttpResilientTest.requests).length, 1, "the timed-out call sent nothing")
      yield* TestClock.adjust("150 millis")
      assert.strictEqual((yield* Fiber.join(first)).status, 200)
    }).pipe(
      Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200, { delay: "200 millis" })], {
        bulkhead: { maxConcurrent: 1, maxQueue: 5, queueTimeout: "50 millis" }
      }))
    ))

  it.effect("a queued call's attempt timeout starts when it leaves the queue", () =>
    Effect.gen(function*() {
      // each answer takes 9 s; the attempt timeout is 10 s
      const first = yield* Effect.fork(HttpResilient.get("http://api.test/1", { timeout: "10 seconds" }))
      yield* settle
      const second = yield* Effect.fork(HttpResilient.get("http://api.test/2", { timeout: "10 seconds" }))
      yield* settle
      yield* TestClock.adjust("9 seconds")
      assert.strictEqual((yield* Fiber.join(first)).status, 200)
      // 9 s in the queue do not count: the second attempt has its whole 10 s (counted from the queue, it would have
      // timed out at 10 s)
      yield* TestClock.adjust("8999 millis")
      assert.isNull(second.unsafePoll())
      yield* TestClock.adjust("1 millis")
      assert.strictEqual((yield* Fiber.join(second)).status, 200)
      const sent = yield* HttpResilientTest.requests
      assert.deepStrictEqual(sent.map((r) => r.at), [0, 9000])
    }).pipe(
      Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200, { delay: "9 seconds" })], {
        bulkhead: { maxConcurrent: 1, maxQueue: 1 }
      }))
    ))

  it.effect("bad options fail the layer with a ConfigError naming the option", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Layer.build(ResilientClient.layer({ bulkhead: { maxConcurrent: 0, maxQueue: -1, queueTimeout: "x" } as any }))
          .pipe(Effect.scoped)
      )
      const text = String(error)
      assert.include(text, "bulkhead.maxConcurrent: 0 is not an integer ≥ 1")
      assert.include(text, "bulkhead.maxQueue: -1 is not an integer ≥ 0")
      assert.include(text, `bulkhead.queueTimeout: "x" is not a finite duration`)
      const notObject = yield* Effect.flip(
        Layer.build(ResilientClient.layer({ bulkhead: 5 as any })).pipe(Effect.scoped)
      )
      assert.include(String(notObject), "bulkhead: 5 is not false or { maxConcurrent, maxQueue, queueTimeout }")
    }))
})
