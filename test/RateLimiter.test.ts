import { assert, describe, it } from "@effect/vitest"
import { type Context, Duration, Effect, Exit, Fiber, Layer, TestClock } from "effect"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as net from "node:net"
import { HttpResilient, HttpResilientTest, ResilientClient } from "../src/index.js"
import * as RateLimiterRedis from "../src/RateLimiterRedis.js"
import { awaitSleeps } from "./support/events.js"
import { closedPort } from "./support/server.js"

const times = Effect.map(HttpResilientTest.requests, (requests) => requests.map((r) => r.at))

/** Lets forked fibers run up to their first suspension. */
const settle = Effect.repeatN(Effect.yieldNow(), 20)

const forkCalls = (urls: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const fibers = []
    for (const url of urls) fibers.push(yield* Effect.fork(HttpResilient.get(url)))
    yield* settle
    return fibers
  })

describe("RateLimiter", () => {
  it.effect("token bucket per origin: a burst of `limit`, then one every window / limit, waiting on the Clock", () =>
    Effect.gen(function*() {
      const fibers = yield* forkCalls(Array.from({ length: 8 }, (_, i) => `http://a.test/${i}`))
      const other = yield* HttpResilient.get("http://b.test/") // another origin has its own quota
      assert.strictEqual(other.status, 200)
      assert.deepStrictEqual(yield* times, [0, 0, 0, 0, 0, 0])
      yield* TestClock.adjust("1 second")
      yield* Effect.forEach(fibers, Fiber.join)
      assert.deepStrictEqual(yield* times, [0, 0, 0, 0, 0, 0, 200, 400, 600])
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)], {
      rateLimiter: { limit: 5, window: "1 second" }
    }))))

  it.effect("a wait past the deadline fails at once with RateLimitedError and uses up nothing", () =>
    Effect.gen(function*() {
      for (let i = 0; i < 2; i++) yield* HttpResilient.get("http://a.test/")
      const error = yield* Effect.flip(
        HttpResilient.get("http://a.test/", { retry: false }).pipe(
          HttpResilient.withDeadline("499 millis")
        )
      )
      assert.strictEqual(error._tag, "RateLimitedError")
      if (error._tag === "RateLimitedError") {
        assert.strictEqual(Duration.toMillis(error.waitFor), 500)
        assert.match(error.message, /^Rate limited, would wait 500ms: GET http:\/\/a\.test\/ \(attempt 1\)$/)
      }
      // the refused call took no slot: the next one goes as soon as a token is back
      const fiber = yield* Effect.fork(HttpResilient.get("http://a.test/").pipe(HttpResilient.withDeadline("1 second")))
      yield* settle
      yield* TestClock.adjust("500 millis")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* times, [0, 0, 500])
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)], {
      rateLimiter: { limit: 2, window: "1 second" }
    }))))

  it.effect("key: a function of the request gives each user a quota; a string shares one across origins", () =>
    Effect.gen(function*() {
      const perUser = yield* Effect.gen(function*() {
        const fibers = yield* forkCalls(["http://a.test/?user=1", "http://a.test/?user=2", "http://a.test/?user=1"])
        assert.strictEqual((yield* times).length, 2)
        yield* TestClock.adjust("1 second")
        yield* Effect.forEach(fibers, Fiber.join)
        return yield* times
      }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)], {
        rateLimiter: { limit: 1, window: "1 second", key: (request) => request.url.searchParams.get("user") ?? "" }
      })))
      assert.deepStrictEqual(perUser, [0, 0, 1000])
      const shared = yield* Effect.gen(function*() {
        const fibers = yield* forkCalls(["http://a.test/", "http://b.test/"])
        yield* TestClock.adjust("1 second")
        yield* Effect.forEach(fibers, Fiber.join)
        return (yield* times).map((t, _, all) => t - all[0])
      }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)], {
        rateLimiter: { limit: 1, window: "1 second", key: "partner" }
      })))
      assert.deepStrictEqual(shared, [0, 1000])
    }))

  it.effect("fixed window: at most `limit` per window", () =>
    Effect.gen(function*() {
      const fibers = yield* forkCalls(Array.from({ length: 7 }, () => "http://a.test/"))
      yield* TestClock.adjust("5 seconds")
      yield* Effect.forEach(fibers, Fiber.join)
      const sent = yield* times
      assert.strictEqual(sent.length, 7)
      for (const t of sent) assert.isAtMost(sent.filter((u) => u >= t && u < t + 1000).length, 3)
      assert.deepStrictEqual(sent.slice(0, 3), [0, 0, 0])
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)], {
      rateLimiter: { limit: 3, window: "1 second", algorithm: "fixed-window" }
    }))))

  it.effect("adaptive: a 429 with Retry-After pauses the whole origin, not just that call", () =>
    Effect.gen(function*() {
      const limited = yield* Effect.flip(HttpResilient.get("http://a.test/first"))
      assert.strictEqual(limited._tag === "StatusError" && limited.status, 429)
      const fibers = yield* forkCalls(["http://a.test/second", "http://a.test/third"])
      assert.strictEqual((yield* HttpResilient.get("http://b.test/")).status, 200)
      yield* TestClock.adjust("1999 millis")
      assert.isTrue(fibers.every((f) => f.unsafePoll() === null))
      yield* TestClock.adjust("1 millis")
      yield* Effect.forEach(fibers, Fiber.join)
      const sent = yield* HttpResilientTest.requests
      assert.deepStrictEqual(sent.map((r) => `${r.url}@${r.at}`).sort(), [
        "http://a.test/first@0",
        "http://a.test/second@2000",
        "http://a.test/third@2000",
        "http://b.test/@0"
      ])
      // a pause that would pass the deadline fails at once
      yield* Effect.flip(HttpResilient.get("http://a.test/first"))
      const error = yield* Effect.flip(
        HttpResilient.get("http://a.test/x").pipe(HttpResilient.withDeadline("1 second"))
      )
      assert.strictEqual(error._tag, "RateLimitedError")
    }).pipe(Effect.provide(HttpResilientTest.layer(
      (request) =>
        request.url.endsWith("/first")
          ? HttpResilientTest.reply(429, { headers: { "retry-after": "2" } })
          : HttpResilientTest.reply(200),
      { rateLimiter: { adaptive: true } }
    ))))

  it.effect("bad options fail the layer with a ConfigError naming the option", () =>
    Effect.gen(function*() {
      const build = (rateLimiter: unknown) =>
        Effect.flip(Layer.build(ResilientClient.layer({ rateLimiter: rateLimiter as any })).pipe(Effect.scoped))
      const text = String(yield* build({ limit: 0, window: "1 second", algorithm: "leaky", key: 3 }))
      assert.include(text, "rateLimiter.limit: 0 is not an integer ≥ 1")
      assert.include(text, `rateLimiter.algorithm: "leaky" is not "token-bucket" or "fixed-window"`)
      assert.include(text, "rateLimiter.key: 3 is not a string or a function of the request")
      assert.include(String(yield* build({ limit: 5 })), `rateLimiter: "limit" and "window" go together`)
      assert.include(String(yield* build({})), `rateLimiter: set "limit" and "window", or "adaptive: true"`)
    }))
})

