import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Schedule, Schema, Stream } from "effect"
import { Backoff, HttpResilient, ResilientClient, RetryPolicy } from "../src/index.js"
import { serverScoped } from "./support/server.js"

type Progress = HttpResilient.Progress

/** A real server on loopback: `/echo` answers the method, then the body it received (with a Content-Length). */
const echo = serverScoped((req, res, received) => {
  if ((req.url ?? "").startsWith("/busy")) {
    res.statusCode = 503
    return res.end("busy")
  }
  const body = `${received.method}\n${received.body.toString("utf8")}`
  res.setHeader("content-length", Buffer.byteLength(body))
  return res.end(body)
})

const encoder = new TextEncoder()
/** A one-shot upload: three chunks of 1,000 bytes. */
const upload = () =>
  Stream.fromIterable([0, 1, 2].map((i) => encoder.encode(String(i).repeat(1000)))).pipe(Stream.rechunk(1))

const policy = RetryPolicy.make({ retries: 3, backoff: Backoff.constant("5 millis") })

describe("streaming any method, with a body", () => {
  it.scopedLive("lines with POST and a json body; ndjson with QUERY and a text body", () =>
    Effect.gen(function*() {
      const server = yield* echo
      const lines = yield* HttpResilient.lines(`${server.url}/echo`, { method: "POST", json: { a: 1 } }).pipe(
        Stream.runCollect
      )
      assert.deepStrictEqual(Chunk.toReadonlyArray(lines), ["POST", `{"a":1}`])
      assert.strictEqual(server.received[0].headers["content-type"], "application/json")
      const rows = yield* HttpResilient.ndjson(`${server.url}/echo`, Schema.Unknown, {
        method: "QUERY",
        text: `{"b":2}`
      }).pipe(Stream.runCollect, Effect.either)
      // the first line (the method) is no JSON: a DecodeError naming line 1, with the request's method
      if (rows._tag !== "Left" || rows.left._tag !== "DecodeError") return assert.fail("expected a DecodeError")
      assert.strictEqual(rows.left.method, "QUERY")
      assert.strictEqual(rows.left.line, 1)
      assert.strictEqual(server.received[1].method, "QUERY")
      assert.strictEqual(server.received[1].body.toString(), `{"b":2}`)
    }).pipe(Effect.provide(ResilientClient.layer({}))))

  it.scopedLive("a streamed upload is sent, and never retried, whatever the policy", () =>
    Effect.gen(function*() {
      const server = yield* echo
      const sent = yield* HttpResilient.stream(`${server.url}/echo`, { method: "PUT", stream: upload() }).pipe(
        Stream.decodeText(),
        Stream.mkString
      )
      assert.strictEqual(sent, `PUT\n${"0".repeat(1000)}${"1".repeat(1000)}${"2".repeat(1000)}`)
      for (const retry of [policy, Schedule.recurs(3)]) {
        const before = server.received.length
        const error = yield* Effect.flip(
          Stream.runDrain(HttpResilient.stream(`${server.url}/busy`, { method: "PUT", stream: upload(), retry }))
        )
        assert.strictEqual(error._tag, "StatusError")
        assert.strictEqual(server.received.length, before + 1)
      }
      // a body in memory is retried (PUT is idempotent): the rule is the body's
      const before = server.received.length
      yield* Effect.flip(Stream.runDrain(HttpResilient.stream(`${server.url}/busy`, { method: "PUT", text: "x" })))
      assert.strictEqual(server.received.length, before + 4)
    }).pipe(Effect.provide(ResilientClient.layer({ retry: policy }))))
})

describe("onProgress", () => {
  it.scopedLive("a stream: the upload chunk by chunk (total from contentLength), the download as it is read", () =>
    Effect.gen(function*() {
      const server = yield* echo
      const events: Array<Progress> = []
      const bytes = yield* HttpResilient.stream(`${server.url}/echo`, {
        method: "POST",
        stream: upload(),
        contentLength: 3000,
        onProgress: (p) => events.push(p)
      }).pipe(Stream.runFold(0, (n, chunk) => n + chunk.byteLength))
      assert.strictEqual(bytes, 3005)
      const up = events.filter((e) => e.direction === "upload")
      const down = events.filter((e) => e.direction === "download")
      assert.deepStrictEqual(up.map((e) => e.bytes), [1000, 2000, 3000])
      assert.isTrue(up.every((e) => e.total === 3000))
      assert.isAbove(down.length, 0)
      assert.deepStrictEqual(down.at(-1), { direction: "download", bytes: 3005, total: 3005 })
      for (let i = 1; i < down.length; i++) assert.isAbove(down[i].bytes, down[i - 1].bytes)
      // every upload report comes before the first download report
      assert.isBelow(events.indexOf(up[up.length - 1]), events.indexOf(down[0]))
    }).pipe(Effect.provide(ResilientClient.layer({}))))

  it.scopedLive("a buffered call: a body in memory and the response body, each in one piece", () =>
    Effect.gen(function*() {
      const server = yield* echo
      const events: Array<Progress> = []
      const response = yield* HttpResilient.post(`${server.url}/echo`, {
        text: "hello",
        onProgress: (p) => events.push(p)
      })
      assert.strictEqual(yield* response.text, "POST\nhello")
      assert.deepStrictEqual(events, [
        { direction: "upload", bytes: 5, total: 5 },
        { direction: "download", bytes: 10, total: 10 }
      ])
      // a stream body of a buffered call reports as it goes
      events.length = 0
      yield* HttpResilient.put(`${server.url}/echo`, { stream: upload(), onProgress: (p) => events.push(p) })
      assert.deepStrictEqual(events.map((e) => `${e.direction} ${e.bytes} ${e.total}`), [
        "upload 1000 undefined",
        "upload 2000 undefined",
        "upload 3000 undefined",
        "download 3004 3004"
      ])
    }).pipe(Effect.provide(ResilientClient.layer({}))))

  it.scopedLive("a report that throws is logged, and the transfer goes on", () =>
    Effect.gen(function*() {
      const server = yield* echo
      let calls = 0
      const text = yield* HttpResilient.lines(`${server.url}/echo`, {
        method: "POST",
        text: "x",
        onProgress: () => {
          calls++
          throw new Error("boom")
        }
      }).pipe(Stream.runCollect)
      assert.deepStrictEqual(Chunk.toReadonlyArray(text), ["POST", "x"])
      assert.isAtLeast(calls, 2)
    }).pipe(Effect.provide(ResilientClient.layer({}))))
})
