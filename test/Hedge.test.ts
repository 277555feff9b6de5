import { assert, describe, it } from "@effect/vitest"
import { Chunk, type Duration, Effect, Exit, Fiber, Layer, Queue, TestClock } from "effect"
import type { Socket } from "node:net"
import { HttpResilient, HttpResilientTest, ResilientClient } from "../src/index.js"
import { serverScoped, waitUntil } from "./support/server.js"

const slowThenFast = (slow: Duration.DurationInput = "1 second"): HttpResilientTest.Script => (_request, index) =>
  index === 0
    ? HttpResilientTest.reply(200, { body: "slow", delay: slow })
    : HttpResilientTest.reply(200, { body: "fast" })

const times = Effect.map(HttpResilientTest.requests, (requests) => requests.map((r) => r.at))

/** A hedged GET of the scripted endpoint, its body read as text, in a fiber of its own. */
const forkHedgedText = (options: Parameters<typeof HttpResilient.hedge>[0]) =>
  HttpResilient.get("http://api.test/x").pipe(
    HttpResilient.hedge(options),
    Effect.flatMap(HttpResilient.text),
    Effect.fork
  )

describe("HttpResilient.hedge", () => {
  it.effect("no answer after delay: a second request goes out, the first success wins", () =>
    Effect.gen(function*() {
      const events = yield* ResilientClient.subscribe
      const fiber = yield* forkHedgedText({ delay: "50 millis" })
      yield* TestClock.adjust("49 millis")
      assert.deepStrictEqual(yield* times, [0])
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* Fiber.join(fiber), "fast")
      assert.deepStrictEqual(yield* times, [0, 50])
      const scheduled = Chunk.toArray(yield* Queue.takeAll(events)).filter((e) => e._tag === "RetryScheduled")
      assert.strictEqual(scheduled.length, 1)
      assert.strictEqual(scheduled[0]._tag === "RetryScheduled" && scheduled[0].reason, "hedge")
      // the slow copy was interrupted: nothing more happens when its time comes
      yield* TestClock.adjust("2 seconds")
      assert.deepStrictEqual(yield* times, [0, 50])
    }).pipe(Effect.scoped, Effect.provide(HttpResilientTest.layer(slowThenFast()))))

  it.effect("an answer before the delay: no hedge", () =>
    Effect.gen(function*() {
      const fiber = yield* forkHedgedText({ delay: "50 millis" })
      yield* TestClock.adjust("49 millis")
      assert.strictEqual(yield* Fiber.join(fiber), "slow")
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* times, [0])
    }).pipe(Effect.provide(HttpResilientTest.layer(slowThenFast("49 millis")))))

  it.effect("maxHedges: one more copy every delay until one answers", () =>
    Effect.gen(function*() {
      const fiber = yield* forkHedgedText({ delay: "50 millis", maxHedges: 3 })
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), "third")
      assert.deepStrictEqual(yield* times, [0, 50, 100])
    }).pipe(Effect.provide(HttpResilientTest.layer([
      HttpResilientTest.reply(200, { body: "first", delay: "1 second" }),
      HttpResilientTest.reply(200, { body: "second", delay: "1 second" }),
      HttpResilientTest.reply(200, { body: "third", delay: "10 millis" })
    ]))))

  it.effect("a POST without an Idempotency-Key is sent once; with one it is hedged", () =>
    Effect.gen(function*() {
      const plain = yield* HttpResilient.post("http://api.test/orders", { json: { sku: "A1" } }).pipe(
        HttpResilient.hedge({ delay: "50 millis" }),
        Effect.flatMap(HttpResilient.text),
        Effect.fork
      )
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(plain), "slow")
      assert.strictEqual((yield* times).length, 1)
      const keyed = yield* HttpResilient.post("http://api.test/orders", {
        json: { sku: "A1" },
        headers: { "Idempotency-Key": "order-1" }
      }).pipe(HttpResilient.hedge({ delay: "50 millis" }), Effect.flatMap(HttpResilient.text), Effect.fork)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(keyed), "fast")
      assert.deepStrictEqual(yield* times, [0, 1000, 1050])
    }).pipe(Effect.provide(HttpResilientTest.layer((_request, index) =>
      index === 0 || index === 1
        ? HttpResilientTest.reply(200, { body: "slow", delay: "1 second" })
        : HttpResilientTest.reply(200, { body: "fast" })
    ))))

  it.effect("the copies of a hedged call with idempotencyKey: true send one key; separate calls get their own", () =>
    Effect.gen(function*() {
      const options = { json: { sku: "A1" }, idempotencyKey: true }
      const hedged = HttpResilient.post("http://api.test/orders", options).pipe(
        HttpResilient.hedge({ delay: "50 millis" }),
        Effect.flatMap(HttpResilient.text)
      )
      const first = yield* Effect.fork(hedged)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(first), "fast")
      const second = yield* Effect.fork(hedged)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(second), "slow")
      const keys = (yield* HttpResilientTest.requests).map((r) => r.headers["idempotency-key"])
      assert.strictEqual(keys.length, 3)
      assert.isString(keys[0])
      assert.strictEqual(keys[1], keys[0])
      assert.notStrictEqual(keys[2], keys[0])
    }).pipe(Effect.provide(HttpResilientTest.layer((_request, index) =>
      index === 0 || index === 2
        ? HttpResilientTest.reply(200, { body: "slow", delay: index === 0 ? "1 second" : "10 millis" })
        : HttpResilientTest.reply(200, { body: "fast" })
    ))))

  it.effect("hedges spend from the retry budget: none when it is empty", () =>
    Effect.gen(function*() {
      const events = yield* ResilientClient.subscribe
      const fiber = yield* forkHedgedText({ delay: "50 millis" })
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), "slow")
      assert.deepStrictEqual(yield* times, [0])
      const tags = Chunk.toArray(yield* Queue.takeAll(events)).map((e) => e._tag)
      assert.include(tags, "RetryBudgetExhausted")
      assert.notInclude(tags, "RetryScheduled")
    }).pipe(
      Effect.scoped,
      Effect.provide(HttpResilientTest.layer(slowThenFast(), { retryBudget: { ratio: 0, minRetriesPerSecond: 0 } }))
    ))

  it.effect("a copy that fails does not end the call while another runs; all failing fails with the first", () =>
    Effect.gen(function*() {
      // the first fails after 80 ms, the hedge (sent at 50 ms) answers at 150 ms
      const fiber = yield* forkHedgedText({ delay: "50 millis" })
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), "late")
    }).pipe(Effect.provide(HttpResilientTest.layer([
      HttpResilientTest.reply(503, { delay: "80 millis" }),
      HttpResilientTest.reply(200, { body: "late", delay: "100 millis" })
    ]))))

  it.effect("a failure before the delay fails the call at once, without a hedge", () =>
    Effect.gen(function*() {
      const fiber = yield* HttpResilient.get("http://api.test/x").pipe(
        HttpResilient.hedge({ delay: "50 millis" }),
        Effect.fork
      )
      yield* TestClock.adjust("10 millis")
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* Effect.flip(exit)
      assert.strictEqual(error._tag, "StatusError")
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* times, [0])
    }).pipe(Effect.provide(HttpResilientTest.layer([
      HttpResilientTest.reply(503, { delay: "10 millis" }),
      HttpResilientTest.reply(200)
    ]))))

  it.effect("every copy failing: the call fails with the earliest failure", () =>
    Effect.gen(function*() {
      const fiber = yield* HttpResilient.get("http://api.test/x").pipe(
        HttpResilient.hedge({ delay: "50 millis" }),
        Effect.fork
      )
      yield* TestClock.adjust("1 second")
      const error = yield* Effect.flip(Fiber.join(fiber))
      // the hedge failed at 60 ms, before the first copy (100 ms)
      assert.strictEqual(error._tag === "StatusError" && error.status, 500)
    }).pipe(Effect.provide(HttpResilientTest.layer([
      HttpResilientTest.reply(503, { delay: "100 millis" }),
      HttpResilientTest.reply(500, { delay: "10 millis" })
    ]))))

  it.scopedLive("the losing copy's socket is aborted (real loopback server, real time)", () =>
    Effect.gen(function*() {
      const sockets: Array<Socket> = []
      const server = yield* serverScoped((req, res) => {
        sockets.push(req.socket)
        if (sockets.length > 1) res.end("fast")
      })
      const fiber = yield* HttpResilient.get(`${server.url}/x`).pipe(
        HttpResilient.hedge({ delay: "50 millis" }),
        Effect.flatMap(HttpResilient.text),
        Effect.fork
      )
      // the first request is never answered: the copy sent after 50 ms wins
      assert.strictEqual(yield* Fiber.join(fiber), "fast")
      assert.strictEqual(server.count(), 2)
      assert.notStrictEqual(sockets[0], sockets[1])
      // the first request's connection is closed by the client; the winner's stays open in the pool
      yield* waitUntil(() => sockets[0].destroyed && !server.sockets.has(sockets[0]))
      assert.isFalse(sockets[1].destroyed)
    }).pipe(Effect.provide(ResilientClient.layer({}))))

  it.scopedLive("an answer that arrived while the event loop was busy wins: no hedge is sent for it (real time)", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.end("answer")
        // the answer is on its way; the event loop stays busy past the hedge delay (as under load), so the hedge
        // timer has expired when the loop next turns, with the answer waiting to be read
        const until = performance.now() + 150
        while (performance.now() < until) {
          // busy
        }
      })
      for (let i = 0; i < 5; i++) {
        const body = yield* HttpResilient.get(`${server.url}/${i}`).pipe(
          HttpResilient.hedge({ delay: "20 millis" }),
          Effect.flatMap(HttpResilient.text)
        )
        assert.strictEqual(body, "answer")
      }
      // one request per call: the expired timer looked again after the waiting answer was read
      assert.strictEqual(server.count(), 5)
    }).pipe(Effect.provide(ResilientClient.layer({}))))

  it.effect("the client option hedge: every idempotent attempt is hedged, a POST is not", () =>
    Effect.gen(function*() {
      const get = yield* HttpResilient.get("http://api.test/x").pipe(Effect.flatMap(HttpResilient.text), Effect.fork)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(get), "fast")
      assert.deepStrictEqual(yield* times, [0, 20])
      const post = yield* HttpResilient.post("http://api.test/x", { text: "x" }).pipe(
        Effect.flatMap(HttpResilient.text),
        Effect.fork
      )
      yield* TestClock.adjust("2 seconds")
      assert.strictEqual(yield* Fiber.join(post), "slow")
      assert.deepStrictEqual(yield* times, [0, 20, 1000])
    }).pipe(Effect.provide(HttpResilientTest.layer(
      (_request, index) =>
        index === 0 || index === 2
          ? HttpResilientTest.reply(200, { body: "slow", delay: "1 second" })
          : HttpResilientTest.reply(200, { body: "fast" }),
      { hedge: { delay: "20 millis" } }
    ))))

  it.effect("a bad client option hedge fails the layer with a ConfigError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Layer.build(ResilientClient.layer({ hedge: { delay: "x", maxHedges: 99 } as any })).pipe(Effect.scoped)
      )
      assert.include(String(error), `hedge.delay: "x" is not a finite duration`)
      assert.include(String(error), "hedge.maxHedges: 99 is not an integer from 1 to 16")
      const missing = yield* Effect.flip(Layer.build(ResilientClient.layer({ hedge: {} as any })).pipe(Effect.scoped))
      assert.include(String(missing), "hedge.delay: missing")
    }))

  it("bad options throw a RangeError naming the option", () => {
    assert.throws(() => HttpResilient.hedge({ delay: "soon" as any }), /hedge: delay "soon" is not a finite/)
    assert.throws(() => HttpResilient.hedge({ delay: 10, maxHedges: 0 }), /maxHedges 0 is not an integer from 1 to 16/)
    // as the client option: at least 1 ms, finite, and the value shown as given
    for (const delay of [0, -5, "0 millis", "-1 millis"] as Array<any>) {
      assert.throws(() => HttpResilient.hedge({ delay }), /is not a finite duration of at least 1 millisecond/)
    }
    assert.throws(() => HttpResilient.hedge({ delay: Infinity }), /hedge: delay Infinity is not a finite duration/)
    assert.throws(
      () => HttpResilient.hedge({ delay: 10, maxHedge: 2 } as any),
      `HttpResilient.hedge: unknown option "maxHedge" (known: delay, maxHedges; did you mean "maxHedges"?)`
    )
  })
})
