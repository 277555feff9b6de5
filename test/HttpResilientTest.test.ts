import { assert, describe, it } from "@effect/vitest"
import { Chunk, Clock, Duration, Effect, Either, Fiber, Layer, Schedule, Stream, TestClock } from "effect"
import type { HttpResilientError } from "../src/HttpResilientError.js"
import { HttpResilient, HttpResilientTest, ResilientClient } from "../src/index.js"

describe("HttpResilientTest: a scripted transport", () => {
  it.effect("answers call n with step n, records what was sent, and the last step repeats", () =>
    Effect.gen(function*() {
      const first = yield* Effect.flip(HttpResilient.post("http://api.test/orders", { json: { a: 1 } }))
      assert.strictEqual(first._tag, "StatusError")
      // no status text from this transport: the message still gives the reason phrase
      assert.strictEqual(first.message, "503 Service Unavailable: POST http://api.test/orders (attempt 1)")
      const second = yield* HttpResilient.get("http://api.test/orders/1")
      assert.deepStrictEqual(yield* second.json, { id: 1 })
      const { Schema } = yield* Effect.promise(() => import("effect"))
      const decodeError = yield* Effect.flip(HttpResilient.json(Schema.Struct({ id: Schema.String }))(second))
      assert.strictEqual(decodeError._tag, "DecodeError")
      assert.strictEqual(decodeError.attempt, 1)
      const third = yield* HttpResilient.get("http://api.test/orders/2")
      assert.strictEqual(third.status, 200)
      const sent = yield* HttpResilientTest.requests
      assert.deepStrictEqual(sent.map((r) => `${r.method} ${r.url}`), [
        "POST http://api.test/orders",
        "GET http://api.test/orders/1",
        "GET http://api.test/orders/2"
      ])
      assert.strictEqual(new TextDecoder().decode(sent[0].body), `{"a":1}`)
      assert.strictEqual(sent[0].headers["content-type"], "application/json")
    }).pipe(
      Effect.provide(HttpResilientTest.layer([
        HttpResilientTest.reply(503),
        HttpResilientTest.reply(200, { json: { id: 1 } })
      ]))
    ))

  it.effect("delays run on the TestClock; a delay past the attempt timeout is a TimeoutError", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(HttpResilient.get("http://api.test/slow"))
      yield* TestClock.adjust("4 seconds")
      assert.isNull(fiber.unsafePoll())
      yield* TestClock.adjust("1 second")
      const response = yield* Fiber.join(fiber)
      assert.strictEqual(response.status, 200)
      const timedOut = yield* Effect.fork(HttpResilient.get("http://api.test/slower", { timeout: "3 seconds" }))
      yield* TestClock.adjust("3 seconds")
      const error = yield* Effect.flip(Fiber.join(timedOut))
      assert.strictEqual(error._tag, "TimeoutError")
    }).pipe(
      Effect.provide(HttpResilientTest.layer([
        HttpResilientTest.reply(200, { delay: "5 seconds" }),
        HttpResilientTest.reply(200, { delay: "1 minute" })
      ]))
    ))

  it.effect("faults become the matching TransportError; a script function sees each request", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(HttpResilient.get("http://api.test/a"))
      assert.strictEqual(error._tag === "TransportError" && error.reason, "ConnectionReset")
      const ok = yield* HttpResilient.get("http://api.test/b").pipe(Effect.retry(Schedule.recurs(1)))
      assert.strictEqual(ok.status, 204)
      const sent = yield* HttpResilientTest.requests
      assert.strictEqual(sent.length, 3)
    }).pipe(
      Effect.provide(HttpResilientTest.layer((request, index) =>
        request.url.endsWith("/a") || index === 1
          ? HttpResilientTest.fault("ConnectionReset")
          : HttpResilientTest.reply(204)
      ))
    ))

  it.effect("retries are spaced by the schedule in virtual time, visible in the recorded times", () =>
    Effect.gen(function*() {
      const start = yield* Clock.currentTimeMillis
      const fiber = yield* Effect.fork(
        HttpResilient.get("http://api.test/x").pipe(
          Effect.retry(Schedule.exponential("100 millis").pipe(Schedule.intersect(Schedule.recurs(3))))
        )
      )
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      const sent = yield* HttpResilientTest.requests
      assert.deepStrictEqual(sent.map((r) => r.at - start), [0, 100, 300, 700])
    }).pipe(
      Effect.provide(HttpResilientTest.layer([
        HttpResilientTest.reply(503),
        HttpResilientTest.reply(503),
        HttpResilientTest.reply(503),
        HttpResilientTest.reply(200)
      ]))
    ))

  it("bad script input is refused with a clear message", () => {
    assert.throws(() => HttpResilientTest.reply(42), /status 42 is not an integer from 100 to 599/)
  })
})

