/**
 * The v4 test kit's streamed bodies (the root entry's `HttpResilientTest.reply` options `body` as chunks,
 * `chunkDelay`, `end`, `resetAfter`, `ranges`), on the scripted transport under the TestClock.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber, Stream } from "effect"
import { HttpResilient, HttpResilientTest } from "effect-http-resilient/v4"
import { TestClock } from "effect/testing"

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

describe("HttpResilientTest: streamed bodies (v4)", () => {
  it.effect("a body in chunks arrives chunk by chunk on the TestClock; a buffered call waits for all of them", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const fiber = yield* HttpResilient.stream("http://api.test/s").pipe(
        Stream.runForEach((bytes) => Effect.sync(() => seen.push(decode(bytes)))),
        Effect.forkChild
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
      const buffered = yield* Effect.forkChild(Effect.flatMap(HttpResilient.get("http://api.test/b"), (r) => r.text))
      yield* TestClock.adjust("1999 millis")
      assert.isUndefined(buffered.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* Fiber.join(buffered), "abc")
      assert.strictEqual((yield* Clock.currentTimeMillis) - start, 2000)
      // the chunk delays count against a buffered call's attempt timeout
      const late = yield* Effect.forkChild(
        Effect.flip(HttpResilient.get("http://api.test/b", { timeout: "1500 millis", retry: false }))
      )
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
        Stream.runForEach((bytes) => Effect.sync(() => received.push(decode(bytes)))),
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
          HttpResilient.get("http://api.test/file", { headers, retry: false }),
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

  it.effect("a download reset mid-body resumes from the byte it reached, with Range and If-Range", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(
        Stream.runCollect(HttpResilient.stream("http://api.test/file", { resume: true }))
      )
      yield* TestClock.adjust("1 minute") // the retry policy's backoff, in virtual time
      const chunks = yield* Fiber.join(fiber)
      const sent = yield* HttpResilientTest.requests
      assert.strictEqual(Array.from(chunks).map(decode).join(""), "0123456789")
      assert.strictEqual(sent[1].headers.range, "bytes=4-")
      assert.strictEqual(sent[1].headers["if-range"], `"v1"`)
    }).pipe(
      Effect.provide(HttpResilientTest.layer([
        HttpResilientTest.reply(200, { body: "0123456789", headers: { etag: `"v1"` }, resetAfter: 4 }),
        HttpResilientTest.reply(200, { body: "0123456789", headers: { etag: `"v1"` }, ranges: true })
      ]))
    ))

  it.effect("end: stall hangs a body: a buffered call runs into its attempt timeout, a stream into its deadline", () =>
    Effect.gen(function*() {
      const buffered = yield* Effect.forkChild(
        Effect.flip(HttpResilient.get("http://api.test/b", { timeout: "3 seconds", retry: false }))
      )
      yield* TestClock.adjust("3 seconds")
      assert.strictEqual((yield* Fiber.join(buffered))._tag, "TimeoutError")
      const received: Array<string> = []
      const streamed = yield* HttpResilient.stream("http://api.test/s", { timeout: "1 second", deadline: "1 minute" })
        .pipe(
          Stream.runForEach((bytes) => Effect.sync(() => received.push(decode(bytes)))),
          Effect.flip,
          Effect.forkChild
        )
      // the attempt timeout covers a stream's head, not its body
      yield* TestClock.adjust("59 seconds")
      assert.deepStrictEqual(received, ["first part "])
      assert.isUndefined(streamed.pollUnsafe())
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
        Effect.forkChild
      )
      yield* TestClock.adjust("4 seconds")
      const events = Array.from(yield* Fiber.join(fiber))
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

  it("bad streaming options are refused with the root entry's messages", () => {
    assert.throws(() => HttpResilientTest.reply(42), /status 42 is not an integer from 100 to 599/)
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
    assert.throws(() => HttpResilientTest.reply(200, { chunkDelay: -1 }), /HttpResilientTest\.reply.*chunkDelay.*-1/)
  })
})

describe("HttpResilientTest: a scripted body over maxResponseSize (v4)", () => {
  it.effect("is a TransportError ResponseTooLarge, buffered or streamed, as from a real server", () =>
    Effect.gen(function*() {
      const buffered = yield* Effect.flip(HttpResilient.get("http://api.test/big", { retry: false }))
      assert.isTrue(buffered._tag === "TransportError" && buffered.reason === "ResponseTooLarge", String(buffered))
      const streamed = yield* Effect.flip(
        Stream.runDrain(HttpResilient.stream("http://api.test/big", { retry: false }))
      )
      assert.isTrue(streamed._tag === "TransportError" && streamed.reason === "ResponseTooLarge", String(streamed))
    }).pipe(
      Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200, { body: "0123456789" })], {
        maxResponseSize: 4
      }))
    ))
})
