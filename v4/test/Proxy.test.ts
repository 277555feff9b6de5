/**
 * The `proxy` option in what is the v4 edition's own: its layer's error text, `layerConfig`'s `PREFIX_PROXY`,
 * `warmUp` through a proxy, and closing the pool with a request in flight. What both editions promise (forwarding,
 * tunnels, credentials, 407, `noProxy`, `"env"`, bad values) is in the shared suite (test/shared/network.ts).
 * Against the test proxy and real loopback servers, in real time.
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Fiber, Layer, Scope } from "effect"
import { HttpResilient, ResilientClient } from "effect-http-resilient/v4"
import { eventually } from "../../test/shared/check.js"
import { startProxy } from "../../test/shared/proxy.js"
import { type Handler, startServer } from "../../test/shared/servers.js"

const proxyScoped = Effect.acquireRelease(Effect.promise(() => startProxy()), (proxy) => Effect.promise(proxy.close))

const serverScoped = (handler: Handler) =>
  Effect.acquireRelease(Effect.promise(() => startServer(handler)), (server) => Effect.promise(server.close))

const origin = serverScoped((req, res) => res.end(`origin saw ${req.url}`))

/** Waits (real time, bounded) until `done()`. */
const waitUntil = (done: () => boolean) => Effect.promise(() => eventually(async () => done(), 5_000, "waiting"))

/** What building `layer` fails with (its cause's message). */
const refusal = (layer: Layer.Layer<ResilientClient.ResilientClient, unknown>) =>
  Effect.map(Effect.flip(Effect.scoped(Layer.build(layer))), (error) => (error as { cause: Error }).cause.message)

describe("proxy (v4)", () => {
  it.effect("a bad value: the layer's ConfigError names the option, the redacted value and why", () =>
    Effect.gen(function*() {
      const said = yield* refusal(ResilientClient.layer({ proxy: "http://user:s3cr3t@proxy.test:3128/path" }))
      assert.strictEqual(
        said,
        `ResilientClient.layer: option "proxy" "http://proxy.test:3128/path" is not "env", an http: or https: proxy ` +
          `URL with no path, query or fragment (userinfo for Basic credentials), or { uri, token?: a header value, ` +
          `noProxy?: hosts as a string or a list }`
      )
    }))

  it.live("layerConfig: PREFIX_PROXY sends the client through the proxy; a bad one names the variable", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyScoped
      const server = yield* origin
      const fromEnv = (env: Record<string, string>) =>
        Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env }))
      const response = yield* HttpResilient.get(`${server.origin}/via`).pipe(
        Effect.provide(ResilientClient.layerConfig("MY_HTTP")),
        fromEnv({ MY_HTTP_PROXY: proxy.url })
      )
      assert.strictEqual(yield* response.text, "origin saw /via")
      assert.deepStrictEqual(proxy.forwarded, [`GET ${server.origin}/via`])
      const said = yield* refusal(ResilientClient.layerConfig("MY_HTTP")).pipe(
        fromEnv({ MY_HTTP_PROXY: "ftp://user:s3cr3t@proxy.test" })
      )
      assert.include(said, `MY_HTTP_PROXY (proxy): "ftp://proxy.test" is not "env", an http: or https: proxy URL`)
      assert.notInclude(said, "s3cr3t")
    }))

  it.live("warmUp through a proxy is a typed error, not a direct connection", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyScoped
      const server = yield* origin
      const error = yield* Effect.flip(
        ResilientClient.warmUp(server.origin, 2).pipe(Effect.provide(ResilientClient.layer({ proxy: proxy.url })))
      )
      assert.strictEqual(error._tag, "InvalidRequestError")
      assert.include(error.message, "proxy")
      assert.strictEqual(server.sockets.size, 0)
    }))

  it.live(
    "closing the client lets a request in flight through the proxy finish; then no socket is left",
    () =>
      Effect.gen(function*() {
        const proxy = yield* proxyScoped
        const server = yield* serverScoped((_req, res) =>
          void setTimeout(() => res.destroyed || res.end("finished"), 300)
        )
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(ResilientClient.layer({ proxy: proxy.url }), scope)
        const slow = yield* Effect.forkChild(HttpResilient.get(`${server.origin}/slow`).pipe(Effect.provide(context)))
        yield* waitUntil(() => server.count() === 1)
        yield* Scope.close(scope, Exit.void)
        const response = yield* Fiber.join(slow)
        assert.strictEqual(yield* response.text, "finished")
        assert.deepStrictEqual(proxy.forwarded, [`GET ${server.origin}/slow`])
        yield* waitUntil(() => proxy.sockets.size === 0)
      }),
    20_000
  )
})
