import { assert, describe, it } from "@effect/vitest"
import { Cause, Clock, Duration, Effect, FastCheck as fc, Fiber, Random, Schedule, TestClock } from "effect"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Intervals from "effect/ScheduleIntervals"
import { Backoff } from "../src/index.js"

/** The first `n` delays (ms) of a schedule, stepping it by hand from virtual time 0, with a seeded `Random`. */
const delaysOf = <Out>(schedule: Schedule.Schedule<Out, unknown>, n: number, seed: number = 1): Array<number> =>
  Effect.runSync(
    Effect.gen(function*() {
      let state = schedule.initial
      let now = 0
      const out: Array<number> = []
      for (let i = 0; i < n; i++) {
        const [next, , decision] = yield* schedule.step(now, undefined, state)
        if (ScheduleDecision.isDone(decision)) break
        // intervals are absolute times: round away the float error of (now + delay) - now
        const raw = Intervals.start(decision.intervals) - now
        const delay = Number.isInteger(raw) ? raw : Math.round(raw * 1e6) / 1e6
        out.push(delay)
        now += delay
        state = next
      }
      return out
    }).pipe(Effect.withRandom(Random.make(seed)))
  )

/** The first `n` outputs of a schedule. */
const outputsOf = <Out>(schedule: Schedule.Schedule<Out, unknown>, n: number): Array<Out> =>
  Effect.runSync(
    Effect.gen(function*() {
      let state = schedule.initial
      let now = 0
      const out: Array<Out> = []
      for (let i = 0; i < n; i++) {
        const [next, output, decision] = yield* schedule.step(now, undefined, state)
        if (ScheduleDecision.isDone(decision)) break
        out.push(output)
        now = Intervals.start(decision.intervals)
        state = next
      }
      return out
    }).pipe(Effect.withRandom(Random.make(7)))
  )

const millis = fc.integer({ min: 1, max: 10_000 })
const count = fc.integer({ min: 1, max: 40 })
const seed = fc.integer()

describe("sequences", () => {
  it.prop(
    "exponential: base × factor^n, exactly",
    { base: millis, factor: fc.integer({ min: 1, max: 4 }), n: fc.integer({ min: 1, max: 20 }) },
    ({ base, factor, n }) => {
      const expected = Array.from({ length: n }, (_, i) => base * Math.pow(factor, i))
      assert.deepStrictEqual(delaysOf(Backoff.exponential({ base, factor }), n), expected)
      assert.deepStrictEqual(outputsOf(Backoff.exponential({ base, factor }), n).map(Duration.toMillis), expected)
    }
  )

  it.prop(
    "exponential with a fractional factor: the yielded delays are base × factor^n",
    { base: millis, factor: fc.double({ min: 1, max: 4, noNaN: true }), n: count },
    ({ base, factor, n }) => {
      const outputs = outputsOf(Backoff.exponential({ base, factor, max: "1 hour" }), n).map(Duration.toMillis)
      outputs.forEach((d, i) => {
        const expected = Math.min(3_600_000, base * Math.pow(factor, i))
        assert.isTrue(Math.abs(d - expected) <= 1e-6, `${d} ≠ ${expected}`)
      })
    }
  )

  it.prop(
    "exponential with max: min(max, base × factor^n)",
    { base: millis, extra: millis, n: count },
    ({ base, extra, n }) => {
      const max = base + extra
      const delays = delaysOf(Backoff.exponential({ base, max }), n)
      assert.deepStrictEqual(delays, Array.from({ length: n }, (_, i) => Math.min(max, base * 2 ** i)))
    }
  )

  it.prop("fibonacci: base, base, 2 base, 3 base, 5 base …", { base: millis, n: count }, ({ base, n }) => {
    const fib = [1, 1]
    while (fib.length < n) fib.push(fib[fib.length - 1] + fib[fib.length - 2])
    assert.deepStrictEqual(delaysOf(Backoff.fibonacci({ base }), n), fib.slice(0, n).map((k) => k * base))
  })

  it.prop("fibonacci with max never exceeds it", { base: millis, max: millis, n: count }, ({ base, max, n }) => {
    fc.pre(max >= base)
    const delays = delaysOf(Backoff.fibonacci({ base, max }), n)
    assert.strictEqual(delays.length, n)
    assert.isTrue(delays.every((d) => d <= max))
  })

  it.prop("linear: initial + n × step, capped", {
    initial: fc.integer({ min: 0, max: 10_000 }),
    step: fc.integer({ min: 0, max: 10_000 }),
    extra: fc.option(millis, { nil: undefined }),
    n: count
  }, ({ extra, initial, n, step }) => {
    const max = extra === undefined ? undefined : initial + extra
    const delays = delaysOf(Backoff.linear({ initial, step, max }), n)
    assert.deepStrictEqual(delays, Array.from({ length: n }, (_, i) => Math.min(max ?? Infinity, initial + i * step)))
  })

  it.prop(
    "fromDelays: the list, then stop",
    { list: fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1 }) },
    ({ list }) => {
      const [first, ...rest] = list
      assert.deepStrictEqual(delaysOf(Backoff.fromDelays(first, ...rest), list.length + 5), list)
    }
  )

  it.prop(
    "constant: the same delay forever",
    { delay: fc.integer({ min: 0, max: 10_000 }), n: count },
    ({ delay, n }) => {
      assert.deepStrictEqual(delaysOf(Backoff.constant(delay), n), Array(n).fill(delay))
    }
  )

  it("constructors yield their delay", () => {
    assert.deepStrictEqual(outputsOf(Backoff.exponential({ base: "1 second" }), 3).map(Duration.toMillis), [
      1000,
      2000,
      4000
    ])
    const jittered = outputsOf(Backoff.exponential({ base: "1 second" }).pipe(Backoff.fullJitter), 3)
    assert.deepStrictEqual(
      jittered.map(Duration.toMillis),
      delaysOf(Backoff.exponential({ base: "1 second" }).pipe(Backoff.fullJitter), 3, 7)
    )
  })
})

