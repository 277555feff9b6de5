import { HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Queue, Schedule, Schema, Stream, TestClock } from "effect"
import { createHash, randomBytes } from "node:crypto"
import type * as http from "node:http"
import {
  CircuitBreaker,
  HttpResilient,
  HttpResilientError,
  HttpResilientTest,
  Interceptor,
  ResilientClient,
  RetryPolicy
} from "../src/index.js"
import { closedPort, serverScoped, waitUntil } from "./support/server.js"

const Client = ResilientClient.layer({})
const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")
const collect = (stream: Stream.Stream<Uint8Array, any, any>) =>
  Effect.map(Stream.runCollect(stream), (chunks) => Buffer.concat(Chunk.toReadonlyArray(chunks)))
const realDelay = (ms: number) => Effect.promise(() => new Promise((r) => setTimeout(r, ms)))

interface RangeServerOptions {
  readonly etag?: string | undefined
  readonly lastModified?: string | undefined
  /** answer range requests with this instead (200: the whole body again) */
  readonly rangeStatus?: 200 | 206
  /** shift the Content-Range start by this much */
  readonly shift?: number
  /** bytes sent before the reset on the first request; 0: reset before any byte */
  readonly resetAfter?: number
}

/** Serves `data`; the first request is cut after `resetAfter` bytes, later ones honour Range + If-Range. */
const rangeServer = (data: Buffer, options: RangeServerOptions) => {
  let n = 0
  return serverScoped((req, res) => {
    n++
    const headers: http.OutgoingHttpHeaders = { "accept-ranges": "bytes" }
    if (options.etag) headers.etag = options.etag
    if (options.lastModified) headers["last-modified"] = options.lastModified
    const range = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ""))
    const validator = options.etag !== undefined && !options.etag.startsWith("W/") ? options.etag : options.lastModified
    if (range && req.headers["if-range"] === validator && options.rangeStatus !== 200) {
      const start = Number(range[1]) + (options.shift ?? 0)
      res.writeHead(206, {
        ...headers,
        "content-range": `bytes ${start}-${data.length - 1}/${data.length}`,
        "content-length": data.length - start
      })
      res.end(data.subarray(start))
      return
    }
    res.writeHead(200, { ...headers, "content-length": data.length })
    if (n === 1) {
      const cut = options.resetAfter ?? data.length >> 1
      if (cut === 0) {
        res.flushHeaders()
        setTimeout(() => res.socket?.destroy(), 20)
        return
      }
      res.write(data.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 20))
      return
    }
    res.end(data)
  })
}

const retry = Schedule.recurs(3)

