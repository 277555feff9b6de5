import { HttpBody } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Chunk, Clock, ConfigProvider, Effect, Exit, Fiber, Layer, Metric, Queue, Scope } from "effect"
import type { ConfigError } from "effect/ConfigError"
import { EventEmitter } from "node:events"
import type * as Undici from "undici"
import {
  CircuitBreaker,
  HttpResilient,
  HttpResilientTest,
  ResilientClient,
  RetryBudget,
  Telemetry,
  Transport
} from "../src/index.js"
import { internalsOf as internalsOfClient } from "../src/internal/client.js"

const droppedSoFar = Effect.map(Metric.value(Telemetry.eventsDropped), (state) => state.count)

describe("bounded event backlog", () => {
  it.scoped("an undrained subscription keeps the newest 1,024 events and counts the ones it dropped", () =>
    Effect.gen(function*() {
      const capacity = Telemetry.eventBacklog.capacity
      assert.strictEqual(capacity, 1024)
      const queue = yield* ResilientClient.subscribe
      const before = yield* droppedSoFar
      const calls = 600 // two events each: RequestStarted, Succeeded
      for (let i = 0; i < calls; i++) yield* HttpResilient.get(`http://backlog.test/${i}`)
      assert.strictEqual(yield* Queue.size(queue), capacity)
      assert.strictEqual((yield* droppedSoFar) - before, 2 * calls - capacity)
      const kept = Chunk.toReadonlyArray(yield* Queue.takeAll(queue))
      assert.strictEqual(kept.length, capacity)
      // sliding: the oldest went, the newest are all there, in order
      const first = kept[0]
      const last = kept[kept.length - 1]
      assert.isTrue(first._tag === "RequestStarted" && first.url === `http://backlog.test/${calls - capacity / 2}`)
      assert.isTrue(last._tag === "Succeeded" && last.url === `http://backlog.test/${calls - 1}`)
    }).pipe(Effect.provide(HttpResilientTest.layer(() => HttpResilientTest.reply(200)))))

  const mibBody = { body: new Uint8Array(1024 * 1024) }
  // a 503 (StatusError) and a 200 the acceptResponse check refuses (ResponseRejectedError): both carry the body
  const bodyCarriers = [
    {
      tag: "StatusError",
      layer: HttpResilientTest.layer(() => HttpResilientTest.reply(503, mibBody), { circuitBreaker: false })
    },
    {
      tag: "ResponseRejectedError",
      layer: HttpResilientTest.layer(() => HttpResilientTest.reply(200, mibBody), {
        circuitBreaker: false,
        acceptResponse: () => false
      })
    }
  ] as const
  for (const { layer, tag } of bodyCarriers) {
    it.scoped(`the response bodies an undrained subscription keeps alive stay under 16 MiB (${tag})`, () =>
      Effect.gen(function*() {
        const mib = 1024 * 1024
        assert.strictEqual(Telemetry.eventBacklog.maxBodyBytes, 16 * mib)
        const queue = yield* ResilientClient.subscribe
        const before = yield* droppedSoFar
        // 20 calls failing with a 1 MiB body: RequestStarted, AttemptFailed and Failed (both errors carry the same
        // response, counted once) each
        for (let i = 0; i < 20; i++) {
          const exit = yield* Effect.exit(HttpResilient.get(`http://backlog.test/${i}`))
          assert.isTrue(exit._tag === "Failure")
        }
        const kept = Chunk.toReadonlyArray(yield* Queue.takeAll(queue))
        let bytes = 0
        for (const event of kept) {
          if (event._tag === "AttemptFailed") {
            assert.strictEqual(event.error._tag, tag)
            if (event.error._tag === "StatusError" || event.error._tag === "ResponseRejectedError") {
              bytes += (yield* event.error.response.arrayBuffer).byteLength
            }
          }
        }
        assert.strictEqual(bytes, 16 * mib)
        // the 4 oldest calls' three events each made room
        assert.strictEqual(kept.length, 60 - 12)
        assert.strictEqual((yield* droppedSoFar) - before, 12)
        assert.isTrue(kept[0]._tag === "RequestStarted" && kept[0].url === "http://backlog.test/4")
      }).pipe(Effect.provide(layer)))
  }
})

