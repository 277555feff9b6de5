/**
 * Shared bodies: the `attempts` request option — the n-th entry over the call's options for attempt n, the last one
 * for the attempts after the list (buffered and streamed), and every entry checked before anything is sent.
 */
import * as assert from "node:assert/strict"
import { failed, fast, ok } from "./check.js"
import type { Body } from "./driver.js"
import { startServer, statusServer, withServers } from "./servers.js"

export const attemptBodies: Body = (t, driver) => {
  t.describe("per-attempt options (attempts)", () => {
    t.it(
      "each attempt takes its entry over the call's options (an option it sets replaces the call's); the last repeats",
      () =>
        withServers([statusServer([503])], (server) =>
          driver.withClient({}, async (client) => {
            failed(
              await client.request({
                method: "PUT",
                url: `${server.origin}/a`,
                headers: { "x-base": "b" },
                body: { text: "first" },
                attempts: [{ urlParams: { try: "1" } }, {
                  headers: { "x-n": "2" },
                  urlParams: { try: "2" },
                  body: { text: "later" }
                }],
                retry: fast(3)
              }),
              "StatusError"
            )
            assert.deepEqual(server.received.map((r) => [r.headers["x-n"], r.headers["x-base"], r.url, r.body]), [
              [undefined, "b", "/a?try=1", "first"],
              ["2", undefined, "/a?try=2", "later"],
              ["2", undefined, "/a?try=2", "later"],
              ["2", undefined, "/a?try=2", "later"]
            ])
          }))
    )

    t.it(
      "an entry's timeout is its attempt's: a short first attempt times out, the next one waits",
      () =>
        withServers(
          [startServer((_req, res) => void setTimeout(() => res.end("late"), 400))],
          (server) =>
            driver.withClient({}, async (client) => {
              const res = ok(
                await client.request({
                  method: "GET",
                  url: `${server.origin}/slow`,
                  attempts: [{ timeoutMs: 100 }, { timeoutMs: 10_000 }],
                  retry: fast(2)
                })
              )
              assert.equal(res.body, "late")
              assert.equal(server.count(), 2)
              const failedAttempts = (await client.events()).filter((e) => e.tag === "AttemptFailed")
              assert.deepEqual(failedAttempts.map((e) => [e.attempt, e.errorTag]), [[1, "TimeoutError"]])
            })
        )
    )

    t.it(
      "a streaming verb's attempts take their entries by number",
      () =>
        withServers([statusServer([503, 200])], (server) =>
          driver.withClient({}, async (client) => {
            const streamed = await client.stream({
              verb: "lines",
              url: `${server.origin}/s`,
              attempts: [{ headers: { "x-try": "1" } }, { headers: { "x-try": "2" } }],
              retry: fast(2)
            })
            assert.equal(streamed.error, undefined, streamed.error?.message)
            assert.deepEqual(streamed.items, ["ok"])
            assert.deepEqual(server.received.map((r) => r.headers["x-try"]), ["1", "2"])
          }))
    )

    t.it(
      "a bad entry fails the call with InvalidRequestError naming attempts[i], before anything is sent",
      () =>
        withServers([statusServer([200])], (server) =>
          driver.withClient({}, async (client) => {
            const cases = [
              [[{}, { raw: { timeout: -1 } }], "InvalidOption", "attempts[1].timeout: -1 is not"],
              [[{ raw: { retry: false } }], "InvalidOption", "attempts[0].retry: applies to the whole call"],
              [[{ raw: { deadline: 1000 } }], "InvalidOption", "attempts[0].deadline: applies to the whole call"],
              [[{ raw: { attempts: [] } }], "InvalidOption", "attempts[0].attempts: applies to the whole call"],
              [
                [{ raw: { timout: 5 } }],
                "InvalidOption",
                `attempts[0]."timout": unknown option (did you mean "timeout"?)`
              ],
              [[{}, {}, { raw: { text: 5 } }], "InvalidBody", "attempts[2].text: expected a string"],
              [[{ raw: { headers: { "x-a": "a\nb" } } }], "InvalidHeader", "attempts[0].headers:"]
            ] as const
            for (const [attempts, reason, message] of cases) {
              const error = failed(
                await client.request({ method: "GET", url: `${server.origin}/x`, attempts, retry: fast(2) }),
                "InvalidRequestError"
              )
              assert.equal(error.reason, reason, message)
              assert.ok(error.message.includes(message), `${error.message} does not include ${message}`)
              assert.equal(error.attempt, 1)
            }
            assert.equal(server.count(), 0)
          }))
    )
  })
}
