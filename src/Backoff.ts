/**
 * Backoff strategies as Effect `Schedule`s: each constructor yields the delay it waits, and each combinator
 * works on any schedule, so they compose with Effect's own `Schedule` combinators and with `RetryPolicy`.
 *
 * Random delays (`random`, the jitters other than Effect's `jittered`) are whole milliseconds, drawn uniformly.
 *
 * Time and randomness come only from the `Clock` and `Random` services: under `TestClock` a 30 s backoff takes
 * no real time, and with a fixed `Random` (`Effect.withRandom(Random.make(seed))`) jitter is repeatable.
 *
 * Bad options throw an `IllegalArgumentException` (from `effect/Cause`) when the schedule is built, naming the
 * function, the option and the value: e.g. `Backoff.exponential: option "factor" must be a finite number of at
 * least 1, got 0.5`; an options object with an option the function does not know throws the same way, naming it
 * and the known ones (`Backoff.exponential: unknown option "factr" (known: base, factor, max; did you mean
 * "factor"?)`). Durations are `Duration.DurationInput`s (`"100 millis"`, `Duration.seconds(1)`, or a number
 * of milliseconds); a negative one is an error, not zero.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Backoff, HttpResilient, RetryPolicy } from "effect-http-resilient"
 *
 * const backoff = Backoff.exponential({ base: "100 millis", max: "10 seconds" }).pipe(Backoff.fullJitter)
 * const program = HttpResilient.get("https://api.example.com/users/1").pipe(
 *   Effect.retry(RetryPolicy.make({ retries: 5, backoff }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Schedule from "effect/Schedule"
import * as internal from "./internal/backoff.js"

/**
 * Options of {@link exponential}.
 *
 * - `base`: the first delay.
 * - `factor`: each delay is the previous one times `factor` (at least 1). @default 2
 * - `max`: no delay is longer (the schedule keeps going at `max`). @default unbounded
 *
 * @since 0.1.0
 * @category models
 */
export type ExponentialOptions = internal.ExponentialOptions

/**
 * Options of {@link fibonacci}: `base` (the first two delays), `max` (cap, @default unbounded).
 *
 * @since 0.1.0
 * @category models
 */
export type FibonacciOptions = internal.FibonacciOptions

/**
 * Options of {@link linear}: `initial` (the first delay), `step` (added each time), `max` (cap, @default unbounded).
 *
 * @since 0.1.0
 * @category models
 */
export type LinearOptions = internal.LinearOptions

/**
 * Options of {@link random}: each delay is drawn uniformly from `min` to `max`.
 *
 * @since 0.1.0
 * @category models
 */
export type RandomOptions = internal.RandomOptions

/**
 * Options of {@link decorrelatedJitter}: `base` (the smallest delay) and `max` (the largest).
 *
 * @since 0.1.0
 * @category models
 */
export type DecorrelatedJitterOptions = internal.DecorrelatedJitterOptions

