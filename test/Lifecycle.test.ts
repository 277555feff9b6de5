import { assert, describe, it } from "@effect/vitest"
import { ConfigError, Effect, Either, Exit, Fiber, Layer, Scope, Stream } from "effect"
import { HttpResilient, ResilientClient } from "../src/index.js"
import { serverScoped, waitUntil } from "./support/server.js"

const countResources = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length

describe("interruption and scope", () => {
  it.scoped("interrupting a request closes its socket on the server side", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped(() => {/* hangs */})
      const fiber = yield* Effect.fork(HttpResilient.get(`${server.url}/hang`))
      yield* waitUntil(() => server.count() === 1 && server.sockets.size === 1)
      yield* Fiber.interrupt(fiber)
      yield* waitUntil(() => server.sockets.size === 0)
      assert.strictEqual(server.sockets.size, 0)
    }).pipe(Effect.provide(ResilientClient.layer({}))))

  it.scoped("interrupting a request whose body stalls mid-way closes the socket", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.writeHead(200, { "content-length": "1000" })
        res.write("x".repeat(10))
      })
      const fiber = yield* Effect.fork(HttpResilient.get(`${server.url}/stall`))
      yield* waitUntil(() => server.count() === 1)
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 20)))
      yield* Fiber.interrupt(fiber)
      yield* waitUntil(() => server.sockets.size === 0)
    }).pipe(Effect.provide(ResilientClient.layer({}))))

  it.scoped("closing the layer's scope leaves no open connection and no handle behind", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => res.end("ok"))
      const socketsBefore = countResources("TCPSocketWrap")
      const timersBefore = countResources("Timeout")
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(ResilientClient.layer({}), scope)
      yield* Effect.forEach(
        Array.from({ length: 20 }, (_, i) => i),
        (i) => HttpResilient.get(`${server.url}/${i}`),
        { concurrency: 10 }
      ).pipe(Effect.provide(context))
      assert.isAbove(server.sockets.size, 0, "keep-alive sockets stay open while the client lives")
      yield* Scope.close(scope, Exit.void)
      yield* waitUntil(() => server.sockets.size === 0)
      yield* waitUntil(() => countResources("TCPSocketWrap") <= socketsBefore)
      assert.isAtMost(countResources("Timeout"), timersBefore)
    }))

  it.scoped("a layer from a user-owned dispatcher never closes it", () =>
    Effect.gen(function*() {
      const { Agent } = yield* Effect.promise(() => import("undici"))
      const agent = new Agent()
      const server = yield* serverScoped((_req, res) => res.end("ok"))
      yield* HttpResilient.get(server.url).pipe(Effect.provide(ResilientClient.layerFromDispatcher(agent)))
      assert.isFalse(agent.closed)
      yield* Effect.promise(() => agent.close())
    }))
})

describe("bad input fails before any I/O", () => {
  const cases: ReadonlyArray<[string, Effect.Effect<unknown, any, ResilientClient.ResilientClient>, string]> = []
  it.scoped("bad URL, method or header value is an InvalidRequestError and the server sees nothing", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => res.end("ok"))
      const all: ReadonlyArray<[Effect.Effect<unknown, any, ResilientClient.ResilientClient>, string]> = [
        [HttpResilient.get("not a url"), "InvalidUrl"],
        [HttpResilient.get(`${server.url}/a\r\nX-Injected: 1`), "InvalidUrl"],
        [HttpResilient.get(`${server.url}/a\u0000b`), "InvalidUrl"],
        [HttpResilient.get("ftp://127.0.0.1/x"), "InvalidUrl"],
        [HttpResilient.request("GET\r\nX: y", server.url), "InvalidMethod"],
        [HttpResilient.request("GE T", server.url), "InvalidMethod"],
        [HttpResilient.get(server.url, { headers: { "x-a": "ok\r\nX-Injected: 1" } }), "InvalidHeader"],
        [HttpResilient.get(server.url, { headers: { "x-a": "nul\u0000" } }), "InvalidHeader"],
        [HttpResilient.get(server.url, { headers: { "bad name": "v" } }), "InvalidHeader"],
        [HttpResilient.get(server.url, { timeout: -1 }), "InvalidOption"]
      ]
      for (const [effect, reason] of [...cases.map(([, e, r]) => [e, r] as const), ...all]) {
        const error = yield* Effect.flip(effect)
        assert.strictEqual(error._tag, "InvalidRequestError", `expected InvalidRequestError for ${reason}`)
        assert.strictEqual(error.reason, reason)
      }
      assert.strictEqual(server.count(), 0)
    }).pipe(Effect.provide(ResilientClient.layer({}))))
})