// ---------------------------------------------------------------------------
// Redis: a fleet shares one quota
// ---------------------------------------------------------------------------

const redisBinary = (() => {
  try {
    return execFileSync("which", ["redis-server"], { encoding: "utf8" }).trim() || undefined
  } catch {
    return undefined
  }
})()

/** A redis-server on 127.0.0.1 on a free port, started for the test and stopped after it. */
const redisServer = Effect.acquireRelease(
  Effect.promise(async () => {
    const port = await closedPort()
    const child: ChildProcess = spawn(
      redisBinary!,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" }
    )
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline) {
      const up = await new Promise<boolean>((resolve) => {
        const socket = net.connect(port, "127.0.0.1", () => {
          socket.destroy()
          resolve(true)
        })
        socket.on("error", () => resolve(false))
      })
      if (up) return { port, child }
      await new Promise((r) => setTimeout(r, 20))
    }
    child.kill("SIGKILL")
    throw new Error(`redis-server did not start on port ${port}`)
  }),
  ({ child }) =>
    Effect.promise(() =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once("exit", () => resolve())
        child.kill("SIGTERM")
      })
    )
)

describe("RateLimiterRedis.layer", () => {
  if (redisBinary === undefined) {
    // a skip with a note is one line in the default reporter, saying why and how to run it
    it("two clients on one Redis share one quota", (ctx) =>
      ctx.skip("skipped: redis-server is not installed (apt-get install -y redis-server; .ci/run installs it)"))
    return
  }

  // Redis is real I/O; the HTTP side is scripted, and the TestClock moves only once both waiting calls sleep on it
  // (nothing is in flight then), so no slow answer can meet a virtual timeout
  it.scoped("two clients (two processes' worth) on one Redis share one quota", () =>
    Effect.gen(function*() {
      const { port } = yield* redisServer
      const transport = yield* Layer.build(HttpResilientTest.layerTransport([HttpResilientTest.reply(200)]))
      const sent = Effect.map(Effect.provide(HttpResilientTest.requests, transport), (all) => all.length)
      const prefix = `test-${port}-${Date.now()}:`
      const client = () =>
        Layer.build(
          ResilientClient.layerWithTransport({ rateLimiter: { limit: 4, window: "8 seconds", key: "shared-api" } })
            .pipe(
              Layer.provide(RateLimiterRedis.layer({ host: "127.0.0.1", port, prefix })),
              Layer.provide(Layer.succeedContext(transport))
            )
        )
      const a = yield* client()
      const b = yield* client()
      const callWith = (context: Context.Context<ResilientClient.ResilientClient>) =>
        Effect.fork(Effect.provide(HttpResilient.get("http://api.test/"), context))
      const first = [yield* callWith(a), yield* callWith(b), yield* callWith(a), yield* callWith(b)]
      yield* Effect.forEach(first, Fiber.join)
      assert.strictEqual(yield* sent, 4)
      // the quota of 4 is spent by the two together: the fifth call waits for a token (one every 2 s)
      const fifth = yield* callWith(a)
      const sixth = yield* callWith(b)
      // both asked Redis (real I/O) and now sleep on the TestClock: until 2 s and 4 s
      yield* awaitSleeps((wakeUps) => wakeUps.includes(2_000) && wakeUps.includes(4_000))
      yield* TestClock.adjust("1999 millis")
      assert.strictEqual(yield* sent, 4)
      yield* TestClock.adjust("1 millis")
      // whichever of the two reached Redis first got the token due at 2 s
      yield* Effect.raceFirst(Fiber.await(fifth), Fiber.await(sixth))
      assert.strictEqual(yield* sent, 5)
      yield* TestClock.adjust("2 seconds")
      const exits = yield* Effect.forEach([fifth, sixth], Fiber.await)
      assert.isTrue(exits.every(Exit.isSuccess))
      assert.strictEqual(yield* sent, 6)
    }))
})
