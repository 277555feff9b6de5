/**
 * Hedged requests against a long-tail server, in real time on loopback.
 *
 * The server answers 5 % of requests (chosen by a seeded generator) after 1 s and the rest at once. The same
 * 1,000 GETs, started at a steady 400 per second (open loop, so a slow call does not hold back the next), run
 * twice: plain, then with `HttpResilient.hedge({ delay: "50 millis" })`. It prints p50 / p90 / p99 / max latency
 * and the requests the server saw, and checks that hedging cuts p99 at least 5× for at most 10 % extra
 * requests. Each run first warms up with 2,000 fast requests. Bounded: about 10 s in all.
 *
 *   npx tsx bench/hedging.ts
 */
import { Effect } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { monitorEventLoopDelay, performance } from "node:perf_hooks"
import { HttpResilient, ResilientClient } from "../src/index.js"

const CALLS = 1_000
const PER_SECOND = 400
const SLOW_SHARE = 0.05
const SLOW_MS = 1_000
const HEDGE_DELAY = "50 millis"

const seeded = (seed: number) => {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    return state / 2_147_483_648
  }
}

const startServer = (seed: number) =>
  new Promise<{ url: string; requests: () => number; close: () => Promise<void> }>((resolve) => {
    const next = seeded(seed)
    let requests = 0
    const timers = new Set<NodeJS.Timeout>()
    const server = http.createServer((req, res) => {
      if (req.url === "/warm-up") {
        res.end("warm")
        return
      }
      requests++
      if (next() < SLOW_SHARE) {
        const timer = setTimeout(() => {
          timers.delete(timer)
          if (!res.destroyed) res.end("slow")
        }, SLOW_MS)
        timers.add(timer)
        res.on("close", () => {
          clearTimeout(timer)
          timers.delete(timer)
        })
      } else {
        res.end("fast")
      }
    })
    server.keepAliveTimeout = 60_000
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests: () => requests,
        close: () =>
          new Promise((ok) => {
            for (const timer of timers) clearTimeout(timer)
            server.closeAllConnections()
            server.close(() => ok())
          })
      })
    })
  })

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]

const run = (hedged: boolean) =>
  Effect.gen(function*() {
    const server = yield* Effect.promise(() => startServer(42))
    const latencies: Array<number> = []
    // warm up the code paths and the connection pool first
    yield* Effect.forEach(Array.from({ length: 2_000 }), () => HttpResilient.get(`${server.url}/warm-up`), {
      concurrency: 32,
      discard: true
    })
    const call = (i: number) => {
      const get = HttpResilient.get(`${server.url}/item/${i}`)
      const request = hedged ? get.pipe(HttpResilient.hedge({ delay: HEDGE_DELAY })) : get
      return Effect.suspend(() => {
        const start = performance.now()
        return Effect.tap(request, () => Effect.sync(() => latencies.push(performance.now() - start)))
      })
    }
    const loop = monitorEventLoopDelay({ resolution: 10 })
    loop.enable()
    const started = performance.now()
    // call i starts at i / PER_SECOND seconds
    yield* Effect.forEach(
      Array.from({ length: CALLS }, (_, i) => i),
      (i) =>
        Effect.suspend(() => {
          const wait = started + (i * 1000) / PER_SECOND - performance.now()
          return wait > 0 ? Effect.zipRight(Effect.sleep(wait), call(i)) : call(i)
        }),
      { concurrency: "unbounded", discard: true }
    )
    const wall = performance.now() - started
    loop.disable()
    const requests = server.requests()
    yield* Effect.promise(() => server.close())
    latencies.sort((a, b) => a - b)
    return {
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1],
      requests,
      wall,
      loopDelayP99: loop.percentile(99) / 1e6
    }
  }).pipe(Effect.provide(ResilientClient.layer({})))

const program = Effect.gen(function*() {
  const plain = yield* run(false)
  const hedged = yield* run(true)
  const row = (name: string, r: typeof plain) =>
    `${name.padEnd(10)} p50 ${r.p50.toFixed(1).padStart(7)} ms  p90 ${r.p90.toFixed(1).padStart(7)} ms  p99 ${
      r.p99.toFixed(1).padStart(7)
    } ms  max ${r.max.toFixed(1).padStart(7)} ms  requests ${String(r.requests).padStart(5)}  wall ${
      (r.wall / 1000).toFixed(2)
    } s  (event-loop delay p99 ${r.loopDelayP99.toFixed(0)} ms)`
  console.log(
    `${CALLS} GETs at ${PER_SECOND}/s; ${
      SLOW_SHARE * 100
    } % of responses take ${SLOW_MS} ms; hedge delay ${HEDGE_DELAY}`
  )
  console.log(row("plain", plain))
  console.log(row("hedged", hedged))
  const speedup = plain.p99 / hedged.p99
  const extra = (hedged.requests - CALLS) / CALLS
  console.log(`p99: ${speedup.toFixed(1)}× lower with hedging (target ≥ 5×): ${speedup >= 5 ? "PASS" : "FAIL"}`)
  console.log(
    `extra requests: ${(extra * 100).toFixed(1)} % (target ≤ 10 %): ${extra <= 0.1 ? "PASS" : "FAIL"}`
  )
  if (speedup < 5 || extra > 0.1) process.exitCode = 1
})

Effect.runPromise(program).catch((error) => {
  console.error(error)
  process.exitCode = 1
})
