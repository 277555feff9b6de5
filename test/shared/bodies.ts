/**
 * Shared bodies: request bodies and `onProgress` over real loopback servers and real time — every body option
 * reaching the server byte-exact with its content type, a one-shot `stream` body never sent twice (no retry by a
 * `RetryPolicy`, no 307 hop, no retry of a streaming verb) where a body in memory is, and what `onProgress` reports
 * for uploads and downloads, buffered and streamed.
 */
import * as assert from "node:assert/strict"
import { createHash } from "node:crypto"
import type * as http from "node:http"
import { failed, fast, ok } from "./check.js"
import type { Body, ProgressReport } from "./driver.js"
import { startRecordingServer, withServers } from "./servers.js"

interface Got {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: Buffer
}

/**
 * Records each request's bytes. `/busy` answers 503, `/hop` a 307 to `/again`; anything else `METHOD\nbody` with a
 * `Content-Length`.
 */
const echoServer = () =>
  startRecordingServer<Got>(
    (req, body) => ({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body }),
    (_req, res, got) => {
      if (got.url.startsWith("/busy")) res.writeHead(503).end("busy")
      else if (got.url.startsWith("/hop")) res.writeHead(307, { location: "/again" }).end()
      else {
        const body = `${got.method}\n${got.body.toString("utf8")}`
        res.writeHead(200, { "content-length": String(Buffer.byteLength(body)) }).end(body)
      }
    }
  )

const sha = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")
const encoder = new TextEncoder()
/** A one-shot upload: three chunks of 1,000 bytes. */
const threeChunks = () => [0, 1, 2].map((i) => encoder.encode(String(i).repeat(1000)))
const shown = (reports: ReadonlyArray<ProgressReport>) => reports.map((p) => `${p.direction} ${p.bytes} ${p.total}`)

