/**
 * Shared bodies: the client-side rate limiter (`rateLimiter`), on real time against loopback servers: the times are
 * the server's arrival times, the bounds generous below (a limiter never lets a call through early) and loose above.
 */
import * as assert from "node:assert/strict"
import { between, failed, ok, timed } from "./check.js"
import type { Body, DriverClient } from "./driver.js"
import { type Received, startServer, withServers } from "./servers.js"

const okServer = () => startServer((_req, res) => res.end("ok"))

/** Runs the calls to `urls` at once; resolves when all ended (each must succeed). */
const all = async (client: DriverClient, urls: ReadonlyArray<string>) => {
  const outcomes = await Promise.all(urls.map((url) => client.request({ method: "GET", url, retry: false })))
  for (const outcome of outcomes) ok(outcome)
}

/** Arrival times in ms after the first request of `received`, in order of arrival. */
const arrivals = (...received: ReadonlyArray<ReadonlyArray<Received>>) => {
  const times = received.flat().map((r) => r.at).sort((a, b) => a - b)
  return times.map((t) => t - times[0])
}

export const rateLimiterBodies: Body = (t, driver) => {
  t.describe("rate limiter", () => {
    t.it(
      "token bucket per origin: a burst of `limit`, then one every window / limit",
      () =>
        withServers(
          [okServer(), okServer()],
          (a, b) =>
            driver.withClient({ rateLimiter: { limit: 5, windowMs: 1_000 } }, async (client) => {
              const calls = all(
                client,
                Array.from({ length: 8 }, (_, i) => `${a.origin}/${i}`)
              )
              await all(client, [`${b.origin}/`])
              await calls
              const times = arrivals(a.received)
              // another origin has its own quota: it went while the first origin's calls waited
              assert.ok(b.received[0].at < a.received[5].at, "the other origin's call waited for the first one's quota")
              for (const at of times.slice(0, 5)) between(at, 0, 150, "a call of the burst")
              // then one every 200 ms from when the burst took the bucket (a little before the first arrival)
              for (let i = 5; i < 8; i++) between(times[i], (i - 4) * 200 - 100, 5_000, `call ${i + 1}`)
            })
        )
    )

    t.it(
      "a wait past the deadline fails at once with RateLimitedError and uses up nothing",
      () =>
        withServers(
          [okServer()],
          (server) =>
            driver.withClient({ rateLimiter: { limit: 2, windowMs: 1_000 } }, async (client) => {
              await all(client, [server.origin, server.origin])
              const [refused, refusedMs] = await timed(() =>
                client.request({ method: "GET", url: `${server.origin}/`, retry: false, deadlineMs: 300 })
              )
              const error = failed(refused, "RateLimitedError")
              between(error.waitForMs ?? NaN, 300, 500, "the wait it would have needed")
              assert.match(
                error.message,
                /^Rate limited, would wait \d+ms: GET http:\/\/127\.0\.0\.1:\d+\/ \(attempt 1\)$/
              )
              assert.ok(refusedMs < 300, `refused at once (${refusedMs} ms)`)
              // the refused call took no slot: the next one goes as soon as a token is back
              ok(await client.request({ method: "GET", url: `${server.origin}/`, deadlineMs: 2_000 }))
              const times = arrivals(server.received)
              assert.equal(times.length, 3)
              between(times[2], 400, 1_000, "the next call's wait for its token")
            })
        )
    )

    t.it("key: a function of the request gives each user a quota; a string shares one across origins", async () => {
      await withServers([okServer()], (server) =>
        driver.withClient(
          { rateLimiter: { limit: 1, windowMs: 1_000, key: { queryParam: "user" } } },
          async (client) => {
            await all(client, ["?user=1", "?user=2", "?user=1"].map((q) => `${server.origin}/${q}`))
            const times = arrivals(server.received)
            between(times[1], 0, 300, "the second user's first call")
            between(times[2], 800, 3_000, "the first user's second call")
            assert.equal(server.received[2].url, "/?user=1", "the user who had used the quota waited")
          }
        ))
      await withServers(
        [okServer(), okServer()],
        (a, b) =>
          driver.withClient({ rateLimiter: { limit: 1, windowMs: 1_000, key: "partner" } }, async (client) => {
            await all(client, [`${a.origin}/`, `${b.origin}/`])
            between(arrivals(a.received, b.received)[1], 800, 3_000, "the second origin's call on the shared quota")
          })
      )
    })

    t.it("fixed window: at most `limit` per window", () =>
      withServers([okServer()], (server) =>
        driver.withClient(
          { rateLimiter: { limit: 3, windowMs: 1_000, algorithm: "fixed-window" } },
          async (client) => {
            await all(client, Array.from({ length: 7 }, () => `${server.origin}/`))
            const times = arrivals(server.received)
            assert.equal(times.length, 7)
            // windows start when the limiter says, the server sees them a little later: a margin of 200 ms
            for (const at of times) assert.ok(times.filter((u) => u >= at && u < at + 800).length <= 3, `${times}`)
            for (const at of times.slice(0, 3)) between(at, 0, 300, "a call of the first window")
          }
        )))

    t.it("adaptive: a 429 with Retry-After pauses the whole origin, not just that call", () =>
      withServers(
        [
          startServer((req, res) => {
            if (req.url === "/first") res.writeHead(429, { "retry-after": "1" })
            res.end()
          }),
          okServer()
        ],
        (a, b) =>
          driver.withClient({ rateLimiter: { adaptive: true } }, async (client) => {
            const limited = failed(
              await client.request({ method: "GET", url: `${a.origin}/first`, retry: false }),
              "StatusError"
            )
            assert.equal(limited.status, 429)
            const paused = all(client, [`${a.origin}/second`, `${a.origin}/third`])
            // another origin is not paused
            const [, otherMs] = await timed(() => all(client, [`${b.origin}/`]))
            assert.ok(otherMs < 500, `the other origin waited ${otherMs} ms`)
            await paused
            const times = arrivals(a.received)
            assert.deepEqual(a.received.map((r) => r.url).sort(), ["/first", "/second", "/third"])
            for (const at of times.slice(1)) between(at, 900, 5_000, "a paused call")
            // a pause that would pass the deadline fails at once
            failed(await client.request({ method: "GET", url: `${a.origin}/first`, retry: false }), "StatusError")
            const [late, lateMs] = await timed(() =>
              client.request({ method: "GET", url: `${a.origin}/x`, retry: false, deadlineMs: 500 })
            )
            failed(late, "RateLimitedError")
            assert.ok(lateMs < 400, `refused at once (${lateMs} ms)`)
          })
      ))
  })
}
