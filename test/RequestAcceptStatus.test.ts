import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Backoff, HttpResilient, ResilientClient, RetryPolicy } from "../src/index.js"
import { serverScoped } from "./support/server.js"

/** A real server on loopback answering the status named by the path (`/404` → 404), and 200 to `/`. */
const byPath = serverScoped((req, res) => {
  const status = Number((req.url ?? "/").slice(1).split("?")[0])
  res.statusCode = Number.isInteger(status) && status >= 200 ? status : 200
  res.end(String(res.statusCode))
})

describe("the request option acceptStatus", () => {
  it.scopedLive("replaces the client's for the request: a list with ranges, and a predicate", () =>
    Effect.gen(function*() {
      const server = yield* byPath
      yield* Effect.gen(function*() {
        const notFound = yield* HttpResilient.get(`${server.url}/404`, { acceptStatus: [[200, 299], 404] })
        assert.strictEqual(notFound.status, 404)
        const byPredicate = yield* HttpResilient.get(`${server.url}/410`, { acceptStatus: (s) => s === 410 })
        assert.strictEqual(byPredicate.status, 410)
        // the client's own (200–399) still applies to other requests
        const error = yield* Effect.flip(HttpResilient.get(`${server.url}/404`))
        assert.strictEqual(error._tag, "StatusError")
        // a status the client accepts, rejected by the request's
        const rejected = yield* Effect.flip(HttpResilient.get(`${server.url}/204`, { acceptStatus: [200] }))
        if (rejected._tag !== "StatusError") return assert.fail(rejected._tag)
        assert.strictEqual(rejected.status, 204)
      }).pipe(Effect.provide(ResilientClient.layer({})))
    }))

  it.scopedLive("a status it rejects is retried by a RetryPolicy that retries it", () =>
    Effect.gen(function*() {
      const server = yield* byPath
      const policy = RetryPolicy.make({ retries: 2, backoff: Backoff.constant("5 millis"), statuses: [200] })
      const error = yield* Effect.flip(
        HttpResilient.get(`${server.url}/200`, { acceptStatus: [201], retry: policy }).pipe(
          Effect.provide(ResilientClient.layer({}))
        )
      )
      assert.strictEqual(error._tag, "StatusError")
      assert.strictEqual(server.received.length, 3)
    }))

  it.effect("a bad value is an InvalidRequestError naming the option, before anything is sent", () =>
    Effect.gen(function*() {
      for (const acceptStatus of [[], [99], [[300, 200]], "200", 200]) {
        const error = yield* Effect.flip(HttpResilient.get("http://127.0.0.1:9/x", { acceptStatus } as any))
        assert.strictEqual(error._tag, "InvalidRequestError")
        assert.include(error.message, "acceptStatus: expected a predicate or a non-empty list")
      }
    }).pipe(Effect.provide(ResilientClient.layer({}))))
})
