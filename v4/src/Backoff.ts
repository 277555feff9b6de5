/**
 * Delay `Schedule`s for retries (v4 `Schedule`s: compose them with any of v4's combinators). The same names and
 * options as the root entry's `Backoff`. Random delays (`random`, `decorrelatedJitter`, `fullJitter`,
 * `equalJitter`) are whole milliseconds drawn uniformly from v4's `Random` service (the core's rules,
 * `src/core/backoff.ts`), so a seeded `Random` repeats them.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import { decorrelatedRange, endsPastTotal, fixedUniformMillis, pickUniformMillis } from "../../src/core/backoff.js"
import { type DurationRule, nonNegativeDuration, positiveDuration } from "../../src/core/durationRules.js"
import { BadOption, badOption, millisOf, numberOf, optionalMillis, shown } from "./internal/options.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface ExponentialOptions {
  /** the first delay */
  readonly base: Duration.Input
  /** @default 2 */
  readonly factor?: number | undefined
  /** @default no cap */
  readonly max?: Duration.Input | undefined
}

/**
 * Options of {@link fibonacci}: `base` (the first two delays), `max` (cap).
 * @since 0.1.0
 * @category models
 */
export interface FibonacciOptions {
  /** the first two delays */
  readonly base: Duration.Input
  /** @default no cap */
  readonly max?: Duration.Input | undefined
}

/**
 * Options of {@link random}: each delay is drawn uniformly from `min` to `max` (`max` not below `min`).
 * @since 0.1.0
 * @category models
 */
export interface RandomOptions {
  readonly min: Duration.Input
  readonly max: Duration.Input
}

/**
 * Options of {@link decorrelatedJitter}: `base` (the smallest delay, above zero) and `max` (the largest, not
 * below `base`).
 * @since 0.1.0
 * @category models
 */
export interface DecorrelatedJitterOptions {
  readonly base: Duration.Input
  readonly max: Duration.Input
}

/**
 * @since 0.1.0
 * @category models
 */
export interface LinearOptions {
  readonly initial: Duration.Input
  readonly step: Duration.Input
  readonly max?: Duration.Input | undefined
}

/** A schedule whose n-th delay (n from 0) is `delayAt(n)` milliseconds, forever. */
const fromDelayFunction = (delayAt: (n: number) => number): Schedule.Schedule<Duration.Duration> =>
  Schedule.fromStepWithMetadata(Effect.succeed((meta: Schedule.InputMetadata<unknown>) => {
    const delay = Duration.millis(delayAt(meta.attempt - 1))
    return Effect.succeed([delay, delay] as [Duration.Duration, Duration.Duration])
  }))

/**
 * `base`, `base × factor`, `base × factor²` … up to `max`.
 * @since 0.1.0
 * @category constructors
 */
export const exponential = (options: ExponentialOptions): Schedule.Schedule<Duration.Duration> => {
  const fn = "Backoff.exponential"
  const base = millisOf(fn, "base", options.base, positiveDuration)
  const factor = numberOf(fn, "factor", options.factor ?? 2, { min: 1, expected: "a number ≥ 1" })
  const max = optionalMillis(fn, "max", options.max, positiveDuration) ?? Infinity
  return fromDelayFunction((n) => Math.min(max, base * factor ** n))
}

/**
 * `base`, `base`, `2 × base`, `3 × base`, `5 × base` … up to `max`.
 * @since 0.1.0
 * @category constructors
 */
export const fibonacci = (options: FibonacciOptions): Schedule.Schedule<Duration.Duration> => {
  const fn = "Backoff.fibonacci"
  const base = millisOf(fn, "base", options.base, positiveDuration)
  const max = optionalMillis(fn, "max", options.max, positiveDuration) ?? Infinity
  return fromDelayFunction((n) => {
    let [a, b] = [1, 1]
    for (let i = 0; i < n && a * base < max; i++) [a, b] = [b, a + b]
    return Math.min(max, a * base)
  })
}

/**
 * `initial`, `initial + step`, `initial + 2 × step` … up to `max`.
 * @since 0.1.0
 * @category constructors
 */
