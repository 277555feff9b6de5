import { assert, describe, it } from "@effect/vitest"
import { SpanKind } from "@opentelemetry/api"
import { Effect, Fiber, Layer, Metric, Schedule, TestClock, Tracer } from "effect"
import type * as http from "node:http"
import {
  Backoff,
  CircuitBreaker,
  HttpResilient,
  HttpResilientTest,
  ResilientClient,
  RetryPolicy,
  Telemetry
} from "../src/index.js"
import { otel } from "./support/otel.js"
import { flakyServer, serverScoped, waitUntil } from "./support/server.js"

const countOf = (metric: Metric.Metric.Histogram<number>) => Effect.map(Metric.value(metric), (s) => s.count)

describe("metrics", () => {
  it.scoped("503 → 503 → 200: the duration histogram counts each attempt under its status, retries by reason", () =>
    Effect.gen(function*() {
      const server = yield* flakyServer()
      const base = { method: "GET", host: "127.0.0.1", port: server.port }
      const ok = Telemetry.requestDurationFor({ ...base, status: 200 })
      const failed = Telemetry.requestDurationFor({ ...base, status: 503, errorType: "503" })
      const backoff = Telemetry.retries.pipe(Metric.tagged("reason", "backoff"))
      const retriesBefore = (yield* Metric.value(backoff)).count
      // RetryPolicy counts each retry it schedules, by reason
      const policy = RetryPolicy.make({ retries: 2, backoff: Backoff.constant(0) })
      yield* HttpResilient.get(`${server.url}/m`).pipe(Effect.retry(policy))
      assert.strictEqual(yield* countOf(ok), 1)
      assert.strictEqual(yield* countOf(failed), 2)
      assert.strictEqual((yield* Metric.value(backoff)).count - retriesBefore, 2)
      const histogram = yield* Metric.value(ok)
      assert.deepStrictEqual(histogram.buckets.map(([b]) => b).slice(0, 14), [...Telemetry.durationBuckets])
      assert.isTrue(histogram.sum >= 0)
      // the series is listed by Metric.snapshot with exactly the documented attributes
      const series = (yield* Metric.snapshot).filter((pair) =>
        pair.metricKey.name === Telemetry.metricNames.requestDuration &&
        pair.metricKey.tags.some((t) => t.key === "server.port" && t.value === String(server.port))
      )
      assert.strictEqual(series.length, 2)
      assert.deepStrictEqual(series.map((s) => s.metricKey.tags.map((t) => t.key)).sort(), [
        ["http.request.method", "server.address", "server.port", "http.response.status_code"],
        ["http.request.method", "server.address", "server.port", "http.response.status_code", "error.type"]
      ])
    }).pipe(Effect.provide(ResilientClient.layer({}))))

  it.effect("answers are counted per server, method and status: a scheme, a port or a method apart is another series", () =>
    Effect.gen(function*() {
      const series = (method: string, host: string, port: string, status: number) =>
        Telemetry.requestDurationFor({ method, host, port, status })
      const all = [
        series("GET", "series.test", "80", 200),
        series("GET", "series.test", "443", 200),
        series("GET", "series.test", "8080", 200),
        series("HEAD", "series.test", "80", 200),
        series("GET", "series.test", "80", 201)
      ]
      const before = yield* Effect.forEach(all, countOf)
      yield* HttpResilient.get("http://series.test/a")
      yield* HttpResilient.get("http://series.test/b")
      yield* HttpResilient.get("https://series.test/a")
      yield* HttpResilient.get("http://series.test:8080/a")
      yield* HttpResilient.head("http://series.test/a")
      yield* HttpResilient.get("http://series.test/created")
      const after = yield* Effect.forEach(all, countOf)
      assert.deepStrictEqual(after.map((n, i) => n - before[i]), [2, 1, 1, 1, 1])
    }).pipe(Effect.provide(HttpResilientTest.layer(
      (request) => HttpResilientTest.reply(request.url.endsWith("/created") ? 201 : 200)
    ))))

  it.effect("the counters for the protections and the retry budget", () =>
    Effect.gen(function*() {
      const transitions = Telemetry.circuitTransitions.pipe(
        Metric.tagged("from", "closed"),
        Metric.tagged("to", "open")
      )
      const c0 = (yield* Metric.value(transitions)).count
      const b0 = (yield* Metric.value(Telemetry.bulkheadRejections)).count
      const r0 = (yield* Metric.value(Telemetry.retryBudgetRejections)).count
      // one 503: its breaker opens (consecutive(1)), and the retry is refused by an empty budget
      const refused = yield* Effect.flip(
        HttpResilient.get("http://down.test/x").pipe(
          Effect.retry(RetryPolicy.make({ retries: 1, backoff: Backoff.constant(0) }))
        )
      )
      assert.strictEqual(refused._tag, "RetryBudgetExhaustedError")
      // two calls are turned away by the bulkhead while a slow one holds its only slot
      const slow = yield* Effect.fork(HttpResilient.get("http://slow.test/x"))
      yield* TestClock.adjust("10 millis")
      for (let i = 0; i < 2; i++) {
        assert.strictEqual((yield* Effect.flip(HttpResilient.get("http://up.test/x")))._tag, "BulkheadRejectedError")
      }
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(slow)
      assert.strictEqual((yield* Metric.value(transitions)).count - c0, 1)
      assert.strictEqual((yield* Metric.value(Telemetry.bulkheadRejections)).count - b0, 2)
      assert.strictEqual((yield* Metric.value(Telemetry.retryBudgetRejections)).count - r0, 1)
    }).pipe(Effect.provide(HttpResilientTest.layer(
      (request) =>
        request.url.startsWith("http://slow.test")
          ? HttpResilientTest.reply(200, { delay: "1 second" })
          : request.url.startsWith("http://up.test")
          ? HttpResilientTest.reply(200)
          : HttpResilientTest.reply(503),
      {
        circuitBreaker: CircuitBreaker.consecutive(1),
        bulkhead: { maxConcurrent: 1, maxQueue: 0 },
        retryBudget: { ratio: 0, minRetriesPerSecond: 0 }
      }
    ))))

  it.scoped("breaker transitions, bulkhead rejections and retry budget rejections are counted where they happen", () =>
    Effect.gen(function*() {
      const count = (metric: Metric.Metric.Counter<number>) => Effect.map(Metric.value(metric), (s) => s.count)
      const opened = Telemetry.circuitTransitions.pipe(Metric.tagged("from", "closed"), Metric.tagged("to", "open"))
      const [o0, b0, r0] = [
        yield* count(opened),
        yield* count(Telemetry.bulkheadRejections),
        yield* count(Telemetry.retryBudgetRejections)
      ]
      const failing = yield* serverScoped((_req, res) => {
        res.statusCode = 500
        res.end()
      })
      yield* Effect.gen(function*() {
        yield* Effect.flip(HttpResilient.get(failing.url))
        yield* Effect.flip(HttpResilient.get(failing.url))
        const rejected = yield* Effect.flip(HttpResilient.get(failing.url))
        assert.strictEqual(rejected._tag, "CircuitOpenError")
      }).pipe(Effect.provide(ResilientClient.layer({ circuitBreaker: CircuitBreaker.consecutive(2) })))
      assert.strictEqual((yield* count(opened)) - o0, 1)

      const held: Array<http.ServerResponse> = []
      const holding = yield* serverScoped((_req, res) => held.push(res))
      yield* Effect.gen(function*() {
        const first = yield* Effect.fork(HttpResilient.get(holding.url))
        yield* waitUntil(() => held.length === 1)
        const second = yield* Effect.flip(HttpResilient.get(holding.url))
        assert.strictEqual(second._tag, "BulkheadRejectedError")
        held[0].end("ok")
        yield* Fiber.join(first)
      }).pipe(Effect.provide(ResilientClient.layer({ bulkhead: { maxConcurrent: 1, maxQueue: 0 } })))
      assert.strictEqual((yield* count(Telemetry.bulkheadRejections)) - b0, 1)

      yield* Effect.gen(function*() {
        const refused = yield* Effect.flip(
          HttpResilient.get(failing.url).pipe(
            Effect.retry(RetryPolicy.make({ retries: 1, backoff: Backoff.constant(0) }))
          )
        )
        assert.strictEqual(refused._tag, "RetryBudgetExhaustedError")
        assert.strictEqual(failing.count(), 3)
      }).pipe(Effect.provide(ResilientClient.layer({ retryBudget: { ratio: 0, minRetriesPerSecond: 0 } })))
      assert.strictEqual((yield* count(Telemetry.retryBudgetRejections)) - r0, 1)
    }))

  it.effect("each hedge counts in http_resilient.retries with reason hedge", () =>
    Effect.gen(function*() {
      const hedges = Telemetry.retries.pipe(Metric.tagged("reason", "hedge"))
      const before = (yield* Metric.value(hedges)).count
      const fiber = yield* HttpResilient.get("http://api.test/h").pipe(
        HttpResilient.hedge({ delay: "50 millis", maxHedges: 2 }),
        Effect.fork
      )
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      assert.strictEqual((yield* Metric.value(hedges)).count - before, 2)
    }).pipe(
      Effect.provide(HttpResilientTest.layer((_request, index) =>
        HttpResilientTest.reply(200, { delay: index < 2 ? "10 seconds" : "10 millis" })
      ))
    ))

  it.scoped("a transport failure is recorded with its error.type and no status", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => res.socket?.destroy())
      yield* Effect.flip(HttpResilient.get(`${server.url}/reset`))
      const reset = Telemetry.requestDurationFor({
        method: "GET",
        host: "127.0.0.1",
        port: server.port,
        errorType: "ConnectionReset"
      })
      assert.strictEqual(yield* countOf(reset), 1)
    }).pipe(Effect.provide(ResilientClient.layer({}))))
})

