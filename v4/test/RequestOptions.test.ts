/**
 * The `attempts` and `body` request options, what the shared suite (test/shared/attempts.ts, bodies.ts) cannot
 * express: shapes that are no list or object, a value that is no `HttpBody`, a raw body, the body options together,
 * and an entry's `body` over the scripted transport.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { HttpResilientError } from "effect-http-resilient/v4"
import { HttpResilient, HttpResilientTest } from "effect-http-resilient/v4"
import { HttpBody } from "effect/http"

const url = "https://api.example.com/x"
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
const scripted = HttpResilientTest.layer([HttpResilientTest.reply(200)])

/** The call's error, which must be an `InvalidRequestError` with `reason`; its message. */
const refused = (call: Effect.Effect<unknown, HttpResilientError.HttpResilientError, any>, reason: string) =>
  Effect.map(Effect.flip(call), (error) => {
    assert.strictEqual(error._tag, "InvalidRequestError")
    if (error._tag === "InvalidRequestError") assert.strictEqual(error.reason, reason, error.message)
    return error.message
  })

describe("request options attempts and body (v4)", () => {
  it.effect("attempts that is no list, or an entry that is no object, is an InvalidRequestError naming it", () =>
    Effect.gen(function*() {
      const notList = yield* refused(HttpResilient.get(url, { attempts: { timeout: 5 } as any }), "InvalidOption")
      assert.include(notList, `attempts: expected a list of per-attempt options, got {"timeout":5}`)
      const notObject = yield* refused(HttpResilient.get(url, { attempts: [{}, 5 as any] }), "InvalidOption")
      assert.include(notObject, "attempts[1]: expected an object of request options, got 5")
      const twoBodies = yield* refused(HttpResilient.post(url, { attempts: [{ json: 1, text: "a" }] }), "InvalidBody")
      assert.include(twoBodies, `attempts[0]: options "json" and "text" both set a body`)
      assert.strictEqual((yield* HttpResilientTest.requests).length, 0)
    }).pipe(Effect.provide(scripted)))

  it.effect("body: a value that is no HttpBody, a raw body that is no bytes, and two bodies are refused by name", () =>
    Effect.gen(function*() {
      const notBody = yield* refused(HttpResilient.post(url, { body: "raw" as any }), "InvalidBody")
      assert.include(notBody, `body: expected an HttpBody (effect/http), got "raw"`)
      const raw = yield* refused(HttpResilient.post(url, { body: HttpBody.raw({ not: "bytes" }) }), "InvalidBody")
      assert.include(raw, "body: the request's raw body is neither a string nor a Uint8Array")
      const both = yield* refused(HttpResilient.post(url, { text: "a", body: HttpBody.text("b") }), "InvalidBody")
      assert.include(both, `options "text" and "body" both set a body`)
      assert.strictEqual((yield* HttpResilientTest.requests).length, 0)
    }).pipe(Effect.provide(scripted)))

  it.effect("body: bytes, JSON, URL parameters and a raw string go with their own type; contentType does not apply", () =>
    Effect.gen(function*() {
      yield* HttpResilient.post(url, { body: HttpBody.jsonUnsafe({ a: 1 }), contentType: "text/ignored" })
      yield* HttpResilient.post(url, { body: HttpBody.urlParams([["q", "a b"]]) })
      yield* HttpResilient.post(url, { body: HttpBody.raw("plain", { contentType: "text/x-raw" }) })
      yield* HttpResilient.post(url, { body: HttpBody.uint8Array(new Uint8Array([1, 2, 3])) })
      const [json, params, raw, bytes] = yield* HttpResilientTest.requests
      assert.strictEqual(json.headers["content-type"], "application/json")
      assert.strictEqual(text(json.body), `{"a":1}`)
      assert.strictEqual(params.headers["content-type"], "application/x-www-form-urlencoded")
      assert.strictEqual(text(params.body), "q=a+b")
      assert.strictEqual(raw.headers["content-type"], "text/x-raw")
      assert.strictEqual(text(raw.body), "plain")
      assert.strictEqual(bytes.headers["content-type"], "application/octet-stream")
      assert.strictEqual(bytes.headers["content-length"], "3")
    }).pipe(Effect.provide(scripted)))
})
