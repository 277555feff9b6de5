import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Layer, Logger, Scope } from "effect"
import { inspect } from "node:util"
import { HttpResilient, ResilientClient } from "../src/index.js"
import type { Failed } from "../src/ResilientEvent.js"
import { proxyScoped } from "./support/proxy.js"
import { closedPort, serverScoped, waitUntil } from "./support/server.js"
import { tlsServer } from "./support/tls.js"

const client = (options: ResilientClient.ClientOptions) => Layer.orDie(ResilientClient.layer(options))

const origin = () =>
  serverScoped((req, res) => {
    res.writeHead(200, { "content-type": "text/plain" })
    res.end(`origin saw ${req.method} ${req.url} host ${req.headers.host}`)
  })

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`

/** Every form a failure can be shown in: message, String, inspect, JSON, the pretty cause. */
const everyView = (error: unknown): string =>
  [
    String(error),
    (error as Error).message,
    inspect(error, { depth: 8 }),
    JSON.stringify(error),
    Cause.pretty(
      Cause.fail(error)
    )
  ].join("\n")

const proxyVariables = ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"]

/** Sets the proxy variables for the scope (the others cleared) and restores them after. */
const withProxyEnv = (values: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const saved = proxyVariables.map((name) => [name, process.env[name]] as const)
      for (const name of proxyVariables) delete process.env[name]
      Object.assign(process.env, values)
      return saved
    }),
    (saved) =>
      Effect.sync(() => {
        for (const [name, value] of saved) {
          if (value === undefined) delete process.env[name]
          else process.env[name] = value
        }
      })
  )

describe("proxy", () => {
  it.scoped("a plain forward proxy carries http: requests (absolute form); no tunnel", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyScoped()
      const server = yield* origin()
      const response = yield* HttpResilient.get(`${server.url}/a?x=1`).pipe(
        Effect.provide(client({ proxy: proxy.url }))
      )
      assert.strictEqual(yield* response.text, `origin saw GET /a?x=1 host 127.0.0.1:${server.port}`)
      assert.deepStrictEqual(proxy.forwarded, [`GET ${server.url}/a?x=1`])
      assert.deepStrictEqual(proxy.tunnels, [])
      // the scope closed the pool: no socket to the proxy is left open
      yield* waitUntil(() => proxy.sockets.size === 0)
    }))

  it.scoped("a CONNECT proxy tunnels to a TLS origin (the origin's certificate checked through the tunnel)", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyScoped()
      const { cert, origin: tlsOrigin } = yield* tlsServer((req, res) => {
        res.writeHead(200)
        res.end(`tls origin saw ${req.url}`)
      })
      const layer = client({ proxy: proxy.url, tls: { ca: cert } })
      for (const path of ["/one", "/two"]) {
        const response = yield* HttpResilient.get(`${tlsOrigin}${path}`).pipe(Effect.provide(layer))
        assert.strictEqual(yield* response.text, `tls origin saw ${path}`)
      }
      assert.deepStrictEqual(proxy.tunnels, [tlsOrigin.replace("https://", ""), tlsOrigin.replace("https://", "")])
      assert.deepStrictEqual(proxy.forwarded, [])
      // without the CA the TLS failure is the origin's, through the tunnel
      const untrusted = yield* Effect.flip(
        HttpResilient.get(`${tlsOrigin}/x`, { retry: false }).pipe(Effect.provide(client({ proxy: proxy.url })))
      )
      assert.strictEqual(untrusted._tag, "TransportError")
      if (untrusted._tag === "TransportError") assert.strictEqual(untrusted.reason, "TlsFailure")
    }))

  it.scoped("proxy credentials: userinfo (Basic) or token, for forwarded requests and tunnels", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyScoped({ auth: basic("user", "pa ss") })
      const server = yield* origin()
      const { cert, origin: tlsOrigin } = yield* tlsServer((_req, res) => res.end("tls ok"))
      const withUserinfo = client({ proxy: `http://user:pa%20ss@127.0.0.1:${proxy.port}`, tls: { ca: cert } })
      assert.strictEqual(
        yield* (yield* HttpResilient.get(`${server.url}/u`).pipe(Effect.provide(withUserinfo))).text,
        `origin saw GET /u host 127.0.0.1:${server.port}`
      )
      assert.strictEqual(yield* (yield* HttpResilient.get(tlsOrigin).pipe(Effect.provide(withUserinfo))).text, "tls ok")
      const withToken = client({ proxy: { uri: proxy.url, token: basic("user", "pa ss") }, tls: { ca: cert } })
      yield* HttpResilient.get(`${server.url}/t`).pipe(Effect.provide(withToken))
      assert.deepStrictEqual(proxy.refused, [])
      assert.strictEqual(proxy.forwarded.length, 2)
      assert.strictEqual(proxy.tunnels.length, 1)
      // the proxy's credentials never reach the origin
      assert.isTrue(server.received.every((r) => r.headers["proxy-authorization"] === undefined))
    }))

  it.scoped("refused credentials (407) are InvalidRequestError InvalidOption, and no view of it shows them", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyScoped({ auth: basic("user", "right") })
      const server = yield* origin()
      const { cert, origin: tlsOrigin } = yield* tlsServer((_req, res) => res.end("tls ok"))
      const failed: Array<Failed> = []
      const logs: Array<unknown> = []
      const logger = Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => void logs.push(message)))
      const layer = client({
        proxy: `http://user:s3cr3t@127.0.0.1:${proxy.port}`,
        tls: { ca: cert },
        onFailure: (event) => void failed.push(event)
      })
      for (const url of [`${server.url}/x`, `${tlsOrigin}/x`]) {
        const error = yield* Effect.flip(HttpResilient.get(url).pipe(Effect.provide(layer), Effect.provide(logger)))
        assert.strictEqual(error._tag, "InvalidRequestError", error.message)
        if (error._tag === "InvalidRequestError") assert.strictEqual(error.reason, "InvalidOption")
        assert.include(error.message, "407")
        const views = everyView(error) + inspect(failed, { depth: 8 }) + inspect(logs, { depth: 8 })
        assert.notInclude(views, "s3cr3t")
        assert.notInclude(views, Buffer.from("user:s3cr3t").toString("base64"))
      }
      // not retried: one request, one tunnel attempt
      assert.strictEqual(proxy.refused.length, 2)
      assert.strictEqual(failed.length, 2)
    }))

  it.scoped("a proxy that is down: TransportError ConnectionRefused that does not show the credentials", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(closedPort)
      const server = yield* origin()
      const error = yield* Effect.flip(
        HttpResilient.get(`${server.url}/x`, { retry: false }).pipe(
          Effect.provide(client({ proxy: { uri: `http://user:s3cr3t@127.0.0.1:${port}`, token: "Bearer t0k3n" } }))
        )
      )
      assert.strictEqual(error._tag, "TransportError")
      if (error._tag === "TransportError") assert.strictEqual(error.reason, "ConnectionRefused")
      assert.notInclude(everyView(error), "s3cr3t")
      assert.notInclude(everyView(error), "t0k3n")
    }))

  it.scoped("noProxy: a listed host:port goes direct, the others through the proxy", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyScoped()
      const direct = yield* origin()
      const proxied = yield* origin()
      const layer = client({ proxy: { uri: proxy.url, noProxy: [`127.0.0.1:${direct.port}`] } })
      yield* HttpResilient.get(`${direct.url}/d`).pipe(Effect.provide(layer))
      yield* HttpResilient.get(`${proxied.url}/p`).pipe(Effect.provide(layer))
      assert.deepStrictEqual(proxy.forwarded, [`GET ${proxied.url}/p`])
      assert.strictEqual(direct.received.length, 1)
    }))

  it.scoped("\"env\": HTTP_PROXY, HTTPS_PROXY and NO_PROXY, read when the layer is built", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyScoped()
      const direct = yield* origin()
      const proxied = yield* origin()
      const { cert, origin: tlsOrigin } = yield* tlsServer((_req, res) => res.end("tls ok"))
      yield* withProxyEnv({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: `127.0.0.1:${direct.port}` })
      const layer = client({ proxy: "env", tls: { ca: cert } })
      yield* Effect.gen(function*() {
        yield* HttpResilient.get(`${direct.url}/d`)
        yield* HttpResilient.get(`${proxied.url}/p`)
        yield* HttpResilient.get(`${tlsOrigin}/s`)
      }).pipe(Effect.provide(layer))
      assert.deepStrictEqual(proxy.forwarded, [`GET ${proxied.url}/p`])
      assert.deepStrictEqual(proxy.tunnels, [tlsOrigin.replace("https://", "")])
      // neither variable set: direct connections
      yield* withProxyEnv({})
      yield* HttpResilient.get(`${proxied.url}/again`).pipe(Effect.provide(client({ proxy: "env" })))
      assert.strictEqual(proxy.forwarded.length, 1)
    }))

  it.scoped("a bad proxy value fails the layer with a ConfigError naming proxy, the redacted value and why", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<[unknown, string]> = [
        ["ftp://user:s3cr3t@proxy.test:3128", `proxy: "ftp://proxy.test:3128" is not "env", an http: or https:`],
        ["http://user:s3cr3t@proxy.test:3128/path", `proxy: "http://proxy.test:3128/path" is not`],
        [{ uri: "http://proxy.test:3128", token: "s3cr3t\n" }, `"token":"<redacted>"`],
        [{ uri: "http://user:s3cr3t@proxy.test:3128", token: "s3cr3t", extra: 1 }, `"uri":"http://proxy.test:3128"`],
        ["http://user:%zz-s3cr3t@proxy.test:3128", `proxy: "http://proxy.test:3128" is not`],
        [5, "proxy: 5 is not"]
      ]
      for (const [value, message] of cases) {
        const exit = yield* Effect.exit(Layer.build(ResilientClient.layer({ proxy: value as any })))
        assert.isTrue(Exit.isFailure(exit))
        const shown = Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""
        assert.include(shown, message)
        assert.notInclude(shown, "s3cr3t")
      }
      yield* withProxyEnv({ HTTPS_PROXY: "http://user:s3cr3t@proxy.test:3128/not-a-proxy" })
      const exit = yield* Effect.exit(Layer.build(ResilientClient.layer({ proxy: "env" })))
      const shown = Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""
      assert.include(shown, `proxy: "env": HTTPS_PROXY="http://proxy.test:3128/not-a-proxy" is not an http: or https:`)
      assert.notInclude(shown, "s3cr3t")
    }))

  it.scoped("warmUp through a proxy is a typed error, not a direct connection", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyScoped()
      const server = yield* origin()
      const error = yield* Effect.flip(
        ResilientClient.warmUp(server.url, 2).pipe(Effect.provide(client({ proxy: proxy.url })))
      )
      assert.include(error.message, "proxy")
      assert.strictEqual(server.sockets.size, 0)
    }))

  it.live(
    "graceful close through a proxy: an in-flight request finishes within gracePeriod; then no socket is left",
    () =>
      Effect.gen(function*() {
        const proxy = yield* proxyScoped()
        const server = yield* serverScoped((req, res) => {
          if (req.url === "/slow") setTimeout(() => res.destroyed || res.end("finished"), 300)
          else setTimeout(() => res.destroyed || res.end("late"), 5_000)
        })
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(client({ proxy: proxy.url, gracePeriod: "2 seconds" }), scope)
        const slow = yield* Effect.fork(HttpResilient.get(`${server.url}/slow`).pipe(Effect.provide(context)))
        yield* waitUntil(() => server.count() === 1)
        yield* Scope.close(scope, Exit.void)
        const response = yield* Fiber.join(slow)
        assert.strictEqual(yield* response.text, "finished")
        yield* waitUntil(() => proxy.sockets.size === 0)
        // and past the grace period the socket is destroyed
        const scope2 = yield* Scope.make()
        const context2 = yield* Layer.buildWithScope(client({ proxy: proxy.url, gracePeriod: "200 millis" }), scope2)
        const stuck = yield* Effect.fork(HttpResilient.get(`${server.url}/stuck`).pipe(Effect.provide(context2)))
        yield* waitUntil(() => server.count() === 2)
        const started = Date.now()
        yield* Scope.close(scope2, Exit.void)
        assert.isBelow(Date.now() - started, 2_000)
        assert.isTrue(Exit.isFailure(yield* Fiber.await(stuck)))
        yield* waitUntil(() => proxy.sockets.size === 0)
      }).pipe(Effect.scoped),
    20_000
  )
})