/**
 * Builds `layer` in a scope of its own and runs `use` with the client; then closes the scope and runs `after` with
 * the same client (what it still remembers once its scope closed).
 */
const withOwnScope = <A, B>(
  layer: Layer.Layer<ResilientClient.ResilientClient | HttpResilientTest.Recorder, ConfigError>,
  use: Effect.Effect<A, unknown, ResilientClient.ResilientClient | HttpResilientTest.Recorder>,
  after: Effect.Effect<B, unknown, ResilientClient.ResilientClient | HttpResilientTest.Recorder>
) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(layer, scope)
    const result = yield* Effect.provide(use, context)
    yield* Scope.close(scope, Exit.void)
    return { result, after: yield* Effect.provide(after, context) }
  })

const callAll = (urls: ReadonlyArray<string>) =>
  Effect.forEach(urls, (url) => Effect.exit(HttpResilient.get(url)), { discard: true })

const origins = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `http://${prefix}${i}.test/x`)

describe("bounded per-origin state", () => {
  it.effect("maxOrigins is validated like the other options, in code and from the environment", () =>
    Effect.gen(function*() {
      for (const bad of [0, 1.5, -1, 2_000_000, "10"]) {
        const exit = yield* Effect.exit(
          Layer.build(ResilientClient.layer({ maxOrigins: bad as number })).pipe(Effect.scoped)
        )
        assert.include(
          String(Exit.isFailure(exit) ? Cause.squash(exit.cause) : "built"),
          `maxOrigins: ${typeof bad === "string" ? `"${bad}"` : bad} is not an integer from 1 to 1000000`
        )
      }
      const fromEnv = yield* Effect.exit(
        Layer.build(ResilientClient.layerConfig("HTTP_RESILIENT")).pipe(
          Effect.scoped,
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["HTTP_RESILIENT.MAX_ORIGINS", "0"]])))
        )
      )
      assert.include(
        String(Exit.isFailure(fromEnv) ? Cause.squash(fromEnv.cause) : "built"),
        "HTTP_RESILIENT_MAX_ORIGINS (maxOrigins): 0 is not an integer"
      )
    }))

  /**
   * Whether the client still remembers a.test's breaker after `others` other origins were called: a.test fails once
   * (a consecutive(2) breaker counts it), the others are called, a.test fails again — its breaker opens only if it
   * was kept. Also returns a.test's state once the client's scope closed.
   */
  const keptAfter = (others: number, options: ResilientClient.ClientOptions = {}) =>
    withOwnScope(
      HttpResilientTest.layer(
        (request) => HttpResilientTest.reply(request.url.startsWith("http://a.test") ? 503 : 200),
        { circuitBreaker: CircuitBreaker.consecutive(2), ...options }
      ),
      Effect.gen(function*() {
        yield* callAll(["http://a.test/x"])
        yield* callAll(origins(others, "many"))
        yield* callAll(["http://a.test/x"])
        return yield* ResilientClient.circuitState("http://a.test")
      }),
      ResilientClient.circuitState("http://a.test")
    )

  it.effect("the breakers of 2,000 origins stay at maxOrigins (1,000 by default) and go with the client's scope", () =>
    Effect.gen(function*() {
      // a.test and 999 others fit in 1,000: its first failure was remembered and the second opens the breaker
      const fit = yield* keptAfter(999)
      assert.strictEqual(fit.result, "open")
      // once the client's scope closed it remembers no breaker
      assert.strictEqual(fit.after, "closed")
      // 1,000 others: a.test's was the least recently used, forgotten; so it is after 2,000
      assert.strictEqual((yield* keptAfter(1000)).result, "closed")
      assert.strictEqual((yield* keptAfter(2000)).result, "closed")
      assert.strictEqual((yield* keptAfter(9, { maxOrigins: 10 })).result, "open")
      assert.strictEqual((yield* keptAfter(10, { maxOrigins: 10 })).result, "closed")
    }))

  it.effect("the retry budgets of 2,000 origins stay at maxOrigins and go with the client's scope", () =>
    Effect.gen(function*() {
      const layer = HttpResilientTest.layer([HttpResilientTest.reply(200)], { maxOrigins: 10 })
      const { after, result } = yield* withOwnScope(
        layer,
        Effect.gen(function*() {
          // a.test earns budget with 100 successes (ratio 0.8: 80 on top of the reserve of 100)
          yield* callAll(Array.from({ length: 100 }, () => "http://a.test/x"))
          const earned = yield* RetryBudget.availableFor("http://a.test")
          yield* callAll(origins(2_000, "many"))
          const budgets = internalsOfClient(yield* ResilientClient.ResilientClient).protections.retryBudget!
          return { earned, size: budgets.size, forgotten: yield* RetryBudget.availableFor("http://a.test") }
        }),
        Effect.map(ResilientClient.ResilientClient, (c) => internalsOfClient(c).protections.retryBudget!.size)
      )
      assert.strictEqual(result.earned, 180)
      assert.strictEqual(result.size, 10)
      // a.test was the least recently used: forgotten, it starts again from the reserve alone
      assert.strictEqual(result.forgotten, 100)
      assert.strictEqual(after, 0)
    }))

  it.effect("a flood of new origins never forgets an open breaker; with every slot open, a new origin is not kept", () =>
    Effect.gen(function*() {
      const layer = HttpResilientTest.layer(
        (request) => HttpResilientTest.reply(request.url.includes("down") ? 503 : 200),
        { maxOrigins: 3, circuitBreaker: CircuitBreaker.consecutive(1) }
      )
      const { after } = yield* withOwnScope(
        layer,
        Effect.gen(function*() {
          yield* callAll(["http://down1.test/x"])
          assert.strictEqual(yield* ResilientClient.circuitState("http://down1.test"), "open")
          yield* callAll(origins(50, "up"))
          assert.strictEqual(yield* ResilientClient.circuitState("http://down1.test"), "open")
          // the least recently used closed ones went: the newest are kept
          assert.strictEqual(yield* ResilientClient.circuitState("http://up49.test"), "closed")
          yield* callAll(["http://down2.test/x", "http://down3.test/x", "http://down4.test/x"])
          for (const down of ["down1", "down2", "down3"]) {
            assert.strictEqual(yield* ResilientClient.circuitState(`http://${down}.test`), "open", down)
          }
          // 3 remembered, all open: up49's closed breaker made room for down2, down3; down4's was not kept
          assert.strictEqual(yield* ResilientClient.circuitState("http://down4.test"), "closed")
          // every slot holds an open breaker: down4 tripped a breaker that is not kept
          const exit = yield* Effect.exit(HttpResilient.get("http://down4.test/x"))
          assert.isTrue(
            exit._tag === "Failure" && exit.cause._tag === "Fail" && exit.cause.error._tag === "StatusError"
          )
        }),
        ResilientClient.circuitState("http://down1.test")
      )
      assert.strictEqual(after, "closed")
    }))

  it.effect("the rate limiter's pauses and in-memory quotas stay at maxOrigins and go with the client's scope", () =>
    Effect.gen(function*() {
      /**
       * Whether a call to `origin` goes at once: with a 1 second deadline, a call that would have to wait for a
       * pause (60 s) or the quota (1 a minute) fails without a request.
       */
      const goesAtOnce = (origin: string) =>
        Effect.gen(function*() {
          const before = (yield* HttpResilientTest.requests).length
          yield* Effect.exit(HttpResilient.get(`http://${origin}.test/x`, { deadline: "1 second", retry: false }))
          return (yield* HttpResilientTest.requests).length - before === 1
        })
      // pauses: every origin answers its first call 429 + Retry-After: 60
      const answered = new Set<string>()
      const pausing = HttpResilientTest.layer(
        (request) => {
          const first = !answered.has(request.url)
          answered.add(request.url)
          return first
            ? HttpResilientTest.reply(429, { headers: { "retry-after": "60" } })
            : HttpResilientTest.reply(200)
        },
        { maxOrigins: 10, circuitBreaker: false, rateLimiter: { limit: 100, window: "1 second", adaptive: true } }
      )
      const paused = yield* withOwnScope(
        pausing,
        Effect.gen(function*() {
          yield* callAll(origins(40, "limited"))
          // the 10 most recent pauses are kept (limited30 … limited39), the older ones forgotten
          return [yield* goesAtOnce("limited30"), yield* goesAtOnce("limited29"), yield* goesAtOnce("limited0")]
        }),
        goesAtOnce("limited39")
      )
      assert.deepStrictEqual(paused.result, [false, true, true])
      assert.isTrue(paused.after)
      // quotas: one call a minute per origin
      const quotas = yield* withOwnScope(
        HttpResilientTest.layer(() => HttpResilientTest.reply(200), {
          maxOrigins: 10,
          circuitBreaker: false,
          rateLimiter: { limit: 1, window: "1 minute" }
        }),
        Effect.gen(function*() {
          yield* callAll(origins(40, "limited"))
          return [yield* goesAtOnce("limited39"), yield* goesAtOnce("limited30"), yield* goesAtOnce("limited29")]
        }),
        goesAtOnce("limited38")
      )
      assert.deepStrictEqual(quotas.result, [false, false, true])
      assert.isTrue(quotas.after)
    }))

  it.effect("the duration histogram tags at most 1,000 servers and an unknown method as _OTHER", () =>
    Effect.gen(function*() {
      yield* Effect.gen(function*() {
        yield* callAll(origins(1100, "metric"))
        yield* HttpResilient.request("FROB", "http://metric0.test/x")
      }).pipe(Effect.provide(HttpResilientTest.layer(() => HttpResilientTest.reply(200))))
      const series = (yield* Metric.snapshot).filter((pair) =>
        pair.metricKey.name === Telemetry.metricNames.requestDuration
      )
      const values = (name: string) =>
        new Set(series.flatMap((pair) => pair.metricKey.tags.filter((t) => t.key === name).map((t) => t.value)))
      const addresses = values(Telemetry.attributes.serverAddress)
      assert.strictEqual(Telemetry.maxServerAddresses, 1000)
      assert.isAtMost(addresses.size, 1000 + 1)
      assert.isTrue(addresses.has("_OTHER"))
      assert.isTrue(values(Telemetry.attributes.method).has("_OTHER"))
      assert.isFalse(values(Telemetry.attributes.method).has("FROB"))
      const other = yield* Metric.value(
        Telemetry.requestDurationFor({ method: "GET", host: "_OTHER", port: "_OTHER", status: 200 })
      )
      assert.isAtLeast(other.count, 100)
    }))
})