describe("stream", () => {
  it.scoped("streams a body byte-exact; lines and ndjson decode it", () =>
    Effect.gen(function*() {
      const data = randomBytes(1 << 20)
      const server = yield* serverScoped((req, res) => {
        const bodies: Record<string, string | Buffer> = {
          "/bytes": data,
          "/lines": "a\r\nb\n\nc",
          "/ndjson": `{"n":1}\n\n{"n":2}\n`
        }
        res.end(bodies[req.url ?? ""] ?? `{"n":1}\nnot json\n`)
      })
      assert.strictEqual(sha(yield* collect(HttpResilient.stream(`${server.url}/bytes`))), sha(data))
      const lines = yield* Stream.runCollect(HttpResilient.lines(`${server.url}/lines`))
      assert.deepStrictEqual(Chunk.toReadonlyArray(lines), ["a", "b", "", "c"])
      const N = Schema.Struct({ n: Schema.Number })
      const values = yield* Stream.runCollect(HttpResilient.ndjson(`${server.url}/ndjson`, N))
      assert.deepStrictEqual(Chunk.toReadonlyArray(values), [{ n: 1 }, { n: 2 }])
      const error = yield* Effect.flip(Stream.runCollect(HttpResilient.ndjson(`${server.url}/bad`, N)))
      assert.isTrue(error._tag === "DecodeError" && error.line === 2)
      assert.include(error.message, "Could not decode line 2 of the body")
    }).pipe(Effect.provide(Client)))

  it.scoped("lines end at \\n, \\r\\n and a lone \\r, also when a \\r\\n is split between chunks", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((req, res) => {
        if (req.url === "/cr") {
          res.end("a\rb\r\rc\r")
          return
        }
        // "x\r" and "\ny\rz" arrive as two chunks: the "\n" ends the line "x", it is not an empty line
        res.write("x\r", () => setTimeout(() => res.end("\ny\rz"), 30))
      })
      const cr = yield* Stream.runCollect(HttpResilient.lines(`${server.url}/cr`))
      assert.deepStrictEqual(Chunk.toReadonlyArray(cr), ["a", "b", "", "c"])
      const split = yield* Stream.runCollect(HttpResilient.lines(`${server.url}/split`))
      assert.deepStrictEqual(Chunk.toReadonlyArray(split), ["x", "y", "z"])
    }).pipe(Effect.provide(Client)))

  it.scoped("failover URLs and attempts entries apply to a stream's attempts by number", () =>
    Effect.gen(function*() {
      const down = `http://127.0.0.1:${yield* Effect.promise(closedPort)}/s`
      let n = 0
      const server = yield* serverScoped((_req, res) => {
        n++
        res.statusCode = n === 1 ? 503 : 200
        res.end("from the failover")
      })
      const options = {
        failover: [`${server.url}/s`],
        attempts: [{ headers: { "x-try": "1" } }, { headers: { "x-try": "2" } }, { timeout: "1 second" as const }],
        retry: Schedule.recurs(3)
      }
      const body = yield* collect(HttpResilient.stream(down, options))
      assert.strictEqual(body.toString(), "from the failover")
      // attempt 1: the primary (refused); 2: the failover (503, x-try 2); 3: the primary again; 4: the failover
      assert.deepStrictEqual(server.received.map((r) => r.headers["x-try"]), ["2", undefined])
      const lines = yield* Stream.runCollect(HttpResilient.lines(down, { ...options, retry: Schedule.recurs(1) }))
      assert.deepStrictEqual(Chunk.toReadonlyArray(lines), ["from the failover"])
    }).pipe(Effect.provide(Client)))

  it.scoped("a status outside acceptStatus is a StatusError with the error body; establishing is retried", () =>
    Effect.gen(function*() {
      let n = 0
      const server = yield* serverScoped((_req, res) => {
        n++
        res.statusCode = n <= 2 ? 503 : 404
        res.end(n <= 2 ? "busy" : "no such thing")
      })
      const error = yield* Effect.flip(
        Stream.runCollect(HttpResilient.stream(server.url, { retry: Schedule.recurs(2) }))
      )
      assert.isTrue(error._tag === "StatusError" && error.status === 404 && error.attempt === 3)
      if (error._tag === "StatusError") assert.strictEqual(yield* error.response.text, "no such thing")
      assert.strictEqual(server.count(), 3)
    }).pipe(Effect.provide(Client)))

  it.scoped("backpressure: a consumer that stops pulling stops the server, and closing the stream closes the socket", () =>
    Effect.gen(function*() {
      let sent = 0
      let finished = false
      const chunk = Buffer.alloc(64 * 1024, 7)
      const total = 64 * 1024 * 1024
      const server = yield* serverScoped((_req, res) => {
        res.writeHead(200, { "content-length": total })
        const pump = () => {
          while (sent < total) {
            sent += chunk.length
            if (!res.write(chunk)) return void res.once("drain", pump)
          }
          finished = true
          res.end()
        }
        pump()
      })
      let received = 0
      yield* HttpResilient.stream(server.url).pipe(
        Stream.tap((bytes) => Effect.sync(() => received += bytes.byteLength)),
        Stream.take(1),
        Stream.runDrain,
        Effect.zipRight(realDelay(300))
      )
      // kernel and stream buffers hold a few MB at most: the 64 MB body was not read into memory
      assert.isBelow(sent, 16 * 1024 * 1024)
      assert.isBelow(received, 1024 * 1024)
      assert.isFalse(finished)
      yield* waitUntil(() => server.sockets.size === 0)
    }).pipe(Effect.provide(Client)))

  it.scoped("resume: a download reset half-way completes byte-exact with Range and If-Range", () =>
    Effect.gen(function*() {
      const data = randomBytes(4 << 20)
      const server = yield* rangeServer(data, { etag: `"v1"` })
      const body = yield* collect(HttpResilient.stream(server.url, { resume: true, retry }))
      assert.strictEqual(body.length, data.length)
      assert.strictEqual(sha(body), sha(data))
      assert.strictEqual(server.count(), 2)
      const second = server.received[1].headers
      assert.match(String(second.range), /^bytes=\d+-$/)
      assert.isAbove(Number(/\d+/.exec(String(second.range))![0]), 0)
      assert.strictEqual(second["if-range"], `"v1"`)
    }).pipe(Effect.provide(Client)))

  it.scoped("resume falls back to Last-Modified when the ETag is weak", () =>
    Effect.gen(function*() {
      const data = randomBytes(1 << 20)
      const lastModified = "Tue, 15 Nov 1994 12:45:26 GMT"
      const server = yield* rangeServer(data, { etag: `W/"weak"`, lastModified })
      const body = yield* collect(HttpResilient.stream(server.url, { resume: true, retry }))
      assert.strictEqual(sha(body), sha(data))
      assert.strictEqual(server.received[1].headers["if-range"], lastModified)
    }).pipe(Effect.provide(Client)))

  const notResumable = (data: Buffer, options: RangeServerOptions) =>
    Effect.gen(function*() {
      const server = yield* rangeServer(data, options)
      let received = 0
      const error = yield* Effect.flip(
        HttpResilient.stream(server.url, { resume: true, retry }).pipe(
          Stream.runForEach((bytes) => Effect.sync(() => received += bytes.byteLength))
        )
      )
      assert.isTrue(received > 0 && received < data.length)
      return { error, server }
    })

  it.scoped("NotResumable: no validator, only a weak ETag, a 200 to the range request, a wrong Content-Range", () =>
    Effect.gen(function*() {
      const data = randomBytes(1 << 20)
      const none = yield* notResumable(data, {})
      assert.isTrue(none.error._tag === "TransportError" && none.error.reason === "NotResumable")
      assert.strictEqual(none.server.count(), 1)
      const weak = yield* notResumable(data, { etag: `W/"x"` })
      assert.isTrue(weak.error._tag === "TransportError" && weak.error.reason === "NotResumable")
      const full = yield* notResumable(data, { etag: `"v1"`, rangeStatus: 200 })
      assert.isTrue(full.error._tag === "TransportError" && full.error.reason === "NotResumable")
      assert.strictEqual(full.server.count(), 2)
      const shifted = yield* notResumable(data, { etag: `"v1"`, shift: 1 })
      assert.isTrue(shifted.error._tag === "TransportError" && shifted.error.reason === "NotResumable")
      assert.include(shifted.error.message, "Stream not resumable")
    }).pipe(Effect.provide(Client)))

  it.effect("resume over the scripted transport: Range + If-Range after a reset; NotResumable when it cannot go on", () =>
    Effect.gen(function*() {
      const data = randomBytes(64 * 1024)
      const resumeAfterReset = (first: HttpResilientTest.ReplyOptions, then: HttpResilientTest.Step) =>
        Effect.gen(function*() {
          let received = 0
          const exit = yield* HttpResilient.stream("http://api.test/file", { resume: true, retry }).pipe(
            Stream.runForEach((bytes) => Effect.sync(() => received += bytes.byteLength)),
            Effect.exit
          )
          return { exit, received, sent: yield* HttpResilientTest.requests }
        }).pipe(
          Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200, { ...first, resetAfter: 1000 }), then]))
        )
      const file = { body: data, headers: { etag: `"v1"` } }
      const resumed = yield* resumeAfterReset(file, HttpResilientTest.reply(200, { ...file, ranges: true }))
      assert.isTrue(Exit.isSuccess(resumed.exit))
      assert.strictEqual(resumed.received, data.length)
      assert.strictEqual(resumed.sent[1].headers.range, "bytes=1000-")
      assert.strictEqual(resumed.sent[1].headers["if-range"], `"v1"`)
      const notResumable = (outcome: { readonly exit: Exit.Exit<void, HttpResilientError.HttpResilientError> }) =>
        Exit.isFailure(outcome.exit) && outcome.exit.cause._tag === "Fail" &&
        outcome.exit.cause.error._tag === "TransportError" && outcome.exit.cause.error.reason === "NotResumable"
      // no validator: no second request
      const none = yield* resumeAfterReset({ body: data }, HttpResilientTest.reply(200, { body: data, ranges: true }))
      assert.isTrue(notResumable(none))
      assert.strictEqual(none.sent.length, 1)
      // the whole body again (200), a Content-Range that starts elsewhere, a changed ETag
      const whole = yield* resumeAfterReset(file, HttpResilientTest.reply(200, file))
      assert.isTrue(notResumable(whole) && whole.sent.length === 2 && whole.received === 1000)
      const shifted = yield* resumeAfterReset(
        file,
        HttpResilientTest.reply(206, {
          body: data.subarray(1001),
          headers: { etag: `"v1"`, "content-range": `bytes 1001-${data.length - 1}/${data.length}` }
        })
      )
      assert.isTrue(notResumable(shifted))
      const changed = yield* resumeAfterReset(
        file,
        HttpResilientTest.reply(206, {
          body: data.subarray(1000),
          headers: { etag: `"v2"`, "content-range": `bytes 1000-${data.length - 1}/${data.length}` }
        })
      )
      assert.isTrue(notResumable(changed))
    }))

  it.scoped("a body that drops is an AttemptFailed event; a stream that cannot go on ends with Failed", () =>
    Effect.gen(function*() {
      const data = randomBytes(1 << 20)
      const events = (server: { readonly url: string }) =>
        Effect.gen(function*() {
          const queue = yield* ResilientClient.subscribe
          const exit = yield* Effect.exit(Stream.runDrain(HttpResilient.stream(server.url, { resume: true, retry })))
          const seen = Chunk.toReadonlyArray(yield* Queue.takeAll(queue))
          return { exit, seen, tags: seen.map((e) => e._tag) }
        })
      const resumed = yield* events(yield* rangeServer(data, { etag: `"v1"` }))
      assert.isTrue(resumed.exit._tag === "Success")
      assert.deepStrictEqual(resumed.tags, [
        "RequestStarted",
        "Succeeded",
        "AttemptFailed",
        "RequestStarted",
        "Succeeded"
      ])
      const dropped = resumed.seen[2]
      assert.isTrue(
        dropped._tag === "AttemptFailed" && dropped.attempt === 1 && dropped.error._tag === "TransportError"
      )
      const stuck = yield* events(yield* rangeServer(data, {}))
      assert.deepStrictEqual(stuck.tags, ["RequestStarted", "Succeeded", "AttemptFailed", "Failed"])
      const failed = stuck.seen[3]
      assert.isTrue(
        failed._tag === "Failed" && failed.reason === "not-retryable" && failed.error._tag === "TransportError" &&
          failed.error.reason === "NotResumable"
      )
    }).pipe(Effect.provide(Client)))

  it.scoped("without resume, a reset mid-body fails the stream as a TransportError", () =>
    Effect.gen(function*() {
      const data = randomBytes(1 << 20)
      const server = yield* rangeServer(data, { etag: `"v1"` })
      const error = yield* Effect.flip(Stream.runDrain(HttpResilient.stream(server.url, { retry })))
      assert.isTrue(error._tag === "TransportError" && error.reason === "ConnectionReset")
      assert.strictEqual(server.count(), 1)
    }).pipe(Effect.provide(Client)))

  it.scoped("a reset before any byte was emitted restarts the download, no validator needed", () =>
    Effect.gen(function*() {
      const data = randomBytes(256 * 1024)
      const server = yield* rangeServer(data, { resetAfter: 0 })
      const body = yield* collect(HttpResilient.stream(server.url, { retry }))
      assert.strictEqual(sha(body), sha(data))
      assert.strictEqual(server.count(), 2)
      assert.isUndefined(server.received[1].headers.range)
    }).pipe(Effect.provide(Client)))

  it.scoped("streams run request interceptors and publish the attempt's events", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => res.end("body"))
      const stamp = Interceptor.onRequest("stamp", (request) => HttpClientRequest.setHeader(request, "x-stamp", "1"))
      const program = Effect.gen(function*() {
        const queue = yield* ResilientClient.subscribe
        const body = yield* collect(HttpResilient.stream(`${server.url}/s`))
        return { body, events: Chunk.toReadonlyArray(yield* Queue.takeAll(queue)).map((e) => e._tag) }
      })
      const { body, events } = yield* program.pipe(Effect.provide(ResilientClient.layer({ interceptors: [stamp] })))
      assert.strictEqual(body.toString(), "body")
      assert.strictEqual(server.received[0].headers["x-stamp"], "1")
      assert.deepStrictEqual(events, ["RequestStarted", "Succeeded"])
    }))

  it.scoped("a policy's refusal (on the error's call.refusal) ends the stream with the refusal, without another request", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.statusCode = 503
        res.end()
      })
      // what RetryPolicy does when it refuses a retry that was due: it writes the refusal on the error's call facts
      const refusing = Schedule.recurs(3).pipe(
        Schedule.tapInput((error: HttpResilientError.HttpResilientError) =>
          Effect.sync(() => {
            const call = error.call as { refusal: HttpResilientError.HttpResilientError }
            const { attempt, method, url } = error
            call.refusal = new HttpResilientError.RetryBudgetExhaustedError({ method, url, attempt, lastError: error })
          })
        )
      )
      const error = yield* Effect.flip(Stream.runDrain(HttpResilient.stream(server.url, { retry: refusing })))
      assert.strictEqual(error._tag, "RetryBudgetExhaustedError")
      assert.strictEqual(server.count(), 1)
    }).pipe(Effect.provide(Client)))

  it.effect("without a retry option, establishing is retried by RetryPolicy.default (TestClock drives its backoff)", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(collect(HttpResilient.stream("http://api.test/s")))
      // RetryPolicy.default: full jitter under 100 ms, then 200 ms
      yield* TestClock.adjust("300 millis")
      const body = yield* Fiber.join(fiber)
      assert.strictEqual(body.toString(), "finally")
      assert.strictEqual((yield* HttpResilientTest.requests).length, 3)
    }).pipe(
      Effect.provide(HttpResilientTest.layer([
        HttpResilientTest.reply(503, { body: "busy" }),
        HttpResilientTest.reply(503, { body: "busy" }),
        HttpResilientTest.reply(200, { body: "finally" })
      ]))
    ))
})

