import * as HttpBody from "@effect/platform/HttpBody"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, TestClock } from "effect"
import * as Undici from "undici"
import { RequestValidationError } from "../src/core/requestError.js"
import { joinUrl } from "../src/core/url.js"
import { HttpResilient, ResilientClient } from "../src/index.js"
import { defaultClock, startTimer, stopTimer } from "../src/internal/timer.js"
import * as Transport from "../src/internal/transport.js"
import { serverScoped, waitUntil } from "./support/server.js"

const Client = ResilientClient.layer({})

const agentScoped = Effect.acquireRelease(
  Effect.sync(() => new Undici.Agent({ connections: 4 })),
  (agent) => Effect.promise(() => agent.close())
)

describe("buffered exchange", () => {
  it.scoped("a body in many chunks arrives whole; headers are lower-cased, repeats joined, cookies apart", () =>
    Effect.gen(function*() {
      const piece = Buffer.alloc(64 * 1024)
      for (let i = 0; i < piece.length; i++) piece[i] = i & 0xff
      const server = yield* serverScoped((_req, res) => {
        res.setHeader("X-Repeated", ["one", "two"])
        res.setHeader("Set-Cookie", ["a=1", "b=2"])
        res.setHeader("Content-Type", "application/octet-stream")
        // chunked, written in 16 pieces
        let sent = 0
        const next = (): void => {
          if (sent === 16) {
            res.end()
            return
          }
          sent++
          res.write(piece, next)
        }
        next()
      })
      const response = yield* HttpResilient.get(`${server.url}/big`)
      const bytes = yield* HttpResilient.bytes(response)
      assert.strictEqual(bytes.byteLength, 16 * piece.length)
      for (let k = 0; k < 16; k++) {
        assert.isTrue(Buffer.from(bytes.subarray(k * piece.length, (k + 1) * piece.length)).equals(piece))
      }
      assert.strictEqual(response.headers["x-repeated"], "one, two")
      assert.strictEqual(response.headers["content-type"], "application/octet-stream")
      assert.deepStrictEqual(
        Object.values(response.cookies.cookies).map((c) => `${c.name}=${c.value}`).sort(),
        ["a=1", "b=2"]
      )
    }).pipe(Effect.provide(Client)))

  it.scoped("an empty body is empty, and headers are still readable on a StatusError", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.statusCode = 503
        res.setHeader("Retry-After", "7")
        res.end()
      })
      const error = yield* Effect.flip(HttpResilient.get(`${server.url}/x`))
      assert.strictEqual(error._tag, "StatusError")
      if (error._tag !== "StatusError") return
      assert.strictEqual(error.headers["retry-after"], "7")
      assert.strictEqual(error.response.headers["retry-after"], "7")
      assert.strictEqual((yield* HttpResilient.bytes(error.response)).byteLength, 0)
    }).pipe(Effect.provide(Client)))

  it.scoped("a declared content-length over maxResponseSize fails before the body is read", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((req, res) => {
        res.setHeader("Content-Length", String(1024))
        if (req.url === "/stalls") res.write(Buffer.alloc(10)) // the rest never comes
        else res.end(Buffer.alloc(1024))
      })
      // the headers alone decide: the call ends although the body never completes
      const fiber = yield* Effect.fork(HttpResilient.get(`${server.url}/stalls`, { maxResponseSize: 1000 }))
      yield* waitUntil(() => fiber.unsafePoll() !== null, 3_000)
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual(error._tag === "TransportError" && error.reason, "ResponseTooLarge")
      // at the limit it is fine
      const ok = yield* HttpResilient.get(`${server.url}/x`, { maxResponseSize: 1024 })
      assert.strictEqual((yield* HttpResilient.bytes(ok)).byteLength, 1024)
    }).pipe(Effect.provide(Client)))

  it.scoped("a chunked body that grows past maxResponseSize fails", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.write(Buffer.alloc(600))
        setTimeout(() => res.end(Buffer.alloc(600)), 5)
      })
      const error = yield* Effect.flip(HttpResilient.get(`${server.url}/x`, { maxResponseSize: 1000 }))
      assert.strictEqual(error._tag === "TransportError" && error.reason, "ResponseTooLarge")
    }).pipe(Effect.provide(Client)))

  it.scoped("interrupting the call aborts the socket", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped(() => {/* never answers */})
      const fiber = yield* Effect.fork(HttpResilient.get(`${server.url}/hang`))
      yield* waitUntil(() => server.count() === 1)
      assert.strictEqual(server.sockets.size, 1)
      yield* Fiber.interrupt(fiber)
      yield* waitUntil(() => server.sockets.size === 0)
    }).pipe(Effect.provide(Client)))

  it.scoped("the attempt timeout covers a body that stalls after the headers", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.setHeader("Content-Length", "10")
        res.write("12345") // and never the rest
      })
      const fiber = yield* Effect.fork(HttpResilient.get(`${server.url}/stall`, { timeout: "2 seconds" }))
      yield* waitUntil(() => server.count() === 1)
      yield* TestClock.adjust("1 second")
      assert.isNull(fiber.unsafePoll())
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* Effect.flip(exit)
      assert.strictEqual(error._tag === "TimeoutError" && error.scope, "attempt")
      yield* waitUntil(() => server.sockets.size === 0)
    }).pipe(Effect.provide(Client)))

  it.scoped("the transport adds body headers to a copy, never to the caller's headers", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => res.end("ok"))
      const agent = yield* agentScoped
      const transport = Transport.makeUndiciTransport(agent)
      const clock = yield* Effect.clock
      const headers: Record<string, string> = { "x-mine": "1" }
      const raw = yield* transport.send({
        method: "POST",
        url: new URL(`${server.url}/post`),
        headers,
        body: HttpBody.text("{\"a\":1}", "application/json"),
        timeoutMillis: 5_000,
        maxResponseSize: 1024,
        clock
      })
      assert.strictEqual(raw.status, 200)
      assert.deepStrictEqual(headers, { "x-mine": "1" })
      assert.strictEqual(server.received[0].headers["content-type"], "application/json")
      assert.strictEqual(server.received[0].headers["content-length"], "7")
      assert.strictEqual(server.received[0].headers["x-mine"], "1")
    }))
})