describe("jitter and caps", () => {
  it.prop("random: every delay inside [min, max]", { a: millis, b: millis, s: seed }, ({ a, b, s }) => {
    const [min, max] = a <= b ? [a, b] : [b, a]
    const delays = delaysOf(Backoff.random({ min, max }), 30, s)
    assert.isTrue(delays.every((d) => d >= min && d <= max), `${delays}`)
  })

  it.prop("fullJitter: every delay inside [0, d]", { base: millis, s: seed }, ({ base, s }) => {
    const plain = delaysOf(Backoff.exponential({ base, max: 60_000 }), 20)
    const jittered = delaysOf(Backoff.exponential({ base, max: 60_000 }).pipe(Backoff.fullJitter), 20, s)
    jittered.forEach((d, i) => assert.isTrue(d >= 0 && d <= plain[i], `${d} outside [0, ${plain[i]}]`))
  })

  it.prop("equalJitter: every delay inside [d / 2, d]", { base: millis, s: seed }, ({ base, s }) => {
    const plain = delaysOf(Backoff.exponential({ base, max: 60_000 }), 20)
    const jittered = delaysOf(Backoff.exponential({ base, max: 60_000 }).pipe(Backoff.equalJitter), 20, s)
    jittered.forEach((d, i) =>
      assert.isTrue(d >= plain[i] / 2 && d <= plain[i], `${d} outside [${plain[i] / 2}, ${plain[i]}]`)
    )
  })

  it.prop(
    "decorrelatedJitter: min(max, uniform(base, previous × 3))",
    { base: millis, extra: millis, s: seed },
    ({ base, extra, s }) => {
      const max = base + extra
      const delays = delaysOf(Backoff.decorrelatedJitter({ base, max }), 30, s)
      let previous = base
      for (const d of delays) {
        assert.isTrue(d >= base && d <= max && d <= Math.max(base, previous * 3), `${d} after ${previous}`)
        previous = d
      }
    }
  )

  it.prop("jittered (Effect's): every delay inside [0.8 d, 1.2 d]", { base: millis, s: seed }, ({ base, s }) => {
    const delays = delaysOf(Backoff.constant(base).pipe(Backoff.jittered), 20, s)
    assert.isTrue(delays.every((d) => d >= 0.8 * base - 1e-6 && d <= 1.2 * base + 1e-6), `${delays}`)
  })

  it.prop(
    "capped: nothing exceeds the cap, whatever the strategy",
    { base: millis, cap: millis, s: seed },
    ({ base, cap, s }) => {
      const strategies = [
        Backoff.exponential({ base, factor: 3 }),
        Backoff.fibonacci({ base }),
        Backoff.linear({ initial: base, step: base }),
        Backoff.random({ min: base, max: base * 10 }),
        Backoff.exponential({ base }).pipe(Backoff.jittered)
      ]
      for (const strategy of strategies) {
        const delays = delaysOf(Backoff.capped(strategy, cap), 25, s)
        assert.strictEqual(delays.length, 25)
        assert.isTrue(delays.every((d) => d <= cap), `${delays} above ${cap}`)
      }
    }
  )

  it.prop("the same seed gives the same delays", { s: seed }, ({ s }) => {
    const strategies = [
      Backoff.exponential({ base: 100 }).pipe(Backoff.fullJitter),
      Backoff.exponential({ base: 100 }).pipe(Backoff.equalJitter),
      Backoff.decorrelatedJitter({ base: 100, max: 20_000 }),
      Backoff.random({ min: 0, max: 1000 })
    ]
    for (const strategy of strategies) assert.deepStrictEqual(delaysOf(strategy, 20, s), delaysOf(strategy, 20, s))
    // and a different seed, different delays
    assert.notDeepEqual(delaysOf(strategies[0], 20, s), delaysOf(strategies[0], 20, s + 1))
  })

  it.prop(
    "upTo: no delay ends past the total",
    { base: millis, total: fc.integer({ min: 0, max: 100_000 }) },
    ({ base, total }) => {
      const delays = delaysOf(Backoff.upTo(Backoff.exponential({ base }), total), 100)
      const sum = delays.reduce((a, b) => a + b, 0)
      assert.isTrue(sum <= total, `${delays} sum past ${total}`)
      // and it stops only when the next delay would pass it
      assert.isTrue(sum + base * 2 ** delays.length > total)
    }
  )
})

