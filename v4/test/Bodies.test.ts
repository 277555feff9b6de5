/**
 * Request bodies in the v4 edition over real loopback servers and real time, beyond the shared suite
 * (test/shared/bodies.ts): what the v4 `effect/http` requests of `execute` and of request interceptors carry (a
 * FormData, a stream), a streamed upload under a plain `Schedule`, two bodies at once.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, PubSub, Schedule, Stream } from "effect"
import { HttpResilient, Interceptor, ResilientClient, type ResilientEvent } from "effect-http-resilient/v4"
import { HttpBody, HttpClientRequest } from "effect/http"
import { createHash } from "node:crypto"
import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"

interface Got {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

/** A loopback server on a free port, closed with the scope: `/busy` answers 503, anything else 200 "ok". */
const server = Effect.acquireRelease(
  Effect.promise(() =>
    new Promise<{ url: string; received: Array<Got>; close: () => void }>((resolve) => {
      const received: Array<Got> = []
      const s = createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (chunk: Buffer) => chunks.push(chunk))
        req.on("end", () => {
          received.push({
            method: req.method ?? "",
            url: req.url ?? "",
            headers: req.headers,
            body: Buffer.concat(chunks)
          })
          if ((req.url ?? "").startsWith("/busy")) res.writeHead(503).end("busy")
          else res.writeHead(200).end("ok")
        })
      })
      s.listen(0, "127.0.0.1", () =>
        resolve({
          url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
          received,
          close: () => s.close()
        }))
    })
  ),
  (s) => Effect.sync(() => s.close())
)

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

/** A FormData with a text field and a 5,000-byte file. */
const formWithFile = () => {
  const file = new Uint8Array(5000).map((_, i) => i % 251)
  const form = new FormData()
  form.append("field", "value ü")
  form.append("upload", new Blob([file], { type: "application/octet-stream" }), "data.bin")
  return { form, file }
}

/** The multipart body a server received, parsed back by the web platform's own parser. */
const parsedForm = (got: Got) =>
  Effect.promise(() =>
    new Response(new Uint8Array(got.body), { headers: { "content-type": got.headers["content-type"] ?? "" } })
      .formData()
  )

const fileSha = (form: FormData) =>
  Effect.promise(async () => sha(new Uint8Array(await (form.get("upload") as File).arrayBuffer())))

const parts = () => Stream.fromArrays([new Uint8Array([1, 2, 3])], [new Uint8Array([4, 5])], [new Uint8Array([6])])

