import { assert, describe, it } from "@effect/vitest"
import { Cause, Chunk, Effect, Layer, Logger, LogLevel, Metric, Queue } from "effect"
import { Backoff, HttpResilient, ResilientClient, type ResilientEvent, RetryPolicy } from "../src/index.js"
import { twoRetriesThenSuccess } from "./support/events.js"
import { forms } from "./support/forms.js"
import { otel } from "./support/otel.js"
import { serverScoped } from "./support/server.js"

const SECRETS = ["Sekr1tBearer", "Sekr1tPass", "Sekr1tSession", "Sekr1tCookie", "Sekr1tQuery"]

describe("redaction", () => {
  it.scopedLive("no secret header, userinfo, custom redacted header or query secret reaches events, logs, metrics or spans", () => {
    const { exporter, layer: otelLayer } = otel()
    const hookEvents: Array<unknown> = []
    const client = ResilientClient.layer({
      redactHeaders: ["X-Session"],
      onRequest: (e) => void hookEvents.push(e),
      onRetry: (e) => void hookEvents.push(e),
      onSuccess: (e) => void hookEvents.push(e),
      onFailure: (e) => void hookEvents.push(e)
    })
    return Effect.gen(function*() {
      let n = 0
      const server = yield* serverScoped((req, res) => {
        n++
        res.statusCode = n < 3 || req.url!.startsWith("/always-busy") ? 503 : 200
        res.setHeader("set-cookie", "sid=Sekr1tCookie")
        res.setHeader("x-session", "Sekr1tSession")
        res.end()
      })
      const logged: Array<unknown> = []
      const logger = Logger.make((options) => {
        logged.push(options.message, options.cause, [...options.annotations], [...options.spans])
      })
      const queue = yield* ResilientClient.subscribe
      const url = server.url.replace("http://", "http://alice:Sekr1tPass@") + "/r?token=Sekr1tQuery&page=2"
      const call = (path: string, retries: number) =>
        HttpResilient.get(url.replace("/r?", `/${path}?`), {
          headers: { Authorization: "Bearer Sekr1tBearer", "X-Session": "Sekr1tSession" }
        }).pipe(
          // real time against the real server: short waits
          Effect.retry(RetryPolicy.make({ retries, backoff: Backoff.constant("20 millis") })),
          Effect.tapErrorCause((cause) => Effect.logError("call failed", cause)),
          Effect.withSpan("caller"),
          Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
          Logger.withMinimumLogLevel(LogLevel.Debug),
          Effect.exit
        )
      // 503, 503, 200; then a call whose policy gives up (Failed) after one retry
      const exit = yield* call("r", 2)
      const failedExit = yield* call("always-busy", 1)
      assert.strictEqual(failedExit._tag, "Failure")
      assert.strictEqual(exit._tag, "Success")
      // the wire still carries every header the user set, userinfo as Basic auth only when no authorization is given
      assert.strictEqual(server.received[0].headers.authorization, "Bearer Sekr1tBearer")
      assert.strictEqual(server.received[0].headers["x-session"], "Sekr1tSession")
      assert.strictEqual(server.received[0].url, "/r?token=Sekr1tQuery&page=2")

      const events = Chunk.toReadonlyArray(yield* Queue.takeAll(queue)) as ReadonlyArray<ResilientEvent.ResilientEvent>
      assert.deepStrictEqual(events.map((e) => e._tag), [
        ...twoRetriesThenSuccess,
        "RequestStarted",
        "AttemptFailed",
        "RetryScheduled",
        "RequestStarted",
        "AttemptFailed",
        "Failed"
      ])
      const failures = events.flatMap((e) => "error" in e ? [e.error, Cause.fail(e.error)] : [])
      const metrics = (yield* Metric.snapshot).flatMap((pair) => [
        pair.metricKey.name,
        ...pair.metricKey.tags.flatMap((t) => [t.key, t.value])
      ])
      const spans = exporter.getFinishedSpans().map((s) => ({
        name: s.name,
        attributes: s.attributes,
        events: s.events,
        status: s.status
      }))
      assert.isTrue(spans.length >= 4)
      assert.isTrue(logged.length > 0)
      const everything = [...events, ...failures, ...hookEvents, ...logged, ...metrics, ...spans]
      for (const item of everything) {
        for (const text of forms(item)) {
          for (const secret of SECRETS) {
            assert.notInclude(text, secret, `a secret leaked: ${text.slice(0, 400)}`)
          }
        }
      }
    }).pipe(Effect.provide(Layer.merge(client, otelLayer)))
  })

  it.scoped("userinfo becomes Basic auth on the wire and nowhere else", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.statusCode = 500
        res.end()
      })
      const error = yield* Effect.flip(HttpResilient.get(server.url.replace("http://", "http://bob:Sekr1tPass@")))
      assert.strictEqual(
        server.received[0].headers.authorization,
        "Basic " + Buffer.from("bob:Sekr1tPass").toString("base64")
      )
      for (const text of forms(error)) {
        assert.notInclude(text, "Sekr1tPass")
        assert.notInclude(text, Buffer.from("bob:Sekr1tPass").toString("base64"))
      }
    }).pipe(Effect.provide(ResilientClient.layer({}))))
})
