import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Backoff, HttpResilient, HttpResilientError, ResilientClient, RetryPolicy } from "../src/index.js"
import { rawServerScoped } from "./support/rawServer.js"
import { closedPort, serverScoped, waitUntil } from "./support/server.js"
import { tlsServer } from "./support/tls.js"

const client = (options: ResilientClient.ClientOptions) => Layer.orDie(ResilientClient.layer(options))
const Client = client({})

const expectTransport = (error: any, reason: string) => {
  assert.strictEqual(error._tag, "TransportError", `expected TransportError ${reason}, got ${error.message}`)
  if (error._tag === "TransportError") assert.strictEqual(error.reason, reason, error.message)
}

describe("fault matrix: each fault gives the right tagged error and retry decision", () => {
  it.scoped("connection refused → ConnectionRefused, transient", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(closedPort)
      const error = yield* Effect.flip(HttpResilient.get(`http://127.0.0.1:${port}/`))
      expectTransport(error, "ConnectionRefused")
      assert.isTrue(HttpResilientError.isTransient(error))
    }).pipe(Effect.provide(Client)))

  it.scoped("reset before any response → ConnectionReset, transient", () =>
    Effect.gen(function*() {
      const server = yield* rawServerScoped((socket) => socket.resetAndDestroy())
      const error = yield* Effect.flip(HttpResilient.get(`${server.url}/`))
      expectTransport(error, "ConnectionReset")
      assert.isTrue(HttpResilientError.isTransient(error))
    }).pipe(Effect.provide(Client)))

  it.scoped("reset mid-body → ConnectionReset, transient", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((req, res) => {
        res.writeHead(200, { "content-length": "100000" })
        res.write("x".repeat(1000), () => req.socket.resetAndDestroy())
      })
      const error = yield* Effect.flip(HttpResilient.get(`${server.url}/`))
      expectTransport(error, "ConnectionReset")
      assert.isTrue(HttpResilientError.isTransient(error))
    }).pipe(Effect.provide(Client)))

  it.scoped("headers never arrive → undici's headers timeout (HeadersTimeout), or the attempt timeout", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped(() => {/* silent */})
      const error = yield* Effect.flip(
        HttpResilient.get(`${server.url}/`).pipe(Effect.provide(client({ headersTimeout: 50 })))
      )
      expectTransport(error, "HeadersTimeout")
      assert.isTrue(HttpResilientError.isTransient(error))
    }))

  it.scopedLive("body stalls → BodyTimeout from undici; the attempt timeout covers a stalled body too", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.writeHead(200, { "content-length": "100" })
        res.write("partial")
      })
      const error = yield* Effect.flip(
        HttpResilient.get(`${server.url}/`).pipe(Effect.provide(client({ bodyTimeout: 50 })))
      )
      expectTransport(error, "BodyTimeout")
      // attempt timeout on the same stalled body (real time: the body never comes, however slow the machine)
      const timeout = yield* Effect.flip(
        HttpResilient.get(`${server.url}/`, { timeout: "300 millis" }).pipe(Effect.provide(Client))
      )
      assert.strictEqual(timeout._tag, "TimeoutError")
      assert.strictEqual(server.count(), 2)
      assert.isTrue(HttpResilientError.isTransient(timeout))
    }))

  it.scopedLive("error bodies that stall also time out (the body is read under the attempt timeout)", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.writeHead(503, { "content-length": "100" })
        res.write("partial")
      })
      // real time: the rest of the body never comes, however slow the machine
      const error = yield* Effect.flip(HttpResilient.get(`${server.url}/`, { timeout: "300 millis" }))
      assert.strictEqual(error._tag, "TimeoutError")
      assert.strictEqual(server.count(), 1)
      yield* waitUntil(() => server.sockets.size === 0)
    }).pipe(Effect.provide(Client)))

  it.scoped("malformed status line → ProtocolError", () =>
    Effect.gen(function*() {
      const server = yield* rawServerScoped((socket) => socket.end("HTTP/1.1 abc Nope\r\n\r\n"))
      const error = yield* Effect.flip(HttpResilient.get(`${server.url}/`))
      expectTransport(error, "ProtocolError")
    }).pipe(Effect.provide(Client)))

  it.scoped("truncated chunked encoding → a transient TransportError", () =>
    Effect.gen(function*() {
      const server = yield* rawServerScoped((socket) =>
        socket.end("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n10\r\nshort")
      )
      const error = yield* Effect.flip(HttpResilient.get(`${server.url}/`))
      assert.strictEqual(error._tag, "TransportError")
      assert.isTrue(HttpResilientError.isTransient(error))
    }).pipe(Effect.provide(Client)))

  it.scoped("content-length longer than the body → a transient TransportError", () =>
    Effect.gen(function*() {
      const server = yield* rawServerScoped((socket) =>
        socket.end("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nonly twenty bytes...")
      )
      const error = yield* Effect.flip(HttpResilient.get(`${server.url}/`))
      assert.strictEqual(error._tag, "TransportError")
      assert.isTrue(HttpResilientError.isTransient(error))
      // a clean close that cuts the body short says so, not just "reset"
      assert.include(error.message, "Connection reset (the server closed the connection)")
    }).pipe(Effect.provide(Client)))

  it.scoped("DNS failure through the dispatcher's lookup hook → DnsFailure", () =>
    Effect.gen(function*() {
      const lookup = (hostname: string, _options: unknown, callback: (...args: Array<any>) => void) => {
        const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname })
        process.nextTick(() => callback(error))
      }
      const error = yield* Effect.flip(
        HttpResilient.get("http://no-such-host.test/").pipe(Effect.provide(client({ lookup })))
      )
      expectTransport(error, "DnsFailure")
    }))

  it.scoped("TLS: a self-signed loopback server is refused without ca (TlsFailure) and accepted with it", () =>
    Effect.gen(function*() {
      const { cert, origin } = yield* tlsServer((_req, res) => res.end("secure"))
      const url = `${origin}/`
      const refused = yield* Effect.flip(HttpResilient.get(url).pipe(Effect.provide(Client)))
      expectTransport(refused, "TlsFailure")
      assert.isFalse(HttpResilientError.isTransient(refused))
      const response = yield* HttpResilient.get(url).pipe(Effect.provide(client({ tls: { ca: cert } })))
      assert.strictEqual(yield* response.text, "secure")
    }))

  it.scoped("body above maxResponseSize → ResponseTooLarge, socket closed, body not kept", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((req, res) => {
        if (req.url === "/declared") {
          res.writeHead(200, { "content-length": String(10 * 1024 * 1024) })
          res.write(Buffer.alloc(1024))
          return
        }
        res.writeHead(200) // chunked, no declared length
        const chunk = Buffer.alloc(64 * 1024, 1)
        let sent = 0
        const pump = () => {
          while (sent < 8 * 1024 * 1024 && res.write(chunk)) sent += chunk.length
          if (sent < 8 * 1024 * 1024) res.once("drain", () => pump())
          else res.end()
        }
        res.on("error", () => {})
        pump()
      })
      const layer = client({ maxResponseSize: 256 * 1024 })
      const declared = yield* Effect.flip(HttpResilient.get(`${server.url}/declared`).pipe(Effect.provide(layer)))
      expectTransport(declared, "ResponseTooLarge")
      const streamed = yield* Effect.flip(HttpResilient.get(`${server.url}/chunked`).pipe(Effect.provide(layer)))
      expectTransport(streamed, "ResponseTooLarge")
      assert.isFalse(HttpResilientError.isTransient(streamed))
      yield* waitUntil(() => server.sockets.size === 0)
      // a per-request option sets its own limit
      const small = yield* Effect.flip(
        HttpResilient.get(`${server.url}/chunked`, { maxResponseSize: 1024 }).pipe(Effect.provide(Client))
      )
      expectTransport(small, "ResponseTooLarge")
    }))

  it.scoped("a keep-alive socket the server closes as it is reused: an idempotent request still succeeds", () =>
    Effect.gen(function*() {
      // first request on each connection is answered with keep-alive; the second is met by a reset
      const server = yield* rawServerScoped((socket, _head, index) => {
        if (index === 0) socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok")
        else socket.resetAndDestroy()
      })
      const first = yield* HttpResilient.get(`${server.url}/a`)
      assert.strictEqual(first.status, 200)
      const second = yield* HttpResilient.get(`${server.url}/b`)
      assert.strictEqual(second.status, 200)
      assert.strictEqual(server.connections(), 2)
    }).pipe(Effect.provide(client({ maxConnections: 1 }))))

  it.scoped("a server that reads a POST's whole body and resets: the POST reaches it exactly once", () =>
    Effect.gen(function*() {
      const server = yield* rawServerScoped((socket) => socket.resetAndDestroy())
      const post = yield* Effect.flip(HttpResilient.post(`${server.url}/order`, { json: { sku: "A1" } }))
      expectTransport(post, "ConnectionReset")
      assert.deepStrictEqual(server.requests, ["POST /order HTTP/1.1"])
      // on a fresh socket even an idempotent GET is sent once: only a reused keep-alive socket earns a resend
      const get = yield* Effect.flip(HttpResilient.get(`${server.url}/item`))
      expectTransport(get, "ConnectionReset")
      assert.deepStrictEqual(server.requests.slice(1), ["GET /item HTTP/1.1"])
    }).pipe(Effect.provide(Client)))

  it.scopedLive("the same server with an idempotency key: the POST is retried, with the same key every time", () =>
    Effect.gen(function*() {
      const keys: Array<string | undefined> = []
      const server = yield* rawServerScoped((socket, head) => {
        keys.push(/idempotency-key: *([^\r\n]+)/i.exec(head)?.[1])
        socket.resetAndDestroy()
      })
      const policy = RetryPolicy.make({ retries: 2, backoff: Backoff.constant("100 millis") })
      // real time (two 100 ms waits): no virtual clock that could run an attempt's timeout out under load
      const error = yield* HttpResilient.post(`${server.url}/order`, { json: { sku: "A1" }, idempotencyKey: true })
        .pipe(Effect.retry(policy), Effect.flip)
      expectTransport(error, "ConnectionReset")
      assert.strictEqual(error.attempt, 3)
      assert.strictEqual(keys.length, 3)
      assert.match(keys[0] ?? "", /^[0-9a-f-]{36}$/)
      assert.deepStrictEqual(new Set(keys).size, 1)
    }).pipe(Effect.provide(client({ circuitBreaker: false }))))
})
