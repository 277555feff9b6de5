/**
 * `ResilientClient.warmUp` and `layerFromDispatcher`, against real loopback servers in real time.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { HttpResilient, HttpResilientTest, ResilientClient } from "effect-http-resilient/v4"
import { Agent, MockAgent } from "undici"
import { startServer } from "../../test/shared/servers.js"

describe("warmUp", () => {
  // opening the sockets, refused connections and no connections: the shared suite (test/shared/pool.ts)
  it.live("a bad origin and a client without its own pool are InvalidRequestError", () =>
    Effect.gen(function*() {
      const nowhere = yield* Effect.flip(ResilientClient.warmUp("not a url", 1))
      assert.isTrue(nowhere._tag === "InvalidRequestError" && nowhere.detail.startsWith("warmUp:"))
      const agent = new Agent()
      const foreign = yield* Effect.flip(
        ResilientClient.warmUp("http://127.0.0.1:1", 1).pipe(Effect.provide(ResilientClient.layerFromDispatcher(agent)))
      )
      assert.isTrue(foreign._tag === "InvalidRequestError" && foreign.detail.includes("a given dispatcher"))
      const scripted = yield* Effect.flip(
        ResilientClient.warmUp("http://127.0.0.1:1", 1).pipe(Effect.provide(HttpResilientTest.layer([])))
      )
      assert.isTrue(scripted._tag === "InvalidRequestError" && scripted.detail.includes("own pool"))
      yield* Effect.promise(() => agent.close())
    }).pipe(Effect.provide(ResilientClient.layer({}))))
})

describe("layerFromDispatcher", () => {
  it.live("calls go through the given dispatcher, with the client's options and protections", () =>
    Effect.gen(function*() {
      const mock = new MockAgent()
      mock.disableNetConnect()
      const api = mock.get("http://api.test")
      api.intercept({ path: "/v1/users/1", method: "GET" }).reply(503, "busy")
      api.intercept({ path: "/v1/users/1", method: "GET" }).reply(200, { id: 1 }, {
        headers: { "content-type": "application/json" }
      })
      const client = ResilientClient.layerFromDispatcher(mock, { baseUrl: "http://api.test/v1/" })
      const first = yield* Effect.flip(HttpResilient.get("users/1").pipe(Effect.provide(client)))
      assert.strictEqual(first._tag, "StatusError")
      const second = yield* HttpResilient.get("users/1").pipe(
        Effect.flatMap((response) => response.json),
        Effect.provide(client)
      )
      assert.deepStrictEqual(second, { id: 1 })
      yield* Effect.promise(() => mock.close())
    }))

  it.live("the dispatcher is the user's: the client's scope does not close it", () =>
    Effect.gen(function*() {
      const server = yield* Effect.acquireRelease(
        Effect.promise(() => startServer((_req, res) => res.end("ok"))),
        (server) => Effect.promise(server.close)
      )
      const agent = new Agent()
      const status = yield* HttpResilient.get(server.origin).pipe(
        Effect.map((response) => response.status),
        Effect.provide(ResilientClient.layerFromDispatcher(agent))
      )
      assert.strictEqual(status, 200)
      assert.isFalse(agent.closed)
      assert.isFalse(agent.destroyed)
      const again = yield* Effect.promise(() => agent.request({ origin: server.origin, path: "/", method: "GET" }))
      assert.strictEqual(again.statusCode, 200)
      yield* Effect.promise(() => again.body.text())
      yield* Effect.promise(() => agent.close())
    }).pipe(Effect.scoped))

  it.live("a bad option fails the layer with a ConfigError naming it", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(ResilientClient.layerFromDispatcher(new Agent(), { maxOrigins: 0 })))
      assert.include(error.cause.message, `ResilientClient.layer: option "maxOrigins" 0`)
    }).pipe(Effect.scoped))
})
