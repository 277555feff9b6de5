import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Random, Schedule, TestClock } from "effect"
import type { HttpResilientError } from "../src/HttpResilientError.js"
import { Backoff, HttpResilient, HttpResilientTest, ResilientClient, RetryBudget, RetryPolicy } from "../src/index.js"
import { serverScoped } from "./support/server.js"
import { withTurnClock } from "./support/turnClock.js"

/**
 * `calls` logical calls, one every `everyMillis` of virtual time, each retried by `RetryPolicy.make({ retries: 3 })`.
 * The tests that drive it run on `withTurnClock` (test/support/turnClock.ts): the same virtual time, without a 1 ms
 * timer per sleep. The backoff's jitter draws from a seeded `Random`, so a run's traffic (which calls meet which
 * scripted answers) is the same on every run: the shares asserted are of one fixed sample, not of a fresh one that
 * lands a few calls either side of a 99 % bound.
 */
const load = (calls: number, everyMillis: number) =>
  Effect.withRandom(
    Effect.gen(function*() {
      const policy = RetryPolicy.make({ retries: 3 })
      const fibers: Array<Fiber.RuntimeFiber<unknown, HttpResilientError>> = []
      for (let i = 0; i < calls; i++) {
        fibers.push(yield* Effect.fork(Effect.retry(HttpResilient.get(`http://api.test/items/${i}`), policy)))
        yield* TestClock.adjust(everyMillis)
      }
      yield* TestClock.adjust("1 minute")
      const exits = yield* Effect.forEach(fibers, Fiber.await)
      const requests = (yield* HttpResilientTest.requests).length
      return { succeeded: exits.filter(Exit.isSuccess).length, requests, exits }
    }),
    Random.make(1)
  )

/** A seeded generator, so the "random" failures are the same on every run. */
const seeded = (seed: number) => {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    return state / 2_147_483_648
  }
}

const failingShareOf = (
  share: number,
  fault: () => HttpResilientTest.Step,
  seed = 7
): HttpResilientTest.Script => {
  const next = seeded(seed)
  return () => next() < share ? fault() : HttpResilientTest.reply(200)
}

const failingShare = (share: number, seed = 7): HttpResilientTest.Script =>
  failingShareOf(share, () => HttpResilientTest.reply(503), seed)

const flakyReply = (() => {
  const next = seeded(11)
  return () => next() < 0.3 ? HttpResilientTest.reply(503) : HttpResilientTest.reply(200)
})()

