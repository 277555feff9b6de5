import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Layer, Random, Schedule, Scope } from "effect"
import { HttpResilient, HttpResilientError, ResilientClient } from "../src/index.js"
import { mixedFaults } from "./support/mixedFaults.js"
import { serverScoped, waitUntil } from "./support/server.js"

const countResources = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length

describe("no loss, no duplicates, no leaks", () => {
  it.live("1,000 requests interrupted at random points leave no socket or timer behind", () =>
    Effect.gen(function*() {
      // answers after 0-3 ms, sometimes mid-body
      const server = yield* serverScoped((req, res) => {
        const n = Number(req.url?.slice(1) ?? 0)
        const delay = n % 4
        setTimeout(() => {
          if (res.destroyed) return
          res.writeHead(200, { "content-length": "2000" })
          res.write("x".repeat(1000))
          setTimeout(() => res.destroyed || res.end("y".repeat(1000)), n % 3)
        }, delay)
      })
      const timersBefore = countResources("Timeout")
      const socketsBefore = countResources("TCPSocketWrap")
      const scope = yield* Scope.make()
      const maxConnections = 16
      const context = yield* Layer.buildWithScope(ResilientClient.layer({ maxConnections }), scope)
      const random = Random.make(1234)
      let interrupted = 0
      let completed = 0
      let failed = 0
      yield* Effect.forEach(
        Array.from({ length: 1000 }, (_, i) => i),
        (i) =>
          Effect.gen(function*() {
            const fiber = yield* Effect.fork(HttpResilient.get(`${server.url}/${i}`))
            const wait = yield* random.nextIntBetween(0, 16)
            yield* Effect.sleep(`${wait} millis`)
            const exit = yield* Fiber.interrupt(fiber)
            if (Exit.isInterrupted(exit)) interrupted++
            else if (Exit.isSuccess(exit)) completed++
            else {
              failed++
              assert.isTrue(HttpResilientError.isHttpResilientError(Cause.squash(exit.cause)))
            }
          }),
        { concurrency: 8, discard: true }
      ).pipe(Effect.provide(context))
      console.log("interrupted", interrupted, "completed", completed)
      assert.isAbove(interrupted, 100, "a good share was interrupted mid-flight")
      assert.strictEqual(interrupted + completed + failed, 1000)
      // what is left open is the pool's idle keep-alive sockets, no more
      yield* waitUntil(() => server.sockets.size <= maxConnections, 20_000)
      assert.isAtMost(server.sockets.size, maxConnections)
      // the client still works afterwards
      const after = yield* HttpResilient.get(`${server.url}/0`).pipe(Effect.provide(context))
      assert.strictEqual(after.status, 200)
      yield* Scope.close(scope, Exit.void)
      yield* waitUntil(() => server.sockets.size === 0, 20_000)
      yield* waitUntil(() => countResources("TCPSocketWrap") <= socketsBefore, 20_000)
      yield* waitUntil(() => countResources("Timeout") <= timersBefore, 20_000)
    }).pipe(Effect.scoped), 60_000)

  it.live(
    "10,000 requests at concurrency 256 with 10 % mixed faults: every call is a success or a typed error",
    () =>
      Effect.gen(function*() {
        const server = yield* serverScoped(mixedFaults())
        // the breaker is off: on a starved machine the 2 s attempt timeouts can open it, and the rest of the run
        // would then be CircuitOpenErrors, which says nothing about the transport's faults
        const layer = Layer.orDie(
          ResilientClient.layer({ timeout: "2 seconds", maxConnections: 256, circuitBreaker: false })
        )
        const tally = { ok: 0, StatusError: 0, TransportError: 0, TimeoutError: 0, other: 0, defects: 0 }
        const unhandled: Array<unknown> = []
        const onUnhandled = (e: unknown) => unhandled.push(e)
        process.on("unhandledRejection", onUnhandled)
        yield* Effect.addFinalizer(() => Effect.sync(() => process.off("unhandledRejection", onUnhandled)))
        yield* Effect.forEach(
          Array.from({ length: 10_000 }, (_, i) => i),
          (i) =>
            HttpResilient.get(`${server.url}/${i}`).pipe(
              Effect.retry(Schedule.recurs(1).pipe(Schedule.whileInput(HttpResilientError.isTransient))),
              Effect.exit,
              Effect.map((exit) => {
                if (Exit.isSuccess(exit)) return void tally.ok++
                const failure = Cause.failureOption(exit.cause)
                if (failure._tag === "None") return void tally.defects++
                const tag = failure.value._tag as keyof typeof tally
                if (tag in tally) tally[tag]++
                else {
                  tally.other++
                  if (tally.other <= 3) console.log(`unexpected ${tag}: ${String(failure.value)}`)
                }
              })
            ),
          { concurrency: 256, discard: true }
        ).pipe(Effect.provide(layer), Effect.timeout("120 seconds"))
        const total = tally.ok + tally.StatusError + tally.TransportError + tally.TimeoutError + tally.other +
          tally.defects
        assert.strictEqual(total, 10_000)
        assert.strictEqual(tally.defects, 0)
        assert.strictEqual(tally.other, 0, JSON.stringify(tally))
        assert.deepStrictEqual(unhandled, [])
        // 10 % of first answers are faults and each call is retried once: most end well
        assert.isAbove(tally.ok, 9_000, JSON.stringify(tally))
      }).pipe(Effect.scoped),
    180_000
  )
})
