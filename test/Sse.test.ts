import * as Sse from "@effect/experimental/Sse"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Duration, Effect, FastCheck as fc, Fiber, Queue, Schedule, Stream, TestClock } from "effect"
import { HttpResilient, ResilientClient } from "../src/index.js"
import { makeEventParser } from "../src/internal/sse.js"
import { serverScoped, waitUntil } from "./support/server.js"

const Client = ResilientClient.layer({})
const realDelay = (ms: number) => Effect.promise(() => new Promise((r) => setTimeout(r, ms)))
const event = (id: number) => `id: ${id}\ndata: event ${id}\n\n`
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

/** Waits (real time, bounded) until the fiber under test sleeps until `now + millis` on the TestClock. */
const awaitSleep = (millis: number) =>
  Effect.gen(function*() {
    const now = yield* TestClock.currentTimeMillis
    for (let i = 0; i < 500; i++) {
      const sleeps = Chunk.toReadonlyArray(yield* TestClock.sleeps())
      if (sleeps.includes(now + millis)) return
      yield* realDelay(5)
    }
    throw new Error(`no sleep of ${millis} ms appeared`)
  })

describe("sse", () => {
  it.scoped("after a drop at id 7 it reconnects after the server's retry: delay with Last-Event-ID, each event once", () =>
    Effect.gen(function*() {
      let dropped = false
      const server = yield* serverScoped((req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" })
        if (req.headers["last-event-id"] === undefined) {
          res.write(
            "\uFEFFretry: 5000\n\n" + range(1, 7).map(event).join("") + "data: half an ev",
            () =>
              setTimeout(() => {
                res.socket?.destroy()
                dropped = true
              }, 20)
          )
          return
        }
        // a server that resumes at the last id it was given, repeating it
        const from = Number(req.headers["last-event-id"])
        res.write(range(from, 10).map(event).join(""))
      })
      const fiber = yield* HttpResilient.sse(`${server.url}/events`).pipe(
        Stream.take(10),
        Stream.runCollect,
        Effect.fork
      )
      yield* waitUntil(() => dropped)
      yield* awaitSleep(5000)
      yield* TestClock.adjust("4999 millis")
      yield* realDelay(50)
      assert.strictEqual(server.count(), 1)
      yield* TestClock.adjust("1 millis")
      const events = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      assert.deepStrictEqual(events.map((e) => e.id), range(1, 10).map(String))
      assert.deepStrictEqual(events.map((e) => e.data), range(1, 10).map((n) => `event ${n}`))
      assert.isTrue(events.every((e) => e.event === "message"))
      assert.strictEqual(server.count(), 2)
      assert.strictEqual(server.received[1].headers["last-event-id"], "7")
      assert.strictEqual(server.received[0].headers.accept, "text/event-stream")
      assert.isUndefined(server.received[0].headers["last-event-id"])
    }).pipe(Effect.provide(Client)))

  it.scoped("without retry: from the server it reconnects after the retry policy's backoff; the drop is an event", () =>
    Effect.gen(function*() {
      const queue = yield* ResilientClient.subscribe
      const server = yield* serverScoped((req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" })
        if (req.headers["last-event-id"] === undefined) {
          res.end("event: tick\nid: a\ndata: one\n\n")
          return
        }
        res.write("event: tick\nid: b\ndata: two\n\n")
      })
      const fiber = yield* HttpResilient.sse(server.url, { retry: Schedule.spaced("2 seconds") }).pipe(
        Stream.take(2),
        Stream.runCollect,
        Effect.fork
      )
      yield* awaitSleep(2000)
      assert.strictEqual(server.count(), 1)
      yield* TestClock.adjust("2 seconds")
      const events = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      assert.deepStrictEqual(events, [
        { id: "a", event: "tick", data: "one" },
        { id: "b", event: "tick", data: "two" }
      ])
      assert.strictEqual(server.received[1].headers["last-event-id"], "a")
      const seen = Chunk.toReadonlyArray(yield* Queue.takeAll(queue))
      assert.deepStrictEqual(seen.map((e) => e._tag), [
        "RequestStarted",
        "Succeeded",
        "AttemptFailed",
        "RequestStarted",
        "Succeeded"
      ])
      const drop = seen[2]
      assert.isTrue(drop._tag === "AttemptFailed" && drop.attempt === 1 && drop.error._tag === "TransportError")
    }).pipe(Effect.provide(Client)))

  it.scoped("follows a redirect to the event stream; the deadline ends a quiet stream with TimeoutError", () =>
    Effect.gen(function*() {
      let eventsSocket: { readonly destroyed: boolean } | undefined
      const server = yield* serverScoped((req, res) => {
        if (req.url === "/old") {
          res.writeHead(308, { location: "/events" })
          res.end()
          return
        }
        eventsSocket = req.socket
        res.writeHead(200, { "content-type": "text/event-stream" })
        res.write(event(1) + event(2))
        // then quiet, connection open
      })
      const received: Array<string> = []
      const fiber = yield* Effect.fork(
        HttpResilient.sse(`${server.url}/old`, { deadline: "30 seconds" }).pipe(
          Stream.runForEach((e) => Effect.sync(() => received.push(e.data)))
        )
      )
      yield* waitUntil(() => received.length === 2)
      assert.deepStrictEqual(received, ["event 1", "event 2"])
      assert.deepStrictEqual(server.received.map((r) => r.url), ["/old", "/events"])
      yield* TestClock.adjust("30 seconds")
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.isTrue(error._tag === "TimeoutError" && error.scope === "deadline")
      // the event stream's socket is closed (the redirect's may stay in the pool, idle)
      yield* waitUntil(() => eventsSocket?.destroyed === true)
    }).pipe(Effect.provide(Client)))

  it.scoped("a server that keeps failing exhausts the policy; a 204 ends the stream", () =>
    Effect.gen(function*() {
      const failing = yield* serverScoped((_req, res) => {
        res.statusCode = 503
        res.end()
      })
      const error = yield* Effect.flip(
        Stream.runCollect(HttpResilient.sse(failing.url, { retry: Schedule.recurs(2) }))
      )
      assert.isTrue(error._tag === "StatusError" && error.status === 503)
      assert.strictEqual(failing.count(), 3)
      const done = yield* serverScoped((_req, res) => {
        res.statusCode = 204
        res.end()
      })
      const events = yield* Stream.runCollect(HttpResilient.sse(done.url, { lastEventId: "41" }))
      assert.strictEqual(Chunk.size(events), 0)
      assert.strictEqual(done.count(), 1)
      assert.strictEqual(done.received[0].headers["last-event-id"], "41")
    }).pipe(Effect.provide(Client)))
})