describe("RetryBudget", () => {
  it("make: retries within ratio × first attempts plus the reserve, over a rolling window", () => {
    const budget = RetryBudget.make({ ratio: 0.2, window: "10 seconds", minRetriesPerSecond: 0 })
    for (let i = 0; i < 10; i++) budget.recordRequest(0)
    assert.isTrue(budget.tryRetry(0))
    budget.recordRequest(0)
    assert.isTrue(budget.tryRetry(0))
    budget.recordRequest(0)
    assert.isFalse(budget.tryRetry(0), "2 retries for 10 first attempts is the limit")
    assert.strictEqual(budget.available(0), 0)
    // a full window later everything is forgotten
    assert.isFalse(budget.tryRetry(9_999))
    assert.isFalse(budget.tryRetry(10_000), "no first attempts in the window any more")
    for (let i = 0; i < 5; i++) budget.recordRequest(10_000)
    assert.isTrue(budget.tryRetry(10_000))

    const reserve = RetryBudget.make({ ratio: 0.2, window: "10 seconds", minRetriesPerSecond: 1 })
    let granted = 0
    while (reserve.tryRetry(0)) granted++
    assert.strictEqual(granted, 10, "a quiet client still has minRetriesPerSecond × window")
    assert.throws(() => RetryBudget.make({ ratio: -1 }), /retryBudget\.ratio: -1 is not a number from 0 to 1000/)
  })

  let retriedOnce = 0
  it.effect("every attempt is recorded: the client's budget grows with traffic", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* RetryBudget.available, 0)
      for (let i = 0; i < 10; i++) yield* HttpResilient.get("http://api.test/x")
      assert.strictEqual(yield* RetryBudget.available, 5)
      // a call answered 503 is retried after 1 s
      const retried = yield* Effect.fork(
        Effect.retry(
          HttpResilient.get("http://api.test/retried"),
          RetryPolicy.make({ retries: 1, backoff: Backoff.constant("1 second") })
        )
      )
      yield* TestClock.adjust("500 millis")
      // a granted retry is spent at once: 11 first attempts, 1 retry (unspent it would be 5)
      assert.strictEqual(yield* RetryBudget.available, 4)
      yield* TestClock.adjust("500 millis")
      assert.strictEqual((yield* Fiber.join(retried)).status, 200)
      // its attempt, when it goes, is a request but not a first attempt (as a first attempt it would be 5)
      assert.strictEqual(yield* RetryBudget.available, 4)
      yield* HttpResilient.get("http://api.test/x")
      assert.strictEqual(yield* RetryBudget.available, 5)
    }).pipe(Effect.provide(HttpResilientTest.layer(
      (request) => HttpResilientTest.reply(request.url.endsWith("/retried") && !retriedOnce++ ? 503 : 200),
      // the classic budget: the one 503 does not scale the ratio down
      { retryBudget: { ratio: 0.5, minRetriesPerSecond: 0, adaptive: false } }
    ))))

  it.effect("1,000 calls at 100/s into a 100 % 503 outage, 3 retries each: at most 1.1 requests per call", () =>
    Effect.gen(function*() {
      const { exits, requests, succeeded } = yield* load(1_000, 10)
      assert.strictEqual(succeeded, 0)
      const refused = exits.filter((e) =>
        Exit.isFailure(e) && e.cause._tag === "Fail" && e.cause.error._tag === "RetryBudgetExhaustedError"
      )
      assert.isAtLeast(refused.length, 900, "most calls were refused a retry by the budget")
      const amplification = requests / 1_000
      // an origin failing every attempt has health 0: the ratio adds nothing, the reserve (10 a second) is all
      assert.isAtMost(amplification, 1.1)
      // the budget was used, not just refused: the reserve was spent
      assert.isAtLeast(amplification, 1.09)
    }).pipe(
      Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(503)], { circuitBreaker: false })),
      withTurnClock
    ))

  it.effect("the classic budget (adaptive: false) spends its 20 % in the same outage: 1.3 requests per call", () =>
    Effect.gen(function*() {
      const { requests } = yield* load(1_000, 10)
      assert.isAtMost(requests / 1_000, 1.3)
      assert.isAtLeast(requests / 1_000, 1.25)
    }).pipe(
      Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(503)], {
        circuitBreaker: false,
        retryBudget: { ratio: 0.2, adaptive: false }
      })),
      withTurnClock
    ))

  it.effect("30 % random 503s, default client: ≥ 99 % of calls succeed at ≤ 1.45 requests per call", () =>
    Effect.gen(function*() {
      const { requests, succeeded } = yield* load(2_000, 10)
      assert.isAtLeast(succeeded / 2_000, 0.99)
      assert.isAtMost(requests / 2_000, 1.45)
    }).pipe(Effect.provide(HttpResilientTest.layer(failingShare(0.3))), withTurnClock))

  it.effect("30 % dropped connections, default client: ≥ 99 % of calls succeed at ≤ 1.45 requests per call", () =>
    Effect.gen(function*() {
      const { requests, succeeded } = yield* load(2_000, 10)
      assert.isAtLeast(succeeded / 2_000, 0.99)
      assert.isAtMost(requests / 2_000, 1.45)
    }).pipe(
      Effect.provide(HttpResilientTest.layer(failingShareOf(0.3, () => HttpResilientTest.fault("ConnectionReset")))),
      withTurnClock
    ))

  it.effect("budgets are per origin: an origin in an outage does not spend a healthy origin's budget", () =>
    Effect.gen(function*() {
      const policy = RetryPolicy.make({ retries: 3 })
      const fibers: Array<Fiber.RuntimeFiber<unknown, HttpResilientError>> = []
      for (let i = 0; i < 1_000; i++) {
        fibers.push(yield* Effect.fork(Effect.retry(HttpResilient.get(`http://down.test/${i}`), policy)))
        fibers.push(yield* Effect.fork(Effect.retry(HttpResilient.get(`http://flaky.test/${i}`), policy)))
        yield* TestClock.adjust(10)
      }
      // the failing origin has spent its reserve; the flaky one keeps most of its ratio
      assert.strictEqual(yield* RetryBudget.availableFor("http://down.test"), 0)
      assert.isAbove(yield* RetryBudget.availableFor("http://flaky.test/any/path"), 100)
      yield* TestClock.adjust("1 minute")
      const exits = yield* Effect.forEach(fibers, Fiber.await)
      const flaky = exits.filter((_, i) => i % 2 === 1)
      const requests = yield* HttpResilientTest.requests
      const down = requests.filter((r) => r.url.startsWith("http://down.test")).length
      // the outage is held to its reserve; the flaky origin still gets every retry it needs (three retries allow at
      // most 1 - 0.3^4 = 99.2 %; with one budget for both origins the outage's refusals would leave it about 90 %)
      assert.isAtMost(down / 1_000, 1.1)
      assert.isAtLeast(flaky.filter(Exit.isSuccess).length / 1_000, 0.98)
    }).pipe(
      Effect.provide(HttpResilientTest.layer(
        (request) => request.url.startsWith("http://down.test") ? HttpResilientTest.reply(503) : flakyReply(),
        { circuitBreaker: false }
      )),
      withTurnClock
    ))

  it.effect("without the budget the same outage costs 4 requests per call", () =>
    Effect.gen(function*() {
      const { requests } = yield* load(200, 10)
      assert.strictEqual(requests, 800)
    }).pipe(
      Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(503)], {
        circuitBreaker: false,
        retryBudget: false
      })),
      withTurnClock
    ))

  it.effect("10 % random failures: ≥ 99.5 % of calls succeed within the budget", () =>
    Effect.gen(function*() {
      const { requests, succeeded } = yield* load(1_000, 10)
      assert.isAtLeast(succeeded / 1_000, 0.995)
      assert.isBelow(requests / 1_000, 1.2)
    }).pipe(Effect.provide(HttpResilientTest.layer(failingShare(0.1), { circuitBreaker: false })), withTurnClock))

  it.effect("with the default breaker as well, an outage costs even less", () =>
    Effect.gen(function*() {
      const { exits, requests } = yield* load(1_000, 10)
      assert.isBelow(requests / 1_000, 1.3)
      // once open the breaker probes every 5 s: a handful of requests instead of 1.3 per call
      assert.isBelow(requests, 100)
      assert.isTrue(
        exits.some((e) => Exit.isFailure(e) && e.cause._tag === "Fail" && e.cause.error._tag === "CircuitOpenError")
      )
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(503)])), withTurnClock))

  it.effect("with the default breaker, 10 % random failures never open it", () =>
    Effect.gen(function*() {
      const events = yield* ResilientClient.subscribe
      const { requests, succeeded } = yield* load(1_000, 10)
      assert.isAtLeast(succeeded / 1_000, 0.995)
      assert.isBelow(requests / 1_000, 1.2)
      assert.strictEqual(yield* ResilientClient.circuitState("http://api.test"), "closed")
      const all = yield* events.takeAll
      assert.isFalse([...all].some((e) => e._tag === "CircuitStateChanged"))
    }).pipe(Effect.scoped, Effect.provide(HttpResilientTest.layer(failingShare(0.1))), withTurnClock))

  it.scoped("a real loopback server in an outage sees the budget's share of retries and no more", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.statusCode = 503
        res.end()
      })
      const policy = RetryPolicy.make({ retries: 3, backoff: Schedule.forever })
      for (let i = 0; i < 200; i++) yield* Effect.either(Effect.retry(HttpResilient.get(`${server.url}/${i}`), policy))
      // no reserve and a window longer than the test: exactly 20 % of the 200 first attempts are retried
      assert.strictEqual(server.count(), 240)
      const retried = server.received.filter((r, i) => i > 0 && server.received[i - 1].url === r.url).length
      assert.strictEqual(retried, 40)
    }).pipe(Effect.provide(ResilientClient.layer({
      circuitBreaker: false,
      // the classic budget: every first attempt earns 20 %, failed or not
      retryBudget: { ratio: 0.2, window: "1 hour", minRetriesPerSecond: 0, adaptive: false }
    }))))

  it.effect("bad options fail the layer with a ConfigError naming the option", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Layer.build(
          ResilientClient.layer({
            retryBudget: { ratio: "a lot", window: 0, minRetriesPerSecond: -1, adaptive: "yes" } as any
          })
        )
          .pipe(Effect.scoped)
      )
      const text = String(error)
      assert.include(text, `retryBudget.ratio: "a lot" is not a number from 0 to 1000`)
      assert.include(text, "retryBudget.window: 0 is not a finite duration of at least 1 millisecond")
      assert.include(text, "retryBudget.minRetriesPerSecond: -1 is not a number from 0 to 1000000")
      assert.include(text, `retryBudget.adaptive: "yes" is not true or false`)
      // no budget: nothing is ever refused
      const available = yield* RetryBudget.available.pipe(
        Effect.provide(ResilientClient.layer({ retryBudget: false }))
      )
      assert.strictEqual(available, Number.POSITIVE_INFINITY)
    }))
})
