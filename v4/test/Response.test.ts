import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Stream } from "effect"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import { Secrets } from "../../src/core/secrets.js"
import { BufferedResponse } from "../src/internal/response.js"

// The edition's response over its in-memory body against what it used to be: a web Response wrapped by
// HttpClientResponse.fromWeb, with the same request. Every reader a user has must show the same.
const secrets = new Secrets()
const sentHeaders = { authorization: "Bearer s3cret", accept: "text/plain", "x-tenant": "a" }
const shownUrl = "http://api.test/users/1?page=2&token=<redacted>#frag"

const raw = (status: number, body: string, headers: Record<string, string>, setCookie: Array<string> = []) => ({
  status,
  statusText: "",
  headers,
  setCookie,
  body: new TextEncoder().encode(body),
  url: "http://api.test/users/1"
})

const pair = (status: number, body: string, headers: Record<string, string>, setCookie: Array<string> = []) => {
  const r = raw(status, body, headers, setCookie)
  const request = HttpClientRequest.make("GET")(shownUrl, {
    headers: { authorization: "<redacted>", accept: "text/plain", "x-tenant": "a" }
  })
  const web = new Headers(r.headers)
  for (const cookie of setCookie) web.append("set-cookie", cookie)
  const before = HttpClientResponse.fromWeb(
    request,
    new Response([101, 204, 205, 304].includes(status) ? null : r.body, { status, headers: web })
  )
  const after = new BufferedResponse(r, "GET", shownUrl, sentHeaders, secrets)
  return { before, after }
}

const read = (response: HttpClientResponse.HttpClientResponse) =>
  Effect.gen(function*() {
    const stream = yield* Effect.exit(Stream.runCollect(response.stream))
    return {
      status: response.status,
      url: response.url,
      headers: Object.entries(response.headers),
      cookies: response.cookies.toJSON(),
      remoteAddress: response.remoteAddress,
      request: response.request.toJSON(),
      json: response.toJSON(),
      stream: Exit.isSuccess(stream)
        ? ["ok", stream.value.map((chunk) => Array.from(chunk)).flat()]
        : ["failed", (stream.cause.reasons[0] as any).error.reason._tag],
      web: HttpClientResponse.toWeb(response)._tag
    }
  })

const bodies = (response: HttpClientResponse.HttpClientResponse) =>
  Effect.gen(function*() {
    const text = yield* response.text
    const json = yield* Effect.exit(response.json)
    const params = yield* response.urlParamsBody
    const bytes = Array.from(new Uint8Array(yield* response.arrayBuffer))
    return {
      text,
      json: Exit.isSuccess(json) ? ["ok", json.value] : ["failed", (json.cause.reasons[0] as any).error.reason._tag],
      params,
      bytes
    }
  })

const cases: Array<[string, number, string, Record<string, string>, Array<string>?]> = [
  ["json with cookies", 200, "{\"a\":1}", { "content-type": "application/json", "x-b": "2", age: "1" }, ["a=1", "b=2"]],
  ["plain text", 503, "\ufeffbusy", { "content-type": "text/plain", "retry-after": "1" }],
  ["empty body", 200, "", { server: "nginx" }],
  ["url-encoded", 200, "?a=1&b=%20x", { "content-type": "application/x-www-form-urlencoded" }],
  ["204", 204, "", { date: "Fri, 04 Dec 2026 15:00:00 GMT" }],
  ["invalid json", 200, "{", {}]
]

describe("the edition's response reads as the web Response it replaced", () => {
  for (const [name, status, body, headers, cookies] of cases) {
    it.effect(`${name}: status, url, headers (in order), cookies, request, inspection, stream, toWeb`, () =>
      Effect.gen(function*() {
        const { after, before } = pair(status, body, headers, cookies)
        assert.deepStrictEqual(yield* read(after), yield* read(before))
      }))

    it.effect(`${name}: text, json, urlParamsBody, arrayBuffer`, () =>
      Effect.gen(function*() {
        const { after, before } = pair(status, body, headers, cookies)
        assert.deepStrictEqual(yield* bodies(after), yield* bodies(before))
      }))
  }

  it.effect("formData of a url-encoded body", () =>
    Effect.gen(function*() {
      const { after, before } = pair(200, "a=1&b=2", { "content-type": "application/x-www-form-urlencoded" })
      const entries = (form: FormData) => Array.from(form.entries())
      assert.deepStrictEqual(entries(yield* after.formData), entries(yield* before.formData))
    }))

  it.effect("no walk over the response or its request shows a secret header value", () =>
    Effect.gen(function*() {
      const { after } = pair(200, "ok", {})
      assert.notInclude(JSON.stringify(after), "s3cret")
      assert.notInclude(JSON.stringify(Object.entries(after)), "s3cret")
      assert.strictEqual(after.request.headers["authorization"], "<redacted>")
    }))
})
