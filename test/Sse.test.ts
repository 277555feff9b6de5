import * as Sse from "@effect/experimental/Sse"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, FastCheck as fc, Fiber, Queue, Schedule, Stream, TestClock } from "effect"
import { HttpResilient, HttpResilientTest, ResilientClient } from "../src/index.js"
import { serverScoped, waitUntil } from "./support/server.js"

const Client = ResilientClient.layer({})
const event = (id: number) => `id: ${id}\ndata: event ${id}\n\n`
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

const eventStream = { "content-type": "text/event-stream" }

describe("sse", () => {
  it.effect("after a drop at id 7 it reconnects after the server's retry: delay with Last-Event-ID, each event once", () =>
    Effect.gen(function*() {
      const fiber = yield* HttpResilient.sse("http://api.test/events").pipe(
        Stream.take(10),
        Stream.runCollect,
        Effect.fork
      )
      yield* TestClock.adjust("4999 millis")
      assert.strictEqual((yield* HttpResilientTest.requests).length, 1)
      yield* TestClock.adjust("1 millis")
      const events = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      assert.deepStrictEqual(events.map((e) => e.id), range(1, 10).map(String))
      assert.deepStrictEqual(events.map((e) => e.data), range(1, 10).map((n) => `event ${n}`))
      assert.isTrue(events.every((e) => e.event === "message"))
      const sent = yield* HttpResilientTest.requests
      assert.strictEqual(sent.length, 2)
      assert.strictEqual(sent[1].headers["last-event-id"], "7")
      assert.strictEqual(sent[1].at - sent[0].at, 5000)
      assert.strictEqual(sent[0].headers.accept, "text/event-stream")
      assert.isUndefined(sent[0].headers["last-event-id"])
    }).pipe(
      Effect.provide(HttpResilientTest.layer((request) => {
        if (request.headers["last-event-id"] === undefined) {
          return HttpResilientTest.reply(200, {
            headers: eventStream,
            body: ["\uFEFFretry: 5000\n\n" + range(1, 7).map(event).join("") + "data: half an ev"],
            end: "ConnectionReset"
          })
        }
        // a server that resumes at the last id it was given, repeating it
        const from = Number(request.headers["last-event-id"])
        return HttpResilientTest.reply(200, {
          headers: eventStream,
          body: [range(from, 10).map(event).join("")],
          end: "stall"
        })
      }))
    ))

  it.effect("without retry: from the server it reconnects after the retry policy's backoff; the drop is an event", () =>
    Effect.gen(function*() {
      const queue = yield* ResilientClient.subscribe
      const fiber = yield* HttpResilient.sse("http://api.test/events", { retry: Schedule.spaced("2 seconds") }).pipe(
        Stream.take(2),
        Stream.runCollect,
        Effect.fork
      )
      yield* TestClock.adjust("1999 millis")
      assert.strictEqual((yield* HttpResilientTest.requests).length, 1)
      yield* TestClock.adjust("1 millis")
      const events = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      assert.deepStrictEqual(events, [
        { id: "a", event: "tick", data: "one" },
        { id: "b", event: "tick", data: "two" }
      ])
      const sent = yield* HttpResilientTest.requests
      assert.strictEqual(sent[1].headers["last-event-id"], "a")
      assert.strictEqual(sent[1].at - sent[0].at, 2000)
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
    }).pipe(
      Effect.scoped,
      Effect.provide(HttpResilientTest.layer([
        // the server ends the stream after one event
        HttpResilientTest.reply(200, { headers: eventStream, body: "event: tick\nid: a\ndata: one\n\n" }),
        HttpResilientTest.reply(200, {
          headers: eventStream,
          body: ["event: tick\nid: b\ndata: two\n\n"],
          end: "stall"
        })
      ]))
    ))

  it.effect("follows a redirect to the event stream; the deadline ends a quiet stream with TimeoutError", () =>
    Effect.gen(function*() {
      const received: Array<string> = []
      const fiber = yield* Effect.fork(
        HttpResilient.sse("http://api.test/old", { deadline: "30 seconds" }).pipe(
          Stream.runForEach((e) => Effect.sync(() => received.push(e.data)))
        )
      )
      yield* TestClock.adjust("29999 millis")
      assert.deepStrictEqual(received, ["event 1", "event 2"])
      assert.deepStrictEqual((yield* HttpResilientTest.requests).map((r) => r.url), [
        "http://api.test/old",
        "http://api.test/events"
      ])
      assert.isNull(fiber.unsafePoll())
      yield* TestClock.adjust("1 millis")
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.isTrue(error._tag === "TimeoutError" && error.scope === "deadline")
    }).pipe(
      Effect.provide(HttpResilientTest.layer((request) =>
        request.url.endsWith("/old")
          ? HttpResilientTest.reply(308, { headers: { location: "/events" } })
          // then quiet, connection open
          : HttpResilientTest.reply(200, { headers: eventStream, body: [event(1) + event(2)], end: "stall" })
      ))
    ))

  it.scopedLive("the deadline closes a quiet event stream's socket; the redirect's may stay in the pool (real time)", () =>
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
      const error = yield* Effect.flip(
        HttpResilient.sse(`${server.url}/old`, { deadline: "300 millis" }).pipe(
          Stream.runForEach((e) => Effect.sync(() => received.push(e.data)))
        )
      )
      assert.isTrue(error._tag === "TimeoutError" && error.scope === "deadline")
      assert.deepStrictEqual(received, ["event 1", "event 2"])
      assert.deepStrictEqual(server.received.map((r) => r.url), ["/old", "/events"])
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
  // a text is cut between characters, never inside a surrogate pair: each part is sent as UTF-8 on its own, and half a
  // pair would arrive as U+FFFD (the byte-level test below cuts inside characters, through a streaming decoder)
  const atCharacter = (p: number) =>
    typeof text === "string" && p > 0 && p < text.length && /[\uDC00-\uDFFF]/.test(text[p]) ? p - 1 : p
  const points = [...new Set(cuts.map((c) => atCharacter(Math.floor(c * text.length))))].sort((a, b) => a - b)
  const parts: Array<T> = []
  let last = 0
  for (const p of points) {
    parts.push(text.slice(last, p) as T)
    last = p
  }
  parts.push(text.slice(last) as T)
  return parts
}

/**
 * The events an event stream whose body arrives in `parts` is parsed into: the client's own parsing, over the scripted
 * transport (one connection; the stream stops after `count` events).
 */
const parsedFrom = (parts: ReadonlyArray<string | Uint8Array>, count: number) =>
  HttpResilient.sse("http://api.test/events").pipe(
    Stream.take(count),
    Stream.runCollect,
    Effect.map(Chunk.toReadonlyArray),
    Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200, { headers: eventStream, body: parts })]))
  )