/**
 * Delays `base`, `base × factor`, `base × factor²` … (never above `max`), forever.
 *
 * @example
 * ```ts
 * import { Backoff } from "effect-http-resilient"
 *
 * // 100 ms, 200 ms, 400 ms, 800 ms, 1 s, 1 s …
 * const backoff = Backoff.exponential({ base: "100 millis", max: "1 second" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const exponential: (options: ExponentialOptions) => Schedule.Schedule<Duration.Duration> = internal.exponential

/**
 * Delays `base`, `base`, `2 × base`, `3 × base`, `5 × base` … (never above `max`), forever.
 *
 * @example
 * ```ts
 * import { Chunk, Duration, Effect, Schedule } from "effect"
 * import { Backoff } from "effect-http-resilient"
 *
 * const backoff = Backoff.fibonacci({ base: "100 millis", max: "10 seconds" })
 * // the first five delays
 * const delays = Effect.runSync(Schedule.run(backoff, 0, [1, 2, 3, 4, 5]))
 * assert.deepStrictEqual(Chunk.toArray(delays).map(Duration.toMillis), [100, 100, 200, 300, 500])
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fibonacci: (options: FibonacciOptions) => Schedule.Schedule<Duration.Duration> = internal.fibonacci

/**
 * Delays `initial`, `initial + step`, `initial + 2 × step` … (never above `max`), forever.
 *
 * @example
 * ```ts
 * import { Chunk, Duration, Effect, Schedule } from "effect"
 * import { Backoff } from "effect-http-resilient"
 *
 * const backoff = Backoff.linear({ initial: "100 millis", step: "50 millis", max: "5 seconds" })
 * const delays = Effect.runSync(Schedule.run(backoff, 0, [1, 2, 3, 4]))
 * assert.deepStrictEqual(Chunk.toArray(delays).map(Duration.toMillis), [100, 150, 200, 250])
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const linear: (options: LinearOptions) => Schedule.Schedule<Duration.Duration> = internal.linear

/**
 * The same delay, forever.
 *
 * @example
 * ```ts
 * import { Backoff, RetryPolicy } from "effect-http-resilient"
 *
 * // at most 3 retries, 1 second apart
 * const policy = RetryPolicy.make({ retries: 3, backoff: Backoff.constant("1 second") })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const constant: (delay: Duration.DurationInput) => Schedule.Schedule<Duration.Duration> = internal.constant

/**
 * The given delays, in order, then stop.
 *
 * @example
 * ```ts
 * import { Backoff } from "effect-http-resilient"
 *
 * const backoff = Backoff.fromDelays("100 millis", "1 second", "5 seconds") // three retries at most
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromDelays: (
  ...delays: readonly [Duration.DurationInput, ...Array<Duration.DurationInput>]
) => Schedule.Schedule<Duration.Duration> = internal.fromDelays

/**
 * A delay drawn uniformly between `min` and `max` each time (from the `Random` service), forever.
 *
 * @example
 * ```ts
 * import { Backoff, RetryPolicy } from "effect-http-resilient"
 *
 * // each wait drawn from 200 ms to 1 s
 * const policy = RetryPolicy.make({ backoff: Backoff.random({ min: "200 millis", max: "1 second" }) })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const random: (options: RandomOptions) => Schedule.Schedule<Duration.Duration> = internal.random

/**
 * AWS's "decorrelated jitter": each delay is `min(max, uniform(base, previous × 3))`, starting from
 * `previous = base`. It is a strategy of its own — every delay depends on the one before — rather than a
 * combinator over another schedule.
 *
 * @example
 * ```ts
 * import { Backoff, RetryPolicy } from "effect-http-resilient"
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
export const decorrelatedJitter: (options: DecorrelatedJitterOptions) => Schedule.Schedule<Duration.Duration> =
  internal.decorrelatedJitter

/**
 * "Full jitter": each delay `d` of `self` becomes uniform in `[0, d]`. A schedule yielding its delay then
 * yields the jittered one.
 *
 * @example
 * ```ts
 * import { Backoff } from "effect-http-resilient"
 *
 * const backoff = Backoff.exponential({ base: "100 millis", max: "20 seconds" }).pipe(Backoff.fullJitter)
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const fullJitter: <Out, In, R>(self: Schedule.Schedule<Out, In, R>) => Schedule.Schedule<Out, In, R> =
  internal.fullJitter

/**
 * "Equal jitter": each delay `d` of `self` becomes `d / 2 + uniform(0, d / 2)`.
 *
 * @example
 * ```ts
 * import { Backoff } from "effect-http-resilient"
 *
 * // delays from 50 to 100 ms, then 100 to 200 ms, 200 to 400 ms …: never less than half the exponential delay
 * const backoff = Backoff.exponential({ base: "100 millis" }).pipe(Backoff.equalJitter)
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const equalJitter: <Out, In, R>(self: Schedule.Schedule<Out, In, R>) => Schedule.Schedule<Out, In, R> =
  internal.equalJitter

/**
 * Effect's own jitter (`Schedule.jittered`): each delay is multiplied by a random factor from 0.8 to 1.2.
 *
 * @example
 * ```ts
 * import { Backoff } from "effect-http-resilient"
 *
 * // 1 s ± 20 %
 * const backoff = Backoff.constant("1 second").pipe(Backoff.jittered)
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const jittered: <Out, In, R>(self: Schedule.Schedule<Out, In, R>) => Schedule.Schedule<Out, In, R> =
  internal.jittered

/**
 * No delay of `self` is longer than `max`.
 *
 * @example
 * ```ts
 * import { Chunk, Duration, Effect, Schedule } from "effect"
 * import { Backoff } from "effect-http-resilient"
 *
 * const backoff = Backoff.exponential({ base: "100 millis" }).pipe(Backoff.capped("500 millis"))
 * const delays = Effect.runSync(Schedule.run(backoff, 0, [1, 2, 3, 4, 5]))
 * assert.deepStrictEqual(Chunk.toArray(delays).map(Duration.toMillis), [100, 200, 400, 500, 500])
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const capped: {
  (max: Duration.DurationInput): <Out, In, R>(self: Schedule.Schedule<Out, In, R>) => Schedule.Schedule<Out, In, R>
  <Out, In, R>(self: Schedule.Schedule<Out, In, R>, max: Duration.DurationInput): Schedule.Schedule<Out, In, R>
} = internal.capped

/**
 * Stops `self` once its next delay would end more than `total` after its first recurrence (measured by the
 * `Clock`, so the time the attempts take counts too). Unlike Effect's `Schedule.upTo`, no sleep is started that
 * would end past `total`.
 *
 * @example
 * ```ts
 * import { Backoff, RetryPolicy } from "effect-http-resilient"
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
  (total: Duration.DurationInput): <Out, In, R>(self: Schedule.Schedule<Out, In, R>) => Schedule.Schedule<Out, In, R>
  <Out, In, R>(self: Schedule.Schedule<Out, In, R>, total: Duration.DurationInput): Schedule.Schedule<Out, In, R>
} = internal.upTo
