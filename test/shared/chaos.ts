/**
 * Shared bodies: `HttpResilientTest.chaos`, fault injection at a rate over a real transport, seeded.
 */
import * as assert from "node:assert/strict"
import type { Body, ChaosSpec, DriverClient } from "./driver.js"
import { startServer, withServers } from "./servers.js"

/** Each call's outcome in order: its status, or its error's tag (a transport fault: its reason). */
const outcomesOf = async (client: DriverClient, origin: string, calls: number): Promise<Array<string>> => {
  const outcomes: Array<string> = []
  for (let i = 0; i < calls; i++) {
    const outcome = await client.request({ method: "GET", url: `${origin}/${i}`, retry: false })
    outcomes.push(
      outcome.ok
        ? String(outcome.status)
        : outcome.tag === "StatusError"
        ? String(outcome.status)
        : `${outcome.tag} ${outcome.reason ?? ""}`.trim()
    )
  }
  return outcomes
}

export const chaosBodies: Body = (t, driver) => {
  t.describe("HttpResilientTest.chaos", () => {
    t.it(
      "injects statuses and faults at about the rates over a real server, the same ones for the same seed",
      () =>
        withServers([startServer((_req, res) => res.end("real"))], async (server) => {
          const chaos = (seed: number): ChaosSpec => ({
            seed,
            status: { rate: 0.3, status: 502 },
            fault: { rate: 0.2, reason: "ConnectionReset" }
          })
          const run = async (seed: number) => {
            const before = server.count()
            let outcomes: Array<string> = []
            await driver.withClient({ chaos: chaos(seed), circuitBreaker: false }, async (client) => {
              outcomes = await outcomesOf(client, server.origin, 50)
            })
            return { outcomes, reached: server.count() - before }
          }
          const a = await run(7)
          const b = await run(7)
          const c = await run(8)
          assert.deepEqual(a.outcomes, b.outcomes)
          assert.notDeepEqual(a.outcomes, c.outcomes)
          // what was injected never reached the server; the rest did, and was answered by it
          assert.equal(a.reached, a.outcomes.filter((o) => o === "200").length)
          const injected = a.outcomes.filter((o) => o !== "200")
          assert.ok(injected.length > 5 && injected.length < 40, `injected ${injected.length} of 50`)
          assert.ok(injected.includes("502") && injected.includes("TransportError ConnectionReset"), String(injected))
          assert.ok(injected.every((o) => o === "502" || o === "TransportError ConnectionReset"), String(injected))
        })
    )

    t.it("a rate outside 0..1 is refused, naming it, the value and why", async () => {
      await assert.rejects(
        driver.withClient({ chaos: { status: { rate: 2 } } }, async () => {}),
        (error: Error) => {
          assert.ok(error instanceof RangeError, String(error))
          assert.match(error.message, /HttpResilientTest\.chaos: status\.rate 2 is not within 0\.\.1/)
          return true
        }
      )
      await assert.rejects(
        driver.withClient({ chaos: { latency: { rate: -0.5, delayMs: 10 } } }, async () => {}),
        /HttpResilientTest\.chaos: latency\.rate -0\.5 is not within 0\.\.1/
      )
    })
  })
}