describe("request bodies (v4, real loopback server)", () => {
  it.live("execute: an effect/http request with a FormData or a stream body is sent as it says", () =>
    Effect.gen(function*() {
      const api = yield* server
      const { file, form } = formWithFile()
      yield* HttpResilient.execute(HttpClientRequest.post(`${api.url}/form`).pipe(HttpClientRequest.bodyFormData(form)))
      yield* HttpResilient.execute(
        HttpClientRequest.put(`${api.url}/stream`).pipe(
          HttpClientRequest.bodyStream(parts(), { contentType: "application/x-parts", contentLength: 6 })
        )
      )
      yield* HttpResilient.execute(
        HttpClientRequest.put(`${api.url}/chunked`).pipe(HttpClientRequest.bodyStream(parts()))
      )
      const [multipart, streamed, chunked] = api.received
      assert.match(multipart.headers["content-type"] ?? "", /^multipart\/form-data; boundary=/)
      const parsed = yield* parsedForm(multipart)
      assert.strictEqual(parsed.get("field"), "value ü")
      assert.strictEqual(yield* fileSha(parsed), sha(file))
      assert.strictEqual(streamed.method, "PUT")
      assert.deepStrictEqual([...streamed.body], [1, 2, 3, 4, 5, 6])
      assert.strictEqual(streamed.headers["content-type"], "application/x-parts")
      assert.strictEqual(streamed.headers["content-length"], "6")
      assert.deepStrictEqual([...chunked.body], [1, 2, 3, 4, 5, 6])
      assert.strictEqual(chunked.headers["transfer-encoding"], "chunked")
    }).pipe(Effect.scoped, Effect.provide(ResilientClient.layer({}))))

  it.live("a request interceptor may set a FormData or a stream body: it is what the server receives", () =>
    Effect.gen(function*() {
      const api = yield* server
      const { file, form } = formWithFile()
      const toForm = Interceptor.onRequest(
        "form",
        (request) =>
          request.url.endsWith("/form") ? HttpClientRequest.setBody(request, HttpBody.formData(form)) : request
      )
      const toStream = Interceptor.onRequest(
        "stream",
        (request) =>
          request.url.endsWith("/stream")
            ? HttpClientRequest.setBody(request, HttpBody.stream(parts(), "application/x-parts", 6))
            : request
      )
      yield* Effect.gen(function*() {
        yield* HttpResilient.post(`${api.url}/form`, { json: { replaced: true } })
        yield* HttpResilient.post(`${api.url}/stream`)
      }).pipe(Effect.provide(ResilientClient.layer({ interceptors: [toForm, toStream] })))
      const [multipart, streamed] = api.received
      const parsed = yield* parsedForm(multipart)
      assert.strictEqual(parsed.get("field"), "value ü")
      assert.strictEqual(yield* fileSha(parsed), sha(file))
      assert.deepStrictEqual([...streamed.body], [1, 2, 3, 4, 5, 6])
      assert.strictEqual(streamed.headers["content-type"], "application/x-parts")
      assert.strictEqual(streamed.headers["content-length"], "6")
    }).pipe(Effect.scoped))

  it.live("a streamed upload through stream is sent once under a plain Schedule too (Failed, not-retryable)", () =>
    Effect.gen(function*() {
      const api = yield* server
      const events = yield* ResilientClient.subscribe
      const error = yield* Effect.flip(
        Stream.runDrain(
          HttpResilient.stream(`${api.url}/busy`, { method: "PUT", stream: parts(), retry: Schedule.recurs(3) })
        )
      )
      assert.strictEqual(error._tag, "StatusError")
      assert.strictEqual(api.received.length, 1)
      assert.deepStrictEqual([...api.received[0].body], [1, 2, 3, 4, 5, 6])
      const seen = (yield* PubSub.takeUpTo(events, Number.MAX_SAFE_INTEGER)) as ReadonlyArray<
        ResilientEvent.ResilientEvent
      >
      const failed = seen.find((e): e is ResilientEvent.Failed => e._tag === "Failed")
      assert.strictEqual(failed?.reason, "not-retryable")
      // a body in memory is retried by the same schedule
      yield* Effect.flip(
        Stream.runDrain(
          HttpResilient.stream(`${api.url}/busy`, { method: "PUT", text: "x", retry: Schedule.recurs(3) })
        )
      )
      assert.strictEqual(api.received.length, 5)
    }).pipe(Effect.scoped, Effect.provide(ResilientClient.layer({}))))

  it.live("two body options, or a bad one, are an InvalidRequestError naming them, and nothing is sent", () =>
    Effect.gen(function*() {
      const api = yield* server
      const error = yield* Effect.flip(HttpResilient.post(`${api.url}/x`, { json: 1, text: "a" }))
      assert.strictEqual(error._tag, "InvalidRequestError")
      assert.include(error.message, `"json" and "text"`)
      const form = yield* Effect.flip(
        HttpResilient.post(`${api.url}/x`, { form: { a: "1" }, multipart: new FormData() })
      )
      assert.include(form.message, `"form" and "multipart"`)
      for (
        const [options, detail] of [
          [{ stream: 5 }, "stream: expected a Stream of Uint8Array, got 5"],
          [
            { stream: Stream.make(new Uint8Array(1)), contentLength: -1 },
            "contentLength: expected a non-negative integer, got -1"
          ],
          [{ text: "a", contentType: "text/plain\r\nx: y" }, "contentType: the value contains a control character"],
          [{ text: 5 }, "text: expected a string, got 5"],
          [{ multipart: { a: 1 } }, `option "multipart" must be a FormData`],
          [{ onProgress: "yes" }, `onProgress: expected a function, got "yes"`]
        ] as const
      ) {
        const bad = yield* Effect.flip(HttpResilient.post(`${api.url}/x`, options as HttpResilient.RequestOptions))
        assert.strictEqual(bad._tag, "InvalidRequestError")
        assert.include(bad.message, detail)
      }
      assert.strictEqual(api.received.length, 0)
    }).pipe(Effect.scoped, Effect.provide(ResilientClient.layer({}))))
})
