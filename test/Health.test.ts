import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import type * as http from "node:http"
import { HttpResilient, ResilientClient } from "../src/index.js"
import { serverScoped } from "./support/server.js"

/** /broken always 503, /hold held until released, anything else 200. */
const server = Effect.gen(function*() {
  const held: Array<http.ServerResponse> = []
  const s = yield* serverScoped((req, res) => {
    if (req.url?.startsWith("/hold")) held.push(res)
    else {
      res.statusCode = req.url?.startsWith("/broken") ? 503 : 200
      res.end()
    }
  })
  const release = () => held.splice(0).forEach((res) => res.end())
  yield* Effect.addFinalizer(() => Effect.sync(release))
  return { url: s.url, held, release }
})

/** Waits (real time, bounded) until `n` requests are held. */
const heldCount = (held: ReadonlyArray<unknown>, n: number) =>
  Effect.promise(() =>
    new Promise<void>((ok, fail) => {
      const until = Date.now() + 5_000
      const poll = () =>
        held.length >= n ? ok() : Date.now() > until ? fail(new Error("not held")) : setTimeout(poll, 5)
      poll()
    })
  )

describe("ResilientClient.health and healthy", () => {
  // before and after failures, healthy() and healthy(origin): the shared suite (test/shared/pool.ts)
  it.scoped("in-flight and queued attempts, per breaker and per bulkhead compartment (the client's, a route's own)", () =>
    Effect.gen(function*() {
      const { held, release, url } = yield* server
      yield* Effect.gen(function*() {
        const calls = yield* Effect.forEach(
          ["/hold/a", "/hold/b", "/hold/c"],
          (path) => Effect.fork(HttpResilient.get(`${url}${path}`)),
          { concurrency: "unbounded" }
        )
        yield* heldCount(held, 1)
        const busy = yield* ResilientClient.health
        assert.deepStrictEqual(busy.bulkheads, [
          { route: undefined, inFlight: 0, queued: 0, maxConcurrent: 5, maxQueue: 0 },
          { route: "routes[0]", inFlight: 1, queued: 2, maxConcurrent: 1, maxQueue: 5 }
        ])
        assert.strictEqual(busy.origins.length, 1)
        assert.strictEqual(busy.origins[0].inFlight, 1)
        assert.strictEqual(busy.origins[0].key, `${url} routes[0]`)
        assert.strictEqual(busy.origins[0].route, "routes[0]")
        // the held attempts leave one by one
        for (let i = 2; i <= 3; i++) {
          release()
          yield* heldCount(held, 1)
        }
        release()
        for (const call of calls) assert.strictEqual((yield* Fiber.join(call)).status, 200)
        const idle = yield* ResilientClient.health
        assert.deepStrictEqual(idle.bulkheads.map((b) => [b.inFlight, b.queued]), [[0, 0], [0, 0]])
        assert.strictEqual(idle.origins[0].inFlight, 0)
        assert.isTrue(idle.healthy)
      }).pipe(Effect.provide(ResilientClient.layer({
        bulkhead: { maxConcurrent: 5 },
        circuitBreaker: { key: "route" },
        routes: [{ match: { pathPrefix: "/hold" }, bulkhead: { maxConcurrent: 1, maxQueue: 5 } }]
      })))
    }))

  // a client with every protection off: the shared suite (test/shared/pool.ts)

  // the retry budget left as retries spend it: the shared suite (test/shared/pool.ts)
})
