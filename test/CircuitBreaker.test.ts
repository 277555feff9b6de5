import { assert, describe, it } from "@effect/vitest"
import { Chunk, Clock, Effect, Exit, Fiber, Layer, Queue, TestClock } from "effect"
import type * as http from "node:http"
import {
  CircuitBreaker,
  HttpResilient,
  HttpResilientTest,
  ResilientClient,
  type ResilientEvent,
  Transport
} from "../src/index.js"
import { failureTag } from "./support/events.js"
import { serverScoped } from "./support/server.js"

/** A server whose status can be changed, and which can hold responses until released. */
const controllableServer = Effect.gen(function*() {
  const state = { status: 503, hold: false }
  const held: Array<http.ServerResponse> = []
  const server = yield* serverScoped((_req, res) => {
    res.statusCode = state.status
    if (state.hold) held.push(res)
    else res.end()
  })
  const releaseAll = () => {
    for (const res of held.splice(0)) res.end()
  }
  return { server, state, held, releaseAll }
})

/**
 * The same over the scripted transport, for tests that move the TestClock: a client (`options`) whose origin
 * http://api.test answers `state.status`; while `state.hold`, answers wait (the request arrived, is recorded) until
 * `releaseAll`. `count` is the number of requests that arrived.
 */
const controllable = (options: ResilientClient.ClientOptions) => {
  const state = { status: 503, hold: false }
  const held: Array<() => void> = []
  const holding = Layer.effect(
    Transport.Transport,
    Effect.map(Transport.Transport, (inner): Transport.TransportService => ({
      ...inner,
      send: (request) =>
        Effect.flatMap(inner.send(request), (raw) =>
          state.hold
            ? Effect.as(Effect.async<void>((resume) => void held.push(() => resume(Effect.void))), raw)
            : Effect.succeed(raw))
    }))
  )
  const layer = ResilientClient.layerWithTransport(options).pipe(
    Layer.provide(holding),
    Layer.provideMerge(HttpResilientTest.layerTransport(() => HttpResilientTest.reply(state.status)))
  )
  const releaseAll = Effect.sync(() => {
    for (const release of held.splice(0)) release()
  })
  const count = Effect.map(HttpResilientTest.requests, (sent) => sent.length)
  return { state, layer, releaseAll, count, url: "http://api.test/x", origin: "http://api.test" }
}

/** Lets forked fibers run up to their first suspension. */
const settle = Effect.repeatN(Effect.yieldNow(), 20)

const stateChanges = (queue: Queue.Dequeue<ResilientEvent.ResilientEvent>) =>
  Effect.map(
    Queue.takeAll(queue),
    (events) =>
      Chunk.toArray(events).flatMap((e) => e._tag === "CircuitStateChanged" ? [`${e.from}→${e.to}@${e.timestamp}`] : [])
  )

