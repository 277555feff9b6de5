import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Layer, Schedule, TestClock } from "effect"
import type * as http from "node:http"
import {
  Backoff,
  CircuitBreaker,
  HttpResilient,
  HttpResilientTest,
  ResilientClient,
  RetryPolicy
} from "../src/index.js"
import { serverScoped } from "./support/server.js"

/** Lets forked fibers run up to their first suspension. */
const settle = Effect.repeatN(Effect.yieldNow(), 20)

/** The status of a call, or the tag of its error. */
const outcomeOf = <E extends { readonly _tag: string }>(
  effect: Effect.Effect<{ readonly status: number }, E, ResilientClient.ResilientClient>
) =>
  Effect.match(effect, {
    onFailure: (error) => error._tag,
    onSuccess: (response) => response.status
  })

/** The paths the scripted transport saw. */
const paths = Effect.map(
  HttpResilientTest.requests,
  (sent) => sent.map((r) => `${r.method} ${new URL(r.url).pathname}`)
)

describe("routes: per-route policies in one client", () => {
  it.effect("the first route that matches wins; what it leaves unset, and calls no route matches, are the client's", () =>
    Effect.gen(function*() {
      // 404 everywhere: accepted only where a route's acceptStatus says so
      assert.strictEqual(yield* outcomeOf(HttpResilient.get("http://api.test/a/1")), 404)
      // routes[0] matches /a first, though routes[1] (POST) would too
      assert.strictEqual(yield* outcomeOf(HttpResilient.post("http://api.test/a/1")), 404)
      assert.strictEqual(yield* outcomeOf(HttpResilient.post("http://api.test/b")), "StatusError")
      // /ab is not under /a: a prefix matches whole segments
      assert.strictEqual(yield* outcomeOf(HttpResilient.get("http://api.test/ab")), "StatusError")
      // another origin: the route with an origin does not match; the client's acceptStatus
      assert.strictEqual(yield* outcomeOf(HttpResilient.del("http://other.test/c")), "StatusError")
      assert.strictEqual(yield* outcomeOf(HttpResilient.del("http://api.test/c")), 404)
      // a relative URL is matched once joined to baseUrl
      assert.strictEqual(yield* outcomeOf(HttpResilient.get("a/2")), 404)
      assert.deepStrictEqual(yield* paths, [
        "GET /a/1",
        "POST /a/1",
        "POST /b",
        "GET /ab",
        "DELETE /c",
        "DELETE /c",
        "GET /a/2"
      ])
    }).pipe(Effect.provide(HttpResilientTest.layer(() => HttpResilientTest.reply(404), {
      baseUrl: "http://api.test",
      routes: [
        { match: { pathPrefix: "/a" }, acceptStatus: [[200, 299], 404] },
        { match: { method: "POST", pathPrefix: "/a" }, acceptStatus: [500] },
        { match: { origin: "http://api.test", method: ["delete", "PUT"] }, acceptStatus: [404] }
      ]
    }))))

  it.effect("per-route retry: the route's policy, false, or the client's; a request's own retry wins over both", () =>
    Effect.gen(function*() {
      const count = Effect.map(HttpResilientTest.requests, (sent) => sent.length)
      let before = yield* count
      const sent = (path: string, options?: HttpResilient.RequestOptions) =>
        Effect.gen(function*() {
          assert.strictEqual(yield* outcomeOf(HttpResilient.get(`http://api.test${path}`, options)), "StatusError")
          const now = yield* count
          const n = now - before
          before = now
          return n
        })
      assert.strictEqual(yield* sent("/flaky"), 4) // routes[0]: recurs(3)
      assert.strictEqual(yield* sent("/once"), 1) // routes[1]: retry false
      assert.strictEqual(yield* sent("/other"), 2) // the client's: recurs(1)
      assert.strictEqual(yield* sent("/flaky", { retry: Schedule.recurs(2) }), 3)
      assert.strictEqual(yield* sent("/once", { retry: Schedule.recurs(2) }), 3)
    }).pipe(Effect.provide(HttpResilientTest.layer(() => HttpResilientTest.reply(503), {
      circuitBreaker: false,
      retry: Schedule.recurs(1),
      routes: [
        { match: { pathPrefix: "/flaky" }, retry: Schedule.recurs(3) },
        { match: { pathPrefix: "/once" }, retry: false }
      ]
    }))))

  it.effect("per-route timeout and deadline: the route's over the client's, the request's over the route's", () =>
    Effect.gen(function*() {
      const slow = yield* Effect.fork(outcomeOf(HttpResilient.get("http://api.test/slow")))
      const fast = yield* Effect.fork(outcomeOf(HttpResilient.get("http://api.test/other")))
      const own = yield* Effect.fork(outcomeOf(HttpResilient.get("http://api.test/slow", { timeout: "5 seconds" })))
      yield* settle
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(slow), "TimeoutError")
      yield* TestClock.adjust("2 seconds")
      assert.strictEqual(yield* Fiber.join(fast), 200)
      assert.strictEqual(yield* Fiber.join(own), 200)
      // the route's deadline bounds its retried call: 3 s of 503s and waits, then TimeoutError deadline
      const retried = yield* Effect.fork(Effect.flip(HttpResilient.get("http://api.test/slow/retried")))
      yield* settle
      for (let i = 0; i < 20; i++) {
        yield* TestClock.adjust("500 millis")
        yield* settle
      }
      const error = yield* Fiber.join(retried)
      assert.strictEqual(error._tag, "TimeoutError")
      assert.strictEqual(error._tag === "TimeoutError" && error.scope, "deadline")
    }).pipe(Effect.provide(HttpResilientTest.layer((request) =>
      request.url.endsWith("/retried")
        ? HttpResilientTest.reply(503, { delay: "100 millis" })
        : HttpResilientTest.reply(200, { delay: "2 seconds" }), {
      circuitBreaker: false,
      retryBudget: false,
      timeout: "10 seconds",
      routes: [
        {
          match: { pathPrefix: "/slow/retried" },
          retry: RetryPolicy.make({ retries: 100, backoff: Backoff.constant("400 millis") }),
          deadline: "3 seconds"
        },
        { match: { pathPrefix: "/slow" }, timeout: "1 second" }
      ]
    }))))

  it.effect("bad routes fail the layer with a ConfigError naming routes[i].field, the value and why", () =>
    Effect.gen(function*() {
      const problem = (routes: unknown) =>
        Effect.map(
          Effect.flip(Effect.scoped(Layer.build(ResilientClient.layer({ routes: routes as any })))),
          (error) => String(error)
        )
      assert.include(yield* problem("all"), `routes: "all" is not a list of routes`)
      assert.include(yield* problem([{}]), "routes[0].match: undefined is not { origin?, pathPrefix?, method? }")
      const many = yield* problem([
        { match: {} },
        { match: { pathPrefix: "api" }, timeout: 0, retry: 3 },
        { match: { origin: "https://user:s3cr3t@api.test/v1" }, circuitBreaker: { key: "path" } },
        { match: { method: "GE T" }, bulkhead: { maxConcurrent: 0 }, acceptStatus: [] },
        { match: {}, timout: "1 second" }
      ])
      assert.include(many, `routes[1].match.pathPrefix: "api" is not a path starting with "/"`)
      assert.include(many, "routes[1].timeout: 0 is not a positive finite duration")
      assert.include(many, "routes[1].retry: 3 is not a Schedule (e.g. a RetryPolicy) or false")
      assert.include(
        many,
        `routes[2].match.origin: "https://api.test/v1" is not an http: or https: origin such as ` +
          `"https://api.example.com" (no path: use pathPrefix)`
      )
      assert.notInclude(many, "s3cr3t")
      assert.include(many, `routes[2].circuitBreaker.key: "path" is not "origin", "route" or a function of the request`)
      assert.include(many, `routes[3].match.method: "GE T" is not a method ("GET") or a non-empty list of methods`)
      assert.include(many, "routes[3].bulkhead.maxConcurrent: 0 is not an integer ≥ 1")
      assert.include(many, "routes[3].acceptStatus: [] is not a predicate or a non-empty list of statuses")
      assert.include(many, `routes[4].timout: unknown option`)
      const key = yield* Effect.flip(
        Effect.scoped(Layer.build(ResilientClient.layer({ circuitBreaker: { key: 5 as any } })))
      )
      assert.include(String(key), `circuitBreaker.key: 5 is not "origin", "route" or a function of the request`)
    }))
})

