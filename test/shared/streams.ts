/**
 * Shared bodies: the streaming verbs (`stream`, `lines`, `ndjson`, `sse`) over real loopback servers and real time —
 * a download cut mid-body and resumed with `Range` / `If-Range`, the refusals that keep bytes from repeating, an
 * event stream that drops and is reconnected to with `Last-Event-ID` after the server's `retry:`, and sockets
 * closed when a stream ends early.
 */
import * as assert from "node:assert/strict"
import { createHash, randomBytes } from "node:crypto"
import type * as net from "node:net"
import { between, eventually, failed, fast } from "./check.js"
import type { Body, StreamOutcome } from "./driver.js"
import { startServer, statusServer, withServers } from "./servers.js"

const bytesOf = (outcome: StreamOutcome): Buffer => Buffer.concat(outcome.items as Array<Uint8Array>)
const sha = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

/** A 256 KiB file whose first response is cut after `cutAt` bytes (the socket destroyed); ranges answered with 206. */
const resumableServer = (file: Buffer, cutAt: number, headers: Record<string, string>, onRange?: "200" | "wrong") =>
  startServer((req, res) => {
    const range = req.headers.range
    if (range === undefined) {
      res.writeHead(200, { "content-length": String(file.length), ...headers })
      res.write(file.subarray(0, cutAt), () => setTimeout(() => req.socket.destroy(), 20))
      return
    }
    const start = Number(/^bytes=(\d+)-$/.exec(range)?.[1])
    if (onRange === "200") {
      res.writeHead(200, { "content-length": String(file.length), ...headers }).end(file)
      return
    }
    const from = onRange === "wrong" ? start - 1 : start
    res.writeHead(206, {
      "content-range": `bytes ${from}-${file.length - 1}/${file.length}`,
      "content-length": String(file.length - from),
      ...headers
    }).end(file.subarray(from))
  })

const event = (id: number, data: string) => `id: ${id}\ndata: ${data}\n\n`

