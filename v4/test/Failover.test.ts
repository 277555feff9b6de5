import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Schedule } from "effect"
import { HttpResilient, HttpResilientTest, RetryPolicy } from "effect-http-resilient/v4"
import { TestClock } from "effect/testing"

const sentTo = Effect.map(HttpResilientTest.requests, (requests) => requests.map((r) => r.url))

describe("failover (v4, scripted transport)", () => {
  it.effect("goes round the list, one URL per attempt: primary, each failover URL, primary again", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        HttpResilient.get("http://a.test/p", { failover: ["http://b.test/f1", new URL("http://c.test/f2")] }).pipe(
          Effect.retry(Schedule.recurs(3))
        )
      )
      assert.strictEqual(error._tag, "StatusError")
      assert.deepStrictEqual(yield* sentTo, [
        "http://a.test/p",
        "http://b.test/f1",
        "http://c.test/f2",
        "http://a.test/p"
      ])
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(503)]))))

  it.effect("the second attempt reaches the failover origin when the primary is down; the key is kept", () =>
    Effect.gen(function*() {
      const policy = RetryPolicy.make({ retries: 2 })
      const fiber = yield* Effect.forkChild(
        HttpResilient.post("/orders", { json: {}, idempotencyKey: true, failover: ["http://backup.test/orders"] }).pipe(
          HttpResilient.retry(policy)
        )
      )
      yield* TestClock.adjust("10 seconds")
      const response = yield* Fiber.join(fiber)
      assert.strictEqual(response.status, 201)
      const sent = yield* HttpResilientTest.requests
      assert.deepStrictEqual(sent.map((r) => r.url), ["http://primary.test/orders", "http://backup.test/orders"])
      assert.strictEqual(sent[0].headers["idempotency-key"], sent[1].headers["idempotency-key"])
    }).pipe(Effect.provide(HttpResilientTest.layer(
      (request) =>
        request.url.startsWith("http://primary.test")
          ? HttpResilientTest.fault("ConnectionRefused")
          : HttpResilientTest.reply(201),
      { baseUrl: "http://primary.test" }
    ))))

  it.effect("every failover URL is checked before anything is sent, its error naming the entry, no value shown", () =>
    Effect.gen(function*() {
      const relative = yield* Effect.flip(
        HttpResilient.get("http://a.test/", { failover: ["http://b.test/", "rel/path"] })
      )
      assert.isTrue(relative._tag === "InvalidRequestError" && relative.detail.startsWith("failover[1]: "))
      const notUrl = yield* Effect.flip(
        HttpResilient.get("http://a.test/", { failover: ["http://u:s3cr3t@b.test/", 5] as any })
      )
      assert.isTrue(notUrl._tag === "InvalidRequestError" && notUrl.detail.startsWith("failover[1]: expected a URL"))
      assert.notInclude(notUrl.message, "s3cr3t")
      const notList = yield* Effect.flip(HttpResilient.get("http://a.test/", { failover: "http://b.test/" as any }))
      assert.isTrue(notList._tag === "InvalidRequestError" && notList.detail.startsWith("failover: expected a list"))
      assert.deepStrictEqual(yield* sentTo, [])
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)]))))
})