describe("CircuitBreaker", () => {
  const always503 = controllable({ circuitBreaker: CircuitBreaker.consecutive(5) })
  it.scoped("consecutive(5) against an always-503 server: opens, rejects without I/O, one probe, closes", () =>
    Effect.gen(function*() {
      const { count, origin, releaseAll, state, url } = always503
      const events = yield* ResilientClient.subscribe
      for (let i = 0; i < 5; i++) {
        const error = yield* Effect.flip(HttpResilient.get(url))
        assert.strictEqual(error._tag, "StatusError")
      }
      assert.strictEqual(yield* ResilientClient.circuitState(origin), "open")
      for (let i = 0; i < 20; i++) {
        const error = yield* Effect.flip(HttpResilient.get(url))
        assert.strictEqual(error._tag, "CircuitOpenError")
        if (error._tag === "CircuitOpenError") {
          assert.strictEqual(error.origin, origin)
          assert.strictEqual(error.retryAt, 5_000)
          assert.match(error.message, /^Circuit open for http:\/\/api\.test: GET http/)
        }
      }
      assert.strictEqual(yield* count, 5, "no request reached the server while open")

      // the break is 5 s of virtual time
      yield* TestClock.adjust("4999 millis")
      assert.strictEqual((yield* Effect.flip(HttpResilient.get(url)))._tag, "CircuitOpenError")
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* ResilientClient.circuitState(url), "half-open")

      // half-open: 100 concurrent calls, exactly one probe reaches the server; it is held until the rest settled
      state.status = 200
      state.hold = true
      const fibers = yield* Effect.forEach(
        Array.from({ length: 100 }, () => HttpResilient.get(url)),
        (call) => Effect.fork(call)
      )
      yield* settle
      assert.strictEqual(yield* count, 6)
      const rejected = yield* Effect.forEach(fibers, (f) => Effect.succeed(f.unsafePoll()))
      const settled = rejected.filter((e) => e !== null)
      assert.strictEqual(settled.length, 99, "99 calls rejected at once while the probe is in flight")
      assert.isTrue(settled.every((e) => Exit.isFailure(e!) && failureTag(e!) === "CircuitOpenError"))
      yield* releaseAll
      const exits = yield* Effect.forEach(fibers, Fiber.await)
      assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
      assert.strictEqual(yield* count, 6)
      assert.strictEqual(yield* ResilientClient.circuitState(url), "closed")

      // closed again: calls go through
      state.hold = false
      const response = yield* HttpResilient.get(url)
      assert.strictEqual(response.status, 200)
      assert.strictEqual(yield* count, 7)
      assert.deepStrictEqual(yield* stateChanges(events), [
        "closed→open@0",
        "open→half-open@5000",
        "half-open→closed@5000"
      ])
    }).pipe(Effect.provide(always503.layer)))

  const growing = controllable({
    circuitBreaker: {
      strategy: CircuitBreaker.consecutive(2),
      breakDuration: "1 second",
      backoffFactor: 2,
      maxBreakDuration: "3 seconds"
    }
  })
  it.scoped("a failing probe re-opens the breaker for a longer break (backoffFactor), up to the maximum", () =>
    Effect.gen(function*() {
      const { count, state, url } = growing
      const events = yield* ResilientClient.subscribe
      yield* Effect.flip(HttpResilient.get(url))
      yield* Effect.flip(HttpResilient.get(url))
      // open for 1 s, then each failed probe doubles the break: 2 s, then 3 s (the maximum)
      for (const breakMillis of [1_000, 2_000, 3_000, 3_000]) {
        yield* TestClock.adjust(breakMillis - 1)
        assert.strictEqual((yield* Effect.flip(HttpResilient.get(url)))._tag, "CircuitOpenError")
        yield* TestClock.adjust(1)
        const before = yield* count
        assert.strictEqual((yield* Effect.flip(HttpResilient.get(url)))._tag, "StatusError")
        assert.strictEqual(yield* count, before + 1, "the probe went out")
      }
      state.status = 200
      yield* TestClock.adjust("3 seconds")
      yield* HttpResilient.get(url)
      assert.deepStrictEqual(yield* stateChanges(events), [
        "closed→open@0",
        "open→half-open@1000",
        "half-open→open@1000",
        "open→half-open@3000",
        "half-open→open@3000",
        "open→half-open@6000",
        "half-open→open@6000",
        "open→half-open@9000",
        "half-open→open@9000",
        "open→half-open@12000",
        "half-open→closed@12000"
      ])
    }).pipe(Effect.provide(growing.layer)))

  const interruptible = controllable({ circuitBreaker: CircuitBreaker.consecutive(1) })
  it.scoped("an interrupted probe gives its slot back: the next call probes", () =>
    Effect.gen(function*() {
      const { count, releaseAll, state, url } = interruptible
      yield* Effect.flip(HttpResilient.get(url))
      yield* TestClock.adjust("5 seconds")
      state.hold = true
      const probe = yield* Effect.fork(HttpResilient.get(url))
      yield* settle
      assert.strictEqual(yield* count, 2)
      assert.strictEqual((yield* Effect.flip(HttpResilient.get(url)))._tag, "CircuitOpenError")
      yield* Fiber.interrupt(probe)
      assert.strictEqual(yield* ResilientClient.circuitState(url), "half-open")
      state.hold = false
      state.status = 200
      yield* releaseAll
      const response = yield* HttpResilient.get(url)
      assert.strictEqual(response.status, 200)
      assert.strictEqual(yield* count, 3)
      assert.strictEqual(yield* ResilientClient.circuitState(url), "closed")
    }).pipe(Effect.provide(interruptible.layer)))

  const twoProbes = controllable({
    timeout: "2 seconds",
    circuitBreaker: { strategy: CircuitBreaker.consecutive(2), probes: 2 }
  })
  it.scoped("a half-open rejection says so; its retryAt is when the first probe is due, never in the past", () =>
    Effect.gen(function*() {
      const { count, releaseAll, state, url } = twoProbes
      yield* Effect.flip(HttpResilient.get(url))
      yield* Effect.flip(HttpResilient.get(url))
      const open = yield* Effect.flip(HttpResilient.get(url))
      assert.strictEqual(open._tag, "CircuitOpenError")
      if (open._tag !== "CircuitOpenError") return
      assert.strictEqual(open.state, "open")
      assert.strictEqual(open.retryAt, 5_000)
      assert.match(open.message, /^Circuit open for http:\/\/api\.test: GET /)

      yield* TestClock.adjust("5 seconds")
      state.hold = true
      const fibers = yield* Effect.forEach(Array.from({ length: 4 }, () => HttpResilient.get(url)), Effect.fork)
      yield* settle
      assert.strictEqual(yield* count, 4)
      const rejected = yield* Effect.forEach(fibers.slice(2), (fiber) => Effect.flip(Fiber.join(fiber)))
      for (const error of rejected) {
        assert.strictEqual(error._tag, "CircuitOpenError")
        if (error._tag !== "CircuitOpenError") continue
        assert.strictEqual(error.state, "half-open")
        assert.strictEqual(error.probes, 2)
        assert.strictEqual(
          error.message,
          "Circuit half-open for http://api.test, no free probe (2 in flight): GET http://api.test/x (attempt 1)"
        )
        // the probes started at 5 s with a 2 s attempt timeout: by 7 s the first has settled
        assert.strictEqual(error.retryAt, 7_000)
        assert.isAtLeast(error.retryAt, yield* Clock.currentTimeMillis)
      }
      // the probes fail: open again, and a rejection's retryAt is the new break's end
      yield* releaseAll
      yield* Effect.forEach(fibers.slice(0, 2), (fiber) => Effect.flip(Fiber.join(fiber)))
      const reopened = yield* Effect.flip(HttpResilient.get(url))
      assert.strictEqual(reopened._tag === "CircuitOpenError" && reopened.state, "open")
      assert.strictEqual(reopened._tag === "CircuitOpenError" && reopened.retryAt, 10_000)
    }).pipe(Effect.provide(twoProbes.layer)))

  it.effect("circuitState of something that names no origin is an InvalidRequestError, not \"closed\"", () =>
    Effect.gen(function*() {
      for (
        const [input, detail] of [
          ["not a url", /^circuitState: relative URL "not a url" needs the client's baseUrl/],
          ["ftp://files.example.com", /^circuitState: unsupported scheme "ftp:"/],
          ["http://[::1", /^circuitState: not a valid URL/],
          [new URL("mailto:someone@example.com"), /^circuitState: unsupported scheme "mailto:"/]
        ] as const
      ) {
        const error = yield* Effect.flip(ResilientClient.circuitState(input))
        assert.strictEqual(error._tag, "InvalidRequestError")
        assert.strictEqual(error.reason, "InvalidUrl")
        assert.match(error.detail, detail)
        assert.match(error.message, /^Invalid request \(InvalidUrl\): circuitState: /)
        // about no request: no empty request label at the end
        assert.notMatch(error.message, /\(attempt \d+\)$/)
      }
      assert.strictEqual(yield* ResilientClient.circuitState("https://api.example.com/any/path"), "closed")
    }).pipe(Effect.provide(ResilientClient.layer({ circuitBreaker: CircuitBreaker.consecutive(1) }))))

  it.scoped("circuitState takes a URL relative to the client's baseUrl, as a request does", () =>
    Effect.gen(function*() {
      const { server } = yield* controllableServer
      yield* Effect.provide(
        Effect.gen(function*() {
          yield* Effect.flip(HttpResilient.get("users/1"))
          assert.strictEqual(yield* ResilientClient.circuitState("users/2"), "open")
          assert.strictEqual(yield* ResilientClient.circuitState(server.url), "open")
        }),
        ResilientClient.layer({ baseUrl: `${server.url}/v1`, circuitBreaker: CircuitBreaker.consecutive(1) })
      )
    }))

  const threeProbes = controllable({ circuitBreaker: { strategy: CircuitBreaker.consecutive(1), probes: 3 } })
  it.scoped("probes: n lets n attempts through at once in half-open", () =>
    Effect.gen(function*() {
      const { count, releaseAll, state, url } = threeProbes
      yield* Effect.flip(HttpResilient.get(url))
      yield* TestClock.adjust("5 seconds")
      state.hold = true
      state.status = 200
      const fibers = yield* Effect.forEach(Array.from({ length: 10 }, () => HttpResilient.get(url)), Effect.fork)
      yield* settle
      assert.strictEqual(yield* count, 4)
      yield* releaseAll
      const exits = yield* Effect.forEach(fibers, Fiber.await)
      assert.strictEqual(exits.filter(Exit.isSuccess).length, 3)
      assert.strictEqual(yield* count, 4)
    }).pipe(Effect.provide(threeProbes.layer)))

  let n = 0
  let failEvery = 10
  it.scoped("default ratio: opens at ≥ 50 % of at least 20 attempts; 10 % failures never open it", () =>
    Effect.gen(function*() {
      const url = "http://api.test/x"
      const call = Effect.either(HttpResilient.get(url))
      for (let i = 0; i < 300; i++) {
        yield* call
        if (i % 50 === 0) yield* TestClock.adjust("1 second")
      }
      assert.strictEqual((yield* HttpResilientTest.requests).length, 300)
      assert.strictEqual(yield* ResilientClient.circuitState(url), "closed")

      // an outage: every other attempt fails; the window (10 s) still holds 10 % failures, so it takes a while
      yield* TestClock.adjust("20 seconds")
      failEvery = 2
      n = 0
      let attempts = 0
      while ((yield* ResilientClient.circuitState(url)) === "closed" && attempts < 100) {
        yield* call
        attempts++
      }
      assert.strictEqual(attempts, 20, "opens at the 20th attempt, 10 of them failed")
      const error = yield* Effect.flip(HttpResilient.get(url))
      assert.strictEqual(error._tag, "CircuitOpenError")
    }).pipe(Effect.provide(HttpResilientTest.layer(() => {
      n++
      return HttpResilientTest.reply(n % failEvery === 0 ? 503 : 200)
    }))))

  it.scoped("other 4xx count as successes; 408 and 429 as failures", () =>
    Effect.gen(function*() {
      let status = 404
      const server = yield* serverScoped((_req, res) => {
        res.statusCode = status
        res.end()
      })
      const url = `${server.url}/x`
      for (let i = 0; i < 10; i++) yield* Effect.flip(HttpResilient.get(url))
      assert.strictEqual(yield* ResilientClient.circuitState(url), "closed")
      status = 429
      yield* Effect.flip(HttpResilient.get(url))
      yield* Effect.flip(HttpResilient.get(url))
      assert.strictEqual(yield* ResilientClient.circuitState(url), "open")
    }).pipe(Effect.provide(ResilientClient.layer({ circuitBreaker: CircuitBreaker.consecutive(2) }))))

  it.scoped("isFailure overrides what counts", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.statusCode = 404
        res.end()
      })
      const url = `${server.url}/x`
      yield* Effect.flip(HttpResilient.get(url))
      yield* Effect.flip(HttpResilient.get(url))
      assert.strictEqual(yield* ResilientClient.circuitState(url), "open")
    }).pipe(Effect.provide(ResilientClient.layer({
      circuitBreaker: {
        strategy: CircuitBreaker.consecutive(2),
        isFailure: (error) => error._tag === "StatusError" && error.status === 404
      }
    }))))

  it.scoped("breakers are per origin, and off with circuitBreaker: false", () =>
    Effect.gen(function*() {
      const a = yield* controllableServer
      const b = yield* controllableServer
      b.state.status = 200
      yield* Effect.flip(HttpResilient.get(`${a.server.url}/x`))
      assert.strictEqual(yield* ResilientClient.circuitState(a.server.url), "open")
      assert.strictEqual(yield* ResilientClient.circuitState(b.server.url), "closed")
      assert.strictEqual((yield* HttpResilient.get(`${b.server.url}/y`)).status, 200)

      const off = yield* Effect.forEach(
        Array.from({ length: 30 }, () => Effect.flip(HttpResilient.get(`${a.server.url}/x`))),
        (call) => call
      ).pipe(Effect.provide(ResilientClient.layer({ circuitBreaker: false })))
      assert.isTrue(off.every((e) => e._tag === "StatusError"))
    }).pipe(Effect.provide(ResilientClient.layer({ circuitBreaker: CircuitBreaker.consecutive(1) }))))

  it.effect("bad options fail the layer with a ConfigError naming the option and the value", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Layer.build(ResilientClient.layer({
          circuitBreaker: { breakDuration: "soon", probes: 0, backoffFactor: -1 } as any
        })).pipe(Effect.scoped)
      )
      const text = String(error)
      assert.include(text, `circuitBreaker.breakDuration: "soon" is not a finite duration`)
      assert.include(text, "circuitBreaker.probes: 0 is not an integer ≥ 1")
      assert.include(text, "circuitBreaker.backoffFactor: -1 is not a number from 1 to 100")
      const unknown = yield* Effect.flip(
        Layer.build(ResilientClient.layer({ circuitBreaker: { treshold: 3 } as any })).pipe(Effect.scoped)
      )
      assert.include(String(unknown), "circuitBreaker.treshold: unknown option")
      assert.throws(() => CircuitBreaker.consecutive(0), /consecutive: 0 is not an integer ≥ 1/)
      assert.throws(() => CircuitBreaker.ratio({ threshold: 2 }), /threshold 2 is not a share/)
      assert.throws(() => CircuitBreaker.ratio({ window: "never" as any }), /window never is not a finite duration/)
      assert.throws(
        () => CircuitBreaker.ratio({ treshold: 0.2 } as any),
        `CircuitBreaker.ratio: unknown option "treshold" (known: threshold, minThroughput, window; did you mean "threshold"?)`
      )
      assert.throws(() => CircuitBreaker.ratio({ minThroughput: 5, windw: "1 second" } as any), RangeError)
    }))
})
