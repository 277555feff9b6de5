/**
 * Shared bodies: what is retried, how often, and when (RetryPolicy, Retry-After), counted at the server.
 */
import * as assert from "node:assert/strict"
import { between, failed, fast, ok, timed } from "./check.js"
import type { Body } from "./driver.js"
import { gaps, startRawServer, startServer, statusServer, withServers } from "./servers.js"

/** A server answering 503 with `header: value()` (made when the request arrives), then 200. */
const waitThenOk = (header: string, value: () => string) => {
  let first = true
  return startServer((_req, res) => {
    if (!first) return void res.end("ok")
    first = false
    res.writeHead(503, { [header]: value() }).end()
  })
}

export const retryBodies: Body = (t, driver) => {
  t.describe("retries", () => {
    t.it(
      "a GET answered 503, 503, 200 succeeds on the third request",
      () =>
        withServers([statusServer([503, 503, 200])], (server) =>
          driver.withClient({}, async (client) => {
            const res = ok(await client.request({ method: "GET", url: `${server.origin}/a`, retry: fast(3) }))
            assert.equal(res.status, 200)
            assert.equal(res.body, "ok")
            assert.equal(server.count(), 3)
          }))
    )

    t.it(
      "retries stop after `retries`: 1 + retries requests, then the last StatusError",
      () =>
        withServers([statusServer([503])], (server) =>
          driver.withClient({}, async (client) => {
            const error = failed(
              await client.request({ method: "GET", url: `${server.origin}/a`, retry: fast(2) }),
              "StatusError"
            )
            assert.equal(error.status, 503)
            assert.equal(error.attempt, 3)
            assert.equal(server.count(), 3)
          }))
    )

    t.it("the default statuses 408 429 500 502 503 504 are retried", () =>
      driver.withClient({}, async (client) => {
        for (const status of [408, 429, 500, 502, 503, 504]) {
          await withServers([statusServer([status, 200])], async (server) => {
            ok(await client.request({ method: "GET", url: `${server.origin}/s`, retry: fast(3) }))
            assert.equal(server.count(), 2, `status ${status}`)
          })
        }
      }))

    t.it(
      "a status outside the retryable set (404, 400) is not retried",
      () =>
        withServers(
          [statusServer([404, 200]), statusServer([400, 200])],
          (notFound, bad) =>
            driver.withClient({}, async (client) => {
              const a = failed(
                await client.request({ method: "GET", url: `${notFound.origin}/`, retry: fast(3) }),
                "StatusError"
              )
              const b = failed(
                await client.request({ method: "GET", url: `${bad.origin}/`, retry: fast(3) }),
                "StatusError"
              )
              assert.equal(a.status, 404)
              assert.equal(b.status, 400)
              assert.equal(notFound.count(), 1)
              assert.equal(bad.count(), 1)
            })
        )
    )

    t.it(
      "a POST without an idempotency key is never retried",
      () =>
        withServers([statusServer([503, 200])], (server) =>
          driver.withClient({}, async (client) => {
            const error = failed(
              await client.request({ method: "POST", url: `${server.origin}/p`, body: { text: "x" }, retry: fast(3) }),
              "StatusError"
            )
            assert.equal(error.status, 503)
            assert.equal(server.count(), 1)
          }))
    )

    t.it(
      "a POST with idempotencyKey: true is retried and every attempt carries the same key",
      () =>
        withServers([statusServer([503, 503, 200])], (server) =>
          driver.withClient({}, async (client) => {
            ok(
              await client.request({
                method: "POST",
                url: `${server.origin}/p`,
                body: { json: { n: 1 } },
                idempotencyKey: true,
                retry: fast(3)
              })
            )
            assert.equal(server.count(), 3)
            const keys = server.received.map((r) => r.headers["idempotency-key"])
            assert.ok(typeof keys[0] === "string" && keys[0].length > 0, "a key was sent")
            assert.deepEqual(keys, [keys[0], keys[0], keys[0]])
            assert.deepEqual(server.received.map((r) => r.body), ["{\"n\":1}", "{\"n\":1}", "{\"n\":1}"])
          }))
    )

    t.it(
      "a PATCH with a caller's idempotency key is retried with that key",
      () =>
        withServers([statusServer([502, 200])], (server) =>
          driver.withClient({}, async (client) => {
            ok(
              await client.request({
                method: "PATCH",
                url: `${server.origin}/p`,
                body: { text: "y" },
                idempotencyKey: "order-42",
                retry: fast(3)
              })
            )
            assert.deepEqual(server.received.map((r) => r.headers["idempotency-key"]), ["order-42", "order-42"])
          }))
    )

    t.it(
      "the client-wide retry option applies to every call; a request's retry: false turns it off",
      () =>
        withServers(
          [statusServer([503, 200]), statusServer([503, 200])],
          (a, b) =>
            driver.withClient({ retry: fast(3) }, async (client) => {
              ok(await client.request({ method: "GET", url: `${a.origin}/` }))
              assert.equal(a.count(), 2)
              failed(await client.request({ method: "GET", url: `${b.origin}/`, retry: false }), "StatusError")
              assert.equal(b.count(), 1)
            })
        )
    )

    t.it("a connection reset before the response is retried on a new connection", () => {
      let seen = 0
      return withServers(
        [
          startRawServer((socket) => {
            // the first request is answered by a reset, the next with 200
            if (seen++ === 0) return void socket.resetAndDestroy()
            socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
          })
        ],
        (server) =>
          driver.withClient({}, async (client) => {
            const res = ok(await client.request({ method: "GET", url: `${server.origin}/r`, retry: fast(3) }))
            assert.equal(res.body, "ok")
            assert.equal(server.requests.length, 2)
          })
      )
    })
    t.it(
      "RetryPolicy.make() with no options retries 3 times (the default)",
      () =>
        withServers([statusServer([503])], (server) =>
          driver.withClient({}, async (client) => {
            failed(await client.request({ method: "GET", url: server.origin, retry: {} }), "StatusError")
            assert.equal(server.count(), 4)
          }))
    )

    t.it(
      "PUT, DELETE, HEAD, OPTIONS and QUERY are retried without a key",
      () =>
        driver.withClient({}, async (client) => {
          for (const method of ["PUT", "DELETE", "HEAD", "OPTIONS", "QUERY"]) {
            await withServers([statusServer([503, 200])], async (server) => {
              ok(await client.request({ method, url: server.origin, retry: fast(3) }))
              assert.equal(server.count(), 2, method)
            })
          }
        })
    )

    t.it(
      "a POST carrying an Idempotency-Key header is retried",
      () =>
        withServers([statusServer([503, 200])], (server) =>
          driver.withClient({}, async (client) => {
            ok(
              await client.request({
                method: "POST",
                url: server.origin,
                headers: { "Idempotency-Key": "k-1" },
                body: { text: "x" },
                retry: fast(3)
              })
            )
            assert.equal(server.count(), 2)
          }))
    )

    t.it(
      "a policy's statuses option replaces the retryable set",
      () =>
        withServers(
          [statusServer([500, 200]), statusServer([409, 200])],
          (fiveHundred, conflict) =>
            driver.withClient({}, async (client) => {
              const retry = { ...fast(3), statuses: [409] }
              failed(await client.request({ method: "GET", url: fiveHundred.origin, retry }), "StatusError")
              assert.equal(fiveHundred.count(), 1)
              ok(await client.request({ method: "GET", url: conflict.origin, retry }))
              assert.equal(conflict.count(), 2)
            })
        )
    )
  })

  t.describe("Retry-After", () => {
    t.it(
      "a 503 with Retry-After: 1 is retried after about a second, measured at the server",
      () =>
        withServers(
          [statusServer([{ status: 503, headers: { "retry-after": "1" } }, 200])],
          (server) =>
            driver.withClient({}, async (client) => {
              ok(await client.request({ method: "GET", url: `${server.origin}/`, retry: fast(3) }))
              assert.equal(server.count(), 2)
              between(gaps(server.received)[0], 900, 8_000, "gap before the retry")
            })
        )
    )

    t.it(
      "the server's wait replaces the backoff: Retry-After: 0 retries at once despite a 6 s backoff",
      () =>
        withServers(
          [statusServer([{ status: 503, headers: { "retry-after": "0" } }, 200])],
          (server) =>
            driver.withClient({}, async (client) => {
              const [outcome, took] = await timed(() =>
                client.request({
                  method: "GET",
                  url: `${server.origin}/`,
                  retry: { retries: 3, backoff: { kind: "constant", delayMs: 6_000 } }
                })
              )
              ok(outcome)
              assert.equal(server.count(), 2)
              between(took, 0, 4_500, "call time")
            })
        )
    )

    t.it(
      "X-RateLimit-Reset (delta seconds) on a 429 is honoured like Retry-After",
      () =>
        withServers(
          [statusServer([{ status: 429, headers: { "x-ratelimit-reset": "1" } }, 200])],
          (server) =>
            driver.withClient({}, async (client) => {
              ok(await client.request({ method: "GET", url: `${server.origin}/`, retry: fast(3) }))
              between(gaps(server.received)[0], 900, 8_000, "gap before the retry")
            })
        )
    )

    t.it(
      "Retry-After above maxRetryAfter (default 60 s) fails at once with RetryAfterTooLongError",
      () =>
        withServers(
          [statusServer([{ status: 503, headers: { "retry-after": "120" } }, 200])],
          (server) =>
            driver.withClient({}, async (client) => {
              const [outcome, took] = await timed(() =>
                client.request({ method: "GET", url: `${server.origin}/`, retry: fast(3) })
              )
              const error = failed(outcome, "RetryAfterTooLongError")
              assert.equal(error.retryAfterMs, 120_000)
              assert.equal(error.limitMs, 60_000)
              assert.equal(server.count(), 1)
              between(took, 0, 5_000, "call time")
            })
        )
    )

    t.it(
      "Retry-After beyond the remaining deadline fails at once with RetryAfterTooLongError",
      () =>
        withServers(
          [statusServer([{ status: 503, headers: { "retry-after": "20" } }, 200])],
          (server) =>
            driver.withClient({}, async (client) => {
              const [outcome, took] = await timed(() =>
                client.request({ method: "GET", url: `${server.origin}/`, deadlineMs: 5_000, retry: fast(3) })
              )
              const error = failed(outcome, "RetryAfterTooLongError")
              assert.equal(error.retryAfterMs, 20_000)
              assert.equal(server.count(), 1)
              between(took, 0, 4_000, "call time")
            })
        )
    )

    t.it(
      "onRetryAfterTooLong: \"clamp\" waits maxRetryAfter instead of failing",
      () =>
        withServers(
          [statusServer([{ status: 503, headers: { "retry-after": "100" } }, 200])],
          (server) =>
            driver.withClient({}, async (client) => {
              ok(
                await client.request({
                  method: "GET",
                  url: `${server.origin}/`,
                  retry: { ...fast(3), maxRetryAfterMs: 400, onRetryAfterTooLong: "clamp" }
                })
              )
              assert.equal(server.count(), 2)
              between(gaps(server.received)[0], 350, 8_000, "gap before the retry")
            })
        )
    )

    t.it(
      "RetryScheduled carries the server's wait as its delay, with reason retry-after",
      () =>
        withServers(
          [statusServer([{ status: 503, headers: { "retry-after": "1" } }, 200])],
          (server) =>
            driver.withClient({}, async (client) => {
              ok(await client.request({ method: "GET", url: server.origin, retry: fast(3) }))
              const scheduled = (await client.events()).filter((e) => e.tag === "RetryScheduled")
              assert.deepEqual(scheduled.map((e) => [e.delayMs, e.reason]), [[1_000, "retry-after"]])
            })
        )
    )

    t.it("a 413 is retried only when it carries Retry-After", () =>
      withServers([
        statusServer([{ status: 413, headers: { "retry-after": "0" } }, 200]),
        statusServer([413, 200])
      ], (withWait, without) =>
        driver.withClient({}, async (client) => {
          ok(await client.request({ method: "PUT", url: withWait.origin, body: { text: "x" }, retry: fast(3) }))
          assert.equal(withWait.count(), 2)
          const error = failed(
            await client.request({ method: "PUT", url: without.origin, body: { text: "x" }, retry: fast(3) }),
            "StatusError"
          )
          assert.equal(error.status, 413)
          assert.equal(without.count(), 1)
        })))

    t.it("Retry-After as an HTTP date and X-RateLimit-Reset as epoch seconds are honoured", () =>
      withServers([
        waitThenOk("retry-after", () => new Date(Date.now() + 2_500).toUTCString()),
        waitThenOk("x-ratelimit-reset", () => String(Math.ceil((Date.now() + 2_000) / 1_000)))
      ], (dated, epoch) =>
        driver.withClient({}, async (client) => {
          for (const server of [dated, epoch]) {
            ok(await client.request({ method: "GET", url: server.origin, retry: fast(3) }))
            assert.equal(server.count(), 2)
            between(
              gaps(server.received)[0],
              1_000,
              8_000,
              `gap before the retry (${server === dated ? "date" : "epoch"})`
            )
          }
        })))
  })
}
