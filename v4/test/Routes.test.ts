import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import {
  Backoff,
  CircuitBreaker,
  HttpResilient,
  HttpResilientTest,
  ResilientClient,
  RetryPolicy
} from "effect-http-resilient/v4"
import type * as Config from "effect/Config"
import { TestClock } from "effect/testing"

const policy = RetryPolicy.make({ retries: 2, backoff: Backoff.constant("1 second") })

/** What building a client of `options` fails with (its cause's message). */
const buildError = (options: ResilientClient.ClientOptions) =>
  Effect.map(
    Effect.flip(Effect.scoped(Layer.build(ResilientClient.layer(options)))),
    (error: Config.ConfigError) => error.cause.message
  )

describe("routes (scripted transport, TestClock)", () => {
  it.effect("the first route whose match holds sets the call's retry; a call no route takes runs as the client's", () =>
    Effect.gen(function*() {
      // POST /jobs: the first route (retry off) wins over the second (any /jobs: retried)
      const posted = yield* Effect.flip(HttpResilient.post("http://api.test/jobs/1"))
      assert.strictEqual(posted._tag, "StatusError")
      assert.strictEqual((yield* HttpResilientTest.requests).length, 1)
      // GET /jobs: the second route retries it
      const fiber = yield* Effect.forkChild(Effect.flip(HttpResilient.get("http://api.test/jobs/1")))
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(fiber)
      assert.strictEqual((yield* HttpResilientTest.requests).length, 4)
      // /jobsite is not under /jobs: the client's own (no retry)
      yield* Effect.flip(HttpResilient.get("http://api.test/jobsite"))
      assert.strictEqual((yield* HttpResilientTest.requests).length, 5)
      // another origin: no route
      yield* Effect.flip(HttpResilient.get("http://other.test/jobs/1"))
      assert.strictEqual((yield* HttpResilientTest.requests).length, 6)
    }).pipe(
      Effect.provide(HttpResilientTest.layer(() => HttpResilientTest.reply(503), {
        routes: [
          { match: { method: "POST", pathPrefix: "/jobs" }, retry: false },
          { match: { origin: "http://api.test", pathPrefix: "/jobs" }, retry: policy }
        ]
      }))
    ))

  it.effect("a route's acceptStatus and timeout are the call's, the client's elsewhere", () =>
    Effect.gen(function*() {
      const found = yield* HttpResilient.get("http://api.test/lookup/x")
      assert.strictEqual(found.status, 404)
      const other = yield* Effect.flip(HttpResilient.get("http://api.test/other"))
      assert.strictEqual(other._tag, "StatusError")
      const fiber = yield* Effect.forkChild(Effect.flip(HttpResilient.get("http://api.test/slow")))
      yield* TestClock.adjust("1 second")
      const slow = yield* Fiber.join(fiber)
      assert.strictEqual(slow._tag, "TimeoutError")
    }).pipe(
      Effect.provide(HttpResilientTest.layer((request) =>
        request.url.includes("/slow")
          ? HttpResilientTest.reply(200, { delay: "5 seconds" })
          : HttpResilientTest.reply(404), {
        routes: [
          { match: { pathPrefix: "/lookup" }, acceptStatus: [200, 404] },
          { match: { pathPrefix: "/slow" }, timeout: "1 second" }
        ]
      }))
    ))

  it.effect("a route's breakers keyed by route open for its calls alone; the client's breaker of the origin stays closed", () =>
    Effect.gen(function*() {
      for (let i = 0; i < 2; i++) yield* Effect.flip(HttpResilient.get("http://api.test/flaky/x"))
      const rejected = yield* Effect.flip(HttpResilient.get("http://api.test/flaky/y"))
      assert.strictEqual(rejected._tag, "CircuitOpenError")
      assert.strictEqual((yield* HttpResilientTest.requests).length, 2)
      // the same origin off the route: its own breaker, closed
      const ok = yield* Effect.flip(HttpResilient.get("http://api.test/stable"))
      assert.strictEqual(ok._tag, "StatusError")
      assert.strictEqual((yield* HttpResilientTest.requests).length, 3)
      assert.strictEqual(yield* ResilientClient.circuitState("http://api.test"), "closed")
      // health reports the route's breaker under its key, with its route and origin
      const health = yield* ResilientClient.health
      const routed = health.origins.find((o) => o.route === "routes[0]")
      assert.strictEqual(routed?.key, "http://api.test routes[0]")
      assert.strictEqual(routed?.origin, "http://api.test")
      assert.strictEqual(routed?.state, "open")
    }).pipe(
      Effect.provide(HttpResilientTest.layer(() => HttpResilientTest.reply(503), {
        circuitBreaker: CircuitBreaker.consecutive(5),
        routes: [
          { match: { pathPrefix: "/flaky" }, circuitBreaker: { strategy: CircuitBreaker.consecutive(2), key: "route" } }
        ]
      }))
    ))

  it.effect("the client's key \"route\" keys the breakers routes share with it, a persisted breaker's store included", () =>
    Effect.gen(function*() {
      for (let i = 0; i < 2; i++) yield* Effect.flip(HttpResilient.get("http://api.test/flaky/x"))
      assert.strictEqual((yield* Effect.flip(HttpResilient.get("http://api.test/flaky/y")))._tag, "CircuitOpenError")
      assert.strictEqual((yield* HttpResilientTest.requests).length, 2)
      // the origin's own key, off any route: closed, so the call is sent
      assert.strictEqual((yield* Effect.flip(HttpResilient.get("http://api.test/stable")))._tag, "StatusError")
      assert.strictEqual((yield* HttpResilientTest.requests).length, 3)
      assert.strictEqual(yield* ResilientClient.circuitState("http://api.test"), "closed")
    }).pipe(
      Effect.provide(HttpResilientTest.layer(() => HttpResilientTest.reply(503), {
        circuitBreaker: {
          strategy: CircuitBreaker.persisted({ tripPolicy: { _tag: "Consecutive", failures: 2 } }),
          key: "route"
        },
        routes: [{ match: { pathPrefix: "/flaky" } }]
      }))
    ))

  it.effect("a route's bulkhead bounds its calls alone", () =>
    Effect.gen(function*() {
      const first = yield* Effect.forkChild(HttpResilient.get("http://api.test/narrow/1"))
      yield* TestClock.adjust("10 millis")
      const second = yield* Effect.flip(HttpResilient.get("http://api.test/narrow/2"))
      assert.strictEqual(second._tag, "BulkheadRejectedError")
      const elsewhere = yield* Effect.forkChild(HttpResilient.get("http://api.test/wide"))
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(first)).status, 200)
      assert.strictEqual((yield* Fiber.join(elsewhere)).status, 200)
    }).pipe(
      Effect.provide(HttpResilientTest.layer(() => HttpResilientTest.reply(200, { delay: "100 millis" }), {
        routes: [{ match: { pathPrefix: "/narrow" }, bulkhead: { maxConcurrent: 1, maxQueue: 0 } }]
      }))
    ))

  it.effect("bad routes name the field, the value and why", () =>
    Effect.gen(function*() {
      assert.match(
        yield* buildError({ routes: [{ match: { origin: "https://api.test/v1" } }] }),
        /routes\[0\]\.match\.origin.*https:\/\/api\.test\/v1.*an http: or https: origin/
      )
      assert.match(
        yield* buildError({ routes: [{ match: {} }, { match: { pathPrefix: "v1" } }] }),
        /routes\[1\]\.match\.pathPrefix.*"v1".*a path starting with "\/"/
      )
      assert.match(
        yield* buildError({ routes: [{ match: { method: [] } }] }),
        /routes\[0\]\.match\.method.*a method \("GET"\) or a non-empty list of methods/
      )
      assert.match(
        yield* buildError({ routes: [{ match: {}, timeout: "0 millis" }] }),
        /routes\[0\]\.timeout.*positive/
      )
      assert.match(
        yield* buildError({ routes: [{ match: {}, bulkhead: { maxConcurrent: 0 } }] }),
        /routes\[0\]\.bulkhead\.maxConcurrent.*0.*a positive integer/
      )
      assert.match(yield* buildError({ routes: "x" as any }), /routes.*"x".*a list of routes/)
      // the client's key is checked as a route's
      assert.match(
        yield* buildError({ circuitBreaker: { key: "path" as any } }),
        /circuitBreaker\.key.*"path".*"origin", "route" or a function of the request/
      )
      // a route's own breakers are in memory, as the root entry's: the persisted strategy is the client's only
      assert.match(
        yield* buildError({ routes: [{ match: {}, circuitBreaker: CircuitBreaker.persisted() }] }),
        /routes\[0\]\.circuitBreaker\.strategy.*"Persisted".*an in-memory strategy on a route/
      )
    }))
})