describe("spans", () => {
  it.scoped("one client span per attempt, child of the caller's, with resend_count 1 and 2 and traceparent", () => {
    const { exporter, layer } = otel()
    return Effect.gen(function*() {
      const server = yield* flakyServer()
      yield* HttpResilient.get(`${server.url}/s?token=abc`, { tag: "orders" }).pipe(
        Effect.retry(Schedule.recurs(2)),
        Effect.withSpan("caller")
      )
      const spans = exporter.getFinishedSpans()
      const attempts = spans.filter((s) => s.name === "HTTP GET")
      const caller = spans.find((s) => s.name === "caller")!
      assert.strictEqual(attempts.length, 3)
      for (const span of attempts) {
        assert.strictEqual(span.kind, SpanKind.CLIENT)
        assert.strictEqual(span.parentSpanContext?.spanId, caller.spanContext().spanId)
        assert.strictEqual(span.spanContext().traceId, caller.spanContext().traceId)
        assert.strictEqual(span.attributes["http.request.method"], "GET")
        assert.strictEqual(span.attributes["url.full"], `${server.url}/s?token=<redacted>`)
        assert.strictEqual(span.attributes["server.address"], "127.0.0.1")
        assert.strictEqual(span.attributes["server.port"], server.port)
        assert.strictEqual(span.attributes["http_resilient.tag"], "orders")
      }
      assert.deepStrictEqual(attempts.map((s) => s.attributes["http.request.resend_count"]), [undefined, 1, 2])
      assert.deepStrictEqual(attempts.map((s) => s.attributes["http.response.status_code"]), [503, 503, 200])
      assert.deepStrictEqual(attempts.map((s) => s.attributes["error.type"]), ["503", "503", undefined])
      // the server received each attempt's own span as traceparent
      const received = server.received.map((r) => r.headers.traceparent)
      assert.deepStrictEqual(
        received,
        attempts.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`)
      )
    }).pipe(Effect.provide(Layer.merge(ResilientClient.layer({}), layer)))
  })

  it.scoped("tracing: false, or Effect.withTracerEnabled(false), turns spans off even with a tracer installed", () => {
    const { exporter, layer } = otel()
    return Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => res.end())
      yield* HttpResilient.get(server.url).pipe(Effect.withSpan("caller"))
      assert.deepStrictEqual(exporter.getFinishedSpans().map((s) => s.name), ["caller"])
      assert.isUndefined(server.received[0].headers.traceparent)
      // nor inside Effect.withTracerEnabled(false), whatever the option says
      yield* HttpResilient.get(server.url).pipe(
        Effect.provide(ResilientClient.layer({ tracing: true })),
        Effect.withTracerEnabled(false)
      )
      assert.isUndefined(server.received[1].headers.traceparent)
    }).pipe(Effect.provide(Layer.merge(ResilientClient.layer({ tracing: false }), layer)))
  })

  it.scoped("no span work with Effect's built-in tracer, unless tracing: true", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => res.end())
      const names: Array<string> = []
      const builtIn = yield* Effect.tracer
      // a tracer that records what it is asked for, delegating to the built-in one
      const recording = Tracer.make({
        span: (name, ...rest) => {
          names.push(name)
          return builtIn.span(name, ...rest)
        },
        context: builtIn.context
      })
      yield* HttpResilient.get(server.url).pipe(Effect.provide(ResilientClient.layer({})))
      assert.isUndefined(server.received[0].headers.traceparent)
      yield* HttpResilient.get(server.url).pipe(
        Effect.provide(ResilientClient.layer({ tracing: true }))
      )
      assert.match(String(server.received[1].headers.traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
      yield* HttpResilient.get(server.url).pipe(Effect.provide(ResilientClient.layer({})), Effect.withTracer(recording))
      assert.deepStrictEqual(names, ["HTTP GET"])
    }))
})
