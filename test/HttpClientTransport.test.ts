/**
 * The transport over any @effect/platform HttpClient (`ResilientClient.layerFromHttpClient()`), here mostly over
 * `FetchHttpClient`: the platform client must neither trace nor propagate on its own, and its failures are
 * classified for what they are.
 */
import { FetchHttpClient, HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import type { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base"
import { Effect, Layer, Schedule } from "effect"
import { HttpResilient, ResilientClient, RetryPolicy } from "../src/index.js"
import type { ClientOptions } from "../src/ResilientClient.js"
import { otel } from "./support/otel.js"
import { flakyServer, serverScoped, type TestServer } from "./support/server.js"

const overFetch = (options: ClientOptions = {}) =>
  Layer.orDie(ResilientClient.layerFromHttpClient(options)).pipe(Layer.provide(FetchHttpClient.layer))

/** A platform client that fails every request with `error`, or answers with `response`. */
const scripted = (
  answer: (request: any) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>
) =>
  Layer.orDie(ResilientClient.layerFromHttpClient({ circuitBreaker: false })).pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, HttpClient.make((request) => answer(request))))
  )

const secrets = ["QSECRET", "HSECRET", "ASECRET"]

const secretCall = (url: string) =>
  HttpResilient.get(`${url}/s?token=QSECRET&page=2`, {
    headers: { "x-mine": "HSECRET", authorization: "Bearer ASECRET" }
  }).pipe(Effect.retry(Schedule.recurs(2)), Effect.withSpan("caller"))

