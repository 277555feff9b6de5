import { assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, Random, Schedule } from "effect"
import { Backoff } from "effect-http-resilient/v4"
import { TestClock } from "effect/testing"

/**
 * The first `n` delays (ms) of a schedule, stepping it by hand from time 0 (each step at the end of the previous
 * delay), with a seeded `Random`; fewer when it stops.
 */
const delaysOf = <Out>(schedule: Schedule.Schedule<Out, unknown>, n: number, seed: number = 1): Array<number> =>
  Effect.runSync(
    Effect.gen(function*() {
      const step = yield* Schedule.toStep(schedule)
      const out: Array<number> = []
      let now = 0
      for (let i = 0; i < n; i++) {
        const result = yield* Effect.exit(step(now, undefined))
        if (result._tag === "Failure") break
        const delay = Duration.toMillis(result.value[1])
        out.push(delay)
        now += delay
      }
      return out
    }).pipe(Random.withSeed(seed))
  )

const seeds = Array.from({ length: 200 }, (_, i) => i * 7919 + 1)

describe("Backoff (v4): random, decorrelatedJitter, the jitters, upTo", () => {
  it("random: every delay a whole number of milliseconds inside [min, max]; min = max is that delay", () => {
    for (const seed of seeds) {
      const [min, max] = [seed % 500, (seed % 500) + (seed % 37)]
      const delays = delaysOf(Backoff.random({ min, max }), 30, seed)
      assert.strictEqual(delays.length, 30)
      assert.isTrue(delays.every((d) => Number.isInteger(d) && d >= min && d <= max), `${delays} in [${min}, ${max}]`)
    }
    assert.deepStrictEqual(delaysOf(Backoff.random({ min: "1 second", max: "1 second" }), 3), [1000, 1000, 1000])
  })

  it("decorrelatedJitter: min(max, uniform(base, previous × 3)), starting from previous = base", () => {
    for (const seed of seeds) {
      const base = 1 + (seed % 300)
      const max = base + (seed % 5000)
      const delays = delaysOf(Backoff.decorrelatedJitter({ base, max }), 30, seed)
      assert.strictEqual(delays.length, 30)
      let previous = base
      for (const d of delays) {
        assert.isTrue(
          Number.isInteger(d) && d >= base && d <= max && d <= Math.max(base, previous * 3),
          `${d} after ${previous}`
        )
        previous = d
      }
    }
    // it grows: with room, a later delay goes beyond 3 × base at some seed
    assert.isTrue(seeds.some((s) => delaysOf(Backoff.decorrelatedJitter({ base: 10, max: 100_000 }), 10, s)[9] > 30))
  })

  it("fullJitter and equalJitter: whole milliseconds inside [0, d] and [d / 2, d]", () => {
    const plain = delaysOf(Backoff.exponential({ base: 100, max: 60_000 }), 20)
    for (const seed of seeds.slice(0, 50)) {
      const full = delaysOf(Backoff.exponential({ base: 100, max: 60_000 }).pipe(Backoff.fullJitter), 20, seed)
      full.forEach((d, i) => assert.isTrue(Number.isInteger(d) && d >= 0 && d <= plain[i], `${d} vs ${plain[i]}`))
      const equal = delaysOf(Backoff.exponential({ base: 100, max: 60_000 }).pipe(Backoff.equalJitter), 20, seed)
      equal.forEach((d, i) =>
        assert.isTrue(Number.isInteger(d) && d >= plain[i] / 2 && d <= plain[i], `${d} vs ${plain[i]}`)
      )
    }
  })

  it("the same seed gives the same delays, another seed others", () => {
    const strategies = [
      Backoff.decorrelatedJitter({ base: 100, max: 20_000 }),
      Backoff.random({ min: 0, max: 1000 }),
      Backoff.exponential({ base: 100 }).pipe(Backoff.fullJitter)
    ]
    for (const strategy of strategies) {
      assert.deepStrictEqual(delaysOf(strategy, 20, 42), delaysOf(strategy, 20, 42))
      assert.notDeepEqual(delaysOf(strategy, 20, 42), delaysOf(strategy, 20, 43))
    }
  })

  it("upTo: no delay ends past the total; it stops only when the next one would", () => {
    for (const base of [1, 7, 100, 1000]) {
      for (const total of [0, 1, 50, 999, 1000, 12_345, 100_000]) {
        const delays = delaysOf(Backoff.upTo(Backoff.exponential({ base }), total), 100)
        const sum = delays.reduce((a, b) => a + b, 0)
        assert.isTrue(sum <= total, `${delays} sum past ${total}`)
        assert.isTrue(sum + base * 2 ** delays.length > total, `${delays} stopped early for ${total}`)
      }
    }
    // data-last and data-first alike
    assert.deepStrictEqual(
      delaysOf(Backoff.constant(100).pipe(Backoff.upTo("350 millis")), 10),
      delaysOf(Backoff.upTo(Backoff.constant(100), 350), 10)
    )
    assert.deepStrictEqual(delaysOf(Backoff.constant(100).pipe(Backoff.upTo("350 millis")), 10), [100, 100, 100])
  })

  it.effect("upTo counts the attempts' own time too (the Clock), in a retry", () =>
    Effect.gen(function*() {
      const times: Array<number> = []
      const failing = Effect.flatMap(Clock.currentTimeMillis, (t) => {
        times.push(t)
        // each attempt takes 100 ms
        return Effect.andThen(Effect.sleep("100 millis"), Effect.fail("no"))
      })
      const fiber = yield* Effect.forkChild(Effect.retry(failing, Backoff.constant(200).pipe(Backoff.upTo(550))))
      yield* TestClock.adjust("1 hour")
      yield* Fiber.await(fiber)
      // the first recurrence at 100 waits to 300; at 400 the wait ends at 600, 500 after the first (≤ 550);
      // at 700 it would end 800 after it
      assert.deepStrictEqual(times, [0, 300, 600])
    }))

  it("bad options name the function, the option and the value", () => {
    assert.throws(() => Backoff.random({ min: "1 second", max: "10 millis" }), /Backoff.random: option "max"/)
    assert.throws(() => Backoff.random({ min: -1, max: 10 }), /Backoff.random: option "min" -1 is not/)
    assert.throws(
      () => Backoff.decorrelatedJitter({ base: 0, max: 10 }),
      /Backoff.decorrelatedJitter: option "base" 0 is not a positive finite duration/
    )
    assert.throws(
      () => Backoff.decorrelatedJitter({ base: 100, max: 10 }),
      /Backoff.decorrelatedJitter: option "max" 10 is below "base" \(100 ms\)/
    )
    assert.throws(() => Backoff.upTo(Backoff.constant(1), -5), /Backoff.upTo: option "total" -5 is not/)
  })

  it("FibonacciOptions types fibonacci's options", () => {
    const options: Backoff.FibonacciOptions = { base: "100 millis", max: "250 millis" }
    assert.deepStrictEqual(delaysOf(Backoff.fibonacci(options), 5), [100, 100, 200, 250, 250])
  })
})