/**
 * A dispatcher the test drives: it keeps each dispatched request's handler, and `connect` emits undici's connect
 * event. Through the public `Transport.makeUndici`, `send(origin)` forks one GET; `reset()` fails the oldest pending
 * request with ECONNRESET, `answer()` answers it 200. The undici transport re-sends a reset GET once when no
 * connection to its origin was opened since it was dispatched (it went out on a reused keep-alive socket).
 */
const drivenDispatcher = () => {
  const emitter = new EventEmitter()
  const pending: Array<Undici.Dispatcher.DispatchHandler> = []
  let dispatched = 0
  const dispatcher = Object.assign(emitter, {
    dispatch: (_options: unknown, handler: Undici.Dispatcher.DispatchHandler) => {
      dispatched++
      pending.push(handler)
      return true
    }
  }) as unknown as Undici.Dispatcher
  const transport = Transport.makeUndici(dispatcher)
  return {
    connect: (origin: string) => void emitter.emit("connect", new URL(origin)),
    send: (origin: string) =>
      Effect.tap(
        Effect.fork(transport.send({
          method: "GET",
          url: new URL(`${origin}/x`),
          headers: {},
          body: HttpBody.empty,
          timeoutMillis: Number.POSITIVE_INFINITY,
          maxResponseSize: Number.POSITIVE_INFINITY,
          clock: Clock.make()
        })),
        () => Effect.yieldNow()
      ),
    reset: Effect.sync(() =>
      pending.shift()!.onError!(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }))
    ),
    answer: Effect.sync(() => {
      const handler = pending.shift()!
      handler.onHeaders!(200, [], () => {}, "OK")
      handler.onComplete!([])
    }),
    dispatched: () => dispatched
  }
}

