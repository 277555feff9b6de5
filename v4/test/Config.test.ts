/**
 * `ResilientClient.layerConfig` / `ResilientClientLive` and `optionsFromConfig`: the root entry's variables, read with
 * v4's `Config` from a `ConfigProvider.fromEnv` record. Behaviour is checked against a real loopback server in real
 * time.
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Layer } from "effect"
import { CircuitBreaker, HttpResilient, ResilientClient, ResilientClientLive } from "effect-http-resilient/v4"
import type * as Config from "effect/Config"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { protectionVariables } from "../../test/shared/env.js"

/** A loopback server on a free port, closed with the scope; `handle` answers each request. */
const server = (handle: (req: IncomingMessage, res: ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<{ readonly url: string; readonly close: () => void }>((resolve) => {
        const s = createServer(handle)
        s.listen(0, "127.0.0.1", () =>
          resolve({
            url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
            close: () => s.close()
          }))
      })
    ),
    (s) => Effect.sync(() => s.close())
  )

const provider = (env: Record<string, string>) => ConfigProvider.fromEnv({ env })

/** The error building `layer` under the environment `env` fails with. */
const buildError = (
  layer: Layer.Layer<ResilientClient.ResilientClient, Config.ConfigError>,
  env: Record<string, string>
) =>
  Effect.flip(Effect.scoped(Layer.build(layer))).pipe(
    Effect.provideService(ConfigProvider.ConfigProvider, provider(env))
  )

/** What a layer's `ConfigError` says (its cause's message: `error.message` puts the cause's name in front). */
const said = (error: Config.ConfigError): string => error.cause.message

/** The options the environment `env` gives. */
const optionsOf = (env: Record<string, string>, prefix = "HTTP_RESILIENT") =>
  ResilientClient.optionsFromConfig(prefix).parse(provider(env))

describe("options from the environment", () => {
  it.effect("a bad value names the variable, then the option, the value and why", () =>
    Effect.gen(function*() {
      const error = yield* buildError(ResilientClientLive, { HTTP_RESILIENT_MAX_CONNECTIONS: "0" })
      assert.strictEqual(error._tag, "ConfigError")
      assert.strictEqual(said(error), "HTTP_RESILIENT_MAX_CONNECTIONS (maxConnections): 0 is not a positive integer")
    }))

  it.effect("a value that does not parse names its variable, the value as written and what it should be", () =>
    Effect.gen(function*() {
      const many = yield* buildError(ResilientClientLive, { HTTP_RESILIENT_MAX_CONNECTIONS: "many" })
      assert.strictEqual(said(many), `HTTP_RESILIENT_MAX_CONNECTIONS (maxConnections): "many" is not an integer`)
      const soon = yield* buildError(ResilientClient.layerConfig("MY_HTTP"), { MY_HTTP_TIMEOUT: "soon" })
      assert.strictEqual(said(soon), `MY_HTTP_TIMEOUT (timeout): "soon" is not a duration (e.g. "10 seconds")`)
      const flag = yield* buildError(ResilientClientLive, { HTTP_RESILIENT_TRACING: "maybe" })
      assert.strictEqual(said(flag), `HTTP_RESILIENT_TRACING (tracing): "maybe" is not true or false`)
    }))

  it.effect("a section's setting names its variable and the option's path; a ratio knob as CircuitBreaker.ratio", () =>
    Effect.gen(function*() {
      const cases = [
        ["HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT", "0", "(bulkhead.maxConcurrent): 0 is not a positive integer"],
        ["HTTP_RESILIENT_CIRCUIT_BREAKER_PROBES", "0", "(circuitBreaker.probes): 0 is not a positive integer"],
        ["HTTP_RESILIENT_RETRY_BUDGET_RATIO", "-1", "(retryBudget.ratio): -1 is not a number from 0 to 1000"],
        [
          "HTTP_RESILIENT_CIRCUIT_BREAKER_THRESHOLD",
          "2",
          "(CircuitBreaker.ratio threshold): 2 is not a share from 0 to 1"
        ]
      ] as const
      for (const [variable, value, why] of cases) {
        assert.strictEqual(said(yield* buildError(ResilientClientLive, { [variable]: value })), `${variable} ${why}`)
      }
    }))

  it.effect("a switch false beside a setting of its section names both", () =>
    Effect.gen(function*() {
      const error = yield* buildError(ResilientClientLive, {
        HTTP_RESILIENT_BULKHEAD: "false",
        HTTP_RESILIENT_BULKHEAD_MAX_QUEUE: "3"
      })
      assert.strictEqual(
        said(error),
        "HTTP_RESILIENT_BULKHEAD (bulkhead): false turns the bulkhead off, which conflicts with " +
          "HTTP_RESILIENT_BULKHEAD_MAX_QUEUE; unset one or the other"
      )
    }))

  it.effect("every variable lands in its option; nothing set gives no option (the defaults stay)", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* optionsOf({}), {})
      const options = yield* optionsOf({
        HTTP_RESILIENT_BASE_URL: "https://api.example.com",
        HTTP_RESILIENT_TIMEOUT: "5 seconds",
        HTTP_RESILIENT_DEADLINE: "20 seconds",
        HTTP_RESILIENT_MAX_CONNECTIONS: "16",
        HTTP_RESILIENT_MAX_ORIGINS: "50",
        HTTP_RESILIENT_MAX_RESPONSE_SIZE: "1024",
        HTTP_RESILIENT_FOLLOW_REDIRECTS: "3",
        HTTP_RESILIENT_REDACT_HEADERS: "x-api-key,x-token",
        HTTP_RESILIENT_REDACT_QUERY_PARAMS: "sig",
        HTTP_RESILIENT_ALLOW_INSECURE_REDIRECTS: "true",
        HTTP_RESILIENT_TRACING: "true",
        ...protectionVariables
      })
      assert.deepStrictEqual(options, {
        baseUrl: "https://api.example.com",
        timeout: Duration.seconds(5),
        deadline: Duration.seconds(20),
        maxConnections: 16,
        maxOrigins: 50,
        maxResponseSize: 1024,
        followRedirects: 3,
        redactHeaders: ["x-api-key", "x-token"],
        redactQueryParams: ["sig"],
        allowInsecureRedirects: true,
        tracing: true,
        circuitBreaker: {
          strategy: CircuitBreaker.ratio({ threshold: 0.25, minThroughput: 7, window: "30 seconds" }),
          breakDuration: Duration.seconds(2),
          backoffFactor: 2,
          maxBreakDuration: Duration.seconds(40),
          probes: 3
        },
        bulkhead: { maxConcurrent: 4, maxQueue: 2, queueTimeout: Duration.millis(50) },
        retryBudget: { ratio: 0.5, window: Duration.seconds(20), minRetriesPerSecond: 1.5 }
      } as any)
      const switches = yield* optionsOf({
        HTTP_RESILIENT_CIRCUIT_BREAKER: "false",
        HTTP_RESILIENT_BULKHEAD: "true",
        HTTP_RESILIENT_RETRY_BUDGET: "false"
      })
      assert.deepStrictEqual(switches, { circuitBreaker: false, bulkhead: {}, retryBudget: false } as any)
    }))

  it.effect("an option given in code replaces the environment's, which is not read at all; its errors name it", () =>
    Effect.gen(function*() {
      yield* Effect.scoped(Layer.build(ResilientClient.layerConfig("HTTP_RESILIENT", { maxConnections: 8 }))).pipe(
        Effect.provideService(ConfigProvider.ConfigProvider, provider({ HTTP_RESILIENT_MAX_CONNECTIONS: "many" }))
      )
      const error = yield* buildError(ResilientClient.layerConfig("HTTP_RESILIENT", { maxConnections: 0 }), {})
      assert.strictEqual(said(error), `ResilientClient.layer: option "maxConnections" 0 is not a positive integer`)
      // a protection given in code: its whole section is left unread, conflicting variables included
      yield* Effect.scoped(Layer.build(ResilientClient.layerConfig("HTTP_RESILIENT", { bulkhead: false }))).pipe(
        Effect.provideService(
          ConfigProvider.ConfigProvider,
          provider({ HTTP_RESILIENT_BULKHEAD: "false", HTTP_RESILIENT_BULKHEAD_MAX_QUEUE: "many" })
        )
      )
    }))
})

