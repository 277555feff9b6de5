import { assert, describe, it } from "@effect/vitest"
import { Effect, Metric } from "effect"
import { HttpResilient, HttpResilientTest, Telemetry } from "effect-http-resilient/v4"

describe("bounded metric attributes", () => {
  // its own file: the bound is process-wide, so the servers after it in this process are all _OTHER
  it.effect("the duration histogram tags at most 1,000 servers and an unknown method as _OTHER", () =>
    Effect.gen(function*() {
      yield* Effect.gen(function*() {
        for (let i = 0; i < 1100; i++) yield* HttpResilient.get(`http://metric${i}.test/x`)
        yield* HttpResilient.request("FROB", "http://metric0.test/x")
      }).pipe(Effect.provide(HttpResilientTest.layer(() => HttpResilientTest.reply(200))))
      const series = (yield* Metric.snapshot).filter((s) => s.id === Telemetry.metricNames.requestDuration)
      const values = (name: string) => new Set(series.map((s) => s.attributes?.[name]))
      const addresses = values(Telemetry.attributes.serverAddress)
      assert.strictEqual(Telemetry.maxServerAddresses, 1000)
      assert.isAtMost(addresses.size, 1000 + 1)
      assert.isTrue(addresses.has("_OTHER"))
      assert.isTrue(values(Telemetry.attributes.serverPort).has("_OTHER"))
      assert.isTrue(values(Telemetry.attributes.method).has("_OTHER"))
      assert.isFalse(values(Telemetry.attributes.method).has("FROB"))
      const other = yield* Metric.value(
        Telemetry.requestDurationFor({ method: "GET", host: "_OTHER", port: "_OTHER", status: 200 })
      )
      assert.isAtLeast(other.count, 100)
    }))
})