describe("routes: circuitBreaker.key, measured on a real server", () => {
  /** /broken always 503, anything else 200. */
  const server = serverScoped((req: http.IncomingMessage, res: http.ServerResponse) => {
    res.statusCode = req.url?.startsWith("/broken") ? 503 : 200
    res.end()
  })

  /** The share of 40 calls to `path` that failed, after 40 calls to /broken. */
  const failureShares = (key: CircuitBreaker.BreakerKey) =>
    Effect.gen(function*() {
      const { url } = yield* server
      const share = (path: string) =>
        Effect.map(
          Effect.forEach(Array.from({ length: 40 }, () => path), (p) => Effect.exit(HttpResilient.get(`${url}${p}`))),
          (exits) => exits.filter(Exit.isFailure).length / exits.length
        )
      const client = ResilientClient.layer({
        circuitBreaker: { key, strategy: CircuitBreaker.ratio({ minThroughput: 10 }), breakDuration: "1 minute" },
        routes: [{ match: { pathPrefix: "/broken" } }, { match: { pathPrefix: "/healthy" } }]
      })
      return yield* Effect.gen(function*() {
        const broken = yield* share("/broken/x")
        const healthy = yield* share("/healthy/y")
        const unrouted = yield* share("/elsewhere")
        const state = yield* ResilientClient.circuitState(url)
        return { broken, healthy, unrouted, state }
      }).pipe(Effect.provide(client))
    })

  it.scoped("key \"origin\": after a 100 % 503 endpoint opens the breaker, a healthy path fails 100 %", () =>
    Effect.gen(function*() {
      const shares = yield* failureShares("origin")
      assert.deepStrictEqual(shares, { broken: 1, healthy: 1, unrouted: 1, state: "open" })
    }))

  it.scoped("key \"route\": the healthy path and the rest of the origin fail 0 %", () =>
    Effect.gen(function*() {
      const shares = yield* failureShares("route")
      assert.deepStrictEqual(shares, { broken: 1, healthy: 0, unrouted: 0, state: "closed" })
    }))

  it.scoped("key as a function of the request: one breaker per value", () =>
    Effect.gen(function*() {
      const shares = yield* failureShares((request) => request.url.pathname.split("/")[1] ?? "")
      assert.deepStrictEqual(shares, { broken: 1, healthy: 0, unrouted: 0, state: "closed" })
    }))

  it.scoped("a route's own circuitBreaker and bulkhead are separate compartments", () =>
    Effect.gen(function*() {
      const held: Array<http.ServerResponse> = []
      const { url } = yield* serverScoped((req, res) => {
        if (req.url?.startsWith("/hold")) held.push(res)
        else {
          res.statusCode = req.url?.startsWith("/broken") ? 503 : 200
          res.end()
        }
      })
      yield* Effect.addFinalizer(() => Effect.sync(() => held.splice(0).forEach((res) => res.end())))
      const client = ResilientClient.layer({
        circuitBreaker: CircuitBreaker.consecutive(100),
        bulkhead: { maxConcurrent: 10 },
        routes: [
          { match: { pathPrefix: "/broken" }, circuitBreaker: { strategy: CircuitBreaker.consecutive(2) } },
          { match: { pathPrefix: "/hold" }, bulkhead: { maxConcurrent: 1, maxQueue: 0 } }
        ]
      })
      yield* Effect.gen(function*() {
        // the route's own breaker (keyed by origin in its own registry) opens; the client's stays closed
        for (let i = 0; i < 3; i++) yield* Effect.exit(HttpResilient.get(`${url}/broken`))
        const broken = yield* Effect.flip(HttpResilient.get(`${url}/broken`))
        assert.strictEqual(broken._tag, "CircuitOpenError")
        assert.strictEqual((yield* HttpResilient.get(`${url}/fine`)).status, 200)
        assert.strictEqual(yield* ResilientClient.circuitState(url), "closed")
        // the route's bulkhead: one at a time; the client's compartment is not touched by it
        const first = yield* Effect.fork(HttpResilient.get(`${url}/hold/1`))
        yield* Effect.promise(() =>
          new Promise<void>((ok) => {
            const poll = () => (held.length > 0 ? ok() : setTimeout(poll, 5))
            poll()
          })
        )
        const second = yield* Effect.flip(HttpResilient.get(`${url}/hold/2`))
        assert.strictEqual(second._tag, "BulkheadRejectedError")
        assert.strictEqual((yield* HttpResilient.get(`${url}/fine`)).status, 200)
        held.splice(0).forEach((res) => res.end())
        assert.strictEqual((yield* Fiber.join(first)).status, 200)
      }).pipe(Effect.provide(client))
    }))

  it.effect("breakers by key stay bounded by maxOrigins, as per-origin ones: a key per request keeps at most the cap", () =>
    Effect.gen(function*() {
      for (let i = 0; i < 50; i++) yield* HttpResilient.get(`http://api.test/item/${i}`)
      const health = yield* ResilientClient.health
      assert.strictEqual(health.origins.length, 5)
      assert.deepStrictEqual(health.origins.map((o) => o.key), [45, 46, 47, 48, 49].map((i) => `/item/${i}`))
    }).pipe(Effect.provide(HttpResilientTest.layer(() => HttpResilientTest.reply(200), {
      maxOrigins: 5,
      circuitBreaker: { key: (request) => request.url.pathname }
    }))))

  it.effect("a client with routes runs each call in the calling fiber, as a client without routes does", () =>
    Effect.gen(function*() {
      // the verbs run a call through the body its `request` carries (no step to enter `request`); a routed client's
      // request carries one that dispatches by route
      const service = yield* ResilientClient.ResilientClient
      const run = (service.request as unknown as Record<symbol, unknown>)[Symbol.for("effect-http-resilient/RunIn")]
      assert.isFunction(run)
      assert.strictEqual((yield* HttpResilient.get("http://api.test/x/1")).status, 201)
      assert.strictEqual((yield* HttpResilient.get("http://api.test/y")).status, 200)
    }).pipe(Effect.provide(HttpResilientTest.layer(
      (request) => HttpResilientTest.reply(new URL(request.url).pathname.startsWith("/x") ? 201 : 200),
      { routes: [{ match: { pathPrefix: "/x" }, retry: false }] }
    ))))

  it.effect("a client without routes takes no route: the error of a bad URL is the same", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(HttpResilient.get("nota url"))
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        const error = Cause.failureOption(exit.cause)
        assert.strictEqual(error._tag === "Some" && error.value._tag, "InvalidRequestError")
      }
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)], {
      routes: [{ match: { pathPrefix: "/x" }, retry: false }]
    }))))
})
