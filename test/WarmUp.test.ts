import { FetchHttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as http from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { Agent } from "undici"
import { HttpResilient, ResilientClient } from "../src/index.js"
import { closedPort, waitUntil } from "./support/server.js"

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

describe("warmUp", () => {
  it.scoped("opens the sockets, and the next that many concurrent requests open none", () =>
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
    }).pipe(Effect.provide(ResilientClient.layer({}))))

  it.scoped("without warmUp the same requests open their own connections", () =>
    Effect.gen(function*() {
      const server = yield* countingServer(50)
      const before = server.connections.length
      yield* Effect.forEach([1, 2, 3], (i) => HttpResilient.get(`${server.url}/r${i}`), { concurrency: "unbounded" })
      assert.strictEqual(before, 0)
      assert.strictEqual(server.connections.length, 3)
    }).pipe(Effect.provide(ResilientClient.layer({}))))

  it.scoped("a refused connection is a TransportError; bad input and a foreign dispatcher are InvalidRequestError", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(closedPort)
      const refused = yield* Effect.flip(ResilientClient.warmUp(`http://127.0.0.1:${port}`, 2))
      assert.isTrue(refused._tag === "TransportError" && refused.reason === "ConnectionRefused")
      const bad = yield* Effect.flip(ResilientClient.warmUp("http://127.0.0.1:1", 0))
      assert.isTrue(bad._tag === "InvalidRequestError" && bad.detail.includes("connections 0"))
      const agent = new Agent()
      const foreign = yield* Effect.flip(
        ResilientClient.warmUp("http://127.0.0.1:1", 1).pipe(Effect.provide(ResilientClient.layerFromDispatcher(agent)))
      )
      assert.isTrue(foreign._tag === "InvalidRequestError" && foreign.detail.includes("own pool"))
      const overFetch = yield* Effect.flip(
        ResilientClient.warmUp("http://127.0.0.1:1", 1).pipe(
          Effect.provide(ResilientClient.layerFromHttpClient().pipe(Layer.provide(FetchHttpClient.layer)))
        )
      )
      assert.isTrue(overFetch._tag === "InvalidRequestError" && overFetch.detail.includes("an HttpClient"))
      yield* Effect.promise(() => agent.close())
    }).pipe(Effect.provide(ResilientClient.layer({}))))
})
