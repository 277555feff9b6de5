import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  CircuitBreaker,
  HttpResilient,
  HttpResilientTest,
  ResilientClient,
  type ResilientEvent
} from "effect-http-resilient/v4"
import { TestClock } from "effect/testing"

const origin = "http://api.test"

describe("CircuitBreaker's strategy mark and states (v4)", () => {
  it("every constructor's strategy carries StrategyTypeId; isStrategy checks for it", () => {
    const strategies = [CircuitBreaker.consecutive(5), CircuitBreaker.ratio(), CircuitBreaker.persisted()]
    for (const strategy of strategies) {
      assert.isTrue(CircuitBreaker.StrategyTypeId in strategy, strategy._tag)
      assert.isTrue(CircuitBreaker.isStrategy(strategy), strategy._tag)
    }
    // a look-alike without the mark is not a strategy, nor are options or nothing
    for (const u of [{ _tag: "Consecutive", threshold: 5 }, { threshold: 5 }, null, undefined, "ratio", 5]) {
      assert.isFalse(CircuitBreaker.isStrategy(u), JSON.stringify(u))
    }
    // the v4 edition's own symbol: a root-entry (v3) strategy is not a v4 one
    assert.notStrictEqual(CircuitBreaker.StrategyTypeId, Symbol.for("effect-http-resilient/CircuitBreaker/Strategy"))
  })

  it.effect("a strategy given as the circuitBreaker option is read as { strategy }; CircuitState and events", () =>
    Effect.gen(function*() {
      const seen: Array<ResilientEvent.CircuitState> = []
      const states = (): Effect.Effect<void, unknown, ResilientClient.ResilientClient> =>
        Effect.map(ResilientClient.circuitState(origin), (state: CircuitBreaker.CircuitState) => void seen.push(state))
      yield* states()
      for (let i = 0; i < 2; i++) yield* Effect.flip(HttpResilient.get(`${origin}/x`))
      yield* states()
      yield* TestClock.adjust("5 seconds")
      yield* states()
      assert.deepStrictEqual(seen, ["closed", "open", "half-open"])
    }).pipe(
      Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(500)], {
        circuitBreaker: CircuitBreaker.consecutive(2)
      }))
    ))
})
