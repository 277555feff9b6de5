import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Layer, Schema, Stream } from "effect"
import { randomBytes } from "node:crypto"
import type * as http from "node:http"
import * as zlib from "node:zlib"
import { HttpResilient, HttpResilientError, ResilientClient } from "../src/index.js"
import { serverScoped, waitUntil } from "./support/server.js"

const client = (options: ResilientClient.ClientOptions) => Layer.orDie(ResilientClient.layer(options))
const Client = client({})

const encoders: Record<string, (body: Buffer) => Buffer> = {
  gzip: (body) => zlib.gzipSync(body),
  deflate: (body) => zlib.deflateSync(body),
  br: (body) => zlib.brotliCompressSync(body)
}

const text = "hello, compressed world\n".repeat(200)

/** Answers `/<coding>` with `text` encoded by it (`Content-Encoding` set, `Content-Length` of the encoded bytes). */
const codingServer = () =>
  serverScoped((req, res) => {
    const coding = (req.url ?? "/").slice(1).split("?")[0]
    const encode = encoders[coding]
    if (encode === undefined) {
      res.writeHead(200, { "content-type": "text/plain", "content-length": text.length })
      res.end(text)
      return
    }
    const body = encode(Buffer.from(text))
    res.writeHead(200, { "content-type": "text/plain", "content-encoding": coding, "content-length": body.length })
    res.end(body)
  })

const expectTransport = (error: any, reason: string) => {
  assert.strictEqual(error._tag, "TransportError", `expected TransportError ${reason}, got ${error.message}`)
  if (error._tag === "TransportError") assert.strictEqual(error.reason, reason, error.message)
}

/** Writes `total` zero bytes gzip-compressed, chunk by chunk as the socket drains (a decompression bomb). */
const bomb = (res: http.ServerResponse, total: number) => {
  res.writeHead(200, { "content-encoding": "gzip" })
  const gzip = zlib.createGzip()
  gzip.pipe(res)
  const chunk = Buffer.alloc(1024 * 1024)
  let sent = 0
  const pump = () => {
    while (sent < total) {
      sent += chunk.length
      if (!gzip.write(chunk)) return void gzip.once("drain", pump)
    }
    gzip.end()
  }
  res.on("error", () => {})
  res.on("close", () => gzip.destroy())
  pump()
}

