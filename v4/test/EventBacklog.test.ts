import { assert, describe, it } from "@effect/vitest"
import { Effect, Metric, PubSub } from "effect"
import { HttpResilient, HttpResilientTest, ResilientClient, Telemetry } from "effect-http-resilient/v4"

const droppedSoFar = Effect.map(Metric.value(Telemetry.eventsDropped), (state) => state.count)

describe("bounded event backlog", () => {
  it.effect("an undrained subscription keeps the newest 1,024 events and counts the ones it dropped", () =>
    Effect.gen(function*() {
      const capacity = Telemetry.eventBacklog.capacity
      assert.strictEqual(capacity, 1024)
      const subscription = yield* ResilientClient.subscribe
      const before = yield* droppedSoFar
      const calls = 600 // two events each: RequestStarted, Succeeded
      for (let i = 0; i < calls; i++) yield* HttpResilient.get(`http://backlog.test/${i}`)
      assert.strictEqual(yield* PubSub.remaining(subscription), capacity)
      assert.strictEqual((yield* droppedSoFar) - before, 2 * calls - capacity)
      const kept = yield* PubSub.takeAll(subscription)
      assert.strictEqual(kept.length, capacity)
      // sliding: the oldest went, the newest are all there, in order
      const first = kept[0]
      const last = kept[kept.length - 1]
      assert.isTrue(first._tag === "RequestStarted" && first.url === `http://backlog.test/${calls - capacity / 2}`)
      assert.isTrue(last._tag === "Succeeded" && last.url === `http://backlog.test/${calls - 1}`)
    }).pipe(Effect.scoped, Effect.provide(HttpResilientTest.layer(() => HttpResilientTest.reply(200)))))

  it.effect("each subscription has its own backlog: a drained one loses nothing to an undrained one", () =>
    Effect.gen(function*() {
      const slow = yield* ResilientClient.subscribe
      const fast = yield* ResilientClient.subscribe
      let seen = 0
      for (let i = 0; i < 600; i++) {
        yield* HttpResilient.get(`http://backlog.test/${i}`)
        seen += (yield* PubSub.takeUpTo(fast, Number.POSITIVE_INFINITY)).length
      }
      assert.strictEqual(seen, 1200)
      assert.strictEqual(yield* PubSub.remaining(slow), Telemetry.eventBacklog.capacity)
    }).pipe(Effect.scoped, Effect.provide(HttpResilientTest.layer(() => HttpResilientTest.reply(200)))))

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
    it.effect(`the response bodies an undrained subscription keeps alive stay under 16 MiB (${tag})`, () =>
      Effect.gen(function*() {
        const mib = 1024 * 1024
        assert.strictEqual(Telemetry.eventBacklog.maxBodyBytes, 16 * mib)
        const subscription = yield* ResilientClient.subscribe
        const before = yield* droppedSoFar
        // 20 calls failing with a 1 MiB body: RequestStarted, AttemptFailed and Failed (both errors carry the same
        // response, counted once) each
        for (let i = 0; i < 20; i++) {
          const exit = yield* Effect.exit(HttpResilient.get(`http://backlog.test/${i}`))
          assert.isTrue(exit._tag === "Failure")
        }
        const kept = yield* PubSub.takeAll(subscription)
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
      }).pipe(Effect.scoped, Effect.provide(layer)))
  }
})
