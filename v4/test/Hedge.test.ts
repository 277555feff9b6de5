import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, PubSub } from "effect"
import {
  HttpResilient,
  HttpResilientTest,
  ResilientClient,
  ResilientEvent,
  RetryBudget
} from "effect-http-resilient/v4"
import { TestClock } from "effect/testing"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

/** A loopback server on a free port: the first request answered after `slowMillis`, the others at once. */
const slowFirst = (slowMillis: number) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<{ url: string; count: () => number; close: () => void }>((resolve) => {
        let n = 0
        const timers: Array<ReturnType<typeof setTimeout>> = []
        const s = createServer((_req, res) => {
          const reply = () => res.writeHead(200).end(n === 1 ? "slow" : "fast")
          if (++n === 1) timers.push(setTimeout(() => res.writeHead(200).end("slow"), slowMillis))
          else reply()
        })
        s.listen(0, "127.0.0.1", () => {
          const port = (s.address() as AddressInfo).port
          resolve({
            url: `http://127.0.0.1:${port}/x`,
            count: () => n,
            close: () => {
              for (const t of timers) clearTimeout(t)
              s.closeAllConnections()
              s.close()
            }
          })
        })
      })
    ),
    (s) => Effect.sync(() => s.close())
  )

const url = "http://api.test/users/1"