describe("a stream's opening takes a buffered attempt's steps", () => {
  it.scoped("redirects are followed by the buffered rules; credentials stay behind across origins", () =>
    Effect.gen(function*() {
      const target = yield* serverScoped((_req, res) => res.end("the real bytes"))
      const server = yield* serverScoped((req, res) => {
        if (req.url === "/old") {
          res.writeHead(301, { location: "/new" })
          res.end("moved")
        } else if (req.url === "/new") {
          res.writeHead(302, { location: `${target.url}/elsewhere` })
          res.end()
        } else if (req.url === "/loop") {
          res.writeHead(307, { location: "/loop" })
          res.end()
        }
      })
      const body = yield* collect(
        HttpResilient.stream(`${server.url}/old`, { headers: { authorization: "Bearer s3cret" } })
      )
      assert.strictEqual(body.toString(), "the real bytes")
      assert.deepStrictEqual(server.received.map((r) => [r.url, r.headers.authorization]), [
        ["/old", "Bearer s3cret"],
        ["/new", "Bearer s3cret"]
      ])
      assert.deepStrictEqual(target.received.map((r) => [r.url, r.headers.authorization]), [["/elsewhere", undefined]])
      const loop = yield* Effect.flip(Stream.runDrain(HttpResilient.stream(`${server.url}/loop`, { retry: false })))
      assert.isTrue(loop._tag === "TransportError" && loop.reason === "RedirectLoop")
      // with redirects off the 301 is handed back (2xx–3xx are accepted): its own body is the stream
      const off = yield* collect(HttpResilient.stream(`${server.url}/old`, { followRedirects: 0 }))
      assert.strictEqual(off.toString(), "moved")
    }).pipe(Effect.provide(Client)))

  it.effect("the deadline option bounds the whole stream: a body that stalls ends in TimeoutError deadline", () =>
    Effect.gen(function*() {
      const received: Array<string> = []
      const fiber = yield* Effect.fork(
        HttpResilient.stream("http://api.test/s", { deadline: "5 seconds" }).pipe(
          Stream.tap((bytes) => Effect.sync(() => received.push(Buffer.from(bytes).toString()))),
          Stream.runDrain
        )
      )
      yield* TestClock.adjust("4 seconds")
      assert.deepStrictEqual(received, ["first part "])
      assert.isNull(fiber.unsafePoll())
      yield* TestClock.adjust("1 second")
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error._tag, "TimeoutError")
      assert.strictEqual(error._tag === "TimeoutError" && error.scope, "deadline")
      assert.strictEqual(error.attempt, 1)
    }).pipe(
      Effect.provide(
        HttpResilientTest.layer([
          HttpResilientTest.reply(200, {
            headers: { "content-type": "text/plain" },
            body: ["first part "],
            // then nothing, ever
            end: "stall"
          })
        ])
      )
    ))

  it.scopedLive("a stream its deadline ends closes its stalled socket (real time)", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" })
        res.write("first part ")
        // then nothing, ever
      })
      const error = yield* Effect.flip(
        Stream.runDrain(HttpResilient.stream(server.url, { deadline: "300 millis" }))
      )
      assert.isTrue(error._tag === "TimeoutError" && error.scope === "deadline")
      // the stalled socket is closed, not left open
      yield* waitUntil(() => server.sockets.size === 0)
    }).pipe(Effect.provide(Client)))

  it.effect("the deadline clips establishing: retries stop before it and the policy reports the deadline", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(
        Effect.flip(Stream.runDrain(
          HttpResilient.stream("http://api.test/s", {
            deadline: "1 second",
            retry: RetryPolicy.make({ retries: 10, backoff: Schedule.spaced("400 millis") })
          })
        ))
      )
      yield* TestClock.adjust("400 millis")
      yield* TestClock.adjust("400 millis")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "TimeoutError")
      assert.strictEqual(error._tag === "TimeoutError" && error.scope, "deadline")
      // attempts at 0, 400 and 800 ms; the next wait of 400 ms would pass the deadline, so no fourth request
      const sent = yield* HttpResilientTest.requests
      assert.deepStrictEqual(sent.map((r) => r.at), [0, 400, 800])
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(503, { body: "busy" })]))))

  it.scoped("an open circuit rejects a stream without a request; a stream's 503s open it", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.statusCode = 503
        res.end("busy")
      })
      for (let i = 0; i < 3; i++) {
        yield* Effect.flip(Stream.runDrain(HttpResilient.stream(server.url, { retry: false })))
      }
      assert.strictEqual(server.count(), 3)
      const error = yield* Effect.flip(Stream.runDrain(HttpResilient.stream(server.url, { retry: false })))
      assert.strictEqual(error._tag, "CircuitOpenError")
      assert.strictEqual(server.count(), 3)
    }).pipe(Effect.provide(ResilientClient.layer({ circuitBreaker: CircuitBreaker.consecutive(3) }))))

  it.scoped("the bulkhead slot is held until the head arrives, not for the whole body", () =>
    Effect.gen(function*() {
      let answerHead: (() => void) | undefined
      const server = yield* serverScoped((req, res) => {
        if (req.url === "/endless") {
          answerHead = () => {
            res.writeHead(200)
            res.write("tick")
          }
          return
        }
        res.end("quick")
      })
      let ticked = false
      const first = yield* Effect.fork(
        HttpResilient.stream(`${server.url}/endless`).pipe(
          Stream.tap(() => Effect.sync(() => ticked = true)),
          Stream.runDrain
        )
      )
      yield* waitUntil(() => answerHead !== undefined)
      // one slot, no queue: while the stream waits for its head, it holds the slot
      const rejected = yield* Effect.flip(HttpResilient.get(`${server.url}/quick`, { retry: false }))
      assert.strictEqual(rejected._tag, "BulkheadRejectedError")
      answerHead!()
      // once the head is in, a buffered call gets through while the stream's body is still open
      yield* waitUntil(() => ticked)
      const response = yield* HttpResilient.get(`${server.url}/quick`)
      assert.strictEqual(yield* response.text, "quick")
      assert.isNull(first.unsafePoll())
      assert.strictEqual(server.count(), 2)
      yield* Fiber.interrupt(first)
    }).pipe(
      Effect.provide(ResilientClient.layer({ bulkhead: { maxConcurrent: 1, maxQueue: 0 } }))
    ))
})