describe("bad layer options fail the layer with a ConfigError naming them", () => {
  const buildError = (options: ResilientClient.ClientOptions) =>
    Effect.scoped(Layer.build(ResilientClient.layer(options))).pipe(Effect.flip)

  const cases: ReadonlyArray<[ResilientClient.ClientOptions, string, RegExp]> = [
    [{ timeout: -5 }, "timeout", /timeout: -5 is not a positive finite duration/],
    [{ timeout: "soon" as any }, "timeout", /timeout: "soon"/],
    [{ maxConnections: 0 }, "maxConnections", /maxConnections: 0 is not an integer from 1/],
    [{ maxConnections: 2.5 }, "maxConnections", /2\.5/],
    [{ baseUrl: "not a url" }, "baseUrl", /baseUrl: "not a url" is not an absolute http: or https: URL/],
    [{ acceptStatus: [] }, "acceptStatus", /acceptStatus/],
    [{ headers: { "x-a": "bad\r\nvalue" } }, "headers", /CR, LF/],
    [{ timeoutt: 5 } as any, "timeoutt", /unknown option/]
  ]
  for (const [options, field, message] of cases) {
    it.effect(`${field}: ${JSON.stringify(options)}`, () =>
      Effect.gen(function*() {
        const error = yield* buildError(options)
        assert.isTrue(ConfigError.isConfigError(error))
        const text = String(error)
        assert.include(text, field)
        assert.match(text, message)
        assert.notInclude(text, "Expected undefined")
      }))
  }

  it.effect("several bad options are all reported", () =>
    Effect.gen(function*() {
      const error = yield* buildError({ timeout: 0, maxConnections: -1 })
      const text = String(error)
      assert.include(text, "timeout")
      assert.include(text, "maxConnections")
    }))

  it.effect("options from the environment go through the same validation", () =>
    Effect.gen(function*() {
      const { ConfigProvider } = yield* Effect.promise(() => import("effect"))
      const provider = ConfigProvider.fromMap(new Map([["HTTP_RESILIENT_MAX_CONNECTIONS", "0"]]), { pathDelim: "_" })
      const error = yield* Effect.scoped(Layer.build(ResilientClient.ResilientClientLive)).pipe(
        Effect.withConfigProvider(provider),
        Effect.flip
      )
      assert.include(String(error), "maxConnections")
      const ok = yield* Effect.scoped(Layer.build(ResilientClient.ResilientClientLive)).pipe(
        Effect.withConfigProvider(
          ConfigProvider.fromMap(new Map([["HTTP_RESILIENT_TIMEOUT", "5 seconds"]]), { pathDelim: "_" })
        ),
        Effect.either
      )
      assert.isTrue(Either.isRight(ok))
    }))
})

describe("secrets never reach an error", () => {
  it.scoped("authorization, cookie, x-api-key, custom redacted headers and URL userinfo are absent", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.statusCode = 503
        res.setHeader("set-cookie", "session=SETCOOKIESECRET")
        res.setHeader("x-upstream-token", "UPSTREAMSECRET")
        res.end("unavailable")
      })
      const secrets = [
        "BEARERSECRET",
        "COOKIESECRET",
        "APIKEYSECRET",
        "CUSTOMSECRET",
        "PASSWORDSECRET",
        "QUERYSECRET",
        "SETCOOKIESECRET",
        "UPSTREAMSECRET"
      ]
      const url = server.url.replace("http://", "http://user:PASSWORDSECRET@") + "/x?token=QUERYSECRET&page=2"
      const layer = ResilientClient.layer({ redactHeaders: ["X-Custom-Secret", "x-upstream-token"] })
      const error = yield* HttpResilient.get(url, {
        headers: {
          authorization: "Bearer BEARERSECRET",
          cookie: "a=COOKIESECRET",
          "x-api-key": "APIKEYSECRET",
          "x-custom-secret": "CUSTOMSECRET"
        }
      }).pipe(Effect.flip, Effect.provide(layer))
      assert.strictEqual(error._tag, "StatusError")
      // the wire still carried them
      assert.strictEqual(server.received[0].headers["x-api-key"], "APIKEYSECRET")
      const { inspect } = yield* Effect.promise(() => import("node:util"))
      const { Cause } = yield* Effect.promise(() => import("effect"))
      const views = [
        error.message,
        String(error),
        JSON.stringify(error),
        inspect(error, { depth: 10 }),
        Cause.pretty(Cause.fail(error)),
        error._tag === "StatusError" ? JSON.stringify(error.response) : "",
        error._tag === "StatusError" ? inspect(error.response, { depth: 10 }) : "",
        error._tag === "StatusError" ? inspect(error.response.request, { depth: 10 }) : "",
        error._tag === "StatusError" ? JSON.stringify(error.response.request) : "",
        error._tag === "StatusError" ? String(error.response.request) : ""
      ]
      for (const view of views) {
        for (const secret of secrets) assert.notInclude(view, secret, `${secret} leaked in: ${view.slice(0, 200)}`)
      }
      assert.include(error.message, "/x?token=<redacted>&page=2")
      // the objects themselves keep the real values for code that reads them
      if (error._tag === "StatusError") assert.strictEqual(error.response.request.headers["x-api-key"], "APIKEYSECRET")
    }))
})

