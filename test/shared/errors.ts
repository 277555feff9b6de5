/**
 * Shared bodies: the error union's tags and fields a user matches on, and the success shape.
 */
import * as assert from "node:assert/strict"
import { between, eventually, failed, fast, ok, timed } from "./check.js"
import { type Body, DriverConfigError } from "./driver.js"
import { closedPort, startRawServer, startServer, statusServer, withServers } from "./servers.js"

/** A server that never answers (its pending responses are ended when it closes). */
const silentServer = () => startServer(() => {})

export const errorBodies: Body = (t, driver) => {
  t.describe("success and errors", () => {
    t.it("a success carries the status, the headers (lower-case names) and the body", () =>
      withServers([
        startServer((_req, res) => res.writeHead(201, { "X-Thing": "yes", "content-type": "text/plain" }).end("hello"))
      ], (server) =>
        driver.withClient({}, async (client) => {
          const res = ok(await client.request({ method: "GET", url: `${server.origin}/x` }))
          assert.equal(res.status, 201)
          assert.equal(res.headers["x-thing"], "yes")
          assert.equal(res.body, "hello")
        })))

    t.it(
      "baseUrl joins relative URLs; client headers and urlParams are sent",
      () =>
        withServers([startServer((_req, res) => res.end("ok"))], (server) =>
          driver.withClient(
            { baseUrl: `${server.origin}/api/`, headers: { "x-client": "c1" }, urlParams: { v: "2" } },
            async (client) => {
              ok(await client.request({ method: "GET", url: "users/1", urlParams: { q: "a b" } }))
              const [seen] = server.received
              assert.equal(seen.headers["x-client"], "c1")
              const url = new URL(seen.url, server.origin)
              assert.equal(url.pathname, "/api/users/1")
              assert.equal(url.searchParams.get("v"), "2")
              assert.equal(url.searchParams.get("q"), "a b")
            }
          ))
    )

    t.it(
      "StatusError carries status, method, URL, attempt, response headers and a readable message",
      () =>
        withServers(
          [statusServer([{ status: 503, headers: { "x-reason": "maintenance" } }])],
          (server) =>
            driver.withClient({}, async (client) => {
              const error = failed(
                await client.request({ method: "GET", url: `${server.origin}/items/7?page=2`, retry: false }),
                "StatusError"
              )
              assert.equal(error.status, 503)
              assert.equal(error.method, "GET")
              assert.equal(error.url, `${server.origin}/items/7?page=2`)
              assert.equal(error.attempt, 1)
              assert.equal(error.headers?.["x-reason"], "maintenance")
              assert.equal(error.retryAfterMs, undefined)
              assert.equal(error.message, `503 Service Unavailable: GET ${server.origin}/items/7?page=2 (attempt 1)`)
            })
        )
    )

    t.it(
      "StatusError.retryAfter holds the server's Retry-After",
      () =>
        withServers(
          [statusServer([{ status: 429, headers: { "retry-after": "7" } }])],
          (server) =>
            driver.withClient({}, async (client) => {
              const error = failed(
                await client.request({ method: "GET", url: server.origin, retry: false }),
                "StatusError"
              )
              assert.equal(error.status, 429)
              assert.equal(error.retryAfterMs, 7_000)
            })
        )
    )

    t.it(
      "acceptStatus makes a status a success",
      () =>
        withServers(
          [statusServer([404])],
          (server) =>
            driver.withClient({ acceptStatus: [200, 404] }, async (client) => {
              assert.equal(ok(await client.request({ method: "GET", url: server.origin })).status, 404)
            })
        )
    )

    t.it("a refused connection is TransportError ConnectionRefused", async () => {
      const port = await closedPort()
      await driver.withClient({}, async (client) => {
        const error = failed(
          await client.request({ method: "GET", url: `http://127.0.0.1:${port}/`, retry: false }),
          "TransportError"
        )
        assert.equal(error.reason, "ConnectionRefused")
        assert.equal(error.attempt, 1)
      })
    })

    t.it(
      "a connection reset before the response is TransportError ConnectionReset",
      () =>
        withServers(
          [startRawServer((socket) => void socket.resetAndDestroy())],
          (server) =>
            driver.withClient({}, async (client) => {
              const error = failed(
                await client.request({ method: "GET", url: server.origin, retry: false }),
                "TransportError"
              )
              assert.equal(error.reason, "ConnectionReset")
              assert.equal(server.requests.length, 1)
            })
        )
    )

    t.it("a reset in the middle of the body is a TransportError, and is retried", () => {
      let seen = 0
      return withServers([
        startRawServer((socket) => {
          if (seen++ === 0) {
            socket.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial")
            setTimeout(() => socket.resetAndDestroy(), 20)
          } else {
            socket.write("HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nfull")
          }
        })
      ], (server) =>
        driver.withClient({}, async (client) => {
          const first = failed(
            await client.request({ method: "GET", url: server.origin, retry: false }),
            "TransportError"
          )
          assert.ok(first.reason === "ConnectionReset" || first.reason === "Aborted", `reason ${first.reason}`)
          const res = ok(await client.request({ method: "GET", url: server.origin, retry: fast(2) }))
          assert.equal(res.body, "full")
        }))
    })

    t.it(
      "a server that does not answer within the attempt timeout: TimeoutError scope attempt",
      () =>
        withServers([silentServer()], (server) =>
          driver.withClient({}, async (client) => {
            const [outcome, took] = await timed(() =>
              client.request({ method: "GET", url: server.origin, timeoutMs: 300, retry: false })
            )
            const error = failed(outcome, "TimeoutError")
            assert.equal(error.scope, "attempt")
            assert.equal(error.timeoutMs, 300)
            between(took, 250, 6_000, "call time")
          }))
    )

    t.it(
      "a stalled body times out like stalled headers",
      () =>
        withServers(
          [startServer((_req, res) => res.writeHead(200, { "content-length": "100" }).write("part"))],
          (server) =>
            driver.withClient({}, async (client) => {
              const error = failed(
                await client.request({ method: "GET", url: server.origin, timeoutMs: 300, retry: false }),
                "TimeoutError"
              )
              assert.equal(error.scope, "attempt")
            })
        )
    )

    t.it("an attempt that times out is retried, and the retry can succeed", () => {
      let seen = 0
      return withServers(
        [startServer((_req, res) => void (seen++ === 0 ? undefined : res.end("late but ok")))],
        (server) =>
          driver.withClient({}, async (client) => {
            const res = ok(await client.request({ method: "GET", url: server.origin, timeoutMs: 300, retry: fast(2) }))
            assert.equal(res.body, "late but ok")
            assert.equal(server.count(), 2)
          })
      )
    })

    t.it(
      "the deadline bounds the whole call, retries included: TimeoutError scope deadline",
      () =>
        withServers([silentServer()], (server) =>
          driver.withClient({}, async (client) => {
            const [outcome, took] = await timed(() =>
              client.request({ method: "GET", url: server.origin, timeoutMs: 5_000, deadlineMs: 400, retry: fast(5) })
            )
            const error = failed(outcome, "TimeoutError")
            assert.equal(error.scope, "deadline")
            assert.equal(server.count(), 1)
            between(took, 350, 4_500, "call time")
          }))
    )

    t.it(
      "the client's deadline option bounds every call the client's retry option retries",
      () =>
        withServers(
          [silentServer()],
          (server) =>
            driver.withClient({ deadlineMs: 400, timeoutMs: 5_000, retry: fast(5) }, async (client) => {
              assert.equal(
                failed(await client.request({ method: "GET", url: server.origin }), "TimeoutError").scope,
                "deadline"
              )
            })
        )
    )

    t.it("interrupting a call aborts its request: the server sees the connection close", async () => {
      let closed = false
      await withServers(
        [startServer((_req, res) => void res.on("close", () => (closed = true)))],
        (server) =>
          driver.withClient({}, async (client) => {
            const abort = new AbortController()
            const call = client.request({ method: "GET", url: server.origin, retry: false, signal: abort.signal })
            await eventually(() => Promise.resolve(server.count() === 1), 5_000, "the request arrives")
            abort.abort()
            await call.then(() => assert.fail("an interrupted call has no outcome"), () => undefined)
            await eventually(() => Promise.resolve(closed), 5_000, "the server sees the connection close")
          })
      )
    })

    t.it(
      "a body above maxResponseSize fails with TransportError ResponseTooLarge, and is not retried",
      () =>
        withServers(
          [startServer((req, res) => res.end("x".repeat(req.url === "/big" ? 10_000 : 1_000)))],
          (server) =>
            driver.withClient({ maxResponseSize: 1_024 }, async (client) => {
              const error = failed(
                await client.request({ method: "GET", url: `${server.origin}/big`, retry: fast(3) }),
                "TransportError"
              )
              assert.equal(error.reason, "ResponseTooLarge")
              assert.equal(server.count(), 1)
              assert.equal(
                ok(await client.request({ method: "GET", url: `${server.origin}/small` })).body.length,
                1_000
              )
            })
        )
    )

    t.it("a bad URL is InvalidRequestError, with no I/O", () =>
      driver.withClient({}, async (client) => {
        const error = failed(await client.request({ method: "GET", url: "not a url" }), "InvalidRequestError")
        assert.equal(error.reason, "InvalidUrl")
      }))

    t.it("a bad client option is refused when the client is built, naming the option", async () => {
      const refused = await driver.withClient({ retryBudget: { ratio: -1 } }, () => Promise.resolve()).then(
        () => undefined,
        (error: unknown) => error
      )
      assert.ok(refused instanceof DriverConfigError, `expected a DriverConfigError, got ${String(refused)}`)
      assert.match(refused.message, /ratio/)
      assert.match(refused.message, /-1/)
    })

    t.it(
      "durations keep the root entry's rules: timeout and deadline 0 are refused (a positive finite duration), for " +
        "the client and for a request; a non-negative one (maxRetryAfter) takes 0",
      () =>
        withServers([statusServer([200, 200])], async (server) => {
          for (const spec of [{ timeoutMs: 0 }, { deadlineMs: 0 }]) {
            const name = "timeoutMs" in spec ? "timeout" : "deadline"
            const refused = await driver.withClient(spec, () => Promise.resolve()).then(
              () => undefined,
              (error: unknown) => error
            )
            assert.ok(
              refused instanceof DriverConfigError,
              `${name}: expected a DriverConfigError, got ${String(refused)}`
            )
            assert.ok(refused.message.includes(name), refused.message)
            assert.ok(refused.message.includes("0 is not a positive finite duration"), refused.message)
          }
          await driver.withClient({ retry: { retries: 1, maxRetryAfterMs: 0 } }, async (client) => {
            for (const [request, name] of [[{ timeoutMs: 0 }, "timeout"], [{ deadlineMs: 0 }, "deadline"]] as const) {
              const error = failed(
                await client.request({ method: "GET", url: `${server.origin}/x`, ...request }),
                "InvalidRequestError"
              )
              assert.equal(error.reason, "InvalidOption", error.message)
              assert.ok(error.message.includes(`${name}: 0 is not a positive finite duration`), error.message)
            }
            const error = failed(
              await client.request({
                method: "GET",
                url: `${server.origin}/x`,
                attempts: [{}, { raw: { timeout: -1 } }]
              }),
              "InvalidRequestError"
            )
            assert.ok(
              error.message.includes("attempts[1].timeout: -1 is not a positive finite duration"),
              error.message
            )
            ok(await client.request({ method: "GET", url: `${server.origin}/x` }))
          })
          assert.equal(server.count(), 1)
        })
    )
  })
}
