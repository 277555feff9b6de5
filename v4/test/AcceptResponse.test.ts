import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer } from "effect"
import { Backoff, HttpResilient, HttpResilientTest, ResilientClient, RetryPolicy } from "effect-http-resilient/v4"
import { TestClock } from "effect/testing"

const url = "http://api.test/jobs/7"
const done = (response: { readonly json: Effect.Effect<unknown, unknown> }) =>
  Effect.map(response.json, (body) => (body as { done: boolean }).done)
const notDone = HttpResilientTest.reply(200, { json: { done: false }, headers: { authorization: "secret" } })
const isDone = HttpResilientTest.reply(200, { json: { done: true } })

describe("acceptResponse (the root entry's option)", () => {
  it.effect("false fails the attempt with ResponseRejectedError carrying the response, headers redacted", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(HttpResilient.get(url))
      assert.strictEqual(error._tag, "ResponseRejectedError")
      if (error._tag !== "ResponseRejectedError") return
      assert.strictEqual(error.status, 200)
      assert.strictEqual(error.response.status, 200)
      assert.notStrictEqual(error.headers.authorization, "secret")
      assert.deepStrictEqual(yield* error.response.json, { done: false })
    }).pipe(Effect.provide(HttpResilientTest.layer([notDone], { acceptResponse: done }))))

  it.effect("a rejected response is transient: a retry policy asks again until the check accepts", () =>
    Effect.gen(function*() {
      const policy = RetryPolicy.make({ retries: 3, backoff: Backoff.constant("1 second") })
      const fiber = yield* Effect.forkChild(HttpResilient.get(url).pipe(Effect.retry(policy)))
      yield* TestClock.adjust("2 seconds")
      const response = yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* response.json, { done: true })
      assert.strictEqual((yield* HttpResilientTest.requests).length, 3)
    }).pipe(Effect.provide(HttpResilientTest.layer([notDone, notDone, isDone], { acceptResponse: done }))))

  it.effect("the request's check replaces the client's", () =>
    Effect.gen(function*() {
      const response = yield* HttpResilient.get(url, { acceptResponse: () => true })
      assert.strictEqual(response.status, 200)
      const error = yield* Effect.flip(HttpResilient.get(url, { acceptResponse: () => Effect.succeed(false) }))
      assert.strictEqual(error._tag, "ResponseRejectedError")
    }).pipe(Effect.provide(HttpResilientTest.layer([notDone], { acceptResponse: done }))))

  it.effect("a check that throws or answers no boolean fails with InterceptorError, not retried", () =>
    Effect.gen(function*() {
      const thrown = yield* Effect.flip(HttpResilient.get(url, {
        acceptResponse: () => {
          throw new Error("bug")
        },
        retry: RetryPolicy.default
      }))
      assert.strictEqual(thrown._tag, "InterceptorError")
      if (thrown._tag === "InterceptorError") assert.strictEqual(thrown.interceptor, "acceptResponse")
      const odd = yield* Effect.flip(HttpResilient.get(url, { acceptResponse: () => "yes" as never }))
      assert.strictEqual(odd._tag, "InterceptorError")
      assert.strictEqual((yield* HttpResilientTest.requests).length, 2)
    }).pipe(Effect.provide(HttpResilientTest.layer([notDone]))))

  it.effect("a client acceptResponse that is no function fails the layer naming it", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Layer.build(ResilientClient.layer({ acceptResponse: true as never })))
      assert.include(String(Exit.isFailure(exit) ? exit.cause : ""), "acceptResponse")
    }).pipe(Effect.scoped))
})
