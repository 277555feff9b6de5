import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber, Layer, Schedule, TestClock } from "effect"
import { HttpResilient, HttpResilientTest, ResilientClient, Transport } from "../src/index.js"
import { serverScoped } from "./support/server.js"

describe("HttpResilientTest: a scripted transport", () => {
  it.effect("answers call n with step n, records what was sent, and the last step repeats", () =>
    Effect.gen(function*() {
      const first = yield* Effect.flip(HttpResilient.post("http://api.test/orders", { json: { a: 1 } }))
      assert.strictEqual(first._tag, "StatusError")
      const second = yield* HttpResilient.get("http://api.test/orders/1")
      assert.deepStrictEqual(yield* second.json, { id: 1 })
      const third = yield* HttpResilient.get("http://api.test/orders/2")
      assert.strictEqual(third.status, 200)
      const sent = yield* HttpResilientTest.requests
      assert.deepStrictEqual(sent.map((r) => `${r.method} ${r.url}`), [
        "POST http://api.test/orders",
        "GET http://api.test/orders/1",
        "GET http://api.test/orders/2"
      ])
      assert.strictEqual(new TextDecoder().decode(sent[0].body), `{"a":1}`)
      assert.strictEqual(sent[0].headers["content-type"], "application/json")
    }).pipe(
      Effect.provide(HttpResilientTest.layer([
        HttpResilientTest.reply(503),
        HttpResilientTest.reply(200, { json: { id: 1 } })
      ]))
    ))

  it.effect("delays run on the TestClock; a delay past the attempt timeout is a TimeoutError", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(HttpResilient.get("http://api.test/slow"))
      yield* TestClock.adjust("4 seconds")
      assert.isNull(fiber.unsafePoll())
      yield* TestClock.adjust("1 second")
      const response = yield* Fiber.join(fiber)
      assert.strictEqual(response.status, 200)
      const timedOut = yield* Effect.fork(HttpResilient.get("http://api.test/slower", { timeout: "3 seconds" }))
      yield* TestClock.adjust("3 seconds")
      const error = yield* Effect.flip(Fiber.join(timedOut))
      assert.strictEqual(error._tag, "TimeoutError")
    }).pipe(
      Effect.provide(HttpResilientTest.layer([
        HttpResilientTest.reply(200, { delay: "5 seconds" }),
        HttpResilientTest.reply(200, { delay: "1 minute" })
      ]))
    ))

  it.effect("faults become the matching TransportError; a script function sees each request", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(HttpResilient.get("http://api.test/a"))
      assert.strictEqual(error._tag === "TransportError" && error.reason, "ConnectionReset")
      const ok = yield* HttpResilient.get("http://api.test/b").pipe(Effect.retry(Schedule.recurs(1)))
      assert.strictEqual(ok.status, 204)
      const sent = yield* HttpResilientTest.requests
      assert.strictEqual(sent.length, 3)
    }).pipe(
      Effect.provide(HttpResilientTest.layer((request, index) =>
        request.url.endsWith("/a") || index === 1
          ? HttpResilientTest.fault("ConnectionReset")
          : HttpResilientTest.reply(204)
      ))
    ))

  it.effect("retries are spaced by the schedule in virtual time, visible in the recorded times", () =>
    Effect.gen(function*() {
      const start = yield* Clock.currentTimeMillis
      const fiber = yield* Effect.fork(
        HttpResilient.get("http://api.test/x").pipe(
          Effect.retry(Schedule.exponential("100 millis").pipe(Schedule.intersect(Schedule.recurs(3))))
        )
      )
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      const sent = yield* HttpResilientTest.requests
      assert.deepStrictEqual(sent.map((r) => r.at - start), [0, 100, 300, 700])
    }).pipe(
      Effect.provide(HttpResilientTest.layer([
        HttpResilientTest.reply(503),
        HttpResilientTest.reply(503),
        HttpResilientTest.reply(503),
        HttpResilientTest.reply(200)
      ]))
    ))

  it("bad script input is refused with a clear message", () => {
    assert.throws(() => HttpResilientTest.reply(42), /status 42 is not an integer from 100 to 599/)
    assert.throws(() => HttpResilientTest.chaos({ status: { rate: 2 } }), /status.rate 2 is not within 0..1/)
  })
})

describe("HttpResilientTest.chaos: seeded fault injection over a real transport", () => {
  const run = (seed: number) =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => res.end("real"))
      const layer = ResilientClient.layerWithTransport().pipe(
        Layer.provide(HttpResilientTest.chaos({ seed, status: { rate: 0.3, status: 502 }, fault: { rate: 0.2 } })),
        Layer.provide(Transport.layerUndici()),
        Layer.orDie
      )
      const outcomes = yield* Effect.forEach(
        Array.from({ length: 50 }, (_, i) => i),
        (i) =>
          HttpResilient.get(`${server.url}/${i}`).pipe(
            Effect.map((r) => String(r.status)),
            Effect.catchAll((e) => Effect.succeed(e._tag === "StatusError" ? String(e.status) : e._tag))
          )
      ).pipe(Effect.provide(layer))
      return { outcomes, reached: server.count() }
    })

  it.scoped("injects statuses and faults at about the rates, the same ones for the same seed", () =>
    Effect.gen(function*() {
      const a = yield* run(7)
      const b = yield* run(7)
      const c = yield* run(8)
      assert.deepStrictEqual(a.outcomes, b.outcomes)
      assert.notDeepEqual(a.outcomes, c.outcomes)
      const injected = a.outcomes.filter((o) => o !== "200").length
      assert.strictEqual(a.reached, a.outcomes.filter((o) => o === "200").length)
      assert.isAbove(injected, 5)
      assert.isBelow(injected, 40)
      assert.isTrue(a.outcomes.includes("502") && a.outcomes.includes("TransportError"))
    }))
})