describe("the environment's options at work (loopback server, real time)", () => {
  it.live("BASE_URL and BULKHEAD_MAX_CONCURRENT=1: a second concurrent call is rejected", () =>
    Effect.gen(function*() {
      const api = yield* server((_req, res) => setTimeout(() => res.end("ok"), 300))
      const env = provider({ HTTP_RESILIENT_BASE_URL: api.url, HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT: "1" })
      const [first, second] = yield* Effect.all(
        [Effect.exit(HttpResilient.get("/a")), Effect.exit(Effect.delay(HttpResilient.get("/b"), "50 millis"))],
        { concurrency: "unbounded" }
      ).pipe(Effect.provide(ResilientClientLive), Effect.provideService(ConfigProvider.ConfigProvider, env))
      assert.strictEqual(first._tag, "Success")
      assert.strictEqual(second._tag, "Failure")
      if (second._tag === "Failure") {
        const error = (second.cause.reasons.find((r) => r._tag === "Fail") as any)?.error
        assert.strictEqual(error?._tag, "BulkheadRejectedError")
      }
    }).pipe(Effect.scoped))

  it.live("CIRCUIT_BREAKER_THRESHOLD=1, _MIN_THROUGHPUT=3: three 503s open the breaker; CIRCUIT_BREAKER=false never", () =>
    Effect.gen(function*() {
      const api = yield* server((_req, res) => res.writeHead(503).end())
      const threeCalls = Effect.gen(function*() {
        for (let i = 0; i < 3; i++) yield* Effect.exit(HttpResilient.get(api.url))
        return yield* ResilientClient.circuitState(api.url)
      })
      const knobs = {
        HTTP_RESILIENT_CIRCUIT_BREAKER_THRESHOLD: "1",
        HTTP_RESILIENT_CIRCUIT_BREAKER_MIN_THROUGHPUT: "3"
      }
      const on = yield* threeCalls.pipe(
        Effect.provide(ResilientClientLive),
        Effect.provideService(ConfigProvider.ConfigProvider, provider(knobs))
      )
      assert.strictEqual(on, "open")
      const off = yield* threeCalls.pipe(
        Effect.provide(ResilientClientLive),
        Effect.provideService(ConfigProvider.ConfigProvider, provider({ HTTP_RESILIENT_CIRCUIT_BREAKER: "false" }))
      )
      assert.strictEqual(off, "closed")
    }).pipe(Effect.scoped))
})
