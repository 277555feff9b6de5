import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import { HttpResilient, ResilientClient } from "effect-http-resilient/v4"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import * as zlib from "node:zlib"

/** A loopback server on a free port, closed with the scope; records each request's `Accept-Encoding`. */
const server = (handle: (req: IncomingMessage, res: ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<{ url: string; acceptEncodings: Array<string | undefined>; close: () => void }>((resolve) => {
        const acceptEncodings: Array<string | undefined> = []
        const s = createServer((req, res) => {
          acceptEncodings.push(req.headers["accept-encoding"])
          handle(req, res)
        })
        s.listen(0, "127.0.0.1", () => {
          const port = (s.address() as AddressInfo).port
          resolve({ url: `http://127.0.0.1:${port}`, acceptEncodings, close: () => s.close() })
        })
      })
    ),
    (s) => Effect.sync(() => s.close())
  )

const encoders: Record<string, (body: Buffer) => Buffer> = {
  gzip: (body) => zlib.gzipSync(body),
  deflate: (body) => zlib.deflateSync(body),
  br: (body) => zlib.brotliCompressSync(body)
}

/** Answers `/<coding>` with "hello, <coding>" encoded so. */
const encoding = (req: IncomingMessage, res: ServerResponse) => {
  const coding = req.url!.slice(1)
  const body = encoders[coding](Buffer.from(`hello, ${coding}`))
  res.writeHead(200, { "content-encoding": coding, "content-length": body.length }).end(body)
}

describe("decompress (real loopback server, real time)", () => {
  it.live("gzip, deflate and br bodies are decoded, buffered and streamed; Accept-Encoding is sent", () =>
    Effect.gen(function*() {
      const api = yield* server(encoding)
      for (const coding of ["gzip", "deflate", "br"]) {
        const response = yield* HttpResilient.get(`${api.url}/${coding}`)
        assert.strictEqual(yield* response.text, `hello, ${coding}`)
        assert.isUndefined(response.headers["content-encoding"])
        const streamed = yield* Stream.runCollect(HttpResilient.stream(`${api.url}/${coding}`))
        assert.strictEqual(Buffer.concat(Array.from(streamed)).toString(), `hello, ${coding}`)
      }
      assert.deepStrictEqual(api.acceptEncodings, Array(6).fill("gzip, deflate, br"))
    }).pipe(Effect.scoped, Effect.provide(ResilientClient.layer({ retry: false }))))

  it.live("a user's Accept-Encoding is kept; decompress: false sends none and passes the bytes through", () =>
    Effect.gen(function*() {
      const api = yield* server(encoding)
      yield* HttpResilient.get(`${api.url}/gzip`, { headers: { "accept-encoding": "gzip" } })
      const raw = yield* Effect.provide(
        Effect.flatMap(HttpResilient.get(`${api.url}/gzip`), (r) => Effect.map(r.arrayBuffer, (b) => ({ r, b }))),
        ResilientClient.layer({ decompress: false })
      )
      assert.strictEqual(raw.r.headers["content-encoding"], "gzip")
      assert.strictEqual(zlib.gunzipSync(Buffer.from(raw.b)).toString(), "hello, gzip")
      assert.deepStrictEqual(api.acceptEncodings, ["gzip", undefined])
    }).pipe(Effect.scoped, Effect.provide(ResilientClient.layer({ retry: false }))))

  it.live("maxResponseSize counts decoded bytes (a gzip bomb is ResponseTooLarge); a corrupt body is ProtocolError", () =>
    Effect.gen(function*() {
      const zeros = zlib.gzipSync(Buffer.alloc(1024 * 1024))
      const api = yield* server((req, res) => {
        const body = req.url === "/bomb" ? zeros : Buffer.from("not gzip at all")
        res.writeHead(200, { "content-encoding": "gzip", "content-length": body.length }).end(body)
      })
      const tooLarge = yield* Effect.flip(HttpResilient.get(`${api.url}/bomb`))
      assert.strictEqual(tooLarge._tag, "TransportError")
      assert.strictEqual((tooLarge as any).reason, "ResponseTooLarge")
      const corrupt = yield* Effect.flip(HttpResilient.get(`${api.url}/corrupt`))
      assert.strictEqual(corrupt._tag, "TransportError")
      assert.strictEqual((corrupt as any).reason, "ProtocolError")
    }).pipe(Effect.scoped, Effect.provide(ResilientClient.layer({ retry: false, maxResponseSize: 64 * 1024 }))))

  it.effect("decompress must be a boolean", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(ResilientClient.layer({ decompress: "yes" as any })))
      assert.include(String(error), "decompress")
      assert.include(String(error), "yes")
      assert.include(String(error), "a boolean")
    }).pipe(Effect.scoped))
})
