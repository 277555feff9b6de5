import { HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Queue } from "effect"
import {
  Backoff,
  HttpResilient,
  HttpResilientError,
  HttpResilientTest,
  ResilientClient,
  type ResilientEvent,
  RetryPolicy
} from "../src/index.js"

describe("the ResilientClient service", () => {
  it.effect("a client built by a layer shows only request and subscribe", () =>
    Effect.gen(function*() {
      const service = yield* ResilientClient.ResilientClient
      assert.deepStrictEqual(Object.keys(service).sort(), ["request", "subscribe"])
      const response = yield* service.request("GET", "https://api.test/a", undefined)
      assert.strictEqual(response.status, 200)
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)]))))

  const stubResponse = (method: string, url: string | URL, status: number) =>
    HttpClientResponse.fromWeb(
      HttpClientRequest.make(method as "GET")(url),
      new Response(status === 204 ? null : "stubbed", { status })
    )

  it.scoped("a service provided by hand serves the verbs, events, and retry policies as without a client", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      let calls = 0
      const stub = Layer.succeed(ResilientClient.ResilientClient, {
        request: (method, url) => {
          seen.push(`${method} ${String(url)}`)
          return ++calls === 1
            ? Effect.fail(
              new HttpResilientError.TransportError({
                method,
                url: String(url),
                attempt: 1,
                reason: "ConnectionRefused"
              })
            )
            : Effect.succeed(stubResponse(method, url, 200))
        },
        subscribe: Queue.unbounded<ResilientEvent.ResilientEvent>()
      })
      const response = yield* HttpResilient.get("https://api.test/a").pipe(
        Effect.retry(RetryPolicy.make({ retries: 1, backoff: Backoff.constant("0 millis") })),
        Effect.provide(stub)
      )
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(seen, ["GET https://api.test/a", "GET https://api.test/a"])
      const queue = yield* ResilientClient.subscribe.pipe(Effect.provide(stub))
      assert.strictEqual(yield* Queue.size(queue), 0)
    }))

  it.effect("operations on a client's parts die naming the cause when the service was provided by hand", () =>
    Effect.gen(function*() {
      const stub = Layer.succeed(ResilientClient.ResilientClient, {
        request: (method, url) => Effect.succeed(stubResponse(method, url, 200)),
        subscribe: Queue.unbounded<ResilientEvent.ResilientEvent>()
      })
      const exit = yield* ResilientClient.circuitState("https://api.test").pipe(Effect.provide(stub), Effect.exit)
      assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
      const defect = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
      assert.include(String(defect), "needs a client built by ResilientClient's layers")
    }))
})
