import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Backoff, CircuitBreaker, HttpResilient, ResilientClient, RetryPolicy } from "../src/index.js"

describe("one rule for each kind of option value", () => {
  it.effect("a negative duration for an option that accepts zero is a ConfigError, not read as 0", () =>
    Effect.gen(function*() {
      for (const gracePeriod of [-5, "-1 seconds"] as const) {
        const error = yield* Effect.flip(Layer.build(ResilientClient.layer({ gracePeriod })).pipe(Effect.scoped))
        assert.include(
          String(error),
          `gracePeriod: ${JSON.stringify(gracePeriod)} is not a non-negative finite duration`
        )
      }
    }))

  it("null is no default: a constructor names the option it was given null for", () => {
    assert.throws(
      () => CircuitBreaker.ratio({ threshold: null as any }),
      /CircuitBreaker\.ratio: threshold null is not/
    )
    assert.throws(() => HttpResilient.hedge({ delay: 10, maxHedges: null as any }), /maxHedges null is not an integer/)
    assert.throws(
      () => Backoff.exponential({ base: 10, factor: null as any }),
      /option "factor" must be a finite number of at least 1, got null/
    )
    assert.throws(() => RetryPolicy.make({ retries: null as any }), /option "retries" must be a non-negative integer/)
  })
})