export const linear = (options: LinearOptions): Schedule.Schedule<Duration.Duration> => {
  const fn = "Backoff.linear"
  const initial = millisOf(fn, "initial", options.initial, nonNegativeDuration)
  const step = millisOf(fn, "step", options.step, nonNegativeDuration)
  const max = optionalMillis(fn, "max", options.max, positiveDuration) ?? Infinity
  return fromDelayFunction((n) => Math.min(max, initial + step * n))
}

/**
 * The same delay every time.
 * @since 0.1.0
 * @category constructors
 */
export const constant = (delay: Duration.Input): Schedule.Schedule<Duration.Duration> => {
  const millis = millisOf("Backoff.constant", "delay", delay, nonNegativeDuration)
  return fromDelayFunction(() => millis)
}

/**
 * These delays, in order, then stop.
 * @since 0.1.0
 * @category constructors
 */
export const fromDelays = (
  ...delays: readonly [Duration.Input, ...Array<Duration.Input>]
): Schedule.Schedule<Duration.Duration> => {
  if (delays.length === 0) throw badOption("Backoff.fromDelays", "delays", [], "a list of at least one delay")
  const millis = delays.map((d, i) => millisOf("Backoff.fromDelays", `delays[${i}]`, d, nonNegativeDuration))
  return Schedule.fromStepWithMetadata(Effect.succeed((meta: Schedule.InputMetadata<unknown>) => {
    if (meta.attempt > millis.length) return Cause.done(Duration.zero)
    const delay = Duration.millis(millis[meta.attempt - 1])
    return Effect.succeed([delay, delay] as [Duration.Duration, Duration.Duration])
  }))
}

/** `max` in milliseconds, refused when below the option `lower` (`lowerMillis`). */
const notBelow = (fn: string, lower: string, lowerMillis: number, max: unknown, rule: DurationRule): number => {
  const millis = millisOf(fn, "max", max, rule)
  if (millis < lowerMillis) {
    throw new BadOption(fn, "max", max, "", `${shown(max)} is below "${lower}" (${lowerMillis} ms)`)
  }
  return millis
}

/** A whole number of milliseconds drawn uniformly from `[min, max]` by the `Random` service (the core's rule). */
const uniform = (min: number, max: number): Effect.Effect<number> => {
  const fixed = fixedUniformMillis(min, max)
  return fixed !== undefined ? Effect.succeed(fixed) : Effect.map(Random.next, (r) => pickUniformMillis(min, max, r))
}

/** A schedule whose delays `next()` draws, forever (a fresh `next` for every run of the schedule). */
const drawnDelays = (make: () => () => Effect.Effect<number>): Schedule.Schedule<Duration.Duration> =>
  Schedule.fromStep(Effect.sync(() => {
    const next = make()
    return () =>
      Effect.map(next(), (millis) => {
        const delay = Duration.millis(millis)
        return [delay, delay] as [Duration.Duration, Duration.Duration]
      })
  }))

/**
 * A delay drawn uniformly between `min` and `max` each time (whole milliseconds, from the `Random` service),
 * forever.
 *
 * @example
 * ```ts
 * import { Backoff, RetryPolicy } from "effect-http-resilient/v4"
 *
 * // each wait drawn from 200 ms to 1 s
 * const policy = RetryPolicy.make({ backoff: Backoff.random({ min: "200 millis", max: "1 second" }) })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const random = (options: RandomOptions): Schedule.Schedule<Duration.Duration> => {
  const fn = "Backoff.random"
  const min = millisOf(fn, "min", options.min, nonNegativeDuration)
  const max = notBelow(fn, "min", min, options.max, nonNegativeDuration)
  return drawnDelays(() => () => uniform(min, max))
}

/**
 * AWS's "decorrelated jitter": each delay is `min(max, uniform(base, previous × 3))`, starting from
 * `previous = base`. A strategy of its own (every delay depends on the one before), not a combinator.
 *
 * @example
 * ```ts
 * import { Backoff, RetryPolicy } from "effect-http-resilient/v4"
 *
 * const policy = RetryPolicy.make({
 *   retries: 5,
 *   backoff: Backoff.decorrelatedJitter({ base: "100 millis", max: "10 seconds" })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const decorrelatedJitter = (options: DecorrelatedJitterOptions): Schedule.Schedule<Duration.Duration> => {
  const fn = "Backoff.decorrelatedJitter"
  const base = millisOf(fn, "base", options.base, positiveDuration)
  const max = notBelow(fn, "base", base, options.max, positiveDuration)
  return drawnDelays(() => {
    let previous = base
    return () =>
      Effect.map(uniform(...decorrelatedRange(base, previous)), (drawn) => {
        previous = Math.min(max, drawn)
        return previous
      })
  })
}

const scaleDelay = <Out, In, E, R>(
  self: Schedule.Schedule<Out, In, E, R>,
  f: (delay: number) => Effect.Effect<number>
): Schedule.Schedule<Out, In, E, R> =>
  Schedule.modifyDelay(self, (meta) => Effect.map(f(Duration.toMillis(meta.duration)), Duration.millis))

/**
 * A delay drawn uniformly from 0 to the schedule's delay, whole milliseconds (AWS's "full jitter").
 * @since 0.1.0
 * @category combinators
 */