export const bodyBodies: Body = (t, driver) => {
  t.describe("request bodies and onProgress", () => {
    t.it(
      "json, text, form, bytes, multipart and stream bodies reach the server byte-exact, typed",
      () =>
        withServers([echoServer()], (server) =>
          driver.withClient({}, async (client) => {
            const u = `${server.origin}/echo`
            const bytes = new Uint8Array(70_000).map((_, i) => (i * 31) % 256)
            const file = new Uint8Array(5000).map((_, i) => i % 251)
            const form = new FormData()
            form.append("field", "value ü")
            form.append("upload", new Blob([file], { type: "application/octet-stream" }), "data.bin")
            const parts = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5]), new Uint8Array(0), new Uint8Array([6])]
            for (
              const [method, body] of [
                ["POST", { json: { a: 1, b: ["x", null], c: "é" } }],
                ["PUT", { text: "héllo\nworld" }],
                ["POST", { form: { q: "a b&c", n: "3", many: ["1", "2"] } }],
                ["PATCH", { bytes, contentType: "application/x-custom" }],
                ["POST", { multipart: form }],
                ["POST", { stream: parts }],
                ["POST", { stream: parts, contentLength: 6 }]
              ] as const
            ) ok(await client.request({ method, url: u, body, retry: false }))
            const [json, text, urlencoded, bin, multipart, stream, sized] = server.received
            assert.equal(json.headers["content-type"], "application/json")
            assert.deepEqual(JSON.parse(json.body.toString("utf8")), { a: 1, b: ["x", null], c: "é" })
            assert.equal(text.method, "PUT")
            assert.equal(text.body.toString("utf8"), "héllo\nworld")
            assert.equal(text.headers["content-type"], "text/plain; charset=utf-8")
            assert.equal(text.headers["content-length"], String(Buffer.byteLength("héllo\nworld")))
            assert.equal(urlencoded.headers["content-type"], "application/x-www-form-urlencoded")
            assert.equal(urlencoded.body.toString(), "q=a+b%26c&n=3&many=1&many=2")
            assert.equal(bin.method, "PATCH")
            assert.equal(bin.headers["content-type"], "application/x-custom")
            assert.equal(bin.headers["content-length"], "70000")
            assert.ok(Buffer.from(bytes).equals(bin.body))
            const contentType = multipart.headers["content-type"] ?? ""
            assert.match(contentType, /^multipart\/form-data; boundary=/)
            const parsed = await new Response(new Uint8Array(multipart.body), {
              headers: { "content-type": contentType }
            })
              .formData()
            assert.equal(parsed.get("field"), "value ü")
            const upload = parsed.get("upload") as File
            assert.equal(upload.name, "data.bin")
            assert.equal(sha(new Uint8Array(await upload.arrayBuffer())), sha(file))
            assert.deepEqual([...stream.body], [1, 2, 3, 4, 5, 6])
            assert.equal(stream.headers["content-type"], "application/octet-stream")
            assert.equal(stream.headers["transfer-encoding"], "chunked")
            assert.equal(sized.headers["content-length"], "6")
            assert.deepEqual([...sized.body], [1, 2, 3, 4, 5, 6])
          }))
    )

    t.it(
      "a stream body is sent once: a RetryPolicy gives up on it (not-retryable), a 307 does not carry it",
      () =>
        withServers([echoServer()], (server) =>
          driver.withClient({ retry: fast(3) }, async (client) => {
            const busy = `${server.origin}/busy`
            failed(await client.request({ method: "PUT", url: busy, body: { stream: threeChunks() } }), "StatusError")
            assert.equal(server.count(), 1)
            const gaveUp = (await client.events()).filter((e) => e.tag === "Failed")
            assert.equal(gaveUp.at(-1)?.reason, "not-retryable")
            // a body in memory is retried (PUT is idempotent): the rule is the body's
            failed(await client.request({ method: "PUT", url: busy, body: { text: "x" } }), "StatusError")
            assert.equal(server.count(), 5)
            // a 307 keeps a body in memory and its method; a stream body stops there
            const hopped = ok(
              await client.request({ method: "POST", url: `${server.origin}/hop`, body: { text: "p" } })
            )
            assert.equal(hopped.body, "POST\np")
            assert.equal(server.received[6].url, "/again")
            const kept = ok(
              await client.request({ method: "POST", url: `${server.origin}/hop`, body: { stream: threeChunks() } })
            )
            assert.equal(kept.status, 307)
            assert.equal(server.count(), 8)
          }))
    )

    t.it(
      "the body option: an HttpBody goes with its content type (a content-type header wins); a stream one is sent once",
      () =>
        withServers([echoServer()], (server) =>
          driver.withClient({ retry: fast(3) }, async (client) => {
            const echo = `${server.origin}/echo`
            const text = { body: { text: "raw", contentType: "text/x-raw" } } as const
            assert.equal(ok(await client.request({ method: "POST", url: echo, body: text })).body, "POST\nraw")
            ok(await client.request({ method: "POST", url: echo, body: text, headers: { "content-type": "text/x-h" } }))
            const chunks = { stream: threeChunks(), contentType: "application/x-chunks", contentLength: 3000 }
            ok(await client.request({ method: "POST", url: echo, body: { body: chunks } }))
            const [typed, header, streamed] = server.received
            assert.equal(typed.headers["content-type"], "text/x-raw")
            assert.equal(header.headers["content-type"], "text/x-h")
            assert.equal(streamed.headers["content-type"], "application/x-chunks")
            assert.equal(streamed.headers["content-length"], "3000")
            assert.equal(streamed.body.toString(), `${"0".repeat(1000)}${"1".repeat(1000)}${"2".repeat(1000)}`)
            // a stream HttpBody is never sent twice: no retry (not-retryable), no 307 hop
            const busy = `${server.origin}/busy`
            const stream = () => ({ body: { stream: threeChunks(), contentType: "application/octet-stream" } })
            failed(await client.request({ method: "PUT", url: busy, body: stream() }), "StatusError")
            assert.equal(server.count(), 4)
            const gaveUp = (await client.events()).filter((e) => e.tag === "Failed")
            assert.equal(gaveUp.at(-1)?.reason, "not-retryable")
            const kept = ok(await client.request({ method: "POST", url: `${server.origin}/hop`, body: stream() }))
            assert.equal(kept.status, 307)
            assert.equal(server.count(), 5)
            // one in memory is retried, and carried over a 307
            failed(await client.request({ method: "PUT", url: busy, body: text }), "StatusError")
            assert.equal(server.count(), 9)
            const hopped = ok(await client.request({ method: "POST", url: `${server.origin}/hop`, body: text }))
            assert.equal(hopped.body, "POST\nraw")
          }))
    )

    t.it(
      "a streamed upload through the streaming verbs is never retried, whatever the policy",
      () =>
        withServers([echoServer()], (server) =>
          driver.withClient({}, async (client) => {
            const sent = await client.stream({
              verb: "lines",
              url: `${server.origin}/echo`,
              method: "PUT",
              body: { stream: threeChunks() }
            })
            assert.equal(sent.error, undefined, sent.error?.message)
            assert.deepEqual(sent.items, ["PUT", `${"0".repeat(1000)}${"1".repeat(1000)}${"2".repeat(1000)}`])
            const refused = await client.stream({
              verb: "stream",
              url: `${server.origin}/busy`,
              method: "PUT",
              body: { stream: threeChunks() },
              retry: fast(3)
            })
            assert.equal(refused.error?.tag, "StatusError")
            assert.equal(server.count(), 2)
            const gaveUp = (await client.events()).filter((e) => e.tag === "Failed")
            assert.equal(gaveUp.at(-1)?.reason, "not-retryable")
            // a body in memory is retried
            const retried = await client.stream({
              verb: "stream",
              url: `${server.origin}/busy`,
              method: "PUT",
              body: { text: "x" },
              retry: fast(3)
            })
            assert.equal(retried.error?.tag, "StatusError")
            assert.equal(server.count(), 6)
          }))
    )

    t.it(
      "onProgress, buffered: a body in memory and the response body once each; a stream body as it goes",
      () =>
        withServers([echoServer()], (server) =>
          driver.withClient({}, async (client) => {
            const reports: Array<ProgressReport> = []
            const onProgress = (p: ProgressReport) => void reports.push(p)
            const url = `${server.origin}/echo`
            ok(await client.request({ method: "POST", url, body: { text: "hello" }, onProgress }))
            assert.deepEqual(shown(reports), ["upload 5 5", "download 10 10"])
            reports.length = 0
            ok(await client.request({ method: "PUT", url, body: { stream: threeChunks() }, onProgress }))
            assert.deepEqual(shown(reports), [
              "upload 1000 undefined",
              "upload 2000 undefined",
              "upload 3000 undefined",
              "download 3004 3004"
            ])
            // a multipart form's size is not known before it is encoded: no upload report
            reports.length = 0
            const form = new FormData()
            form.append("a", "b")
            const sent = ok(await client.request({ method: "POST", url, body: { multipart: form }, onProgress }))
            assert.deepEqual(shown(reports), [`download ${sent.body.length} ${sent.body.length}`])
          }))
    )

    t.it(
      "onProgress, streamed: the upload chunk by chunk (total from contentLength), the download as it is read",
      () =>
        withServers([echoServer()], (server) =>
          driver.withClient({}, async (client) => {
            const reports: Array<ProgressReport> = []
            const outcome = await client.stream({
              verb: "stream",
              url: `${server.origin}/echo`,
              method: "POST",
              body: { stream: threeChunks(), contentLength: 3000 },
              onProgress: (p) => void reports.push(p)
            })
            assert.equal(outcome.error, undefined, outcome.error?.message)
            const bytes = (outcome.items as Array<Uint8Array>).reduce((n, chunk) => n + chunk.byteLength, 0)
            assert.equal(bytes, 3005)
            const up = reports.filter((p) => p.direction === "upload")
            const down = reports.filter((p) => p.direction === "download")
            assert.deepEqual(shown(up), ["upload 1000 3000", "upload 2000 3000", "upload 3000 3000"])
            assert.ok(down.length > 0)
            assert.deepEqual(down.at(-1), { direction: "download", bytes: 3005, total: 3005 })
            for (let i = 1; i < down.length; i++) assert.ok(down[i].bytes > down[i - 1].bytes)
            // every upload report comes before the first download report
            assert.ok(reports.indexOf(up[2]) < reports.indexOf(down[0]))
          }))
    )

    t.it(
      "onProgress: a report that throws is logged, and the transfer goes on",
      () =>
        withServers([echoServer()], (server) =>
          driver.withClient({}, async (client) => {
            let calls = 0
            const onProgress = () => {
              calls++
              throw new Error("boom")
            }
            const lines = await client.stream({
              verb: "lines",
              url: `${server.origin}/echo`,
              method: "POST",
              body: { text: "x" },
              onProgress
            })
            assert.equal(lines.error, undefined, lines.error?.message)
            assert.deepEqual(lines.items, ["POST", "x"])
            assert.ok(calls >= 2)
            const sent = ok(await client.request({ method: "POST", url: `${server.origin}/echo`, body: { text: "y" } }))
            assert.equal(sent.body, "POST\ny")
            calls = 0
            ok(await client.request({ method: "POST", url: `${server.origin}/echo`, body: { text: "y" }, onProgress }))
            assert.equal(calls, 2)
          }))
    )
  })
}
