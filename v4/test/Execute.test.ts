/**
 * `HttpResilient.execute(HttpClientRequest)`: a v4 `effect/http` request sent as the verbs send a call, over the
 * scripted transport on the TestClock.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Stream } from "effect"
import { HttpResilient, HttpResilientTest, RetryPolicy } from "effect-http-resilient/v4"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import { TestClock } from "effect/testing"

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

describe("HttpResilient.execute", () => {
  it.effect("method, URL joined to baseUrl, URL params, fragment, headers and a JSON body go as the request says", () =>
    Effect.gen(function*() {
      const request = HttpClientRequest.post("orders#top").pipe(
        HttpClientRequest.setHeader("x-tenant", "acme"),
        HttpClientRequest.setHeader("x-both", "request"),
        HttpClientRequest.appendUrlParam("page", "2"),
        HttpClientRequest.bodyJsonUnsafe({ sku: "A1" })
      )
      const response = yield* HttpResilient.execute(request, {
        headers: { "x-both": "options" },
        urlParams: { sort: "asc" }
      })
      assert.strictEqual(response.status, 201)
      const [sent] = yield* HttpResilientTest.requests
      assert.strictEqual(sent.method, "POST")
      assert.strictEqual(sent.url, "https://api.example.com/v1/orders?page=2&sort=asc#top")
      assert.strictEqual(sent.headers["x-tenant"], "acme")
      assert.strictEqual(sent.headers["x-both"], "options")
      assert.strictEqual(sent.headers["x-client"], "checkout")
      assert.strictEqual(sent.headers["content-type"], "application/json")
      assert.deepStrictEqual(JSON.parse(text(sent.body)), { sku: "A1" })
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(201)], {
      baseUrl: "https://api.example.com/v1/",
      headers: { "x-client": "checkout" }
    }))))

  it.effect("a text body keeps its content type; retried, every attempt sends the same idempotency key", () =>
    Effect.gen(function*() {
      const request = HttpClientRequest.post("https://api.example.com/notes").pipe(
        HttpClientRequest.bodyText("hello", "text/markdown")
      )
      const fiber = yield* Effect.forkChild(
        HttpResilient.execute(request, { idempotencyKey: true }).pipe(Effect.retry(RetryPolicy.default))
      )
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual((yield* Fiber.join(fiber)).status, 200)
      const sent = yield* HttpResilientTest.requests
      assert.strictEqual(sent.length, 2)
      assert.strictEqual(sent[0].headers["content-type"], "text/markdown")
      assert.strictEqual(text(sent[1].body), "hello")
      assert.isString(sent[0].headers["idempotency-key"])
      assert.strictEqual(sent[0].headers["idempotency-key"], sent[1].headers["idempotency-key"])
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(503), HttpResilientTest.reply(200)]))))

  it.effect("a FormData body is sent multipart, a stream body as its bytes with its content type and length", () =>
    Effect.gen(function*() {
      const form = new FormData()
      form.append("a", "1 ü")
      yield* HttpResilient.execute(
        HttpClientRequest.post("https://api.example.com/f").pipe(HttpClientRequest.bodyFormData(form))
      )
      yield* HttpResilient.execute(
        HttpClientRequest.put("https://api.example.com/s").pipe(
          HttpClientRequest.bodyStream(Stream.make(new Uint8Array([1, 2]), new Uint8Array([3])), {
            contentType: "application/x-parts",
            contentLength: 3
          })
        )
      )
      const [multipart, streamed] = yield* HttpResilientTest.requests
      const contentType = multipart.headers["content-type"] ?? ""
      assert.match(contentType, /^multipart\/form-data; boundary=/)
      const parsed = yield* Effect.promise(() =>
        new Response(new Uint8Array(multipart.body), { headers: { "content-type": contentType } }).formData()
      )
      assert.strictEqual(parsed.get("a"), "1 ü")
      assert.deepStrictEqual([...streamed.body], [1, 2, 3])
      assert.strictEqual(streamed.headers["content-type"], "application/x-parts")
      assert.strictEqual(streamed.headers["content-length"], "3")
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)]))))

  it.effect("two bodies are an InvalidRequestError naming both options, and nothing is sent", () =>
    Effect.gen(function*() {
      const twice = yield* Effect.flip(
        HttpResilient.execute(
          HttpClientRequest.post("https://api.example.com/t").pipe(HttpClientRequest.bodyText("a")),
          { json: { b: 1 } }
        )
      )
      assert.isTrue(twice._tag === "InvalidRequestError" && twice.reason === "InvalidBody")
      assert.include(twice.message, `"json" and "bytes"`)
      assert.strictEqual((yield* HttpResilientTest.requests).length, 0)
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)]))))
})