describe("over FetchHttpClient: spans", () => {
  const check = (exporter: InMemorySpanExporter, server: TestServer) => {
    const spans = exporter.getFinishedSpans()
    const caller = spans.find((s) => s.name === "caller")!
    const attempts = spans.filter((s) => s !== caller)
    // ours only: no `http.client GET` from the platform client beside them
    assert.deepStrictEqual(attempts.map((s) => s.name), ["HTTP GET", "HTTP GET", "HTTP GET"])
    for (const span of attempts) {
      assert.strictEqual(span.parentSpanContext?.spanId, caller.spanContext().spanId)
      assert.strictEqual(span.attributes["url.full"], `${server.url}/s?token=<redacted>&page=2`)
    }
    const everything = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })))
    for (const secret of secrets) assert.notInclude(everything, secret)
    // the wire's traceparent names each attempt's own span, and the wire still carries every header
    assert.deepStrictEqual(
      server.received.map((r) => r.headers.traceparent),
      attempts.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`)
    )
    assert.deepStrictEqual(server.received.map((r) => r.headers["x-mine"]), ["HSECRET", "HSECRET", "HSECRET"])
  }

  it.scoped("one span per attempt, named HTTP GET, no secret on any span, traceparent names it", () => {
    const { exporter, layer } = otel()
    return Effect.gen(function*() {
      const server = yield* flakyServer()
      yield* secretCall(server.url).pipe(Effect.provide(overFetch({ redactHeaders: ["X-Mine"] })))
      check(exporter, server)
    }).pipe(Effect.provide(layer))
  })

  it.scoped("also when the platform client was told to trace every request", () => {
    const { exporter, layer } = otel()
    const tracingClient = Layer.effect(
      HttpClient.HttpClient,
      Effect.map(
        HttpClient.HttpClient,
        (client) => client.pipe(HttpClient.withTracerDisabledWhen(() => false), HttpClient.withTracerPropagation(true))
      )
    ).pipe(Layer.provide(FetchHttpClient.layer))
    return Effect.gen(function*() {
      const server = yield* flakyServer()
      yield* secretCall(server.url).pipe(
        Effect.provide(
          Layer.orDie(ResilientClient.layerFromHttpClient({ redactHeaders: ["x-mine"] })).pipe(
            Layer.provide(tracingClient)
          )
        )
      )
      check(exporter, server)
    }).pipe(Effect.provide(layer))
  })

  it.scoped("tracing: false: no span at all and no traceparent on the wire", () => {
    const { exporter, layer } = otel()
    return Effect.gen(function*() {
      const server = yield* flakyServer()
      yield* secretCall(server.url).pipe(Effect.provide(overFetch({ tracing: false, redactHeaders: ["x-mine"] })))
      assert.deepStrictEqual(exporter.getFinishedSpans().map((s) => s.name), ["caller"])
      assert.deepStrictEqual(server.received.map((r) => r.headers.traceparent), [undefined, undefined, undefined])
    }).pipe(Effect.provide(layer))
  })
})

describe("over FetchHttpClient: failures", () => {
  it.live("a port fetch refuses (port 1, a 'bad port') is an InvalidRequestError saying so, never retried", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        HttpResilient.get("http://127.0.0.1:1/x").pipe(Effect.retry(RetryPolicy.default), Effect.provide(overFetch()))
      )
      assert.strictEqual(error._tag, "InvalidRequestError")
      if (error._tag !== "InvalidRequestError") return
      assert.strictEqual(error.reason, "InvalidOption")
      assert.match(error.detail, /fetch refuses port 1\b/)
      assert.strictEqual(error.attempt, 1)
    }))

  it.scoped("a platform transport failure whose cause says nothing is Unknown, not a reset", () =>
    Effect.gen(function*() {
      const odd = new Error("something odd")
      const error = yield* Effect.flip(
        HttpResilient.get("http://127.0.0.1/x").pipe(
          Effect.provide(
            scripted((request) =>
              Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: odd }))
            )
          )
        )
      )
      assert.strictEqual(error._tag === "TransportError" && error.reason, "Unknown")
    }))

  it.scoped("a platform transport failure whose cause says reset, without a code, is a ConnectionReset", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        HttpResilient.get("http://127.0.0.1/x").pipe(
          Effect.provide(
            scripted((request) =>
              Effect.fail(
                new HttpClientError.RequestError({
                  request,
                  reason: "Transport",
                  cause: new TypeError("fetch failed", { cause: new Error("socket hang up") })
                })
              )
            )
          )
        )
      )
      assert.strictEqual(error._tag === "TransportError" && error.reason, "ConnectionReset")
    }))

  it.scoped("a body that fails before its first byte fails the attempt; an absent body is an empty one", () =>
    Effect.gen(function*() {
      const broken = new ReadableStream<Uint8Array>({
        start: (controller) => controller.error(new Error("something odd"))
      })
      const error = yield* Effect.flip(
        HttpResilient.get("http://127.0.0.1/x").pipe(
          Effect.provide(
            scripted((request) => Effect.succeed(HttpClientResponse.fromWeb(request, new Response(broken))))
          )
        )
      )
      assert.strictEqual(error._tag === "TransportError" && error.reason, "Unknown")
      const empty = yield* HttpResilient.get("http://127.0.0.1/x").pipe(
        Effect.provide(
          scripted((request) =>
            Effect.succeed(HttpClientResponse.fromWeb(request, new Response(null, { status: 204 })))
          )
        )
      )
      assert.strictEqual(empty.status, 204)
      assert.strictEqual(yield* empty.text, "")
    }))

  it.scoped("a HEAD and a 204 over fetch succeed with an empty body", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((req, res) => {
        res.statusCode = req.url === "/none" ? 204 : 200
        res.setHeader("content-length", "5")
        res.end(req.method === "HEAD" || req.url === "/none" ? undefined : "hello")
      })
      const head = yield* HttpResilient.head(server.url).pipe(Effect.provide(overFetch()))
      assert.strictEqual(head.status, 200)
      assert.strictEqual(yield* head.text, "")
      const none = yield* HttpResilient.get(`${server.url}/none`).pipe(Effect.provide(overFetch()))
      assert.strictEqual(none.status, 204)
    }))
})