describe("the send stage over the undici transport", () => {
  it.scopedLive("maps the transport's failures as before, and a service that replaces send is called through it", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((req, res) => {
        if (req.url === "/reset") req.socket.destroy()
        else if (req.url !== "/slow") res.end("ok") // "/slow" never answers
      })
      const agent = yield* agentScoped
      const undici = Transport.makeUndiciTransport(agent)
      const sent: Array<string> = []
      // a wrapper over the library's transport (its spread copies what the service carries)
      const wrapped: Transport.TransportService = {
        ...undici,
        send: (request) => Effect.suspend(() => (sent.push(request.url.pathname), undici.send(request)))
      }
      for (const transport of [undici, wrapped]) {
        const layer = Layer.provide(
          ResilientClient.layerWithTransport({}),
          Layer.succeed(Transport.Transport, transport)
        )
        yield* Effect.gen(function*() {
          assert.strictEqual((yield* HttpResilient.get(`${server.url}/ok`)).status, 200)
          const reset = yield* Effect.flip(HttpResilient.get(`${server.url}/reset`))
          assert.strictEqual(reset._tag === "TransportError" && reset.reason, "ConnectionReset")
          assert.strictEqual(reset.attempt, 1)
          const timedOut = yield* Effect.flip(HttpResilient.get(`${server.url}/slow`, { timeout: "50 millis" }))
          assert.strictEqual(timedOut._tag === "TimeoutError" && timedOut.scope, "attempt")
        }).pipe(Effect.provide(layer))
      }
      assert.deepStrictEqual(sent, ["/ok", "/reset", "/slow"])
    }))
})

describe("timers", () => {
  it.effect("a timer on a TestClock fires when virtual time reaches it, and a stopped one never does", () =>
    Effect.gen(function*() {
      const clock = yield* Effect.clock
      assert.notStrictEqual(clock, defaultClock(), "the test runs on the TestClock")
      const fired: Array<string> = []
      startTimer(clock, 1_000, (name) => fired.push(name), "kept")
      const stopped = startTimer(clock, 1_000, (name) => fired.push(name), "stopped")
      stopTimer(stopped)
      assert.isUndefined(startTimer(clock, Infinity, (name) => fired.push(name), "never"))
      // woken sleepers run on the scheduler: let it run before looking
      const settle = Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)))
      yield* TestClock.adjust(999)
      yield* settle
      assert.deepStrictEqual(fired, [])
      yield* TestClock.adjust(1)
      yield* waitUntil(() => fired.length > 0)
      yield* settle
      assert.deepStrictEqual(fired, ["kept"])
    }))
})

describe("URL parsing", () => {
  it("accepts any scheme spelling RFC 3986 allows, and rejects what is not a scheme", () => {
    const upper = joinUrl("HTTP://127.0.0.1:1/a", undefined)
    assert.instanceOf(upper, URL)
    assert.strictEqual((upper as URL).href, "http://127.0.0.1:1/a")
    const other = joinUrl("ftp://host/file", undefined)
    assert.instanceOf(other, RequestValidationError)
    assert.match((other as RequestValidationError).detail, /unsupported scheme "ftp:"/)
    // not a scheme: a relative URL, which needs a base
    for (const input of ["1http://host/", "/path:x", "host:8080/x".replace("host", "-host"), ""]) {
      const result = joinUrl(input, undefined)
      assert.instanceOf(result, RequestValidationError, input)
      assert.match((result as RequestValidationError).detail, /baseUrl/, input)
    }
    const joined = joinUrl("v1/users:search", new URL("http://127.0.0.1:1/api/"))
    assert.strictEqual((joined as URL).href, "http://127.0.0.1:1/api/v1/users:search")
  })
})