describe("sse against a server that keeps dropping", () => {
  it.scoped("connections that deliver nothing count against the policy: no tight loop, the stream ends", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" })
        res.end("retry: 0\n\n")
      })
      const error = yield* Effect.flip(
        Stream.runCollect(HttpResilient.sse(server.url, { retry: Schedule.recurs(2) }))
      )
      // a clean end is reconnected to (as EventSource does); when the policy gives up, the error says what happened
      assert.isTrue(error._tag === "TransportError" && error.reason === "StreamEnded")
      assert.match(error.message, /^Stream ended by the server: GET http:\/\/127\.0\.0\.1:\d+\/ \(attempt 3\)$/)
      assert.notInclude(error.message, "reset")
      assert.strictEqual(server.count(), 3)
    }).pipe(Effect.provide(Client)))

  it.scoped("a connection reset mid-stream stays a ConnectionReset when the policy gives up", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" })
        res.write("retry: 0\n\n", () => setTimeout(() => res.socket?.destroy(), 10))
      })
      const error = yield* Effect.flip(
        Stream.runCollect(HttpResilient.sse(server.url, { retry: Schedule.recurs(1) }))
      )
      assert.isTrue(error._tag === "TransportError" && error.reason === "ConnectionReset")
      assert.strictEqual(server.count(), 2)
    }).pipe(Effect.provide(Client)))
})

// ---------------------------------------------------------------------------
// the parser
// ---------------------------------------------------------------------------

const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/)
const arbEvent = fc.record({
  id: fc.option(token, { nil: undefined }),
  event: fc.oneof(fc.constant("message"), token),
  data: fc.array(fc.string({ unit: "grapheme", maxLength: 12 }).filter((s) => !/[\r\n]/.test(s)), {
    minLength: 1,
    maxLength: 3
  }).map((lines) => lines.join("\n")).filter((d) => d !== "")
})

/** Splits `text` at the given fractions. */
const splitAt = <T extends string | Uint8Array>(text: T, cuts: ReadonlyArray<number>): Array<T> => {
  const points = [...new Set(cuts.map((c) => Math.floor(c * text.length)))].sort((a, b) => a - b)
  const parts: Array<T> = []
  let last = 0
  for (const p of points) {
    parts.push(text.slice(last, p) as T)
    last = p
  }
  parts.push(text.slice(last) as T)
  return parts
}

describe("sse parser", () => {
  it.prop(
    "any events, any chunking, LF or CRLF, with or without BOM: parsed back exactly",
    [
      fc.array(arbEvent, { maxLength: 8 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
      fc
        .boolean(),
      fc.boolean()
    ],
    ([events, cuts, crlf, bom]) => {
      let text = events.map((e) => Sse.encoder.write({ _tag: "Event", ...e })).join("")
      if (crlf) text = text.replace(/\n/g, "\r\n")
      if (bom) text = "\uFEFF" + text
      const parser = makeEventParser()
      const parsed = splitAt(text, cuts).flatMap((part) => parser.feed(part).events)
      assert.deepStrictEqual(parsed, events.map((e) => ({ id: e.id, event: e.event, data: e.data })))
    }
  )

  it.prop(
    "byte-level chunking through a streaming UTF-8 decoder keeps multi-byte characters whole",
    [
      fc.array(arbEvent, { minLength: 1, maxLength: 5 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
        maxLength: 8
      })
    ],
    ([events, cuts]) => {
      const bytes = new TextEncoder().encode(
        "\uFEFF" + events.map((e) => Sse.encoder.write({ _tag: "Event", ...e })).join("")
      )
      const decoder = new TextDecoder()
      const parser = makeEventParser()
      const parsed = splitAt(bytes, cuts).flatMap((part) => parser.feed(decoder.decode(part, { stream: true })).events)
      assert.deepStrictEqual(parsed, events.map((e) => ({ id: e.id, event: e.event, data: e.data })))
    }
  )

  it("retry: fields are reported, comments ignored, a half event is held back", () => {
    const parser = makeEventParser()
    const first = parser.feed(": comment\nretry: 2500\n\nevent: a\ndata: x\n")
    assert.deepStrictEqual(first.events, [])
    assert.isTrue(first.retry !== undefined && Duration.toMillis(first.retry) === 2500)
    const second = parser.feed("\n")
    assert.deepStrictEqual(second.events, [{ id: undefined, event: "a", data: "x" }])
    assert.isUndefined(second.retry)
  })
})
