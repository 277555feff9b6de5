import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option } from "effect"
import {
  Backoff,
  HttpResilient,
  HttpResilientError,
  HttpResilientTest,
  ResilientClient,
  ResilientEvent,
  RetryBudget,
  RetryPolicy
} from "effect-http-resilient/v4"
import { TestClock } from "effect/testing"
import { twoRetriesThenSuccess } from "../../test/shared/events.js"

const url = "http://api.test/users/1"

describe("retries over the scripted transport (TestClock)", () => {
  it.effect("a 503 then 200 is retried after the backoff; currentAttempt counts 1, 2", () =>
    Effect.gen(function*() {
      const policy = RetryPolicy.make({ retries: 3, backoff: Backoff.constant("1 second") })
      const attempts: Array<number> = []
      const call = HttpResilient.currentAttempt.pipe(
        Effect.tap((n) => Effect.sync(() => attempts.push(n))),
        Effect.andThen(HttpResilient.get(url)),
        Effect.retry(policy)
      )
      const fiber = yield* Effect.forkChild(call)
      yield* TestClock.adjust("999 millis")
      assert.strictEqual((yield* HttpResilientTest.requests).length, 1)
      yield* TestClock.adjust("1 millis")
      const response = yield* Fiber.join(fiber)
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(attempts, [1, 2])
      const sent = yield* HttpResilientTest.requests
      assert.deepStrictEqual(sent.map((r) => r.at), [0, 1000])
    }).pipe(
      Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(503), HttpResilientTest.reply(200)]))
    ))

  it.effect("Retry-After replaces the backoff exactly", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(HttpResilient.get(url).pipe(Effect.retry(RetryPolicy.default)))
      yield* TestClock.adjust("7 seconds")
      const response = yield* Fiber.join(fiber)
      assert.strictEqual(response.status, 200)
      const sent = yield* HttpResilientTest.requests
      assert.deepStrictEqual(sent.map((r) => r.at), [0, 7000])
    }).pipe(
      Effect.provide(HttpResilientTest.layer([
        HttpResilientTest.reply(429, { headers: { "Retry-After": "7" } }),
        HttpResilientTest.reply(200)
      ]))
    ))

  it.effect("Retry-After above maxRetryAfter fails at once with RetryAfterTooLongError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(HttpResilient.get(url).pipe(Effect.retry(RetryPolicy.default)))
      assert.strictEqual(error._tag, "RetryAfterTooLongError")
      if (error._tag !== "RetryAfterTooLongError") return
      assert.strictEqual(Duration.toMillis(error.retryAfter), 120_000)
      assert.strictEqual(Duration.toMillis(error.limit), 60_000)
      assert.strictEqual((yield* HttpResilientTest.requests).length, 1)
    }).pipe(
      Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(503, { headers: { "retry-after": "120" } })]))
    ))

  it.effect("a POST without an Idempotency-Key is not retried; with one it is, the same key on every attempt", () =>
    Effect.gen(function*() {
      const policy = RetryPolicy.make({ backoff: Backoff.constant("10 millis") })
      const plain = yield* Effect.flip(HttpResilient.post(url, { json: { a: 1 } }).pipe(Effect.retry(policy)))
      assert.strictEqual(plain._tag, "StatusError")
      assert.strictEqual((yield* HttpResilientTest.requests).length, 1)
      const keyed = yield* Effect.forkChild(
        HttpResilient.post(url, { json: { a: 1 }, idempotencyKey: true }).pipe(Effect.retry(policy))
      )
      yield* TestClock.adjust("1 second")
      yield* Effect.flip(Fiber.join(keyed))
      const sent = yield* HttpResilientTest.requests
      assert.strictEqual(sent.length, 1 + 4)
      const keys = new Set(sent.slice(1).map((r) => r.headers["idempotency-key"]))
      assert.strictEqual(keys.size, 1)
      assert.strictEqual(sent[1].headers["content-type"], "application/json")
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(503)]))))

  it.effect("errors carry the tags and fields of the root entry; the message reads the same", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(HttpResilient.get("http://user:pw@api.test/x?token=abc"))
      assert.strictEqual(error._tag, "StatusError")
      if (error._tag !== "StatusError") return
      assert.strictEqual(error.status, 503)
      assert.strictEqual(error.attempt, 1)
      assert.strictEqual(error.url, "http://api.test/x?token=<redacted>")
      assert.strictEqual(error.message, "503 Service Unavailable: GET http://api.test/x?token=<redacted> (attempt 1)")
      assert.isTrue(Option.isNone(error.retryAfter))
      assert.isTrue(HttpResilientError.isTransient(error))
      assert.strictEqual(error.headers["set-cookie"], undefined)
      // the response's request carries no secret
      assert.strictEqual(error.response.request.headers["authorization"], "<redacted>")
      const bad = yield* Effect.flip(HttpResilient.get("not a url"))
      assert.strictEqual(bad._tag, "InvalidRequestError")
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(503)]))))

  it.effect("the attempt timeout fails with TimeoutError scope attempt; the deadline is never retried", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(Effect.flip(HttpResilient.get(url, { timeout: "2 seconds" })))
      yield* TestClock.adjust("2 seconds")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "TimeoutError")
      if (error._tag === "TimeoutError") assert.strictEqual(error.scope, "attempt")
      const all = yield* Effect.forkChild(
        Effect.flip(HttpResilient.get(url, { timeout: "10 seconds" }).pipe(HttpResilient.retry(RetryPolicy.default)))
      )
      yield* TestClock.adjust("60 seconds")
      const last: HttpResilientError.HttpResilientError = yield* Fiber.join(all)
      assert.strictEqual(last._tag, "TimeoutError")
      if (last._tag === "TimeoutError") assert.strictEqual(last.scope, "deadline")
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.fault("Timeout")]))))

  it.effect("events in order for 503 → 503 → 200", () =>
    Effect.gen(function*() {
      const subscription = yield* ResilientClient.subscribe
      const fiber = yield* Effect.forkChild(
        HttpResilient.get(url).pipe(Effect.retry(RetryPolicy.make({ backoff: Backoff.constant("1 second") })))
      )
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(fiber)
      const events: Array<ResilientEvent.ResilientEvent> = []
      for (let i = 0; i < 8; i++) events.push(yield* PubSubTake(subscription))
      assert.deepStrictEqual(events.map((e) => e._tag), [...twoRetriesThenSuccess])
    }).pipe(
      Effect.scoped,
      Effect.provide(HttpResilientTest.layer([
        HttpResilientTest.reply(503),
        HttpResilientTest.reply(503),
        HttpResilientTest.reply(200)
      ]))
    ))

  it.effect("the retry budget refuses retries once spent: RetryBudgetExhaustedError carries the last error", () =>
    Effect.gen(function*() {
      const policy = RetryPolicy.make({ retries: 10, backoff: Backoff.constant("1 millis") })
      const fiber = yield* Effect.forkChild(Effect.flip(HttpResilient.get(url).pipe(Effect.retry(policy))))
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "RetryBudgetExhaustedError")
      if (error._tag === "RetryBudgetExhaustedError") assert.strictEqual(error.lastError._tag, "StatusError")
      // reserve 1 retry/s × 2 s = 2 retries, ratio 0: 1 first attempt + 2 retries
      assert.strictEqual((yield* HttpResilientTest.requests).length, 3)
      assert.strictEqual(yield* RetryBudget.available, 0)
    }).pipe(
      Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(503)], {
        retryBudget: { ratio: 0, window: "2 seconds", minRetriesPerSecond: 1 },
        circuitBreaker: false
      }))
    ))
})

import * as PubSub from "effect/PubSub"
const PubSubTake = PubSub.take
