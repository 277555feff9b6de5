import { assert, describe, it } from "@effect/vitest"
import { type Context, Effect, Exit, Fiber, Layer, TestClock } from "effect"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as net from "node:net"
import { HttpResilient, HttpResilientTest, ResilientClient } from "../src/index.js"
import * as RateLimiterRedis from "../src/RateLimiterRedis.js"
import { awaitSleeps } from "./support/events.js"
import { closedPort } from "./support/server.js"

describe("RateLimiter", () => {
  // the token bucket, fixed window, keys, adaptive pause and deadline: the shared suite (test/shared/rateLimiter.ts)
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