export const fullJitter = <Out, In, E, R>(self: Schedule.Schedule<Out, In, E, R>): Schedule.Schedule<Out, In, E, R> =>
  scaleDelay(self, (delay) => uniform(0, delay))

/**
 * Half the delay plus a random share of the other half: uniform in `[d / 2, d]`, whole milliseconds.
 * @since 0.1.0
 * @category combinators
 */
export const equalJitter = <Out, In, E, R>(self: Schedule.Schedule<Out, In, E, R>): Schedule.Schedule<Out, In, E, R> =>
  scaleDelay(self, (delay) => uniform(delay / 2, delay))

/**
 * v4's `Schedule.jittered` (80 % to 120 % of the delay).
 * @since 0.1.0
 * @category combinators
 */
export const jittered: <Out, In, E, R>(self: Schedule.Schedule<Out, In, E, R>) => Schedule.Schedule<Out, In, E, R> =
  Schedule.jittered

/**
 * No delay above `max`.
 * @since 0.1.0
 * @category combinators
 */
export const capped: {
  (max: Duration.Input): <Out, In, E, R>(self: Schedule.Schedule<Out, In, E, R>) => Schedule.Schedule<Out, In, E, R>
  <Out, In, E, R>(self: Schedule.Schedule<Out, In, E, R>, max: Duration.Input): Schedule.Schedule<Out, In, E, R>
} = dual(2, <Out, In, E, R>(self: Schedule.Schedule<Out, In, E, R>, max: Duration.Input) => {
  const limit = millisOf("Backoff.capped", "max", max, nonNegativeDuration)
  return scaleDelay(self, (delay) => Effect.succeed(Math.min(delay, limit)))
})

/**
 * Stops `self` once its next delay would end more than `total` after its first recurrence (measured by the
 * `Clock`, so the time the attempts take counts too). Unlike v4's `Schedule.upTo`, no sleep is started that would
 * end past `total`.
 *
 * @example
 * ```ts
 * import { Backoff, RetryPolicy } from "effect-http-resilient/v4"
 *
 * // no wait that would end more than 30 s after the first failure (the attempts' own time counts too)
 * const policy = RetryPolicy.make({
 *   retries: Infinity,
 *   backoff: Backoff.exponential({ base: "200 millis", max: "5 seconds" }).pipe(Backoff.upTo("30 seconds"))
 * })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const upTo: {
  (total: Duration.Input): <Out, In, E, R>(self: Schedule.Schedule<Out, In, E, R>) => Schedule.Schedule<Out, In, E, R>
  <Out, In, E, R>(self: Schedule.Schedule<Out, In, E, R>, total: Duration.Input): Schedule.Schedule<Out, In, E, R>
} = dual(2, <Out, In, E, R>(self: Schedule.Schedule<Out, In, E, R>, total: Duration.Input) => {
  const limit = millisOf("Backoff.upTo", "total", total, nonNegativeDuration)
  return Schedule.fromStep(Effect.map(Schedule.toStep(self), (step) => {
    let first: number | undefined
    return (now: number, input: In) =>
      Effect.flatMap(step(now, input), ([out, delay]) => {
        first ??= now
        return endsPastTotal(first, now, Duration.toMillis(delay), limit)
          ? Cause.done(out)
          : Effect.succeed([out, delay] as [Out, Duration.Duration])
      })
  }))
})
