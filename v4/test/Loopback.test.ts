import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Backoff, HttpResilient, ResilientClient, ResilientClientLive, RetryPolicy } from "effect-http-resilient/v4"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** A loopback server on a free port, closed with the scope; `handle` answers each request (n from 1). */
const server = (handle: (req: IncomingMessage, res: ServerResponse, n: number) => void) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<{ url: string; count: () => number }>((resolve) => {
        let n = 0
        const s = createServer((req, res) => handle(req, res, ++n))
        s.listen(0, "127.0.0.1", () => {
          const port = (s.address() as AddressInfo).port
          resolve(Object.assign({ url: `http://127.0.0.1:${port}`, count: () => n }, { close: () => s.close() }))
        })
        ;(globalThis as any).__lastServer = s
      })
    ),
    (s: any) => Effect.sync(() => s.close())
  )

describe("real loopback server, real time", () => {
  it.live("the README quick start: a 503 then the user, after 2 requests", () =>
    Effect.gen(function*() {
      const api = yield* server((_req, res, n) => {
        if (n === 1) res.writeHead(503).end()
        else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: 1, name: "Ada" }))
      })
      const user = yield* HttpResilient.get(`${api.url}/users/1`).pipe(
        Effect.retry(RetryPolicy.default),
        Effect.flatMap((response) => response.json)
      )
      assert.deepStrictEqual(user, { id: 1, name: "Ada" })
      assert.strictEqual(api.count(), 2)
    }).pipe(Effect.scoped, Effect.provide(ResilientClientLive)))

  it.live("Retry-After: 1 is waited for on the wire (≥ 900 ms between the two requests)", () =>
    Effect.gen(function*() {
      const at: Array<number> = []
      const api = yield* server((_req, res, n) => {
        at.push(Date.now())
        if (n === 1) res.writeHead(503, { "retry-after": "1" }).end()
        else res.writeHead(200).end("ok")
      })
      const text = yield* HttpResilient.get(api.url).pipe(
        Effect.retry(RetryPolicy.make({ backoff: Backoff.constant("1 millis") })),
        Effect.flatMap((r) => r.text)
      )
      assert.strictEqual(text, "ok")
      assert.isAtLeast(at[1] - at[0], 900)
      assert.isBelow(at[1] - at[0], 5000)
    }).pipe(Effect.scoped, Effect.provide(ResilientClientLive)))

  it.live("a refused connection is a TransportError ConnectionRefused; a stalled body times out the attempt", () =>
    Effect.gen(function*() {
      const api = yield* server((_req, res) => {
        res.writeHead(200, { "content-length": "10" })
        res.write("12345") // and never the rest
      })
      const stalled = yield* Effect.flip(HttpResilient.get(api.url, { timeout: "300 millis" }))
      assert.strictEqual(stalled._tag, "TimeoutError")
      if (stalled._tag === "TimeoutError") assert.strictEqual(stalled.scope, "attempt")
      const closed = yield* server((_req, res) => res.end())
      ;(globalThis as any).__lastServer.close()
      yield* Effect.sleep("50 millis")
      const refused = yield* Effect.flip(HttpResilient.get(closed.url))
      assert.strictEqual(refused._tag, "TransportError")
      if (refused._tag === "TransportError") assert.strictEqual(refused.reason, "ConnectionRefused")
    }).pipe(Effect.scoped, Effect.provide(ResilientClient.layer({ circuitBreaker: false }))))

  it.live("a bad option fails the layer with a ConfigError naming it", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(ResilientClient.layer({ timeout: "soon" as any })))
      assert.match(
        String(error.message),
        /ResilientClient.layer: option "timeout" "soon" is not a positive finite duration/
      )
    }).pipe(Effect.scoped))
})
