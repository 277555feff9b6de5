/**
 * Shared bodies: the client over its edition's `HttpClient` on the runtime's fetch
 * (`ResilientClient.layerFromHttpClient` with `FetchHttpClient.layer`; the spec's `overHttpClient`), against real
 * loopback servers. What the client does around the transport holds as over its own pool (retries, events,
 * redirect rules, size limit, cookies, the attempt timeout); the fetch client's failures become the same errors.
 */
import * as assert from "node:assert/strict"
import { failed, fast, ok } from "./check.js"
import type { Body } from "./driver.js"
import { twoRetriesThenSuccess } from "./events.js"
import { closedPort, startRawServer, startServer, withServers } from "./servers.js"

export const httpClientBodies: Body = (t, driver) => {
  t.describe("over the edition's HttpClient on fetch", () => {
    t.it("a 503, a 503, then a 200 is retried, the events in order, every attempt on the wire", () => {
      let n = 0
      return withServers(
        [startServer((_req, res) => res.writeHead(++n < 3 ? 503 : 200).end("done"))],
        (server) =>
          driver.withClient({ overHttpClient: true, retry: fast(3) }, async (client) => {
            const res = ok(await client.request({ method: "GET", url: `${server.origin}/x` }))
            assert.equal(res.body, "done")
            assert.equal(server.count(), 3)
            assert.deepEqual((await client.events()).map((e) => e.tag), twoRetriesThenSuccess)
          })
      )
    })

    t.it(
      "fetch never follows a redirect itself: followRedirects: false keeps the 3xx, a loop is RedirectLoop",
      () =>
        withServers([
          startServer((req, res) => {
            const path = (req.url ?? "/").split("?")[0]
            if (path === "/hop") res.writeHead(302, { location: "/done" }).end()
            else if (path === "/loop-a") res.writeHead(302, { location: "/loop-b" }).end()
            else if (path === "/loop-b") res.writeHead(302, { location: "/loop-a" }).end()
            else res.end(`final ${path}`)
          })
        ], async (server) => {
          await driver.withClient({ overHttpClient: true, followRedirects: false }, async (client) => {
            const kept = ok(await client.request({ method: "GET", url: `${server.origin}/hop` }))
            assert.equal(kept.status, 302)
            assert.equal(kept.headers.location, "/done")
          })
          await driver.withClient({ overHttpClient: true, circuitBreaker: false }, async (client) => {
            assert.equal(ok(await client.request({ method: "GET", url: `${server.origin}/hop` })).body, "final /done")
            const loop = failed(
              await client.request({ method: "GET", url: `${server.origin}/loop-a` }),
              "TransportError"
            )
            assert.equal(loop.reason, "RedirectLoop")
          })
        })
    )

    t.it(
      "a redirect to another origin drops the secret headers (the client's rule, not fetch's)",
      () =>
        withServers(
          [startServer((_req, res) => res.end("landed"))],
          (target) =>
            withServers(
              [startServer((_req, res) => res.writeHead(307, { location: `${target.origin}/there` }).end())],
              (
                origin
              ) =>
                driver.withClient({ overHttpClient: true, redactHeaders: ["x-tenant"] }, async (client) => {
                  const headers = { authorization: "Bearer sekret-1", "x-tenant": "sekret-2", "x-plain": "visible" }
                  const res = ok(await client.request({ method: "GET", url: `${origin.origin}/here`, headers }))
                  assert.equal(res.body, "landed")
                  assert.equal(origin.received[0].headers.authorization, "Bearer sekret-1")
                  const [landed] = target.received
                  assert.equal(landed.headers.authorization, undefined)
                  assert.equal(landed.headers["x-tenant"], undefined)
                  assert.equal(landed.headers["x-plain"], "visible")
                })
            )
        )
    )

    t.it(
      "a refused connection is ConnectionRefused; a port fetch refuses (1) is InvalidRequestError; a status 999 is ProtocolError, neither retried",
      async () => {
        const port = await closedPort()
        await withServers(
          [startRawServer((socket) => socket.end("HTTP/1.1 999 Nope\r\nContent-Length: 0\r\n\r\n"))],
          (raw) =>
            driver.withClient({ overHttpClient: true, circuitBreaker: false, retry: fast(3) }, async (client) => {
              const refused = failed(
                await client.request({ method: "GET", url: `http://127.0.0.1:${port}/`, retry: false }),
                "TransportError"
              )
              assert.equal(refused.reason, "ConnectionRefused")
              const bad = failed(
                await client.request({ method: "GET", url: "http://127.0.0.1:1/x" }),
                "InvalidRequestError"
              )
              assert.equal(bad.reason, "InvalidOption")
              assert.match(bad.message, /fetch refuses port 1\b/)
              assert.equal(bad.attempt, 1)
              const violation = failed(await client.request({ method: "GET", url: raw.origin }), "TransportError")
              assert.equal(violation.reason, "ProtocolError")
              assert.equal(raw.requests.length, 1, "not retried")
            })
        )
      }
    )

    t.it(
      "a HEAD and a 204 have an empty body; a larger body than maxResponseSize is ResponseTooLarge",
      () =>
        withServers([
          startServer((req, res) => {
            if (req.url === "/big") res.end("x".repeat(2048))
            else {
              res.statusCode = req.url === "/none" ? 204 : 200
              res.setHeader("content-length", "5")
              res.end(req.method === "HEAD" || req.url === "/none" ? undefined : "hello")
            }
          })
        ], (server) =>
          driver.withClient({ overHttpClient: true, maxResponseSize: 1024 }, async (client) => {
            const head = ok(await client.request({ method: "HEAD", url: server.origin }))
            assert.equal(head.status, 200)
            assert.equal(head.body, "")
            const none = ok(await client.request({ method: "GET", url: `${server.origin}/none` }))
            assert.equal(none.status, 204)
            assert.equal(none.body, "")
            const big = failed(await client.request({ method: "GET", url: `${server.origin}/big` }), "TransportError")
            assert.equal(big.reason, "ResponseTooLarge")
          }))
    )

    t.it(
      "warmUp is an InvalidRequestError (no pool of the client's); a stalled head or body times out the attempt",
      () =>
        withServers([
          startServer((req, res) => {
            if (req.url === "/head") return // never answers
            res.writeHead(200, { "content-length": "10" })
            res.write("12345") // and never the rest
          })
        ], (server) =>
          driver.withClient({ overHttpClient: true, timeoutMs: 300, circuitBreaker: false }, async (client) => {
            const warm = await client.warmUp(server.origin, 1)
            assert.equal(warm?.tag, "InvalidRequestError")
            assert.match(warm!.message, /an HttpClient/)
            for (const path of ["/head", "/body"]) {
              const stalled = failed(
                await client.request({ method: "GET", url: `${server.origin}${path}`, retry: false }),
                "TimeoutError"
              )
              assert.equal(stalled.scope, "attempt", path)
            }
          }))
    )

    t.it(
      "cookies over fetch: a buffered and a streamed answer's Set-Cookie are kept with their attributes (by path)",
      () =>
        withServers([
          startServer((req, res) => {
            if (req.url === "/login") res.writeHead(200, { "set-cookie": "sid=s1; Path=/app; HttpOnly" }).end()
            else if (req.url === "/welcome") {
              res.writeHead(200, { "set-cookie": "theme=dark; Path=/prefs", "content-type": "text/plain" })
                .end("welcome\n")
            } else res.end("ok")
          })
        ], (server) =>
          driver.withClient({ overHttpClient: true, cookies: true, retry: false }, async (client) => {
            ok(await client.request({ method: "GET", url: `${server.origin}/login` }))
            const lines = await client.stream({ verb: "lines", url: `${server.origin}/welcome` })
            assert.deepEqual(lines.items, ["welcome"])
            ok(await client.request({ method: "GET", url: `${server.origin}/app/x` }))
            ok(await client.request({ method: "GET", url: `${server.origin}/prefs` }))
            // each cookie goes to its own path only
            assert.deepEqual(server.received.slice(2).map((r) => r.headers.cookie), ["sid=s1", "theme=dark"])
          }))
    )
  })
}
