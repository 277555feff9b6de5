import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule, Stream } from "effect"
import { HttpResilient, HttpResilientTest, Interceptor } from "effect-http-resilient/v4"
import { HttpClientRequest } from "effect/http"

const url = "http://api.test/feed"

describe("streams over the scripted transport", () => {
  it.effect("a bad streaming option is an InvalidRequestError naming it, before any request", () =>
    Effect.gen(function*() {
      const resume = yield* Effect.flip(
        Stream.runCollect(HttpResilient.stream(url, { resume: "yes" as unknown as boolean }))
      )
      assert.strictEqual(resume._tag, "InvalidRequestError")
      assert.include(resume.message, "resume")
      const lastEventId = yield* Effect.flip(
        Stream.runCollect(HttpResilient.sse(url, { lastEventId: 7 as unknown as string }))
      )
      assert.include(lastEventId.message, "lastEventId")
      const deadline = yield* Effect.flip(Stream.runCollect(HttpResilient.lines(url, { deadline: -5 })))
      assert.strictEqual(deadline._tag, "InvalidRequestError")
      assert.include(deadline.message, "deadline")
      assert.strictEqual((yield* HttpResilientTest.requests).length, 0)
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)]))))

  it.effect("a scripted reply streams as one chunk; lines and events parse it", () =>
    Effect.gen(function*() {
      const lines = yield* Stream.runCollect(HttpResilient.lines(url, { retry: false }))
      assert.deepStrictEqual(lines, ["id: 1", "data: a", ""])
      const events = yield* Stream.runCollect(HttpResilient.sse(url, { retry: false }).pipe(Stream.take(1)))
      assert.deepStrictEqual(events, [{ id: "1", event: "message", data: "a" }])
      const requests = yield* HttpResilientTest.requests
      assert.strictEqual(requests[1].headers.accept, "text/event-stream")
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200, { body: "id: 1\ndata: a\n\n" })]))))

  it.effect("failover on a stream: the second attempt opens the failover URL, the first's 503 retried", () =>
    Effect.gen(function*() {
      const lines = yield* Stream.runCollect(
        HttpResilient.lines("http://a.test/feed", { failover: ["http://b.test/feed"], retry: Schedule.recurs(1) })
      )
      assert.deepStrictEqual(lines, ["from b"])
      const sent = yield* HttpResilientTest.requests
      assert.deepStrictEqual(sent.map((r) => r.url), ["http://a.test/feed", "http://b.test/feed"])
      const bad = yield* Effect.flip(Stream.runCollect(HttpResilient.stream(url, { failover: ["rel/path"] })))
      assert.isTrue(bad._tag === "InvalidRequestError" && bad.detail.startsWith("failover[0]: "))
    }).pipe(Effect.provide(HttpResilientTest.layer((request) =>
      request.url.startsWith("http://a.test")
        ? HttpResilientTest.reply(503)
        : HttpResilientTest.reply(200, { body: "from b\n" })
    ))))

  it.effect("request interceptors run on every stream attempt; response sides do not (the body is not in memory)", () => {
    const seen: Array<string> = []
    const signer = Interceptor.make({
      name: "signer",
      onRequest: (request, { attempt }) => {
        seen.push(`request ${attempt}`)
        return HttpClientRequest.setHeader(request, "x-signed", `a${attempt}`)
      },
      onResponse: (response) => {
        seen.push("response")
        return response
      }
    })
    return Effect.gen(function*() {
      const lines = yield* Stream.runCollect(HttpResilient.lines(url, { retry: Schedule.recurs(1) }))
      assert.deepStrictEqual(lines, ["ok"])
      const sent = yield* HttpResilientTest.requests
      assert.deepStrictEqual(sent.map((r) => r.headers["x-signed"]), ["a1", "a2"])
      assert.deepStrictEqual(seen, ["request 1", "request 2"])
    }).pipe(Effect.provide(HttpResilientTest.layer(
      [HttpResilientTest.reply(503), HttpResilientTest.reply(200, { body: "ok\n" })],
      { interceptors: [signer] }
    )))
  })
})
