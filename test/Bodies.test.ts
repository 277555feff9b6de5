import { HttpBody } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { createHash } from "node:crypto"
import { HttpResilient, ResilientClient } from "../src/index.js"
import { serverScoped } from "./support/server.js"

const Client = ResilientClient.layer({ baseUrl: "http://placeholder.invalid" })

const echo = serverScoped((_req, res) => res.end("ok"))

describe("request bodies reach the server byte-exact", () => {
  it.scoped("json, text, form, bytes, stream and platform bodies", () =>
    Effect.gen(function*() {
      const server = yield* echo
      const u = (p: string) => `${server.url}${p}`
      yield* HttpResilient.post(u("/json"), { json: { a: 1, b: ["x", null], c: "é" } })
      yield* HttpResilient.put(u("/text"), { text: "héllo\nworld" })
      yield* HttpResilient.post(u("/form"), { form: { q: "a b&c", n: 3, many: ["1", "2"] } })
      const bytes = new Uint8Array(70_000).map((_, i) => (i * 31) % 256)
      yield* HttpResilient.patch(u("/bytes"), { bytes, contentType: "application/x-custom" })
      const parts = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5]), new Uint8Array(0), new Uint8Array([6])]
      yield* HttpResilient.post(u("/stream"), { stream: Stream.fromChunk(Chunk.fromIterable(parts)) })
      yield* HttpResilient.post(u("/platform"), { body: HttpBody.text("raw", "text/x-raw") })

      const [json, text, form, bin, stream, platform] = server.received
      assert.strictEqual(json.method, "POST")
      assert.strictEqual(json.headers["content-type"], "application/json")
      assert.deepStrictEqual(JSON.parse(json.body.toString("utf8")), { a: 1, b: ["x", null], c: "é" })
      assert.strictEqual(text.method, "PUT")
      assert.strictEqual(text.body.toString("utf8"), "héllo\nworld")
      assert.strictEqual(text.headers["content-type"], "text/plain; charset=utf-8")
      assert.strictEqual(form.headers["content-type"], "application/x-www-form-urlencoded")
      assert.strictEqual(form.body.toString(), "q=a+b%26c&n=3&many=1&many=2")
      assert.strictEqual(bin.method, "PATCH")
      assert.strictEqual(bin.headers["content-type"], "application/x-custom")
      assert.strictEqual(bin.headers["content-length"], "70000")
      assert.isTrue(Buffer.from(bytes).equals(bin.body))
      assert.deepStrictEqual([...stream.body], [1, 2, 3, 4, 5, 6])
      assert.strictEqual(stream.headers["content-type"], "application/octet-stream")
      assert.strictEqual(platform.body.toString(), "raw")
      assert.strictEqual(platform.headers["content-type"], "text/x-raw")
    }).pipe(Effect.provide(Client)))

  it.scoped("multipart FormData with a file", () =>
    Effect.gen(function*() {
      const server = yield* echo
      const file = new Uint8Array(5000).map((_, i) => i % 251)
      const form = new FormData()
      form.append("field", "value ü")
      form.append("upload", new Blob([file], { type: "application/octet-stream" }), "data.bin")
      yield* HttpResilient.post(`${server.url}/multipart`, { multipart: form })
      const received = server.received[0]
      const contentType = received.headers["content-type"] ?? ""
      assert.match(contentType, /^multipart\/form-data; boundary=/)
      // parse it back with the web platform's own parser
      const parsed = yield* Effect.promise(() =>
        new Response(new Uint8Array(received.body), { headers: { "content-type": contentType } }).formData()
      )
      assert.strictEqual(parsed.get("field"), "value ü")
      const upload = parsed.get("upload") as File
      assert.strictEqual(upload.name, "data.bin")
      const got = new Uint8Array(yield* Effect.promise(() => upload.arrayBuffer()))
      assert.strictEqual(
        createHash("sha256").update(got).digest("hex"),
        createHash("sha256").update(file).digest("hex")
      )
    }).pipe(Effect.provide(Client)))

  it.scoped("two bodies at once is an InvalidRequestError naming both options", () =>
    Effect.gen(function*() {
      const server = yield* echo
      const error = yield* Effect.flip(HttpResilient.post(`${server.url}/x`, { json: 1, text: "a" }))
      assert.strictEqual(error._tag, "InvalidRequestError")
      assert.include(error.message, `"json" and "text"`)
      assert.strictEqual(server.count(), 0)
    }).pipe(Effect.provide(Client)))
})

describe("URLs and headers", () => {
  it.scoped("relative paths join the base URL's path; absolute URLs are used as is; request headers win", () =>
    Effect.gen(function*() {
      const server = yield* echo
      const layer = ResilientClient.layer({
        baseUrl: `${server.url}/api/v1`,
        headers: { "X-Default": "client", "X-Both": "client" }
      })
      yield* Effect.gen(function*() {
        yield* HttpResilient.get("users/1")
        yield* HttpResilient.get("/users/2?x=1", { headers: { "x-both": "request" } })
        yield* HttpResilient.get(`${server.url}/absolute`)
      }).pipe(Effect.provide(layer))
      assert.deepStrictEqual(server.received.map((r) => r.url), ["/api/v1/users/1", "/api/v1/users/2?x=1", "/absolute"])
      assert.strictEqual(server.received[0].headers["x-default"], "client")
      assert.strictEqual(server.received[1].headers["x-both"], "request")
      // one header, not two, when names differ only by case
      assert.strictEqual(server.received[1].rawHeaders.filter((h) => h.toLowerCase() === "x-both").length, 1)
    }))

  it.scoped("URL userinfo is sent as Basic auth, unless an explicit authorization header is given", () =>
    Effect.gen(function*() {
      const server = yield* echo
      const withUser = server.url.replace("http://", "http://alice:s%20cret@")
      yield* HttpResilient.get(`${withUser}/a`)
      yield* HttpResilient.get(`${withUser}/b`, { headers: { Authorization: "Bearer tok" } })
      assert.strictEqual(
        server.received[0].headers.authorization,
        "Basic " + Buffer.from("alice:s cret").toString("base64")
      )
      assert.strictEqual(server.received[1].headers.authorization, "Bearer tok")
    }).pipe(Effect.provide(Client)))

  it.scoped("the response is a platform HttpClientResponse with the body in memory", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.setHeader("content-type", "application/json")
        res.setHeader("set-cookie", ["a=1", "b=2"])
        res.end(JSON.stringify({ id: 7, name: "x" }))
      })
      const response = yield* HttpResilient.get(`${server.url}/user`)
      assert.deepStrictEqual(yield* response.json, { id: 7, name: "x" })
      assert.strictEqual(yield* response.text, `{"id":7,"name":"x"}`)
      assert.strictEqual(response.headers["content-type"], "application/json")
      assert.strictEqual(response.cookies.cookies.b.value, "2")
      assert.strictEqual(response.request.method, "GET")
    }).pipe(Effect.provide(Client)))
})
