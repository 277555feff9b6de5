/**
 * Shared bodies: `ResilientClient.warmUp` (connections opened ahead of the calls) and `ResilientClient.health` of a
 * client with every protection off.
 */
import * as assert from "node:assert/strict"
import type { Socket } from "node:net"
import { between, eventually, failed, fast, ok } from "./check.js"
import type { Body } from "./driver.js"
import { closedPort, startRecordingServer, startServer, statusServer, withServers } from "./servers.js"

/** A server that records the socket of each request and answers after `delayMs`; `sockets` are those open on it. */
const socketServer = (delayMs: number) =>
  startRecordingServer((req) => req.socket as Socket, (_req, res) => void setTimeout(() => res.end("ok"), delayMs))

export const poolBodies: Body = (t, driver) => {
  t.describe("warmUp", () => {
    t.it(
      "opens the sockets, and the next that many concurrent requests open none",
      () =>
        withServers([socketServer(50)], (server) =>
          driver.withClient({}, async (client) => {
            assert.equal(await client.warmUp(server.origin, 4), undefined)
            await eventually(async () => server.sockets.size === 4, 5_000, "4 connections open")
            assert.equal(server.count(), 0, "warmUp sends no request")
            const warm = new Set(server.sockets)
            // warming again keeps what is parked
            assert.equal(await client.warmUp(`${server.origin}/any/path`, 4), undefined)
            const outcomes = await Promise.all(
              [1, 2, 3, 4].map((i) => client.request({ method: "GET", url: `${server.origin}/r${i}` }))
            )
            assert.deepEqual(outcomes.map((o) => ok(o).status), [200, 200, 200, 200])
            assert.equal(server.sockets.size, 4)
            assert.equal(new Set(server.received).size, 4, "each request on its own connection")
            for (const socket of server.received) assert.ok(warm.has(socket), "a request on a warmed connection")
          }))
    )

    t.it(
      "without warmUp the same requests open their own connections",
      () =>
        withServers([socketServer(50)], (server) =>
          driver.withClient({}, async (client) => {
            assert.equal(server.sockets.size, 0)
            await Promise.all([1, 2, 3].map((i) => client.request({ method: "GET", url: `${server.origin}/r${i}` })))
            assert.equal(server.sockets.size, 3)
          }))
    )

    t.it(
      "a refused connection is a TransportError; no connections is an InvalidRequestError",
      () =>
        driver.withClient({}, async (client) => {
          const port = await closedPort()
          const refused = await client.warmUp(`http://127.0.0.1:${port}`, 2)
          assert.equal(refused?.tag, "TransportError")
          assert.equal(refused?.reason, "ConnectionRefused")
          const none = await client.warmUp("http://127.0.0.1:1", 0)
          assert.equal(none?.tag, "InvalidRequestError")
          assert.match(none?.message ?? "", /connections 0/)
        })
    )
  })

  t.describe("health", () => {
    t.it(
      "before and after failures: breaker state, last failure time, retryAt; healthy() and healthy(origin)",
      () =>
        withServers(
          [startServer((req, res) => res.writeHead(req.url === "/broken" ? 503 : 200).end())],
          (server) =>
            driver.withClient(
              { circuitBreaker: { strategy: { kind: "consecutive", threshold: 3 }, breakDurationMs: 60_000 } },
              async (client) => {
                const url = server.origin
                const before = await client.health()
                assert.equal(before.healthy, true)
                assert.deepEqual(before.origins, [])
                assert.deepEqual(before.bulkheads, [
                  { route: undefined, inFlight: 0, queued: 0, maxConcurrent: 1000, maxQueue: 0 }
                ])
                assert.equal(before.retryBudget, 100)
                assert.equal(await client.healthy(), true)
                assert.equal(await client.healthy(url), true)

                ok(await client.request({ method: "GET", url: `${url}/ok` }))
                const closed = await client.health()
                assert.deepEqual(closed.origins, [{
                  key: url,
                  origin: url,
                  route: undefined,
                  state: "closed",
                  inFlight: 0,
                  retryAt: undefined,
                  lastFailureAt: undefined,
                  retryBudget: closed.retryBudget
                }])

                const start = Date.now()
                for (let i = 0; i < 3; i++) {
                  await client.request({ method: "GET", url: `${url}/broken`, retry: false })
                }
                const end = Date.now()
                const open = await client.health()
                assert.equal(open.healthy, false)
                const [entry] = open.origins
                assert.equal(entry.state, "open")
                assert.equal(entry.inFlight, 0)
                between(entry.lastFailureAt ?? NaN, start, end, "lastFailureAt")
                assert.ok((entry.retryAt ?? NaN) >= open.at + 50_000, `retryAt ${entry.retryAt}`)
                assert.equal(await client.healthy(), false)
                assert.equal(await client.healthy(`${url}/any/path`), false)
                assert.equal(await client.healthy("http://elsewhere.test"), true)
                const bad = await client.healthy("mailto:someone@example.com")
                assert.ok(typeof bad === "object" && bad.tag === "InvalidRequestError", JSON.stringify(bad))
                assert.match(bad.message, /healthy:/)
              }
            )
        )
    )

    t.it(
      "the retry budget left goes down as retries spend it",
      () =>
        withServers(
          [statusServer([503])],
          (server) =>
            driver.withClient(
              { retryBudget: { ratio: 0, minRetriesPerSecond: 1, windowMs: 10_000 } },
              async (client) => {
                assert.equal((await client.health()).retryBudget, 10)
                const start = Date.now()
                failed(
                  await client.request({ method: "GET", url: `${server.origin}/x`, retry: fast(3) }),
                  "StatusError"
                )
                const end = Date.now()
                assert.equal(server.count(), 4)
                const after = await client.health()
                assert.equal(after.retryBudget, 7)
                assert.equal(after.origins[0].retryBudget, 7)
                between(after.origins[0].lastFailureAt ?? NaN, start, end, "lastFailureAt")
              }
            )
        )
    )

    t.it(
      "a client with every protection off: healthy, nothing to report",
      () =>
        withServers(
          [socketServer(0)],
          (server) =>
            driver.withClient({ circuitBreaker: false, bulkhead: false, retryBudget: false }, async (client) => {
              ok(await client.request({ method: "GET", url: server.origin }))
              const { at, ...health } = await client.health()
              assert.deepEqual(health, { healthy: true, origins: [], bulkheads: [], retryBudget: undefined })
              assert.ok(Math.abs(at - Date.now()) < 60_000, `at ${at} is the Clock's epoch ms`)
            })
        )
    )
  })
}