describe("HttpResilientTest: streamed bodies", () => {
  it.effect("a body in chunks arrives chunk by chunk on the TestClock; a buffered call waits for all of them", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const fiber = yield* HttpResilient.stream("http://api.test/s").pipe(
        Stream.runForEach((bytes) => Effect.sync(() => seen.push(new TextDecoder().decode(bytes)))),
        Effect.fork
      )
      yield* TestClock.adjust("0 millis")
      assert.deepStrictEqual(seen, ["a"])
      yield* TestClock.adjust("999 millis")
      assert.deepStrictEqual(seen, ["a"])
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(seen, ["a", "b"])
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(seen, ["a", "b", "c"])
      // buffered: the whole body once the last chunk is in, 2 s after the head
      const start = yield* Clock.currentTimeMillis
      const buffered = yield* Effect.fork(Effect.flatMap(HttpResilient.get("http://api.test/b"), (r) => r.text))
      yield* TestClock.adjust("1999 millis")
      assert.isNull(buffered.unsafePoll())
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* Fiber.join(buffered), "abc")
      assert.strictEqual((yield* Clock.currentTimeMillis) - start, 2000)
      // the chunk delays count against a buffered call's attempt timeout
      const late = yield* Effect.fork(Effect.flip(HttpResilient.get("http://api.test/b", { timeout: "1500 millis" })))
      yield* TestClock.adjust("1500 millis")
      assert.strictEqual((yield* Fiber.join(late))._tag, "TimeoutError")
    }).pipe(
      Effect.provide(HttpResilientTest.layer([
        HttpResilientTest.reply(200, { body: ["a", "", "b", new TextEncoder().encode("c")], chunkDelay: "1 second" })
      ]))
    ))

  it.effect("resetAfter: the body breaks after that many bytes with ConnectionReset, streamed or buffered", () =>
    Effect.gen(function*() {
      const received: Array<string> = []
      const error = yield* HttpResilient.stream("http://api.test/s", { retry: false }).pipe(
        Stream.runForEach((bytes) => Effect.sync(() => received.push(new TextDecoder().decode(bytes)))),
        Effect.flip
      )
      assert.deepStrictEqual(received, ["0123"])
      assert.isTrue(error._tag === "TransportError" && error.reason === "ConnectionReset")
      const buffered = yield* Effect.flip(HttpResilient.get("http://api.test/b", { retry: false }))
      assert.isTrue(buffered._tag === "TransportError" && buffered.reason === "ConnectionReset")
    }).pipe(
      Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200, { body: "0123456789", resetAfter: 4 })]))
    ))

  it.effect("ranges: a Range request with a matching If-Range gets a 206 from its start; else the whole body", () =>
    Effect.gen(function*() {
      const get = (headers: Record<string, string>) =>
        Effect.flatMap(
          HttpResilient.get("http://api.test/file", { headers }),
          (r) => Effect.map(r.text, (body) => [r.status, r.headers["content-range"], body])
        )
      assert.deepStrictEqual(yield* get({ range: "bytes=4-", "if-range": `"v1"` }), [206, "bytes 4-9/10", "456789"])
      assert.deepStrictEqual(yield* get({ range: "bytes=4-" }), [206, "bytes 4-9/10", "456789"])
      assert.deepStrictEqual(yield* get({ range: "bytes=4-", "if-range": `"v0"` }), [200, undefined, "0123456789"])
      assert.deepStrictEqual(yield* get({ range: "bytes=10-" }), [416, "bytes */10", ""])
      assert.deepStrictEqual(yield* get({}), [200, undefined, "0123456789"])
      // a weak ETag validates nothing: Last-Modified does
      const weak = yield* get({ range: "bytes=8-", "if-range": "Tue, 15 Nov 1994 12:45:26 GMT" }).pipe(
        Effect.provide(HttpResilientTest.layer([
          HttpResilientTest.reply(200, {
            body: "0123456789",
            headers: { etag: `W/"w"`, "last-modified": "Tue, 15 Nov 1994 12:45:26 GMT" },
            ranges: true
          })
        ], { acceptStatus: [[200, 499]] }))
      )
      assert.deepStrictEqual(weak, [206, "bytes 8-9/10", "89"])
    }).pipe(
      Effect.provide(HttpResilientTest.layer([
        HttpResilientTest.reply(200, { body: ["01234", "56789"], headers: { etag: `"v1"` }, ranges: true })
      ], { acceptStatus: [[200, 499]] }))
    ))

  it.effect("end: stall hangs a body: a buffered call runs into its attempt timeout, a stream into its deadline", () =>
    Effect.gen(function*() {
      const buffered = yield* Effect.fork(Effect.flip(HttpResilient.get("http://api.test/b", { timeout: "3 seconds" })))
      yield* TestClock.adjust("3 seconds")
      assert.strictEqual((yield* Fiber.join(buffered))._tag, "TimeoutError")
      const received: Array<string> = []
      const streamed = yield* HttpResilient.stream("http://api.test/s", { timeout: "1 second", deadline: "1 minute" })
        .pipe(
          Stream.runForEach((bytes) => Effect.sync(() => received.push(new TextDecoder().decode(bytes)))),
          Effect.flip,
          Effect.fork
        )
      // the attempt timeout covers a stream's head, not its body
      yield* TestClock.adjust("59 seconds")
      assert.deepStrictEqual(received, ["first part "])
      assert.isNull(streamed.unsafePoll())
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(streamed)
      assert.isTrue(error._tag === "TimeoutError" && error.scope === "deadline")
    }).pipe(
      Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200, { body: ["first part "], end: "stall" })]))
    ))

  it.effect("a scripted event stream drops after its events and is resumed with Last-Event-ID", () =>
    Effect.gen(function*() {
      const fiber = yield* HttpResilient.sse("http://api.test/events").pipe(
        Stream.take(3),
        Stream.runCollect,
        Effect.fork
      )
      yield* TestClock.adjust("4 seconds")
      const events = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      const sent = yield* HttpResilientTest.requests
      assert.deepStrictEqual(events.map((e) => e.data), ["a", "b", "c"])
      assert.strictEqual(sent[1].headers["last-event-id"], "2")
      assert.strictEqual(sent[1].at - sent[0].at, 4000)
    }).pipe(
      Effect.provide(HttpResilientTest.layer([
        HttpResilientTest.reply(200, {
          headers: { "content-type": "text/event-stream" },
          body: ["retry: 3000\nid: 1\ndata: a\n\n", "id: 2\ndata: b\n\n"],
          chunkDelay: "1 second",
          end: "ConnectionReset"
        }),
        HttpResilientTest.reply(200, { headers: { "content-type": "text/event-stream" }, body: "id: 3\ndata: c\n\n" })
      ]))
    ))

  it("bad streaming options are refused with a clear message", () => {
    assert.throws(() => HttpResilientTest.reply(200, { resetAfter: -1 }), /resetAfter -1 is not a whole number/)
    assert.throws(() => HttpResilientTest.reply(200, { resetAfter: 1.5 }), /resetAfter 1.5 is not a whole number/)
    assert.throws(
      () => HttpResilientTest.reply(200, { resetAfter: 1, end: "stall" }),
      /resetAfter 1 with end "stall": a body ends one way only/
    )
    assert.throws(
      () => HttpResilientTest.reply(200, { end: "Timeout" as never }),
      /end "Timeout" is not "complete", "stall" or a transport fault/
    )
  })
})

