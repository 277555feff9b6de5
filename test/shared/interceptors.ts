/**
 * Shared bodies: interceptors (`interceptors` client option), what every edition runs on each attempt.
 */
import * as assert from "node:assert/strict"
import { ok } from "./check.js"
import type { Body, InterceptorSpec } from "./driver.js"
import { statusServer, withServers } from "./servers.js"

export const interceptorBodies: Body = (t, driver) => {
  t.describe("interceptors", () => {
    t.it(
      "run in declared order on every attempt, request side then response side",
      () =>
        withServers([statusServer([503, 200])], (server) => {
          const order: Array<string> = []
          const tagger = (name: string): InterceptorSpec => ({
            name,
            onRequest: (attempt) => {
              order.push(`${name} request ${attempt}`)
              return { via: name }
            },
            onResponse: (attempt, status) => void order.push(`${name} response ${attempt} ${status}`)
          })
          return driver.withClient({ interceptors: [tagger("a"), tagger("b")] }, async (client) => {
            const retry = { retries: 1, backoff: { kind: "constant", delayMs: 10 } } as const
            assert.equal(ok(await client.request({ method: "GET", url: `${server.origin}/o`, retry })).status, 200)
            assert.deepEqual(order, [
              "a request 1",
              "b request 1",
              "a response 1 503",
              "b response 1 503",
              "a request 2",
              "b request 2",
              "a response 2 200",
              "b response 2 200"
            ])
            assert.deepEqual(server.received.map((r) => r.url), ["/o?via=a&via=b", "/o?via=a&via=b"])
          })
        })
    )
  })
}
