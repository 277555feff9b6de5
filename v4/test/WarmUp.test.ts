/**
 * `ResilientClient.warmUp` and `layerFromDispatcher`, against real loopback servers in real time.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { HttpResilient, HttpResilientTest, ResilientClient } from "effect-http-resilient/v4"
import * as http from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { Agent, MockAgent } from "undici"
import { closedPort } from "../../test/shared/servers.js"

/** A server that counts connections and remembers the socket of each request; answers after `delayMs`. */
const countingServer = (delayMs: number) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<{ url: string; connections: Array<Socket>; requestSockets: Array<Socket>; server: http.Server }>(
        (resolve) => {
          const connections: Array<Socket> = []
          const requestSockets: Array<Socket> = []
          const server = http.createServer((req, res) => {
            requestSockets.push(req.socket)
            setTimeout(() => res.end("ok"), delayMs)
          })
          server.keepAliveTimeout = 60_000
          server.on("connection", (socket) => connections.push(socket))
          server.listen(0, "127.0.0.1", () =>
            resolve({
              url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
              connections,
              requestSockets,
              server
            }))
        }
      )
    ),
    ({ connections, server }) =>
      Effect.promise(() =>
        new Promise<void>((ok) => {
          for (const socket of connections) socket.destroy()
          server.close(() => ok())
        })
      )
  )

/** Waits (real time, bounded) until `done()`. */
const waitUntil = (done: () => boolean) =>
  Effect.promise(() =>
    new Promise<void>((ok, fail) => {
      const until = Date.now() + 5_000
      const poll = () => (done() ? ok() : Date.now() > until ? fail(new Error("timed out")) : setTimeout(poll, 5))
      poll()
    })
  )

describe("warmUp", () => {
  it.live("opens the sockets, and the next that many concurrent requests open none", () =>
    Effect.gen(function*() {
      const server = yield* countingServer(50)
      yield* ResilientClient.warmUp(server.url, 4)
      yield* waitUntil(() => server.connections.length === 4)
      assert.strictEqual(server.requestSockets.length, 0)
      // warming again keeps what is parked
      yield* ResilientClient.warmUp(`${server.url}/any/path`, 4)
      const responses = yield* Effect.forEach(
        [1, 2, 3, 4],
        (i) => HttpResilient.get(`${server.url}/r${i}`),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(responses.map((r) => r.status), [200, 200, 200, 200])
      assert.strictEqual(server.connections.length, 4)
      assert.strictEqual(new Set(server.requestSockets).size, 4)
      for (const socket of server.requestSockets) assert.include(server.connections, socket)
    }).pipe(Effect.scoped, Effect.provide(ResilientClient.layer({}))))

  it.live("without warmUp the same requests open their own connections", () =>
    Effect.gen(function*() {
      const server = yield* countingServer(50)
      yield* Effect.forEach([1, 2, 3], (i) => HttpResilient.get(`${server.url}/r${i}`), { concurrency: "unbounded" })
      assert.strictEqual(server.connections.length, 3)
    }).pipe(Effect.scoped, Effect.provide(ResilientClient.layer({}))))

  it.live("a refused connection is a TransportError; bad input and a client without its own pool InvalidRequestError", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(closedPort)
      const refused = yield* Effect.flip(ResilientClient.warmUp(`http://127.0.0.1:${port}`, 2))
      assert.isTrue(refused._tag === "TransportError" && refused.reason === "ConnectionRefused", String(refused))
      const bad = yield* Effect.flip(ResilientClient.warmUp("http://127.0.0.1:1", 0))
      assert.isTrue(bad._tag === "InvalidRequestError" && bad.detail.includes("connections 0"))
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
      const server = yield* countingServer(0)
      const agent = new Agent()
      const status = yield* HttpResilient.get(server.url).pipe(
        Effect.map((response) => response.status),
        Effect.provide(ResilientClient.layerFromDispatcher(agent))
      )
      assert.strictEqual(status, 200)
      assert.isFalse(agent.closed)
      assert.isFalse(agent.destroyed)
      const again = yield* Effect.promise(() => agent.request({ origin: server.url, path: "/", method: "GET" }))
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
