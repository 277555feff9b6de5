import { assert, describe, it } from "@effect/vitest"
import {
  Chunk,
  Duration,
  Effect,
  Fiber,
  FiberStatus,
  Logger,
  LogLevel,
  Queue,
  Schedule,
  Stream,
  TestClock
} from "effect"
import {
  Backoff,
  HttpResilient,
  HttpResilientTest,
  ResilientClient,
  type ResilientEvent,
  RetryPolicy
} from "../src/index.js"
import { twoRetriesThenSuccess } from "./support/events.js"
import { serverScoped } from "./support/server.js"

/** A server answering 503, 503, then 200 to every third request. */
const flaky = serverScoped((_req, res) => {
  flakyCount++
  res.statusCode = flakyCount % 3 === 0 ? 200 : 503
  res.end(res.statusCode === 200 ? "ok" : "busy")
})
let flakyCount = 0

const tags = (events: ReadonlyArray<ResilientEvent.ResilientEvent>) => events.map((e) => e._tag)

describe("events", () => {
  it.scoped("503 → 503 → 200 under a plain Effect.retry emits what the pipeline owns, in order", () =>
    Effect.gen(function*() {
      flakyCount = 0
      const server = yield* flaky
      const queue = yield* ResilientClient.subscribe
      const response = yield* HttpResilient.get(`${server.url}/x`).pipe(Effect.retry(Schedule.recurs(2)))
      assert.strictEqual(response.status, 200)
      const events = Chunk.toReadonlyArray(yield* Queue.takeAll(queue))
      assert.deepStrictEqual(tags(events), [
        "RequestStarted",
        "AttemptFailed",
        "RequestStarted",
        "AttemptFailed",
        "RequestStarted",
        "Succeeded"
      ])
      const infos = events.map((e) => "attempt" in e ? e.attempt : -1)
      assert.deepStrictEqual(infos, [1, 1, 2, 2, 3, 3])
      for (const event of events) {
        if (event._tag === "CircuitStateChanged") continue
        assert.strictEqual(event.method, "GET")
        assert.strictEqual(event.url, `${server.url}/x`)
      }
      const failed = events[1]
      assert.isTrue(failed._tag === "AttemptFailed" && failed.error._tag === "StatusError")
      const succeeded = events[5]
      assert.isTrue(succeeded._tag === "Succeeded" && succeeded.status === 200)
    }).pipe(Effect.provide(ResilientClient.layer({}))))

  it.effect("503 → 503 → 200 under a RetryPolicy: the whole order, RetryScheduled and the onRetry hook included", () =>
    Effect.gen(function*() {
      const delays: Array<number> = []
      const client = HttpResilientTest.layer(
        [HttpResilientTest.reply(503), HttpResilientTest.reply(503), HttpResilientTest.reply(200)],
        { onRetry: (event) => void delays.push(Duration.toMillis(event.delay)) }
      )
      const { events, sent } = yield* Effect.gen(function*() {
        const queue = yield* ResilientClient.subscribe
        const policy = RetryPolicy.make({ backoff: Backoff.constant("1 second") })
        const fiber = yield* Effect.fork(HttpResilient.get("http://api.test/p").pipe(Effect.retry(policy)))
        yield* TestClock.adjust("2 seconds")
        assert.strictEqual((yield* Fiber.join(fiber)).status, 200)
        return {
          events: Chunk.toReadonlyArray(yield* Queue.takeAll(queue)),
          sent: (yield* HttpResilientTest.requests).map((r) => r.at)
        }
      }).pipe(Effect.scoped, Effect.provide(client))
      assert.deepStrictEqual(tags(events), [...twoRetriesThenSuccess])
      assert.deepStrictEqual(delays, [1000, 1000])
      assert.deepStrictEqual(sent, [0, 1000, 2000])
    }))

  it.scoped("ResilientClient.events streams what is published while it runs", () =>
    Effect.gen(function*() {
      flakyCount = 2
      const server = yield* flaky
      const fiber = yield* ResilientClient.events.pipe(Stream.take(2), Stream.runCollect, Effect.fork)
      // the stream subscribes when it starts running: wait for it (its fiber waits for the first event) before calling
      while (!FiberStatus.isSuspended(yield* fiber.status)) yield* Effect.yieldNow()
      yield* HttpResilient.get(`${server.url}/y`)
      const events = Chunk.toReadonlyArray(yield* fiber)
      assert.deepStrictEqual(tags(events), ["RequestStarted", "Succeeded"])
    }).pipe(Effect.provide(ResilientClient.layer({}))))

  it.scoped("hooks: plain and Effect-returning hooks get their events; a throwing or failing hook is logged", () =>
    Effect.gen(function*() {
      flakyCount = 0
      const server = yield* flaky
      const seen: Array<string> = []
      const logs: Array<string> = []
      const client = ResilientClient.layer({
        onRequest: (event) => {
          seen.push(`request ${event.attempt}`)
          if (event.attempt === 2) throw new Error("hook bug")
        },
        onSuccess: (event) =>
          Effect.sync(() => seen.push(`success ${event.attempt}`)).pipe(
            Effect.zipRight(Effect.fail("hook failure"))
          )
      })
      const logger = Logger.make(({ logLevel, message }) => {
        logs.push(`${logLevel.label} ${Array.isArray(message) ? message.join(" ") : String(message)}`)
      })
      const response = yield* HttpResilient.get(`${server.url}/z`).pipe(
        Effect.retry(Schedule.recurs(2)),
        Effect.provide(client),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      assert.strictEqual(response.status, 200)
      yield* Effect.yieldNow()
      assert.deepStrictEqual(seen, ["request 1", "request 2", "request 3", "success 3"])
      assert.isTrue(logs.some((l) => l.startsWith("WARN effect-http-resilient: the onRequest hook threw")))
      assert.isTrue(logs.some((l) => l.startsWith("WARN effect-http-resilient: the onSuccess hook failed")))
    }))

  it.scoped("debug log lines carry method, redacted url and attempt, only at Debug level", () =>
    Effect.gen(function*() {
      flakyCount = 2
      const server = yield* flaky
      const lines: Array<{ message: string; annotations: Record<string, unknown> }> = []
      const logger = Logger.make(({ annotations, message }) => {
        const record: Record<string, unknown> = {}
        for (const [k, v] of annotations) record[k] = v
        lines.push({ message: Array.isArray(message) ? message.join(" ") : String(message), annotations: record })
      })
      const call = HttpResilient.get(`${server.url}/d?token=secret-token`).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      yield* call
      assert.strictEqual(lines.length, 0)
      flakyCount = 2
      yield* call.pipe(Logger.withMinimumLogLevel(LogLevel.Debug))
      assert.deepStrictEqual(lines.map((l) => l.message), ["http attempt started", "http attempt succeeded: 200"])
      assert.deepStrictEqual(lines[0].annotations, {
        method: "GET",
        url: `${server.url}/d?token=<redacted>`,
        attempt: 1
      })
      // a request's tag is a log annotation too
      flakyCount = 2
      yield* HttpResilient.get(`${server.url}/d`, { tag: "orders" }).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
      assert.strictEqual(lines[lines.length - 1].annotations.tag, "orders")
    }).pipe(Effect.provide(ResilientClient.layer({}))))
})
