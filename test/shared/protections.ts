/**
 * Shared bodies: circuit breaker, retry budget, bulkhead, and the events a call publishes.
 */
import * as assert from "node:assert/strict"
import type * as http from "node:http"
import { between, eventually, failed, fast, ok, timed } from "./check.js"
import type { Body, BreakerKeySpec } from "./driver.js"
import { twoRetriesThenSuccess } from "./events.js"
import { startServer, statusServer, withServers } from "./servers.js"

const consecutive = (threshold: number, breakDurationMs = 60_000) =>
  ({
    strategy: { kind: "consecutive", threshold },
    breakDurationMs
  }) as const

/** A server that holds every response until `release()` (then answers 200). */
const heldServer = async () => {
  const held: Array<http.ServerResponse> = []
  let released = false
  const server = await startServer((_req, res) => released ? res.end("ok") : void held.push(res))
  const release = () => {
    released = true
    for (const res of held.splice(0)) res.end("ok")
  }
  // answering what is held before closing lets the client's pool close without waiting
  return { ...server, held, release, close: () => (release(), server.close()) }
}

export const protectionBodies: Body = (t, driver) => {
  t.describe("circuit breaker", () => {
    t.it(
      "opens after consecutive failures, then rejects with CircuitOpenError without a request",
      () =>
        withServers(
          [statusServer([500])],
          (server) =>
            driver.withClient({ circuitBreaker: consecutive(3) }, async (client) => {
              for (let i = 0; i < 3; i++) {
                failed(await client.request({ method: "GET", url: `${server.origin}/a`, retry: false }), "StatusError")
              }
              assert.equal(await client.circuitState(server.origin), "open")
              const error = failed(
                await client.request({ method: "GET", url: `${server.origin}/b`, retry: false }),
                "CircuitOpenError"
              )
              assert.equal(error.origin, server.origin)
              assert.equal(server.count(), 3)
            })
        )
    )

    t.it(
      "CircuitOpenError is never retried: an open breaker costs no request even under a retry policy",
      () =>
        withServers(
          [statusServer([503])],
          (server) =>
            driver.withClient({ circuitBreaker: consecutive(2) }, async (client) => {
              failed(await client.request({ method: "GET", url: server.origin, retry: fast(5) }), "CircuitOpenError")
              // the breaker opened after the second attempt; the third attempt was rejected without I/O
              assert.equal(server.count(), 2)
              failed(await client.request({ method: "GET", url: server.origin, retry: fast(5) }), "CircuitOpenError")
              assert.equal(server.count(), 2)
            })
        )
    )

    t.it(
      "breakers are per origin: another origin still gets through",
      () =>
        withServers(
          [statusServer([500]), statusServer([200])],
          (bad, good) =>
            driver.withClient({ circuitBreaker: consecutive(2) }, async (client) => {
              for (let i = 0; i < 2; i++) {
                await client.request({ method: "GET", url: bad.origin, retry: false })
              }
              failed(await client.request({ method: "GET", url: bad.origin, retry: false }), "CircuitOpenError")
              assert.equal(await client.circuitState(good.origin), "closed")
              ok(await client.request({ method: "GET", url: good.origin, retry: false }))
              assert.equal(good.count(), 1)
            })
        )
    )

    t.it("after the break duration a probe goes through, and a success closes the breaker", () => {
      let failing = true
      return withServers(
        [startServer((_req, res) => res.writeHead(failing ? 500 : 200).end())],
        (server) =>
          driver.withClient({ circuitBreaker: consecutive(2, 300) }, async (client) => {
            for (let i = 0; i < 2; i++) await client.request({ method: "GET", url: server.origin, retry: false })
            failed(await client.request({ method: "GET", url: server.origin, retry: false }), "CircuitOpenError")
            const opened = performance.now()
            failing = false
            await eventually(
              async () => (await client.request({ method: "GET", url: server.origin, retry: false })).ok,
              10_000,
              "a probe succeeds"
            )
            assert.ok(performance.now() - opened >= 250, "no request before the break duration")
            assert.equal(server.count(), 3)
            assert.equal(await client.circuitState(server.origin), "closed")
          })
      )
    })

    t.it(
      "a failed probe opens the breaker again",
      () =>
        withServers(
          [statusServer([500])],
          (server) =>
            driver.withClient({ circuitBreaker: consecutive(1, 300) }, async (client) => {
              failed(await client.request({ method: "GET", url: server.origin, retry: false }), "StatusError")
              failed(await client.request({ method: "GET", url: server.origin, retry: false }), "CircuitOpenError")
              await eventually(
                async () =>
                  (await client.request({ method: "GET", url: server.origin, retry: false })).ok === false &&
                  server.count() === 2,
                10_000,
                "the probe reaches the server"
              )
              assert.equal(await client.circuitState(server.origin), "open")
              failed(await client.request({ method: "GET", url: server.origin, retry: false }), "CircuitOpenError")
              assert.equal(server.count(), 2)
            })
        )
    )

    t.it(
      "attempt timeouts count as failures and open the breaker",
      () =>
        withServers(
          [startServer(() => {})],
          (silent) =>
            driver.withClient({ circuitBreaker: consecutive(2) }, async (client) => {
              for (let i = 0; i < 2; i++) {
                failed(
                  await client.request({ method: "GET", url: silent.origin, timeoutMs: 300, retry: false }),
                  "TimeoutError"
                )
              }
              failed(await client.request({ method: "GET", url: silent.origin, retry: false }), "CircuitOpenError")
              assert.equal(silent.count(), 2)
            })
        )
    )

    t.it(
      "4xx answers do not open the breaker",
      () =>
        withServers(
          [statusServer([404])],
          (server) =>
            driver.withClient({ circuitBreaker: consecutive(2) }, async (client) => {
              for (let i = 0; i < 5; i++) {
                failed(await client.request({ method: "GET", url: server.origin, retry: false }), "StatusError")
              }
              assert.equal(await client.circuitState(server.origin), "closed")
              assert.equal(server.count(), 5)
            })
        )
    )

    t.it(
      "circuitBreaker.key: after /broken opens its breaker, other paths of the origin fail under \"origin\" only",
      () =>
        withServers(
          [startServer((req, res) => res.writeHead(req.url?.startsWith("/broken") ? 503 : 200).end())],
          async (server) => {
            /** After 2 failures of /broken/x opened its breaker: how /healthy/y and /elsewhere end, the keys opened
             * (CircuitStateChanged.origin) and the state of the origin's own breaker. */
            const run = async (key: BreakerKeySpec) => {
              let seen: unknown
              await driver.withClient({
                circuitBreaker: { ...consecutive(2), key },
                routes: [{ match: { pathPrefix: "/broken" } }, { match: { pathPrefix: "/healthy" } }]
              }, async (client) => {
                const call = (path: string) =>
                  client.request({ method: "GET", url: `${server.origin}${path}`, retry: false })
                for (let i = 0; i < 2; i++) failed(await call("/broken/x"), "StatusError")
                failed(await call("/broken/x"), "CircuitOpenError")
                const others = [await call("/healthy/y"), await call("/elsewhere")].map((o) => o.ok ? o.status : o.tag)
                const opened = (await client.events()).filter((e) => e.tag === "CircuitStateChanged").map((e) =>
                  e.origin
                )
                seen = { others, opened, state: await client.circuitState(server.origin) }
              })
              return seen
            }
            assert.deepEqual(await run("origin"), {
              others: ["CircuitOpenError", "CircuitOpenError"],
              opened: [server.origin],
              state: "open"
            })
            assert.deepEqual(await run("route"), {
              others: [200, 200],
              opened: [`${server.origin} routes[0]`],
              state: "closed"
            })
            assert.deepEqual(await run((request) => request.url.pathname.split("/")[1] ?? ""), {
              others: [200, 200],
              opened: ["broken"],
              state: "closed"
            })
          }
        )
    )

    t.it(
      "opening publishes CircuitStateChanged closed → open for the origin",
      () =>
        withServers(
          [statusServer([500])],
          (server) =>
            driver.withClient({ circuitBreaker: consecutive(2) }, async (client) => {
              for (let i = 0; i < 2; i++) {
                await client.request({ method: "GET", url: server.origin, retry: false })
              }
              const changes = (await client.events()).filter((e) => e.tag === "CircuitStateChanged")
              assert.deepEqual(changes.map((e) => [e.origin, e.from, e.to]), [[server.origin, "closed", "open"]])
            })
        )
    )

    t.it("the ratio strategy opens at the threshold once minThroughput attempts were seen, not before", () => {
      const failing = new Set<string>()
      const server = () =>
        startServer((req, res) => res.writeHead(failing.has(req.headers.host ?? "") ? 500 : 200).end())
      return withServers([server(), server()], (few, many) =>
        driver.withClient({
          circuitBreaker: {
            strategy: { kind: "ratio", threshold: 0.5, minThroughput: 6, windowMs: 60_000 },
            breakDurationMs: 60_000
          }
        }, async (client) => {
          const call = (origin: string) => client.request({ method: "GET", url: origin, retry: false })
          // fewer than minThroughput outcomes: 3 failures of 4 (75 %) leave it closed
          ok(await call(few.origin))
          failing.add(`127.0.0.1:${few.port}`)
          for (let i = 0; i < 3; i++) failed(await call(few.origin), "StatusError")
          assert.equal(await client.circuitState(few.origin), "closed")
          // enough outcomes: closed below the threshold (3 of 7), open at it (4 of 8)
          for (let i = 0; i < 4; i++) ok(await call(many.origin))
          failing.add(`127.0.0.1:${many.port}`)
          for (let i = 0; i < 3; i++) failed(await call(many.origin), "StatusError")
          assert.equal(await client.circuitState(many.origin), "closed")
          failed(await call(many.origin), "StatusError")
          assert.equal(await client.circuitState(many.origin), "open")
          failed(await call(many.origin), "CircuitOpenError")
          assert.equal(many.count(), 8)
        }))
    })
  })

  t.describe("retry budget", () => {
    t.it(
      "caps outage amplification: 20 calls with 3 retries each against a dead server send at most 25",
      () =>
        withServers([statusServer([503])], (server) =>
          driver.withClient(
            { retryBudget: { ratio: 0.1, minRetriesPerSecond: 0, windowMs: 60_000 }, circuitBreaker: false },
            async (client) => {
              const tags: Array<string> = []
              for (let i = 0; i < 20; i++) {
                const outcome = await client.request({ method: "GET", url: server.origin, retry: fast(3) })
                tags.push(outcome.ok ? "ok" : outcome.tag)
              }
              // without the budget: 80 requests
              between(server.count(), 20, 25, "requests at the server")
              assert.ok(tags.includes("RetryBudgetExhaustedError"), `tags: ${tags.join(",")}`)
            }
          ))
    )

    t.it(
      "a call refused by the budget fails with RetryBudgetExhaustedError carrying the last error",
      () =>
        withServers(
          [statusServer([503])],
          (server) =>
            driver.withClient({ retryBudget: { ratio: 0.01, minRetriesPerSecond: 0 } }, async (client) => {
              const error = failed(
                await client.request({ method: "GET", url: server.origin, retry: fast(3) }),
                "RetryBudgetExhaustedError"
              )
              assert.equal(error.lastError?.tag, "StatusError")
              assert.equal(error.lastError?.status, 503)
              assert.equal(server.count(), 1)
              assert.ok((await client.events()).some((e) => e.tag === "RetryBudgetExhausted"))
            })
        )
    )

    t.it(
      "the budget is on by default: a burst of failing calls sends fewer than calls × (1 + retries)",
      () =>
        withServers([statusServer([503])], (server) =>
          driver.withClient({ circuitBreaker: false }, async (client) => {
            // the default reserve is 10 retries/s over 10 s (100 retries) plus 20 % of requests: about 250 of 400
            const calls = 100
            await Promise.all(
              Array.from({ length: calls }, () => client.request({ method: "GET", url: server.origin, retry: fast(3) }))
            )
            between(server.count(), calls, calls * 4 - 80, "requests at the server")
          }))
    )

    t.it(
      "one budget per origin: an origin failing every attempt does not spend another origin's retries",
      () =>
        withServers([statusServer([503]), statusServer([503, 200])], (dead, flaky) =>
          driver.withClient(
            // a reserve of 3 retries per origin in the window, ratio 0.1 of first attempts
            { retryBudget: { ratio: 0.1, minRetriesPerSecond: 0.05, windowMs: 60_000 }, circuitBreaker: false },
            async (client) => {
              const tags: Array<string> = []
              for (let i = 0; i < 5; i++) {
                const outcome = await client.request({ method: "GET", url: dead.origin, retry: fast(3) })
                tags.push(outcome.ok ? "ok" : outcome.tag)
              }
              assert.ok(tags.includes("RetryBudgetExhaustedError"), `tags: ${tags.join(",")}`)
              // the other origin's budget is whole: its retry goes through
              ok(await client.request({ method: "GET", url: flaky.origin, retry: fast(3) }))
              assert.equal(flaky.count(), 2)
            }
          ))
    )

    t.it(
      "adaptive by default: an origin failing every attempt gets the reserve alone; adaptive: false the whole ratio",
      () =>
        withServers([statusServer([503]), statusServer([503])], (adaptive, classic) =>
          driver.withClient(
            { retryBudget: { ratio: 1, minRetriesPerSecond: 0, windowMs: 60_000 }, circuitBreaker: false },
            async (client) => {
              failed(
                await client.request({ method: "GET", url: adaptive.origin, retry: fast(3) }),
                "RetryBudgetExhaustedError"
              )
              // health 0 after the first failure: ratio × 0 × 1 first attempt = no retry
              assert.equal(adaptive.count(), 1)
            }
          ).then(() =>
            driver.withClient(
              {
                retryBudget: { ratio: 1, minRetriesPerSecond: 0, windowMs: 60_000, adaptive: false },
                circuitBreaker: false
              },
              async (client) => {
                failed(
                  await client.request({ method: "GET", url: classic.origin, retry: fast(3) }),
                  "RetryBudgetExhaustedError"
                )
                // ratio 1 × 1 first attempt = one retry
                assert.equal(classic.count(), 2)
              }
            )
          ))
    )
  })

  t.describe("bulkhead", () => {
    t.it(
      "no free slot and no queue: BulkheadRejectedError at once, without a request",
      () =>
        withServers(
          [heldServer()],
          (server) =>
            driver.withClient({ bulkhead: { maxConcurrent: 1, maxQueue: 0 } }, async (client) => {
              const first = client.request({ method: "GET", url: server.origin, retry: false })
              await eventually(
                () => Promise.resolve(server.held.length === 1),
                5_000,
                "the first request arrives"
              )
              const [outcome, took] = await timed(() =>
                client.request({ method: "GET", url: server.origin, timeoutMs: 2_000, retry: fast(3) })
              )
              const error = failed(outcome, "BulkheadRejectedError")
              assert.equal(error.limit, 1)
              assert.equal(error.reason, "full")
              between(took, 0, 3_000, "rejection time")
              server.release()
              ok(await first)
              assert.equal(server.count(), 1)
            })
        )
    )

    t.it(
      "a queued attempt waits for a slot and then runs",
      () =>
        withServers(
          [heldServer()],
          (server) =>
            driver.withClient({ bulkhead: { maxConcurrent: 1, maxQueue: 1 } }, async (client) => {
              const first = client.request({ method: "GET", url: server.origin, retry: false })
              await eventually(
                () => Promise.resolve(server.held.length === 1),
                5_000,
                "the first request arrives"
              )
              const second = client.request({ method: "GET", url: server.origin, retry: false })
              const third = failed(
                await client.request({ method: "GET", url: server.origin, timeoutMs: 5_000, retry: false }),
                "BulkheadRejectedError"
              )
              assert.equal(third.reason, "full")
              assert.equal(server.count(), 1)
              server.release()
              ok(await first)
              ok(await second)
              assert.equal(server.count(), 2)
            })
        )
    )

    t.it(
      "a wait in the queue beyond queueTimeout fails with reason queue-timeout",
      () =>
        withServers(
          [heldServer()],
          (server) =>
            driver.withClient({ bulkhead: { maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 300 } }, async (client) => {
              const first = client.request({ method: "GET", url: server.origin, retry: false })
              await eventually(
                () => Promise.resolve(server.held.length === 1),
                5_000,
                "the first request arrives"
              )
              const [outcome, took] = await timed(() =>
                client.request({ method: "GET", url: server.origin, timeoutMs: 5_000, retry: false })
              )
              assert.equal(failed(outcome, "BulkheadRejectedError").reason, "queue-timeout")
              between(took, 250, 5_000, "time in the queue")
              server.release()
              ok(await first)
              assert.equal(server.count(), 1)
            })
        )
    )

    t.it(
      "every way an attempt ends gives its slot back: circuit open, attempt timeout, interruption",
      () =>
        withServers(
          [statusServer([500]), startServer(() => {}), startServer(() => {}), statusServer([200])],
          (failing, silent, held, healthy) =>
            driver.withClient(
              { bulkhead: { maxConcurrent: 1, maxQueue: 0 }, circuitBreaker: consecutive(1) },
              async (client) => {
                const once = (origin: string, extra: { timeoutMs?: number; signal?: AbortSignal } = {}) =>
                  client.request({ method: "GET", url: origin, retry: false, ...extra })
                failed(await once(failing.origin), "StatusError")
                for (let i = 0; i < 3; i++) {
                  failed(await once(failing.origin), "CircuitOpenError")
                }
                ok(await once(healthy.origin))
                failed(await once(silent.origin, { timeoutMs: 300 }), "TimeoutError")
                ok(await once(healthy.origin))
                const abort = new AbortController()
                const interrupted = once(held.origin, { signal: abort.signal })
                await eventually(() => Promise.resolve(held.count() === 1), 5_000, "the request arrives")
                abort.abort()
                await interrupted.then(() => assert.fail("an interrupted call has no outcome"), () => undefined)
                ok(await once(healthy.origin))
                assert.equal(healthy.count(), 3)
              }
            )
        )
    )
  })

  t.describe("events", () => {
    t.it(
      "503 → 503 → 200 publishes RequestStarted, AttemptFailed, RetryScheduled twice, then Succeeded",
      () =>
        withServers([statusServer([503, 503, 200])], (server) =>
          driver.withClient({}, async (client) => {
            ok(await client.request({ method: "GET", url: `${server.origin}/e`, retry: fast(3) }))
            const events = (await client.events()).filter((e) => e.tag !== "CircuitStateChanged")
            assert.deepEqual(events.map((e) => e.tag), twoRetriesThenSuccess)
            assert.deepEqual(events.filter((e) => e.tag === "RequestStarted").map((e) => e.attempt), [1, 2, 3])
            assert.equal(events[1].errorTag, "StatusError")
            assert.equal(events[7].status, 200)
            assert.ok(events.every((e) => e.method === "GET" && e.url === `${server.origin}/e`))
          }))
    )

    t.it(
      "a call that fails outside any retry publishes AttemptFailed then Failed",
      () =>
        withServers([statusServer([500])], (server) =>
          driver.withClient({}, async (client) => {
            failed(await client.request({ method: "GET", url: server.origin, retry: false }), "StatusError")
            const events = (await client.events()).filter((e) => e.tag !== "CircuitStateChanged")
            assert.deepEqual(events.map((e) => e.tag), ["RequestStarted", "AttemptFailed", "Failed"])
            assert.equal(events[2].errorTag, "StatusError")
          }))
    )

    t.it(
      "a policy that gives up publishes Failed with reason exhausted",
      () =>
        withServers([statusServer([503])], (server) =>
          driver.withClient({}, async (client) => {
            failed(await client.request({ method: "GET", url: server.origin, retry: fast(1) }), "StatusError")
            const failedEvents = (await client.events()).filter((e) => e.tag === "Failed")
            assert.deepEqual(failedEvents.map((e) => e.reason), ["exhausted"])
          }))
    )
  })
}
