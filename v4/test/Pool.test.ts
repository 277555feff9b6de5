/**
 * The client's own pool options of the v4 edition, as the root entry's: `keepAliveTimeout`, `connectTimeout`,
 * `headersTimeout`, `pipelining`, `gracePeriod`, `lookup` (validation, the environment, and their effect on real
 * loopback servers in real time).
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Fiber, Layer, Scope } from "effect"
import { HttpResilient, ResilientClient } from "effect-http-resilient/v4"
import { eventually } from "../../test/shared/check.js"
import { type RawServer, startRawServer, startServer } from "../../test/shared/servers.js"

/** Waits (real time, bounded) until `done()`. */
const waitUntil = (done: () => boolean) => Effect.promise(() => eventually(async () => done(), 5_000, "waiting"))

/** What building `layer` fails with (its cause's message). */
const refusal = (layer: Layer.Layer<ResilientClient.ResilientClient, unknown>) =>
  Effect.map(Effect.flip(Effect.scoped(Layer.build(layer))), (error) => (error as { cause: Error }).cause.message)

/** A raw server closed with the scope; `onRequest` answers (or not) each request head. */
const raw = (onRequest: Parameters<typeof startRawServer>[0]) =>
  Effect.acquireRelease(Effect.promise(() => startRawServer(onRequest)), (s) => Effect.promise(s.close))

/** A 200 with no `Keep-Alive` hint (undici then keeps the socket for `keepAliveTimeout`). */
const ok = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"

const answerOk = (socket: { write: (s: string) => void }) => socket.write(ok)

/** `layer(options)` built in a scope of its own, and closing it timed (ms). */
const clientInOwnScope = (options: ResilientClient.ClientOptions) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(Layer.orDie(ResilientClient.layer(options)), scope)
    const close = Effect.suspend(() => {
      const started = Date.now()
      return Effect.map(Scope.close(scope, Exit.void), () => Date.now() - started)
    })
    return { context, close }
  })

const get = (url: string) => HttpResilient.get(url, { retry: false })

describe("pool options: validation", () => {
  it.effect("a bad value fails the layer naming the option, the value and why (the root entry's rules)", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<[ResilientClient.ClientOptions, string]> = [
        [{ keepAliveTimeout: 0 }, `option "keepAliveTimeout" 0 is not a positive finite duration`],
        [{ connectTimeout: "-1 seconds" }, `option "connectTimeout" "-1 seconds" is not a positive finite duration`],
        [{ headersTimeout: "soon" as any }, `option "headersTimeout" "soon" is not a positive finite duration`],
        [{ bodyTimeout: 0 }, `option "bodyTimeout" 0 is not a positive finite duration`],
        [{ pipelining: 0 }, `option "pipelining" 0 is not an integer from 1 to 128`],
        [{ pipelining: 129 }, `option "pipelining" 129 is not an integer from 1 to 128`],
        [{ pipelining: 1.5 }, `option "pipelining" 1.5 is not an integer from 1 to 128`],
        [{ gracePeriod: -5 }, `option "gracePeriod" -5 is not a non-negative finite duration`],
        [{ gracePeriod: "-1 seconds" }, `option "gracePeriod" "-1 seconds" is not a non-negative finite duration`],
        [{ gracePeriod: Infinity }, `option "gracePeriod" Infinity is not a non-negative finite duration`],
        [{ lookup: "127.0.0.1" as any }, `option "lookup" "127.0.0.1" is not a function`]
      ]
      for (const [options, reason] of cases) {
        assert.strictEqual(yield* refusal(ResilientClient.layer(options)), `ResilientClient.layer: ${reason}`)
      }
      // zero is a grace period (close at once)
      yield* Effect.scoped(Layer.build(ResilientClient.layer({ gracePeriod: 0 })))
    }))

  it.effect("layerConfig reads PREFIX_KEEP_ALIVE_TIMEOUT and PREFIX_CONNECT_TIMEOUT; a bad one names the variable", () =>
    Effect.gen(function*() {
      const provider = (env: Record<string, string>) => ConfigProvider.fromEnv({ env })
      const options = yield* ResilientClient.optionsFromConfig("HTTP_RESILIENT").parse(
        provider({ HTTP_RESILIENT_KEEP_ALIVE_TIMEOUT: "30 seconds", HTTP_RESILIENT_CONNECT_TIMEOUT: "2 seconds" })
      )
      assert.isDefined(options.keepAliveTimeout)
      assert.isDefined(options.connectTimeout)
      const error = yield* Effect.flip(Effect.scoped(Layer.build(ResilientClient.layerConfig("HTTP_RESILIENT")))).pipe(
        Effect.provideService(ConfigProvider.ConfigProvider, provider({ HTTP_RESILIENT_CONNECT_TIMEOUT: "0 millis" }))
      )
      assert.strictEqual(
        error.cause.message,
        "HTTP_RESILIENT_CONNECT_TIMEOUT (connectTimeout): 0 is not a positive finite duration"
      )
    }))
})