/** Events with distinct ids (or none): the client delivers an id it has seen once only. */
const arbEvents = (constraints: { minLength?: number; maxLength: number }) =>
  fc.uniqueArray(arbEvent, { ...constraints, selector: (e) => e.id ?? Symbol() })

describe("sse parser (the client's parsing, through the scripted transport)", () => {
  it.effect.prop(
    "any events, any chunking, LF or CRLF, with or without BOM: parsed back exactly",
    [
      arbEvents({ maxLength: 8 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
      fc
        .boolean(),
      fc.boolean()
    ],
    ([events, cuts, crlf, bom]) =>
      Effect.gen(function*() {
        let text = events.map((e) => Sse.encoder.write({ _tag: "Event", ...e })).join("")
        if (crlf) text = text.replace(/\n/g, "\r\n")
        if (bom) text = "\uFEFF" + text
        const parsed = yield* parsedFrom(splitAt(text, cuts), events.length)
        assert.deepStrictEqual(parsed, events.map((e) => ({ id: e.id, event: e.event, data: e.data })))
      })
  )

  it.effect.prop(
    "byte-level chunking through a streaming UTF-8 decoder keeps multi-byte characters whole",
    [
      arbEvents({ minLength: 1, maxLength: 5 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
        maxLength: 8
      })
    ],
    ([events, cuts]) =>
      Effect.gen(function*() {
        const bytes = new TextEncoder().encode(
          "\uFEFF" + events.map((e) => Sse.encoder.write({ _tag: "Event", ...e })).join("")
        )
        const parsed = yield* parsedFrom(splitAt(bytes, cuts), events.length)
        assert.deepStrictEqual(parsed, events.map((e) => ({ id: e.id, event: e.event, data: e.data })))
      })
  )

  it.effect("retry: fields are reported, comments ignored, a half event is held back", () =>
    Effect.gen(function*() {
      const received: Array<HttpResilient.ServerSentEvent> = []
      const fiber = yield* HttpResilient.sse("http://api.test/events").pipe(
        Stream.take(2),
        Stream.runForEach((e) => Effect.sync(() => received.push(e))),
        Effect.fork
      )
      // the comment is no event, and "event: a / data: x" has no blank line yet
      yield* TestClock.adjust("999 millis")
      assert.deepStrictEqual(received, [])
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(received, [{ id: undefined, event: "a", data: "x" }])
      // the connection drops: the next one comes after the retry: delay the server gave, 2.5 s
      yield* TestClock.adjust("2499 millis")
      assert.strictEqual((yield* HttpResilientTest.requests).length, 1)
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(received, [{ id: undefined, event: "a", data: "x" }, {
        id: undefined,
        event: "b",
        data: "y"
      }])
      const sent = yield* HttpResilientTest.requests
      assert.strictEqual(sent[1].at - sent[0].at, 3500)
    }).pipe(
      Effect.provide(HttpResilientTest.layer([
        HttpResilientTest.reply(200, {
          headers: eventStream,
          body: [": comment\nretry: 2500\n\nevent: a\ndata: x\n", "\n"],
          chunkDelay: "1 second",
          end: "ConnectionReset"
        }),
        HttpResilientTest.reply(200, { headers: eventStream, body: ["event: b\ndata: y\n\n"], end: "stall" })
      ]))
    ))
})