describe("hedging (the root entry's option and semantics)", () => {
  it.live("real server, real time: a slow first reply, the hedge sent after the delay answers first", () =>
    Effect.gen(function*() {
      const api = yield* slowFirst(5_000)
      const started = Date.now()
      const response = yield* HttpResilient.get(api.url)
      const text = yield* response.text
      const took = Date.now() - started
      assert.strictEqual(text, "fast")
      assert.strictEqual(api.count(), 2)
      assert.isBelow(took, 3_000, `took ${took} ms`)
      assert.isAtLeast(took, 90, `took ${took} ms`)
    }).pipe(
      Effect.scoped,
      Effect.provide(ResilientClient.layer({ hedge: { delay: "100 millis" } }))
    ))

  it.live("real server, real time: HttpResilient.hedge around one call", () =>
    Effect.gen(function*() {
      const api = yield* slowFirst(5_000)
      const text = yield* HttpResilient.get(api.url).pipe(
        HttpResilient.hedge({ delay: "100 millis" }),
        Effect.flatMap((r) => r.text)
      )
      assert.strictEqual(text, "fast")
      assert.strictEqual(api.count(), 2)
    }).pipe(Effect.scoped, Effect.provide(ResilientClient.layer())))

  it.effect("TestClock: the hedge is sent exactly after the delay; the slow copy is interrupted", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(HttpResilient.get(url))
      yield* TestClock.adjust("99 millis")
      assert.strictEqual((yield* HttpResilientTest.requests).length, 1)
      yield* TestClock.adjust("1 millis")
      const response = yield* Fiber.join(fiber)
      assert.strictEqual(yield* response.text, "fast")
      const sent = yield* HttpResilientTest.requests
      assert.deepStrictEqual(sent.map((r) => r.at), [0, 100])
    }).pipe(
      Effect.provide(
        HttpResilientTest.layer(
          (_request, index) =>
            index === 0
              ? HttpResilientTest.reply(200, { body: "slow", delay: "10 seconds" })
              : HttpResilientTest.reply(200, { body: "fast" }),
          { hedge: { delay: "100 millis" } }
        )
      )
    ))

  it.effect("a hedge is announced (RetryScheduled reason hedge) and paid from the origin's retry budget", () =>
    Effect.gen(function*() {
      const seen: Array<ResilientEvent.ResilientEvent> = []
      const before = yield* RetryBudget.availableFor(url)
      yield* Effect.scoped(Effect.gen(function*() {
        const sub = yield* ResilientClient.subscribe
        const fiber = yield* Effect.forkChild(HttpResilient.get(url))
        yield* TestClock.adjust("100 millis")
        yield* Fiber.join(fiber)
        seen.push(...(yield* PubSub.takeAll(sub)))
      }))
      const hedges = seen.filter((e) => e._tag === "RetryScheduled")
      assert.strictEqual(hedges.length, 1)
      assert.strictEqual(hedges[0]._tag === "RetryScheduled" ? hedges[0].reason : "", "hedge")
      assert.strictEqual(yield* RetryBudget.availableFor(url), before - 1)
    }).pipe(
      Effect.provide(
        HttpResilientTest.layer(
          (_request, index) =>
            index === 0 ? HttpResilientTest.reply(200, { delay: "10 seconds" }) : HttpResilientTest.reply(200),
          { hedge: { delay: "100 millis" } }
        )
      )
    ))

  it.effect("an empty budget sends no hedge (RetryBudgetExhausted): the call waits for its one copy", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(HttpResilient.get(url))
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* HttpResilientTest.requests).length, 1)
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual((yield* Fiber.join(fiber)).status, 200)
      assert.strictEqual((yield* HttpResilientTest.requests).length, 1)
    }).pipe(
      Effect.provide(
        HttpResilientTest.layer([HttpResilientTest.reply(200, { delay: "5 seconds" })], {
          hedge: { delay: "100 millis" },
          retryBudget: { ratio: 0, minRetriesPerSecond: 0 }
        })
      )
    ))

  it.effect("a POST without an Idempotency-Key is not hedged; with one it is", () =>
    Effect.gen(function*() {
      const plain = yield* Effect.forkChild(HttpResilient.post(url, { json: { a: 1 } }))
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* HttpResilientTest.requests).length, 1)
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(plain)
      const keyed = yield* Effect.forkChild(HttpResilient.post(url, { json: { a: 1 }, idempotencyKey: true }))
      yield* TestClock.adjust("100 millis")
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(keyed)
      const sent = yield* HttpResilientTest.requests
      assert.strictEqual(sent.length, 3)
      // the copies send the same generated key
      assert.strictEqual(sent[1].headers["idempotency-key"], sent[2].headers["idempotency-key"])
    }).pipe(
      Effect.provide(
        HttpResilientTest.layer([HttpResilientTest.reply(200, { delay: "5 seconds" })], {
          hedge: { delay: "100 millis" }
        })
      )
    ))

  it.effect("when every copy fails the call fails with the earliest failure", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(Effect.flip(HttpResilient.get(url)))
      yield* TestClock.adjust("100 millis")
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "StatusError")
      if (error._tag === "StatusError") assert.strictEqual(error.status, 503)
      // the first copy's 503 did not end the call while the hedge ran
      assert.strictEqual((yield* HttpResilientTest.requests).length, 2)
    }).pipe(
      Effect.provide(
        HttpResilientTest.layer(
          (_request, index) =>
            index === 0
              ? HttpResilientTest.reply(503, { delay: "200 millis" })
              : HttpResilientTest.reply(500, { delay: "500 millis" }),
          { hedge: { delay: "100 millis" }, circuitBreaker: false }
        )
      )
    ))

  it.effect("a bad hedge option fails the layer naming it, its value and why", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Layer.build(ResilientClient.layer({ hedge: { delay: 0 } })))
      const shown = String(Exit.isFailure(exit) ? exit.cause : "")
      assert.include(shown, "hedge.delay")
      assert.include(shown, "at least 1 millisecond")
      const max = yield* Effect.exit(Layer.build(ResilientClient.layer({ hedge: { delay: 10, maxHedges: 17 } })))
      assert.include(String(Exit.isFailure(max) ? max.cause : ""), "hedge.maxHedges")
      assert.throws(() => HttpResilient.hedge({ delay: "0 millis" }), /HttpResilient.hedge: option "delay"/)
    }).pipe(Effect.scoped))
})
