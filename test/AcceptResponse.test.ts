import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { Backoff, HttpResilient, ResilientClient, RetryPolicy } from "../src/index.js"
import { serverScoped } from "./support/server.js"

/** A real server on loopback: a job that is pending for the first `pending` requests, then done. */
const jobServer = (pending: number) => {
  let n = 0
  return serverScoped((_req, res) => {
    n++
    res.setHeader("content-type", "application/json")
    res.setHeader("set-cookie", "sid=s3cr3t-cookie; Path=/")
    res.end(JSON.stringify({ n, done: n > pending }))
  })
}

const isDone = (response: { readonly json: Effect.Effect<unknown, unknown> }) =>
  Effect.map(response.json, (body) => (body as { done: boolean }).done)

const policy = RetryPolicy.make({ retries: 3, backoff: Backoff.constant("5 millis") })

describe("acceptResponse", () => {
  it.scopedLive("the client's: a rejected response is retried by RetryPolicy until one is accepted", () =>
    Effect.gen(function*() {
      const server = yield* jobServer(2)
      const response = yield* HttpResilient.get(`${server.url}/job`, { retry: policy }).pipe(
        Effect.provide(ResilientClient.layer({ acceptResponse: isDone }))
      )
      assert.deepStrictEqual(yield* response.json, { n: 3, done: true })
      assert.strictEqual(server.received.length, 3)
    }))

  it.scopedLive("exhausted: ResponseRejectedError carries the last response; catchTag returns it", () =>
    Effect.gen(function*() {
      const server = yield* jobServer(100)
      const call = HttpResilient.get(`${server.url}/job`, { retry: policy, acceptResponse: isDone })
      const error = yield* Effect.flip(call)
      if (error._tag !== "ResponseRejectedError") return assert.fail(error._tag)
      assert.strictEqual(error.status, 200)
      assert.strictEqual(error.attempt, 4)
      assert.strictEqual(error.call?.gaveUp, "exhausted")
      assert.deepStrictEqual(yield* error.response.json, { n: 4, done: false })
      assert.strictEqual(
        error.message,
        `Response rejected by acceptResponse (200 OK): GET ${server.url}/job (attempt 4)`
      )
      // the cookie the server set is a secret: never shown by the error
      assert.strictEqual(error.headers["set-cookie"], undefined)
      for (const shown of [error.message, String(error), JSON.stringify(error), JSON.stringify(error.response)]) {
        assert.notInclude(shown, "s3cr3t-cookie")
      }
      // the recipe: the last response after retries
      const last = yield* call.pipe(Effect.catchTag("ResponseRejectedError", (e) => Effect.succeed(e.response)))
      assert.deepStrictEqual(yield* last.json, { n: 8, done: false })
      assert.strictEqual(server.received.length, 8)
    }).pipe(Effect.provide(ResilientClient.layer({}))))

  it.scopedLive("the request's replaces the client's; a plain boolean works too", () =>
    Effect.gen(function*() {
      const server = yield* jobServer(100)
      const response = yield* HttpResilient.get(`${server.url}/job`, { acceptResponse: (r) => r.status === 200 })
      assert.strictEqual(response.status, 200)
      const error = yield* Effect.flip(HttpResilient.get(`${server.url}/job`))
      assert.strictEqual(error._tag, "ResponseRejectedError")
    }).pipe(Effect.provide(ResilientClient.layer({ acceptResponse: isDone }))))

  it.scopedLive("a check that throws, fails or answers no boolean: InterceptorError, not retried", () =>
    Effect.gen(function*() {
      const server = yield* jobServer(0)
      const checks = [
        () => {
          throw new Error("boom")
        },
        () => Effect.fail("no"),
        () => Effect.die("dead"),
        () => "yes" as unknown as boolean
      ]
      for (const acceptResponse of checks) {
        const before = server.received.length
        const exit = yield* Effect.exit(HttpResilient.get(`${server.url}/job`, { retry: policy, acceptResponse }))
        assert.ok(Exit.isFailure(exit))
        const error = yield* Effect.flip(exit)
        if (error._tag !== "InterceptorError") return assert.fail(error._tag)
        assert.strictEqual(error.interceptor, "acceptResponse")
        assert.strictEqual(server.received.length, before + 1)
      }
    }).pipe(Effect.provide(ResilientClient.layer({}))))

  it.effect("a bad value is named: ConfigError for the client, InvalidRequestError for a request", () =>
    Effect.gen(function*() {
      const config = yield* Effect.flip(
        Effect.provide(ResilientClient.ResilientClient, ResilientClient.layer({ acceptResponse: 5 as any }))
      )
      assert.include(String(config), "acceptResponse: expected a function, got 5")
      const request = yield* Effect.flip(
        HttpResilient.get("http://127.0.0.1:9/x", { acceptResponse: true as any }).pipe(
          Effect.provide(ResilientClient.layer({}))
        )
      )
      assert.strictEqual(request._tag, "InvalidRequestError")
      assert.include(request.message, "acceptResponse: expected a function, got true")
    }))
})
