import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { HttpResilient, ResilientClient } from "effect-http-resilient/v4"
import { execFile, spawn, spawnSync } from "node:child_process"
import { createServer as createHttpServer } from "node:http"
import { type AddressInfo, createServer as createNetServer } from "node:net"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import * as RateLimiterRedis from "../src/RateLimiterRedis.js"

const here = dirname(fileURLToPath(import.meta.url))
const tsx = join(here, "..", "..", "node_modules", ".bin", "tsx")
const hasRedis = spawnSync("redis-server", ["--version"]).status === 0

const freePort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const probe = createNetServer()
    probe.listen(0, "127.0.0.1", () => {
      const port = (probe.address() as AddressInfo).port
      probe.close(() => resolve(port))
    })
  })
)

/** redis-server on a free port, no persistence, stopped with the scope. */
const redisServer = Effect.gen(function*() {
  const port = yield* freePort
  const child = yield* Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<ReturnType<typeof spawn>>((resolve, reject) => {
        const proc = spawn("redis-server", [
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--save",
          "",
          "--appendonly",
          "no"
        ])
        proc.stdout!.on("data", (chunk: Buffer) => {
          if (chunk.toString().includes("Ready to accept connections")) resolve(proc)
        })
        proc.on("error", reject)
        proc.on("exit", (code) => reject(new Error(`redis-server exited with ${code}`)))
      })
    ),
    (proc) => Effect.sync(() => proc.kill("SIGTERM"))
  )
  return { url: `redis://127.0.0.1:${port}`, pid: child.pid }
})

/** An origin that always answers `status`, counting the requests it got. */
const origin = (status: number) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<{ url: string; requests: () => number; close: () => void }>((resolve) => {
        let requests = 0
        const server = createHttpServer((_req, res) => {
          requests++
          res.writeHead(status).end()
        })
        server.listen(0, "127.0.0.1", () =>
          resolve({
            url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/work`,
            requests: () => requests,
            close: () => server.close()
          }))
      })
    ),
    (origin) => Effect.sync(() => origin.close())
  )

/** A client in its own process (test/support/breakerClient.ts): the outcome of each of its calls. */
const clientProcess = (redisUrl: string, prefix: string, url: string, calls: number) =>
  Effect.promise(() =>
    new Promise<Array<string | number>>((resolve, reject) =>
      execFile(tsx, [join(here, "support", "breakerClient.ts"), redisUrl, prefix, url, String(calls)], {
        cwd: join(here, ".."),
        timeout: 60_000
      }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stderr}`))
        else resolve(JSON.parse(stdout.trim().split("\n").pop()!))
      })
    )
  )

describe.skipIf(!hasRedis)("a Redis-backed breaker shared by two processes (real redis-server, real time)", () => {
  it.live(
    "one process's client opens the breaker; the other's rejects with CircuitOpenError and sends nothing",
    () =>
      Effect.gen(function*() {
        const redis = yield* redisServer
        const server = yield* origin(503)
        const prefix = `ehr-test-${process.pid}-${Date.now()}:`
        const first = yield* clientProcess(redis.url, prefix, server.url, 3)
        assert.deepStrictEqual(first, ["StatusError", "StatusError", "StatusError"])
        assert.strictEqual(server.requests(), 3)
        const second = yield* clientProcess(redis.url, prefix, server.url, 2)
        assert.deepStrictEqual(second, ["CircuitOpenError", "CircuitOpenError"])
        assert.strictEqual(server.requests(), 3, "the second process sent no request")
      }).pipe(Effect.scoped),
    120_000
  )
})

describe.skipIf(!hasRedis)("RateLimiterRedis.layer (real redis-server, real time)", () => {
  it.live(
    "two clients, each with its own Redis connection, share one quota: the second is refused what the first used",
    () =>
      Effect.gen(function*() {
        const redis = yield* redisServer
        const server = yield* origin(200)
        const prefix = `ehr-rl-${process.pid}-${Date.now()}:`
        const client = () =>
          Layer.build(
            ResilientClient.layer({ rateLimiter: { limit: 2, window: "1 minute", key: "partner" } }).pipe(
              Layer.provide(RateLimiterRedis.layer({ url: redis.url, prefix }))
            )
          )
        const first = yield* client()
        const second = yield* client()
        for (let i = 0; i < 2; i++) yield* HttpResilient.get(server.url).pipe(Effect.provideContext(first))
        // the quota is spent in Redis: the other client's next token is ~30 s away, past its 1 s deadline
        const refused = yield* Effect.flip(
          HttpResilient.get(server.url, { deadline: "1 second" }).pipe(Effect.provideContext(second))
        )
        assert.strictEqual(refused._tag, "RateLimitedError")
        assert.strictEqual(server.requests(), 2, "the refused call sent nothing")
      }).pipe(Effect.scoped),
    60_000
  )
})

if (!hasRedis) {
  describe("a Redis-backed breaker shared by two processes", () => {
    it.skip("needs redis-server on the PATH (apt-get install -y redis-server; .ci/run installs it)", () => {})
  })
}