describe("HttpResilientTest.chaos on the scripted transport (TestClock)", () => {
  it.effect("seed 7 draws latency, then a fault, then a status, in this exact order (scripted transport, TestClock)", () =>
    Effect.gen(function*() {
      const start = yield* Clock.currentTimeMillis
      const outcomes: Array<string> = []
      const calls = Effect.forEach(
        Array.from({ length: 16 }, (_, i) => i),
        (i) =>
          HttpResilient.get(`http://api.test/${i}`).pipe(
            Effect.map((r) => String(r.status)),
            Effect.catchAll((e) =>
              Effect.succeed(
                e._tag === "StatusError" ? String(e.status) : e._tag === "TransportError" ? e.reason : e._tag
              )
            ),
            Effect.flatMap((outcome) =>
              Effect.map(Clock.currentTimeMillis, (now) => {
                outcomes.push(`${outcome}@${now - start}`)
              })
            )
          ),
        { discard: true }
      )
      const fiber = yield* Effect.fork(calls)
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      // the root entry's sequence for seed 7 (Effect v3's seeded `Random`): a refactor must keep it exactly
      assert.deepStrictEqual(outcomes, [
        "200@0",
        "200@1000",
        "200@2000",
        "200@2000",
        "ConnectTimeout@3000",
        "200@4000",
        "200@5000",
        "200@5000",
        "ConnectTimeout@5000",
        "502@6000",
        "200@7000",
        "502@8000",
        "200@8000",
        "ConnectTimeout@8000",
        "200@9000",
        "ConnectTimeout@9000"
      ])
    }).pipe(
      Effect.provide(
        ResilientClient.layerWithTransport({ circuitBreaker: false }).pipe(
          Layer.provide(HttpResilientTest.chaos({
            seed: 7,
            latency: { rate: 0.5, delay: "1 second" },
            fault: { rate: 0.2, reason: "ConnectTimeout" },
            status: { rate: 0.3, status: 502 }
          })),
          Layer.provide(HttpResilientTest.layerTransport([HttpResilientTest.reply(200)])),
          Layer.orDie
        )
      )
    ))

  /** A client over chaos (latency on every call) over a scripted server that answers after `serverDelay`. */
  const latent = (
    latency: Duration.DurationInput,
    serverDelay: Duration.DurationInput,
    timeout: Duration.DurationInput
  ) =>
    ResilientClient.layerWithTransport({ circuitBreaker: false, timeout }).pipe(
      Layer.provide(HttpResilientTest.chaos({ latency: { rate: 1, delay: latency } })),
      Layer.provide(HttpResilientTest.layerTransport([HttpResilientTest.reply(200, { delay: serverDelay })])),
      Layer.orDie
    )

  const endOf = <R>(call: Effect.Effect<unknown, HttpResilientError, R>) =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.either(Effect.timed(call)))
      yield* TestClock.adjust("1 minute")
      const result = yield* Fiber.join(fiber)
      return Either.isRight(result)
        ? `ok@${Duration.toMillis(result.right[0])}`
        : `${result.left._tag}`
    })

  it.effect("injected latency runs under the attempt timeout, and the server gets what is left of it", () =>
    Effect.gen(function*() {
      // 400 ms of latency + a 400 ms server: past a 500 ms timeout, as one slow server would be
      assert.strictEqual(
        yield* endOf(HttpResilient.get("http://api.test/", { retry: false })).pipe(
          Effect.provide(latent("400 millis", "400 millis", "500 millis"))
        ),
        "TimeoutError"
      )
      // within it: the answer after both
      assert.strictEqual(
        yield* endOf(HttpResilient.get("http://api.test/", { retry: false })).pipe(
          Effect.provide(latent("400 millis", "50 millis", "500 millis"))
        ),
        "ok@450"
      )
      // a latency past the timeout is the timeout
      assert.strictEqual(
        yield* endOf(HttpResilient.get("http://api.test/", { retry: false })).pipe(
          Effect.provide(latent("2 seconds", "0 millis", "500 millis"))
        ),
        "TimeoutError"
      )
    }))

  it("a bad latency delay names the option and the value", () => {
    assert.throws(
      () => HttpResilientTest.chaos({ latency: { rate: 0.5, delay: -1 } }),
      /HttpResilientTest\.chaos: latency\.delay -1 is not a non-negative finite duration/
    )
  })
})