export const streamBodies: Body = (t, driver) => {
  t.describe("streams and server-sent events", () => {
    t.it(
      "the streaming verbs run with the client's policies: a route that matches them sets only buffered calls",
      () =>
        withServers([statusServer([503])], (server) =>
          driver.withClient({
            retry: fast(2),
            circuitBreaker: false,
            routes: [{
              match: { pathPrefix: "/" },
              retry: false,
              circuitBreaker: { strategy: { kind: "consecutive", threshold: 1 } }
            }]
          }, async (client) => {
            for (const verb of ["stream", "lines", "ndjson", "sse"] as const) {
              const before = server.count()
              const outcome = await client.stream({ verb, url: `${server.origin}/feed` })
              failed(outcome.error ?? assert.fail(`${verb} succeeded`), "StatusError")
              // the client's retry (2 retries), not the route's `false`; no breaker of the route's opened
              assert.equal(server.count() - before, 3, verb)
            }
            // a buffered call takes the route: no retry, and its breaker opens at the first failure
            const before = server.count()
            failed(await client.request({ method: "GET", url: `${server.origin}/feed` }), "StatusError")
            assert.equal(server.count() - before, 1)
            failed(await client.request({ method: "GET", url: `${server.origin}/feed` }), "CircuitOpenError")
          }))
    )

    t.it("resume: a download reset half-way continues with Range + If-Range on a 206, byte-exact", () => {
      const file = randomBytes(256 * 1024)
      return withServers(
        [resumableServer(file, 100_000, { etag: "\"v1\"" })],
        (server) =>
          driver.withClient({}, async (client) => {
            const outcome = await client.stream({ verb: "stream", url: server.origin, resume: true, retry: fast(3) })
            assert.equal(outcome.error, undefined, outcome.error?.message)
            const got = bytesOf(outcome)
            assert.equal(got.length, file.length)
            assert.equal(sha(got), sha(file))
            assert.equal(server.received.length, 2)
            const second = server.received[1].headers
            // the range starts where the bytes the client got end
            const start = Number(/^bytes=(\d+)-$/.exec(String(second.range))?.[1])
            between(start, 1, 100_000, "range start")
            assert.equal(second["if-range"], "\"v1\"")
            assert.equal(server.received[0].headers.range, undefined)
          })
      )
    })

    t.it("resume refuses what would repeat or skip bytes: no validator, a 200 to the range, a wrong start", () => {
      const file = randomBytes(64 * 1024)
      return withServers([
        resumableServer(file, 30_000, {}),
        resumableServer(file, 30_000, { "last-modified": "Wed, 21 Oct 2015 07:28:00 GMT" }, "200"),
        resumableServer(file, 30_000, { etag: "\"v1\"" }, "wrong")
      ], (noValidator, whole, wrong) =>
        driver.withClient({}, async (client) => {
          const a = await client.stream({ verb: "stream", url: noValidator.origin, resume: true, retry: fast(3) })
          assert.equal(failed({ ...a.error!, ok: false }, "TransportError").reason, "NotResumable")
          assert.equal(noValidator.received.length, 1)
          const b = await client.stream({ verb: "stream", url: whole.origin, resume: true, retry: fast(3) })
          assert.equal(b.error?.reason, "NotResumable")
          assert.equal(whole.received[1].headers["if-range"], "Wed, 21 Oct 2015 07:28:00 GMT")
          const c = await client.stream({ verb: "stream", url: wrong.origin, resume: true, retry: fast(3) })
          assert.equal(c.error?.reason, "NotResumable")
          // what was emitted is the start of the file, never a byte twice
          for (const outcome of [a, b, c]) {
            const got = bytesOf(outcome)
            assert.ok(got.length > 0 && got.length <= 30_000, `emitted ${got.length}`)
            assert.ok(got.equals(file.subarray(0, got.length)))
          }
        }))
    })

    t.it("stream: opening is retried by the policy; a status outside acceptStatus is a StatusError", () =>
      withServers([
        statusServer([503, 200]),
        statusServer([404])
      ], (flaky, missing) =>
        driver.withClient({}, async (client) => {
          const outcome = await client.stream({ verb: "stream", url: flaky.origin, retry: fast(2) })
          assert.equal(outcome.error, undefined, outcome.error?.message)
          assert.equal(bytesOf(outcome).toString(), "ok")
          assert.equal(flaky.count(), 2)
          const notFound = await client.stream({ verb: "stream", url: missing.origin, retry: fast(2) })
          assert.equal(notFound.error?.tag, "StatusError")
          assert.equal(notFound.error?.status, 404)
          assert.equal(missing.count(), 1)
        })))

    t.it("lines split on LF, CRLF and CR across chunks; ndjson names the bad line", () =>
      withServers([
        startServer((_req, res) => {
          res.writeHead(200)
          res.write("one\r")
          setTimeout(() => res.end("\ntwo\rthree\nfour"), 20)
        }),
        startServer((_req, res) => res.end("{\"a\":1}\n\n{\"a\":2}\nnot json\n"))
      ], (text, json) =>
        driver.withClient({}, async (client) => {
          const lines = await client.stream({ verb: "lines", url: text.origin })
          assert.deepEqual(lines.items, ["one", "two", "three", "four"])
          const rows = await client.stream({ verb: "ndjson", url: json.origin })
          assert.deepEqual(rows.items, [{ a: 1 }, { a: 2 }])
          assert.equal(rows.error?.tag, "DecodeError")
          assert.ok(rows.error?.message !== undefined)
        })))

    t.it("sse: after a drop it waits the server's retry:, sends Last-Event-ID and delivers each event once", () => {
      let connections = 0
      return withServers([
        startServer((req, res) => {
          connections++
          if (connections === 1) {
            res.writeHead(200, { "content-type": "text/event-stream" })
            res.write(
              `retry: 150\n\n${event(1, "a")}${event(2, "b")}`,
              () => setTimeout(() => req.socket.destroy(), 20)
            )
          } else if (connections === 2) {
            res.writeHead(200, { "content-type": "text/event-stream" })
            // the server repeats the last event it knows the client saw, then goes on
            res.end(event(2, "b") + event(3, "c"))
          } else {
            res.writeHead(204).end()
          }
        })
      ], async (server) =>
        driver.withClient({}, async (client) => {
          const outcome = await client.stream({ verb: "sse", url: server.origin, lastEventId: "0", retry: fast(3) })
          assert.equal(outcome.error, undefined, outcome.error?.message)
          assert.deepEqual(
            outcome.items,
            [
              { id: "1", event: "message", data: "a" },
              { id: "2", event: "message", data: "b" },
              { id: "3", event: "message", data: "c" }
            ]
          )
          const [first, second, third] = server.received
          assert.equal(first.headers.accept, "text/event-stream")
          assert.equal(first.headers["last-event-id"], "0")
          assert.equal(second.headers["last-event-id"], "2")
          assert.equal(third.headers["last-event-id"], "3")
          // the server's retry: (150 ms) was waited after the drop (20 ms after the last write)
          between(second.at - first.at, 150, 5_000, "reconnect after the drop (ms)")
          const events = await client.events()
          assert.ok(events.some((e) => e.tag === "AttemptFailed" && e.errorTag === "TransportError"))
        }))
    })

    t.it(
      "sse: a server that keeps ending the stream without an event exhausts the policy (StreamEnded)",
      () =>
        withServers([startServer((_req, res) => res.writeHead(200, { "content-type": "text/event-stream" }).end())], (
          server
        ) =>
          driver.withClient({}, async (client) => {
            const outcome = await client.stream({ verb: "sse", url: server.origin, retry: fast(2) })
            assert.equal(outcome.error?.tag, "TransportError")
            assert.equal(outcome.error?.reason, "StreamEnded")
            assert.equal(server.count(), 3)
          }))
    )

    t.it("a stream ended early, or by its deadline, closes its socket", () => {
      const sockets: Array<net.Socket> = []
      return withServers([
        startServer((req, res) => {
          sockets.push(req.socket)
          res.writeHead(200, { "content-type": "text/event-stream" })
          res.write(event(1, "a") + event(2, "b"))
          // then quiet, the connection open
        })
      ], (server) =>
        driver.withClient({}, async (client) => {
          const taken = await client.stream({ verb: "sse", url: server.origin, take: 1 })
          assert.equal(taken.items.length, 1)
          await eventually(async () => sockets[0]?.destroyed === true, 5_000, "the socket of a taken stream closed")
          const bounded = await client.stream({ verb: "sse", url: server.origin, deadlineMs: 300 })
          assert.equal(bounded.error?.tag, "TimeoutError")
          assert.equal(bounded.error?.scope, "deadline")
          assert.equal(bounded.items.length, 2)
          await eventually(async () => sockets[1]?.destroyed === true, 5_000, "the socket of a timed-out stream closed")
        }))
    })
  })
}