describe("decompress", () => {
  it.scoped("gzip, deflate and br bodies are decoded; Accept-Encoding is sent; the encoding headers are dropped", () =>
    Effect.gen(function*() {
      const server = yield* codingServer()
      for (const coding of ["gzip", "deflate", "br"]) {
        const response = yield* HttpResilient.get(`${server.url}/${coding}`)
        assert.strictEqual(yield* response.text, text, coding)
        assert.isUndefined(response.headers["content-encoding"], coding)
        assert.isUndefined(response.headers["content-length"], coding)
        assert.strictEqual(response.headers["content-type"], "text/plain")
      }
      for (const received of server.received) {
        assert.strictEqual(received.headers["accept-encoding"], "gzip, deflate, br")
      }
      // a response with no encoding is as it was
      const plain = yield* HttpResilient.get(`${server.url}/plain`)
      assert.strictEqual(yield* plain.text, text)
      assert.strictEqual(plain.headers["content-length"], String(text.length))
    }).pipe(Effect.provide(Client)))

  it.scoped("the user's Accept-Encoding is kept (client header, request header)", () =>
    Effect.gen(function*() {
      const server = yield* codingServer()
      yield* HttpResilient.get(`${server.url}/plain`).pipe(
        Effect.provide(client({ headers: { "Accept-Encoding": "identity" } }))
      )
      yield* HttpResilient.get(`${server.url}/plain`, { headers: { "accept-encoding": "gzip" } }).pipe(
        Effect.provide(Client)
      )
      assert.deepStrictEqual(server.received.map((r) => r.headers["accept-encoding"]), ["identity", "gzip"])
    }))

  it.scoped("decompress: false sends no Accept-Encoding and passes the bytes through", () =>
    Effect.gen(function*() {
      const server = yield* codingServer()
      const response = yield* HttpResilient.get(`${server.url}/gzip`).pipe(
        Effect.provide(client({ decompress: false }))
      )
      const bytes = new Uint8Array(yield* response.arrayBuffer)
      assert.strictEqual(zlib.gunzipSync(bytes).toString(), text)
      assert.strictEqual(response.headers["content-encoding"], "gzip")
      assert.strictEqual(response.headers["content-length"], String(bytes.byteLength))
      assert.isUndefined(server.received[0].headers["accept-encoding"])
      const streamed = yield* Stream.runCollect(HttpResilient.stream(`${server.url}/gzip`)).pipe(
        Effect.provide(client({ decompress: false }))
      )
      assert.strictEqual(zlib.gunzipSync(Buffer.concat(Chunk.toArray(streamed))).toString(), text)
    }))

  it.scoped("maxResponseSize counts decoded bytes: a bomb stops at the limit and the socket is released", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => bomb(res, 1024 * 1024 * 1024))
      const error = yield* Effect.flip(
        HttpResilient.get(server.url).pipe(Effect.provide(client({ maxResponseSize: 1024 * 1024 })))
      )
      expectTransport(error, "ResponseTooLarge")
      assert.isFalse(HttpResilientError.isTransient(error))
      // the client closed the socket rather than read the rest
      yield* waitUntil(() => server.sockets.size === 0)
    }))

  it.scoped("the encoded Content-Length is not the decoded length: a body under the limit passes", () =>
    Effect.gen(function*() {
      // random bytes grow when gzipped: the declared (encoded) length is above the limit, the decoded one is not
      const data = randomBytes(4000)
      const encoded = zlib.gzipSync(data)
      assert.isAbove(encoded.length, data.length)
      const server = yield* serverScoped((_req, res) => {
        res.writeHead(200, { "content-encoding": "gzip", "content-length": encoded.length })
        res.end(encoded)
      })
      const response = yield* HttpResilient.get(server.url, { maxResponseSize: data.length })
      assert.isTrue(Buffer.from(yield* response.arrayBuffer).equals(data))
      // and a decoded body one byte over the limit fails
      const error = yield* Effect.flip(HttpResilient.get(server.url, { maxResponseSize: data.length - 1 }))
      expectTransport(error, "ResponseTooLarge")
    }).pipe(Effect.provide(Client)))

  it.scoped("streamed bodies are decoded: stream, lines, ndjson, sse", () =>
    Effect.gen(function*() {
      const rows = Array.from({ length: 500 }, (_, i) => ({ i, name: `row ${i}` }))
      const ndjson = rows.map((row) => JSON.stringify(row)).join("\n") + "\n"
      const sse = rows.slice(0, 50).map((row) => `id: ${row.i}\ndata: ${row.name}\n\n`).join("")
      const server = yield* serverScoped((req, res) => {
        const coding = req.url === "/sse" ? "br" : req.url === "/ndjson" ? "deflate" : "gzip"
        res.writeHead(200, {
          "content-encoding": coding,
          "content-type": req.url === "/sse" ? "text/event-stream" : "application/x-ndjson"
        })
        const encoder = coding === "br"
          ? zlib.createBrotliCompress()
          : coding === "deflate"
          ? zlib.createDeflate()
          : zlib.createGzip()
        encoder.pipe(res)
        const body = Buffer.from(req.url === "/sse" ? sse : ndjson)
        // several flushed pieces: the client decodes as they arrive
        for (let at = 0; at < body.length; at += 1000) {
          encoder.write(body.subarray(at, at + 1000))
          encoder.flush()
        }
        encoder.end()
      })
      const bytes = yield* Stream.runCollect(HttpResilient.stream(`${server.url}/bytes`))
      assert.strictEqual(Buffer.concat(Chunk.toArray(bytes)).toString(), ndjson)
      const lines = yield* Stream.runCollect(HttpResilient.lines(`${server.url}/lines`))
      assert.deepStrictEqual(Chunk.toArray(lines), rows.map((row) => JSON.stringify(row)))
      const Row = Schema.Struct({ i: Schema.Number, name: Schema.String })
      const decoded = yield* Stream.runCollect(HttpResilient.ndjson(`${server.url}/ndjson`, Row))
      assert.deepStrictEqual(Chunk.toArray(decoded), rows)
      const events = yield* Stream.runCollect(
        HttpResilient.sse(`${server.url}/sse`).pipe(Stream.take(50))
      )
      assert.deepStrictEqual(Chunk.toArray(events).map((event) => event.data), rows.slice(0, 50).map((r) => r.name))
      for (const received of server.received) {
        assert.strictEqual(received.headers["accept-encoding"], "gzip, deflate, br")
      }
    }).pipe(Effect.provide(Client)))

  it.scoped("a corrupt encoded body is TransportError ProtocolError, not transient (buffered and streamed)", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        const good = zlib.gzipSync(Buffer.from(text))
        // a valid header, then garbage: the decoder fails mid-body
        const bad = Buffer.concat([good.subarray(0, 20), Buffer.alloc(200, 0xff)])
        res.writeHead(200, { "content-encoding": "gzip", "content-length": bad.length })
        res.end(bad)
      })
      const error = yield* Effect.flip(HttpResilient.get(server.url, { retry: false }))
      expectTransport(error, "ProtocolError")
      assert.isFalse(HttpResilientError.isTransient(error))
      assert.include(error.message, "gzip")
      const streamed = yield* Effect.flip(Stream.runDrain(HttpResilient.stream(server.url, { retry: false })))
      expectTransport(streamed, "ProtocolError")
    }).pipe(Effect.provide(Client)))

  it.scoped("an error response's body is decoded too; HEAD and 204 with an encoding have an empty body", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((req, res) => {
        if (req.method === "HEAD" || req.url === "/empty") {
          res.writeHead(req.url === "/empty" ? 204 : 200, { "content-encoding": "gzip" })
          res.end()
          return
        }
        const body = zlib.gzipSync(Buffer.from("overloaded"))
        res.writeHead(503, { "content-encoding": "gzip", "content-length": body.length })
        res.end(body)
      })
      const error = yield* Effect.flip(HttpResilient.get(`${server.url}/busy`, { retry: false }))
      assert.strictEqual(error._tag, "StatusError")
      if (error._tag === "StatusError") assert.strictEqual(yield* error.response.text, "overloaded")
      const head = yield* HttpResilient.head(server.url)
      assert.strictEqual(head.status, 200)
      const empty = yield* HttpResilient.get(`${server.url}/empty`)
      assert.strictEqual(empty.status, 204)
      assert.strictEqual(yield* empty.text, "")
    }).pipe(Effect.provide(Client)))

  it.effect("decompress is validated like every option", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.provide(Effect.void, ResilientClient.layer({ decompress: "yes" as any }))
      )
      assert.include(String(error), "decompress")
      assert.include(String(error), "\"yes\"")
    }))

  it.live(
    "a stalled encoded body: the attempt timeout ends it; an interrupted decoding call closes its socket",
    () =>
      Effect.gen(function*() {
        const server = yield* serverScoped((_req, res) => {
          res.writeHead(200, { "content-encoding": "gzip" })
          const gzip = zlib.createGzip()
          gzip.pipe(res)
          gzip.write(Buffer.from(text))
          gzip.flush() // part of the body, then nothing
          res.on("close", () => gzip.destroy())
        })
        const layer = client({ timeout: "300 millis" })
        const error = yield* Effect.flip(HttpResilient.get(server.url, { retry: false }).pipe(Effect.provide(layer)))
        assert.strictEqual(error._tag, "TimeoutError", error.message)
        yield* waitUntil(() => server.sockets.size === 0)
        const fiber = yield* Effect.fork(HttpResilient.get(server.url).pipe(Effect.provide(Client)))
        yield* waitUntil(() => server.count() === 2 && server.sockets.size === 1)
        yield* Effect.sleep("50 millis")
        yield* Fiber.interrupt(fiber)
        assert.isTrue(Exit.isInterrupted(yield* Fiber.await(fiber)))
        yield* waitUntil(() => server.sockets.size === 0)
      }).pipe(Effect.scoped),
    20_000
  )
})
