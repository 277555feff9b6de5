import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Metric, Queue } from "effect"
import { HttpResilient, HttpResilientTest, ResilientClient, Telemetry } from "../src/index.js"

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

  it.scoped("the response bodies an undrained subscription keeps alive stay under 16 MiB", () =>
    Effect.gen(function*() {
      const mib = 1024 * 1024
      assert.strictEqual(Telemetry.eventBacklog.maxBodyBytes, 16 * mib)
      const queue = yield* ResilientClient.subscribe
      const before = yield* droppedSoFar
      // 20 calls failing with a 1 MiB body: RequestStarted, AttemptFailed (its error carries the response) each
      for (let i = 0; i < 20; i++) {
        const exit = yield* Effect.exit(HttpResilient.get(`http://backlog.test/${i}`))
        assert.isTrue(exit._tag === "Failure")
      }
      const kept = Chunk.toReadonlyArray(yield* Queue.takeAll(queue))
      let bytes = 0
      for (const event of kept) {
        if (event._tag === "AttemptFailed" && event.error._tag === "StatusError") {
          bytes += (yield* event.error.response.arrayBuffer).byteLength
        }
      }
      assert.strictEqual(bytes, 16 * mib)
      // the 4 oldest calls' two events each made room
      assert.strictEqual(kept.length, 40 - 8)
      assert.strictEqual((yield* droppedSoFar) - before, 8)
      assert.isTrue(kept[0]._tag === "RequestStarted" && kept[0].url === "http://backlog.test/4")
    }).pipe(
      Effect.provide(
        HttpResilientTest.layer(() => HttpResilientTest.reply(503, { body: new Uint8Array(1024 * 1024) }), {
          circuitBreaker: false
        })
      )
    ))
})