/**
 * Whether a GET to `origin`, reset before any answer, is sent again: `before` runs before it is dispatched, `during`
 * while it is in flight.
 */
const resentAfterReset = (
  before: (connect: (origin: string) => void) => void,
  during: (connect: (origin: string) => void) => void
) =>
  Effect.gen(function*() {
    const driven = drivenDispatcher()
    // the log starts with the first exchange
    const first = yield* driven.send("http://first.test")
    yield* driven.answer
    yield* Fiber.join(first)
    before(driven.connect)
    const fiber = yield* driven.send("http://kept.test")
    const sentBefore = driven.dispatched()
    during(driven.connect)
    yield* driven.reset
    const resent = driven.dispatched() > sentBefore
    if (resent) yield* driven.answer
    const exit = yield* Fiber.await(fiber)
    return { resent, exit }
  })

const connectMany = (n: number) => (connect: (origin: string) => void) => {
  for (let i = 0; i < n; i++) connect(`http://o${i}.test`)
}

describe("bounded connect log", () => {
  it.effect("a dispatcher's connections to 5,000 origins leave at most 1,024 of them logged, and no wrong 'reused socket'", () =>
    Effect.gen(function*() {
      // connected before, not since: the request went out on a reused socket, so the reset is sent again
      const reused = yield* resentAfterReset((connect) => connect("http://kept.test"), () => {})
      assert.isTrue(reused.resent)
      assert.isTrue(Exit.isSuccess(reused.exit))
      // connected since it was dispatched: a fresh socket was reset, nothing is sent again
      const fresh = yield* resentAfterReset(() => {}, (connect) => connect("http://kept.test"))
      assert.isFalse(fresh.resent)
      assert.isTrue(
        Exit.isFailure(fresh.exit) && fresh.exit.cause._tag === "Fail" &&
          fresh.exit.cause.error.reason === "ConnectionReset"
      )
      // kept.test was forgotten after its request went out (5,000 origins connected since): it may have connected
      // since, so no resend on a reset
      const flooded = yield* resentAfterReset((connect) => connect("http://kept.test"), connectMany(5000))
      assert.isFalse(flooded.resent)
      // the log holds 1,024 origins: kept.test and 1,023 newer are all remembered, and with 1,024 newer the forgotten
      // ones all connected before the request; one more and an origin that connected since is forgotten too
      assert.isTrue((yield* resentAfterReset((connect) => connect("http://kept.test"), connectMany(1023))).resent)
      assert.isTrue((yield* resentAfterReset((connect) => connect("http://kept.test"), connectMany(1024))).resent)
      assert.isFalse((yield* resentAfterReset((connect) => connect("http://kept.test"), connectMany(1025))).resent)
    }))
})
