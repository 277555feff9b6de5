import { assert, describe, it } from "@effect/vitest"
import { Effect, Metric } from "effect"
import { HttpResilient, HttpResilientTest, Telemetry } from "effect-http-resilient/v4"

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
