import { assert, describe, it } from "@effect/vitest"
import { Cause, Clock, Effect, Fiber, Stream, TestClock } from "effect"
import { inspect } from "node:util"
import {
  Backoff,
  HttpResilient,
  HttpResilientError,
  HttpResilientTest,
  ResilientClient,
  RetryPolicy
} from "../src/index.js"

const policy = RetryPolicy.make({ retries: 1, backoff: Backoff.constant("10 millis") })
const twice503 = [HttpResilientTest.reply(503), HttpResilientTest.reply(503)]
const noBudget = { retryBudget: { ratio: 0, minRetriesPerSecond: 0 } } as const

/** Runs `self` in a fiber, letting virtual time pass, and returns its error. */
const failureOf = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(Effect.flip(self))
    yield* TestClock.adjust("1 minute")
    return yield* Fiber.join(fiber)
  })

describe("error.call: the call facts every error carries", () => {
  it.effect("a 503's StatusError carries call.attempt 2 on the second attempt, the key, and the policy's verdict", () =>
    Effect.gen(function*() {
      const errors: Array<HttpResilientError.HttpResilientError> = []
      const error = yield* failureOf(
        HttpResilient.post("http://api.test/orders", { json: { sku: 7 }, idempotencyKey: "order-7" }).pipe(
          Effect.tapError((e) => Effect.sync(() => errors.push(e))),
          Effect.retry(policy)
        )
      )
      assert.strictEqual(error._tag, "StatusError")
      assert.deepStrictEqual(errors.map((e) => e.call?.attempt), [1, 2])
      assert.strictEqual(error.call?.attempt, error.attempt)
      assert.strictEqual(error.call?.idempotencyKey, "order-7")
      assert.strictEqual(error.call?.replayable, true)
      assert.strictEqual(error.call?.tag, undefined)
      assert.strictEqual(error.call?.refusal, undefined)
      // the first was retried, the second is where the policy gave up
      assert.strictEqual(errors[0].call?.gaveUp, undefined)
      assert.strictEqual(error.call?.gaveUp, "exhausted")
    }).pipe(Effect.provide(HttpResilientTest.layer(twice503))))

  it.effect("a generated key is the same on every attempt, also across runs of a plain Effect.retry", () =>
    Effect.gen(function*() {
      const errors: Array<HttpResilientError.HttpResilientError> = []
      yield* failureOf(
        HttpResilient.post("http://api.test/orders", { json: {}, idempotencyKey: true, tag: "orders" }).pipe(
          Effect.tapError((e) => Effect.sync(() => errors.push(e))),
          Effect.retry(policy)
        )
      )
      const sent = yield* HttpResilientTest.requests
      assert.strictEqual(sent.length, 2)
      const key = sent[0].headers["idempotency-key"]
      assert.isString(key)
      assert.strictEqual(sent[1].headers["idempotency-key"], key)
      assert.deepStrictEqual(errors.map((e) => e.call?.idempotencyKey), [key, key])
      assert.deepStrictEqual(errors.map((e) => e.call?.tag), ["orders", "orders"])
    }).pipe(Effect.provide(HttpResilientTest.layer(twice503))))

  it.effect("a one-shot stream body: replayable false, and the call is sent once", () =>
    Effect.gen(function*() {
      const body = Stream.make(new TextEncoder().encode("once"))
      const error = yield* failureOf(
        HttpResilient.put("http://api.test/upload", { stream: body }).pipe(Effect.retry(policy))
      )
      assert.strictEqual(error._tag, "StatusError")
      assert.strictEqual(error.call?.replayable, false)
      assert.strictEqual(error.call?.gaveUp, "not-retryable")
      assert.strictEqual((yield* HttpResilientTest.requests).length, 1)
    }).pipe(Effect.provide(HttpResilientTest.layer(twice503))))

  it.effect("deadlineAt is the call's deadline on the Clock, the same on every attempt", () =>
    Effect.gen(function*() {
      const start = yield* Clock.currentTimeMillis
      const errors: Array<HttpResilientError.HttpResilientError> = []
      yield* failureOf(
        HttpResilient.get("http://api.test/x", { deadline: "5 seconds" }).pipe(
          Effect.tapError((e) => Effect.sync(() => errors.push(e))),
          Effect.retry(policy)
        )
      )
      assert.deepStrictEqual(errors.map((e) => e.call?.deadlineAt), [start + 5_000, start + 5_000])
      // without a deadline and without a retry option of its own, a call has none
      const plain = yield* Effect.flip(HttpResilient.get("http://api.test/y"))
      assert.strictEqual(plain.call?.deadlineAt, undefined)
    }).pipe(Effect.provide(HttpResilientTest.layer(twice503))))

  it.effect("a refusal keeps the facts of the error it refused to retry, and is on that error's call.refusal", () =>
    Effect.gen(function*() {
      const errors: Array<HttpResilientError.HttpResilientError> = []
      const error = yield* failureOf(
        HttpResilient.get("http://api.test/x", { tag: "t" }).pipe(
          Effect.tapError((e) => Effect.sync(() => errors.push(e))),
          Effect.retry(policy)
        )
      )
      assert.strictEqual(error._tag, "RetryBudgetExhaustedError")
      assert.strictEqual(error.call?.gaveUp, "budget")
      assert.strictEqual(error.call?.attempt, 1)
      assert.strictEqual(error.call?.tag, "t")
      const last = error._tag === "RetryBudgetExhaustedError" ? error.lastError : undefined
      assert.strictEqual(last, errors[0])
      assert.strictEqual(last?.call?.refusal, error)
    }).pipe(Effect.provide(HttpResilientTest.layer(twice503, noBudget))))

  it.effect("HttpResilient.retry ends with a refusal without running the effect again; a plain Effect.retry needs one run more", () =>
    Effect.gen(function*() {
      let runs = 0
      const call = Effect.suspend(() => {
        runs++
        return HttpResilient.get("http://api.test/x")
      })
      const ours = yield* failureOf(HttpResilient.retry(call, policy))
      assert.strictEqual(ours._tag, "RetryBudgetExhaustedError")
      assert.strictEqual(runs, 1)
      runs = 0
      const plain = yield* failureOf(Effect.retry(call, policy))
      assert.strictEqual(plain._tag, "RetryBudgetExhaustedError")
      // Effect.retry can only end with what its effect failed with: the call fails at once, without I/O
      assert.strictEqual(runs, 2)
      assert.strictEqual((yield* HttpResilientTest.requests).length, 2)
    }).pipe(Effect.provide(HttpResilientTest.layer(twice503, noBudget))))

  it.effect("the retry option ends with a refusal after one attempt", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(HttpResilient.get("http://api.test/x", { retry: policy }))
      assert.strictEqual(error._tag, "RetryBudgetExhaustedError")
      assert.strictEqual((yield* HttpResilientTest.requests).length, 1)
    }).pipe(Effect.provide(HttpResilientTest.layer(twice503, noBudget))))

  it.effect("undefined outside a call; never in toJSON, inspect, Cause.pretty or the own keys", () =>
    Effect.gen(function*() {
      const invalid = yield* Effect.flip(ResilientClient.circuitState("not a url"))
      assert.strictEqual(invalid.call, undefined)
      const byHand = new HttpResilientError.TransportError({ method: "GET", url: "", attempt: 1, reason: "Unknown" })
      assert.strictEqual(byHand.call, undefined)
      assert.isTrue("call" in byHand)
      const error = yield* Effect.flip(HttpResilient.post("http://api.test/x", { idempotencyKey: "KEY-123" }))
      assert.strictEqual(error.call?.idempotencyKey, "KEY-123")
      assert.notInclude(Object.keys(error), "call")
      for (const view of [JSON.stringify(error), inspect(error, { depth: 10 }), Cause.pretty(Cause.fail(error))]) {
        assert.notInclude(view, "KEY-123")
        assert.notInclude(view, "replayable")
      }
    }).pipe(Effect.provide(HttpResilientTest.layer(twice503))))
})
