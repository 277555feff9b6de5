import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Metric, Tracer } from "effect"
import { Backoff, HttpResilient, HttpResilientTest, RetryPolicy, Telemetry } from "effect-http-resilient/v4"
import { TestClock } from "effect/testing"

const countOf = (metric: Metric.Histogram<number>) => Effect.map(Metric.value(metric), (state) => state.count)

describe("the duration histogram (the root entry's series)", () => {
  it.effect("503 → 503 → 200: each attempt counted under its status (and error.type the status), with exactly the documented attributes", () =>
    Effect.gen(function*() {
      const base = { method: "GET", host: "duration.test", port: 80 }
      const ok = Telemetry.requestDurationFor({ ...base, status: 200 })
      const failed = Telemetry.requestDurationFor({ ...base, status: 503, errorType: "503" })
      const before = [yield* countOf(ok), yield* countOf(failed)]
      const fiber = yield* Effect.forkChild(
        HttpResilient.get("http://duration.test/m", { retry: RetryPolicy.make({ backoff: Backoff.constant(1) }) })
      )
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual([(yield* countOf(ok)) - before[0], (yield* countOf(failed)) - before[1]], [1, 2])
      assert.deepStrictEqual((yield* Metric.value(ok)).buckets.map(([b]) => b).slice(0, 14), [
        ...Telemetry.durationBuckets
      ])
      const series = (yield* Metric.snapshot).filter((s) =>
        s.id === Telemetry.metricNames.requestDuration && s.attributes?.["server.address"] === "duration.test"
      )
      assert.deepStrictEqual(series.map((s) => Object.keys(s.attributes!).sort()).sort(), [
        ["error.type", "http.request.method", "http.response.status_code", "server.address", "server.port"],
        ["http.request.method", "http.response.status_code", "server.address", "server.port"]
      ])
    }).pipe(
      Effect.provide(
        HttpResilientTest.layer([
          HttpResilientTest.reply(503),
          HttpResilientTest.reply(503),
          HttpResilientTest.reply(200)
        ])
      )
    ))

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

  it.effect("a failure without a response is recorded with its error.type and no status: a transport failure's reason, timeout", () =>
    Effect.gen(function*() {
      const base = { method: "GET", host: "failures.test", port: 80 }
      const reset = Telemetry.requestDurationFor({ ...base, errorType: "ConnectionReset" })
      const timedOut = Telemetry.requestDurationFor({ ...base, errorType: "timeout" })
      const before = [yield* countOf(reset), yield* countOf(timedOut)]
      yield* Effect.flip(HttpResilient.get("http://failures.test/reset"))
      const fiber = yield* Effect.forkChild(
        Effect.flip(HttpResilient.get("http://failures.test/slow", { timeout: "1 second" }))
      )
      yield* TestClock.adjust("2 seconds")
      assert.strictEqual((yield* Fiber.join(fiber))._tag, "TimeoutError")
      assert.deepStrictEqual([(yield* countOf(reset)) - before[0], (yield* countOf(timedOut)) - before[1]], [1, 1])
    }).pipe(Effect.provide(HttpResilientTest.layer((request) =>
      request.url.endsWith("/reset")
        ? HttpResilientTest.fault("ConnectionReset")
        : HttpResilientTest.reply(200, { delay: "10 seconds" }), { circuitBreaker: false }))))
})

describe("redaction helpers (the root entry's rules)", () => {
  it("redactUrl cuts the userinfo and redacts secret query values; redactHeaders the secret names and extras", () => {
    assert.strictEqual(
      Telemetry.redactUrl("https://u:p@api.example.com/x?token=abc&page=2"),
      `https://api.example.com/x?token=${Telemetry.REDACTED}&page=2`
    )
    assert.deepStrictEqual(
      Telemetry.redactHeaders({ "X-Session": "abc", "Accept": "text/plain", "Authorization": "Bearer t" }, [
        "x-session"
      ]),
      { "X-Session": Telemetry.REDACTED, "Accept": "text/plain", "Authorization": Telemetry.REDACTED }
    )
    assert.deepStrictEqual(Telemetry.redactHeaders({ "X-Plain": "abc" }), { "X-Plain": "abc" })
    assert.include(Telemetry.builtInRedactedHeaders, "authorization")
    assert.include(Telemetry.secretQueryNames, "sig")
    assert.include(Telemetry.secretNameFragments, "token")
    assert.include(Telemetry.notSecretHeaders, "idempotency-key")
    assert.strictEqual(Telemetry.durationBuckets[0], 0.005)
  })
})

/** A tracer that records every span it starts (name and attributes as they end), over v4's native spans. */
const recording = () => {
  const spans: Array<{ name: string; attributes: ReadonlyMap<string, unknown> }> = []
  const tracer = Tracer.make({
    span(options) {
      const span = Tracer.nativeTracer.span(options)
      spans.push({ name: options.name, attributes: span.attributes })
      return span
    }
  })
  return { spans, tracer }
}

describe("per-attempt spans", () => {
  const script = [HttpResilientTest.reply(503), HttpResilientTest.reply(200)]
  const get = HttpResilient.get("http://spans.test/x", { retry: RetryPolicy.make({ backoff: Backoff.constant(1) }) })
  /** The `HTTP GET` spans a recording tracer saw while `get` ran its two attempts under it. */
  const httpSpans = Effect.gen(function*() {
    const { spans, tracer } = recording()
    const fiber = yield* Effect.forkChild(Effect.withTracer(get, tracer))
    yield* TestClock.adjust("1 second")
    yield* Fiber.join(fiber)
    return spans.filter((s) => s.name === "HTTP GET")
  })

  it.effect("an installed tracer turns them on without the tracing option: one per attempt, resend count on the second", () =>
    Effect.gen(function*() {
      const http = yield* httpSpans
      assert.strictEqual(http.length, 2)
      assert.strictEqual(http[0].attributes.get("http.request.resend_count"), undefined)
      assert.strictEqual(http[1].attributes.get("http.request.resend_count"), 1)
      assert.strictEqual(http[1].attributes.get("url.full"), "http://spans.test/x")
    }).pipe(Effect.provide(HttpResilientTest.layer(script))))

  it.effect("tracing: false keeps them off under an installed tracer", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* httpSpans, [])
    }).pipe(Effect.provide(HttpResilientTest.layer(script, { tracing: false }))))
})