describe("pool options on a real loopback server, real time", () => {
  it.live(
    "headersTimeout: a server that never sends headers fails the attempt with HeadersTimeout",
    () =>
      Effect.gen(function*() {
        const server = yield* raw(() => {/* silent */})
        const started = Date.now()
        const error = yield* Effect.flip(
          get(server.origin).pipe(
            Effect.provide(
              ResilientClient.layer({ headersTimeout: 200, timeout: "20 seconds", deadline: "25 seconds" })
            )
          )
        )
        assert.strictEqual(error._tag, "TransportError")
        if (error._tag === "TransportError") assert.strictEqual(error.reason, "HeadersTimeout")
        assert.isBelow(Date.now() - started, 5_000)
      }).pipe(Effect.scoped),
    20_000
  )

  it.live(
    "bodyTimeout: a body that stalls after its first piece fails the attempt with BodyTimeout",
    () =>
      Effect.gen(function*() {
        const server = yield* raw((socket) => socket.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial"))
        const started = Date.now()
        const error = yield* Effect.flip(
          get(server.origin).pipe(
            Effect.provide(ResilientClient.layer({ bodyTimeout: 200, timeout: "20 seconds", deadline: "25 seconds" }))
          )
        )
        assert.strictEqual(error._tag, "TransportError")
        if (error._tag === "TransportError") assert.strictEqual(error.reason, "BodyTimeout")
        assert.isBelow(Date.now() - started, 5_000)
      }).pipe(Effect.scoped),
    20_000
  )

  it.live(
    "keepAliveTimeout: an idle socket is reused within it (one connection), closed after it (a second)",
    () =>
      Effect.gen(function*() {
        const kept = yield* raw(answerOk)
        yield* Effect.gen(function*() {
          yield* get(kept.origin)
          yield* Effect.sleep("300 millis")
          yield* get(kept.origin)
        }).pipe(Effect.provide(ResilientClient.layer({ keepAliveTimeout: "10 seconds" })))
        assert.strictEqual(kept.connections(), 1)

        const dropped: RawServer = yield* raw(answerOk)
        yield* Effect.gen(function*() {
          yield* get(dropped.origin)
          yield* Effect.sleep("600 millis")
          yield* get(dropped.origin)
        }).pipe(Effect.provide(ResilientClient.layer({ keepAliveTimeout: "100 millis" })))
        assert.strictEqual(dropped.connections(), 2)
      }).pipe(Effect.scoped),
    20_000
  )

  it.live(
    "lookup: a host name resolved by the option to 127.0.0.1 reaches the loopback server",
    () =>
      Effect.gen(function*() {
        const server = yield* Effect.acquireRelease(
          Effect.promise(() => startServer((_req, res) => res.end("hello"))),
          (s) => Effect.promise(s.close)
        )
        const asked: Array<string> = []
        const lookup = (hostname: string, options: any, callback: (...args: Array<any>) => void) => {
          asked.push(hostname)
          if (options?.all) callback(null, [{ address: "127.0.0.1", family: 4 }])
          else callback(null, "127.0.0.1", 4)
        }
        const text = yield* get(`http://api.example.test:${server.port}/`).pipe(
          Effect.flatMap((response) => response.text),
          Effect.provide(ResilientClient.layer({ lookup }))
        )
        assert.strictEqual(text, "hello")
        assert.deepStrictEqual(asked, ["api.example.test"])
      }).pipe(Effect.scoped),
    20_000
  )

  it.live(
    "connectTimeout: a connection that cannot open in time fails with ConnectTimeout",
    () =>
      Effect.gen(function*() {
        const started = Date.now()
        const error = yield* Effect.flip(
          get("http://hangs.example.test/").pipe(
            Effect.provide(
              ResilientClient.layer({ lookup: () => {/* never answers */}, connectTimeout: 200, timeout: "20 seconds" })
            )
          )
        )
        assert.strictEqual(error._tag, "TransportError")
        if (error._tag === "TransportError") assert.strictEqual(error.reason, "ConnectTimeout")
        assert.isBelow(Date.now() - started, 5_000)
      }),
    20_000
  )

  it.live(
    "pipelining: the second request goes on the same connection while the first's body is still coming",
    () =>
      Effect.gen(function*() {
        // the first answer's head and half its body; the rest only once the second request arrived on that socket
        const server = yield* raw((socket, _head, index) => {
          if (index === 0) socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\no")
          else socket.write("k" + ok)
        })
        const texts = yield* Effect.all([get(server.origin), get(server.origin)], { concurrency: 2 }).pipe(
          Effect.flatMap((responses) => Effect.forEach(responses, (r) => r.text)),
          Effect.provide(ResilientClient.layer({ maxConnections: 1, pipelining: 2, timeout: "5 seconds" }))
        )
        assert.deepStrictEqual(texts, ["ok", "ok"])
        assert.strictEqual(server.connections(), 1)
      }).pipe(Effect.scoped),
    20_000
  )

  it.live(
    "gracePeriod: closing the client waits that long for a request in flight, then destroys its socket",
    () =>
      Effect.gen(function*() {
        const server = yield* raw(() => {/* answers late, never in time */})
        const { close, context } = yield* clientInOwnScope({ gracePeriod: "300 millis", timeout: "20 seconds" })
        const fiber = yield* Effect.forkChild(get(server.origin).pipe(Effect.provide(context)))
        yield* waitUntil(() => server.requests.length === 1)
        const took = yield* close
        assert.isAtLeast(took, 250, `closing took ${took} ms`)
        assert.isBelow(took, 3_000, `closing took ${took} ms`)
        yield* waitUntil(() => server.sockets.size === 0)
        assert.isTrue(Exit.isFailure(yield* Fiber.await(fiber)))
      }).pipe(Effect.scoped),
    20_000
  )

  it.live("gracePeriod: a request answered within it completes while the client closes", () =>
    Effect.gen(function*() {
      const server = yield* raw((socket) => setTimeout(() => answerOk(socket), 300))
      const { close, context } = yield* clientInOwnScope({ gracePeriod: "5 seconds" })
      const fiber = yield* Effect.forkChild(
        get(server.origin).pipe(Effect.flatMap((r) => r.text), Effect.provide(context))
      )
      yield* waitUntil(() => server.requests.length === 1)
      const took = yield* close
      assert.isBelow(took, 4_000, `closing took ${took} ms`)
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isSuccess(exit))
    }).pipe(Effect.scoped), 20_000)
})
