import { HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, TestClock } from "effect"
import { HttpResilient, ResilientClient } from "../src/index.js"
import { closedPort, serverScoped, waitUntil } from "./support/server.js"

const Client = ResilientClient.layer({})

describe("one attempt end to end", () => {
  it.scoped("every verb reaches the server with method, path, query and headers intact", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => res.end("ok"))
      const verbs = [
        ["GET", HttpResilient.get],
        ["POST", HttpResilient.post],
        ["PUT", HttpResilient.put],
        ["PATCH", HttpResilient.patch],
        ["DELETE", HttpResilient.del],
        ["HEAD", HttpResilient.head],
        ["OPTIONS", HttpResilient.options]
      ] as const
      for (const [method, verb] of verbs) {
        const response = yield* verb(`${server.url}/path/${method}?a=1`, {
          headers: { "X-Custom": `v-${method}` },
          urlParams: { b: "two words" }
        })
        assert.strictEqual(response.status, 200)
      }
      yield* HttpResilient.request("QUERY", `${server.url}/q`)
      assert.deepStrictEqual(server.received.map((r) => r.method), [...verbs.map(([m]) => m), "QUERY"])
      for (const [i, [method]] of verbs.entries()) {
        assert.strictEqual(server.received[i].url, `/path/${method}?a=1&b=two+words`)
        assert.strictEqual(server.received[i].headers["x-custom"], `v-${method}`)
      }
    }).pipe(Effect.provide(Client)))

  it.scoped("500 is a StatusError with a readable body", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.statusCode = 500
        res.end("boom")
      })
      const error = yield* Effect.flip(HttpResilient.get(`${server.url}/x`))
      assert.strictEqual(error._tag, "StatusError")
      if (error._tag !== "StatusError") return
      assert.strictEqual(error.status, 500)
      assert.strictEqual(error.attempt, 1)
      assert.strictEqual(yield* error.response.text, "boom")
      assert.match(error.message, /^500 Internal Server Error: GET http:\/\/127\.0\.0\.1:\d+\/x \(attempt 1\)$/)
    }).pipe(Effect.provide(Client)))

  it.scoped("connection refused is a TransportError ConnectionRefused", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(closedPort)
      const error = yield* Effect.flip(HttpResilient.get(`http://127.0.0.1:${port}/`))
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual(error._tag === "TransportError" && error.reason, "ConnectionRefused")
    }).pipe(Effect.provide(Client)))

  it.scoped("a silent server is a TimeoutError scope attempt, driven by the TestClock", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped(() => {/* never answers */})
      const fiber = yield* Effect.fork(HttpResilient.get(`${server.url}/slow`, { timeout: "30 seconds" }))
      yield* waitUntil(() => server.count() === 1)
      yield* TestClock.adjust("29 seconds")
      assert.isNull(fiber.unsafePoll())
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* Effect.flip(exit)
      assert.strictEqual(error._tag, "TimeoutError")
      assert.strictEqual(error._tag === "TimeoutError" && error.scope, "attempt")
      // the socket was aborted
      yield* waitUntil(() => server.sockets.size === 0)
    }).pipe(Effect.provide(Client)))
})

describe("execute", () => {
  it.scoped("a platform request with a relative URL keeps its URL params, fragment aside, as get does", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => res.end("ok"))
      const client = ResilientClient.layer({ baseUrl: `${server.url}/api` })
      const request = HttpClientRequest.get("/users").pipe(
        HttpClientRequest.setUrlParam("q", "a b"),
        HttpClientRequest.setHeader("x-from", "request")
      )
      yield* HttpResilient.execute(request).pipe(Effect.provide(client))
      // the options' headers (any shape) win and their urlParams come after the request's
      yield* HttpResilient.execute(request, {
        headers: new Headers({ "x-from": "options" }),
        urlParams: [["r", "2"]]
      }).pipe(Effect.provide(client))
      yield* HttpResilient.get("/users", { urlParams: { q: "a b" } }).pipe(Effect.provide(client))
      assert.deepStrictEqual(server.received.map((r) => r.url), [
        "/api/users?q=a+b",
        "/api/users?q=a+b&r=2",
        "/api/users?q=a+b"
      ])
      assert.deepStrictEqual(server.received.map((r) => r.headers["x-from"]), ["request", "options", undefined])
    }))
})