/** A client in a scope of its own, and `close`, which closes that scope and tells how long it took (real ms). */
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

describe("graceful close", () => {
  it.live(
    "closing the scope gives in-flight requests gracePeriod, then destroys their sockets",
    () =>
      Effect.gen(function*() {
        const server = yield* serverScoped((_req, res) => {
          setTimeout(() => res.destroyed || res.end("late"), 3_000)
        })
        const { close, context } = yield* clientInOwnScope({ gracePeriod: "200 millis" })
        const fiber = yield* Effect.fork(HttpResilient.get(`${server.url}/slow`).pipe(Effect.provide(context)))
        yield* waitUntil(() => server.count() === 1)
        const took = yield* close
        assert.isBelow(took, 2_000, `closing took ${took} ms`)
        yield* waitUntil(() => server.sockets.size === 0)
        const exit = yield* Fiber.await(fiber)
        assert.isTrue(Exit.isFailure(exit))
      }).pipe(Effect.scoped),
    20_000
  )
})

describe("graceful close of a stream", () => {
  it.live(
    "a stream being read is given gracePeriod too, then its socket is destroyed",
    () =>
      Effect.gen(function*() {
        const server = yield* serverScoped((_req, res) => {
          res.writeHead(200, { "content-type": "application/octet-stream" })
          res.write("first chunk") // then nothing: the body stalls
        })
        const { close, context } = yield* clientInOwnScope({ gracePeriod: "300 millis" })
        let received = 0
        const fiber = yield* Effect.fork(
          HttpResilient.stream(server.url, { retry: false }).pipe(
            Stream.runForEach((chunk) => Effect.sync(() => received += chunk.byteLength)),
            Effect.provide(context)
          )
        )
        yield* waitUntil(() => received > 0)
        const took = yield* close
        // waited for the stream (it counts as in flight) for the grace period, not less, then cut it
        assert.isAtLeast(took, 250, `closing took ${took} ms`)
        assert.isBelow(took, 3_000, `closing took ${took} ms`)
        yield* waitUntil(() => server.sockets.size === 0)
        assert.isTrue(Exit.isFailure(yield* Fiber.await(fiber)))
      }).pipe(Effect.scoped),
    20_000
  )
})

describe("graceful close after abandoned requests", () => {
  it.live(
    "a request abandoned while its connection hangs does not hold the close for gracePeriod",
    () =>
      Effect.gen(function*() {
        // a host whose lookup never answers: the connection attempt hangs until undici's connect timeout
        const lookup = () => {}
        const { close, context } = yield* clientInOwnScope({
          lookup,
          gracePeriod: "5 seconds",
          connectTimeout: "10 seconds"
        })
        const error = yield* Effect.flip(
          HttpResilient.get("http://hangs.test/", { timeout: "200 millis", retry: false }).pipe(
            Effect.provide(context)
          )
        )
        assert.isTrue(error._tag === "TimeoutError" && error.scope === "attempt")
        const took = yield* close
        assert.isBelow(took, 1_000, `closing took ${took} ms`)
      }),
    20_000
  )
})

describe("over a platform HttpClient", () => {
  it.scoped("FetchHttpClient: a refused connection is ConnectionRefused, like over undici", () =>
    Effect.gen(function*() {
      const { FetchHttpClient } = yield* Effect.promise(() => import("@effect/platform"))
      const { closedPort } = yield* Effect.promise(() => import("./support/server.js"))
      const port = yield* Effect.promise(closedPort)
      const error = yield* Effect.flip(
        HttpResilient.get(`http://127.0.0.1:${port}/`).pipe(
          Effect.provide(Layer.orDie(ResilientClient.layerFromHttpClient()).pipe(Layer.provide(FetchHttpClient.layer)))
        )
      )
      assert.strictEqual(error._tag === "TransportError" && error.reason, "ConnectionRefused")
    }))
})