describe("as schedules", () => {
  it.effect("retry delays follow the backoff in virtual time", () =>
    Effect.gen(function*() {
      const times: Array<number> = []
      const failing = Effect.flatMap(Clock.currentTimeMillis, (t) => {
        times.push(t)
        return Effect.fail("no")
      })
      const backoff = Backoff.fibonacci({ base: "100 millis" }).pipe(Schedule.intersect(Schedule.recurs(4)))
      const fiber = yield* Effect.fork(Effect.retry(failing, backoff))
      yield* TestClock.adjust("1 hour")
      yield* Fiber.await(fiber)
      assert.deepStrictEqual(times, [0, 100, 200, 400, 700])
    }))

  it("composes with pipe and data-first", () => {
    const a = delaysOf(Backoff.exponential({ base: 10 }).pipe(Backoff.capped("50 millis")), 5)
    const b = delaysOf(Backoff.capped(Backoff.exponential({ base: 10 }), 50), 5)
    assert.deepStrictEqual(a, [10, 20, 40, 50, 50])
    assert.deepStrictEqual(a, b)
  })
})

describe("bad input", () => {
  const cases: Array<[() => unknown, RegExp]> = [
    [
      () => Backoff.exponential({ base: -100 }),
      /Backoff\.exponential: option "base" must be a positive finite duration, got -100/
    ],
    [() => Backoff.exponential({ base: "-5 millis" }), /option "base" .* got "-5 millis"/],
    [() => Backoff.exponential({ base: 0 }), /option "base" must be a positive/],
    [() => Backoff.exponential({ base: "soon" as any }), /option "base" .* got "soon"/],
    [() => Backoff.exponential({ base: Duration.infinity }), /option "base"/],
    [
      () => Backoff.exponential({ base: 100, factor: 0.5 }),
      /option "factor" must be a finite number of at least 1, got 0\.5/
    ],
    [() => Backoff.exponential({ base: 100, factor: NaN }), /option "factor"/],
    [() => Backoff.exponential({ base: 100, max: 50 }), /option "max" must not be below "base"/],
    [() => Backoff.fibonacci({ base: -1 }), /Backoff\.fibonacci: option "base"/],
    [() => Backoff.linear({ initial: 0, step: -1 }), /Backoff\.linear: option "step" must be a non-negative/],
    [() => Backoff.constant(-1), /Backoff\.constant: option "delay"/],
    [() => Backoff.fromDelays(10, -1), /Backoff\.fromDelays: option "delays\[1\]"/],
    [() => Backoff.random({ min: 100, max: 10 }), /Backoff\.random: option "max" must not be below "min"/],
    [() => Backoff.decorrelatedJitter({ base: 100, max: 10 }), /Backoff\.decorrelatedJitter: option "max"/],
    [() => Backoff.capped(Backoff.constant(1), -1), /Backoff\.capped: option "max"/],
    [() => Backoff.upTo(Backoff.constant(1), "-1 seconds"), /Backoff\.upTo: option "total"/],
    [
      () => Backoff.exponential({ base: 100, factr: 3 } as any),
      /^Backoff\.exponential: unknown option "factr" \(known: base, factor, max; did you mean "factor"\?\)$/
    ],
    [
      () => Backoff.fibonacci({ base: 100, maximum: 1 } as any),
      /Backoff\.fibonacci: unknown option "maximum" \(known: base, max/
    ],
    [
      () => Backoff.linear({ initial: 0, steps: 1 } as any),
      /Backoff\.linear: unknown option "steps" .*did you mean "step"/
    ],
    [
      () => Backoff.random({ min: 0, max: 1, seed: 1 } as any),
      /Backoff\.random: unknown option "seed" \(known: min, max\)/
    ],
    [
      () => Backoff.decorrelatedJitter({ base: 1, max: 10, cap: 5 } as any),
      /Backoff\.decorrelatedJitter: unknown option "cap" \(known: base, max\)/
    ],
    [() => Backoff.exponential(undefined as any), /Backoff\.exponential: option "options" must be an object/]
  ]
  it("throws an IllegalArgumentException naming the option and the value", () => {
    for (const [build, message] of cases) {
      assert.throws(build, message)
      try {
        build()
      } catch (error) {
        assert.isTrue(Cause.isIllegalArgumentException(error))
      }
    }
  })
})
