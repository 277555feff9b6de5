import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Metric, Tracer } from "effect"
import { Backoff, HttpResilient, HttpResilientTest, RetryPolicy, Telemetry } from "effect-http-resilient/v4"
import { TestClock } from "effect/testing"

const countOf = (attributes: Record<string, string>) =>
  Effect.map(Metric.value(Metric.withAttributes(Telemetry.requestDuration, attributes)), (state) => state.count)

describe("the duration histogram", () => {
  it.effect("one series per method, host, port and status (or error type: StatusError for a status not accepted), each counting its own attempts", () =>
    Effect.gen(function*() {
      const a = { "http.request.method": "GET", "server.address": "metrics-a.test" }
      const b = { "http.request.method": "GET", "server.address": "metrics-b.test", "server.port": "8080" }
      const before = [
        yield* countOf({ ...a, "http.response.status_code": "200" }),
        yield* countOf({ ...a, "error.type": "StatusError" }),
        yield* countOf({ ...b, "http.response.status_code": "200" }),
        yield* countOf({ ...b, "error.type": "TransportError" })
      ]
      for (const url of ["http://metrics-a.test/", "http://metrics-a.test/x", "http://metrics-b.test:8080/"]) {
        yield* HttpResilient.get(url)
      }
      yield* Effect.exit(HttpResilient.get("http://metrics-a.test/fail"))
      yield* Effect.exit(HttpResilient.get("http://metrics-b.test:8080/reset"))
      const after = [
        yield* countOf({ ...a, "http.response.status_code": "200" }),
        yield* countOf({ ...a, "error.type": "StatusError" }),
        yield* countOf({ ...b, "http.response.status_code": "200" }),
        yield* countOf({ ...b, "error.type": "TransportError" })
      ]
      assert.deepStrictEqual(after.map((n, i) => n - before[i]), [2, 1, 1, 1])
    }).pipe(
      Effect.provide(HttpResilientTest.layer((request) =>
        request.url.endsWith("/fail")
          ? HttpResilientTest.reply(503)
          : request.url.endsWith("/reset")
          ? HttpResilientTest.fault("ConnectionReset")
          : HttpResilientTest.reply(200)
      ))
    ))
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
