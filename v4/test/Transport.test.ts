/**
 * The v4 `Transport` module: a client over a transport of the program's own (`ResilientClient.layerWithTransport`),
 * the client's undici pool as a layer (`Transport.layerUndici`) and a dispatcher's (`Transport.layerFromDispatcher`).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import { Backoff, HttpResilient, ResilientClient, RetryPolicy, Transport } from "effect-http-resilient/v4"
import { MockAgent } from "undici"
import { startServer } from "../../test/shared/servers.js"

const encoder = new TextEncoder()

/** A transport answering 503 then `text`, recording the URLs it was asked for. */
const fake = (text: string) => {
  const seen: Array<string> = []
  const send = (request: Transport.TransportRequest) =>
    Effect.sync(() => {
      seen.push(request.url.href)
      return {
        status: seen.length === 1 ? 503 : 200,
        statusText: "",
        headers: { "content-type": "text/plain" },
        setCookie: [],
        body: encoder.encode(text),
        url: request.url.href
      }
    })
  const service: Transport.TransportService = {
    send,
    stream: (request) => Effect.map(send(request), (raw) => ({ ...raw, body: Stream.make(raw.body) }))
  }
  return { seen, layer: Layer.succeed(Transport.Transport, service) }
}

describe("Transport (v4)", () => {
  it.live("layerWithTransport: the client's calls, its retries included, go through the given transport", () =>
    Effect.gen(function*() {
      const transport = fake("hello")
      const text = yield* HttpResilient.get("http://api.example.test/a").pipe(
        Effect.retry(RetryPolicy.make({ backoff: Backoff.constant("1 millis") })),
        Effect.flatMap((r) => r.text),
        Effect.provide(ResilientClient.layerWithTransport().pipe(Layer.provide(transport.layer)))
      )
      assert.strictEqual(text, "hello")
      assert.deepStrictEqual(transport.seen, ["http://api.example.test/a", "http://api.example.test/a"])
    }))

  it.effect("a TransportFailure of the transport is the client's TransportError with its reason", () =>
    Effect.gen(function*() {
      const failing: Transport.TransportService = {
        send: () => Effect.fail(new Transport.TransportFailure("ConnectionReset")),
        stream: () => Effect.fail(new Transport.TransportFailure("ConnectionReset"))
      }
      const error = yield* Effect.flip(
        HttpResilient.get("http://api.example.test/").pipe(
          Effect.provide(
            ResilientClient.layerWithTransport({ retry: false }).pipe(
              Layer.provide(Layer.succeed(Transport.Transport, failing))
            )
          )
        )
      )
      assert.strictEqual(error._tag, "TransportError")
      if (error._tag === "TransportError") assert.strictEqual(error.reason, "ConnectionReset")
    }))

  it.live("layerUndici: the client's own pool as a layer, over a loopback server", () =>
    Effect.gen(function*() {
      const server = yield* Effect.acquireRelease(
        Effect.promise(() => startServer((_req, res) => res.end("pooled"))),
        (s) => Effect.promise(s.close)
      )
      const text = yield* HttpResilient.get(server.origin).pipe(
        Effect.flatMap((r) => r.text),
        Effect.provide(
          ResilientClient.layerWithTransport().pipe(
            Layer.provide(Transport.layerUndici({ connections: 4, keepAliveTimeout: "10 seconds" }))
          )
        )
      )
      assert.strictEqual(text, "pooled")
    }).pipe(Effect.scoped), 20_000)

  it.effect("layerUndici: a bad option fails the layer naming the option, the value and why", () =>
    Effect.gen(function*() {
      const said = (options: Transport.UndiciPoolOptions) =>
        Effect.map(
          Effect.flip(Effect.scoped(Layer.build(Transport.layerUndici(options)))),
          (error) => error.cause.message
        )
      assert.strictEqual(
        yield* said({ pipelining: 0 }),
        `ResilientClient.layer: option "pipelining" 0 is not an integer from 1 to 128`
      )
      assert.strictEqual(
        yield* said({ connections: 0 }),
        `ResilientClient.layer: option "connections" 0 is not a positive integer`
      )
    }))

  it.effect("layerFromDispatcher: a client over an undici MockAgent", () =>
    Effect.gen(function*() {
      const mock = new MockAgent()
      mock.disableNetConnect()
      mock.get("http://api.example.test").intercept({ path: "/users/1", method: "GET" }).reply(200, "ada")
      const text = yield* HttpResilient.get("http://api.example.test/users/1").pipe(
        Effect.flatMap((r) => r.text),
        Effect.provide(
          ResilientClient.layerWithTransport({ retry: false }).pipe(Layer.provide(Transport.layerFromDispatcher(mock)))
        )
      )
      assert.strictEqual(text, "ada")
      yield* Effect.promise(() => mock.close())
    }))
})
