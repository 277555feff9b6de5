/**
 * Delay `Schedule`s for retries (v4 `Schedule`s: compose them with any of v4's combinators). The same names and
 * options as the root entry's `Backoff`.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import { badOption, millisOf, numberOf, optionalMillis } from "./internal/options.js"

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
  const base = millisOf(fn, "base", options.base)
  const factor = numberOf(fn, "factor", options.factor ?? 2, { min: 1, expected: "a number ≥ 1" })
  const max = optionalMillis(fn, "max", options.max) ?? Infinity
  return fromDelayFunction((n) => Math.min(max, base * factor ** n))
}

/**
 * `base`, `base`, `2 × base`, `3 × base`, `5 × base` … up to `max`.
 * @since 0.1.0
 * @category constructors
 */
export const fibonacci = (options: { readonly base: Duration.Input; readonly max?: Duration.Input | undefined }) => {
  const fn = "Backoff.fibonacci"
  const base = millisOf(fn, "base", options.base)
  const max = optionalMillis(fn, "max", options.max) ?? Infinity
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
  const initial = millisOf(fn, "initial", options.initial)
  const step = millisOf(fn, "step", options.step)
  const max = optionalMillis(fn, "max", options.max) ?? Infinity
  return fromDelayFunction((n) => Math.min(max, initial + step * n))
}

/**
 * The same delay every time.
 * @since 0.1.0
 * @category constructors
 */
export const constant = (delay: Duration.Input): Schedule.Schedule<Duration.Duration> => {
  const millis = millisOf("Backoff.constant", "delay", delay)
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
  const millis = delays.map((d, i) => millisOf("Backoff.fromDelays", `delays[${i}]`, d))
  return Schedule.fromStepWithMetadata(Effect.succeed((meta: Schedule.InputMetadata<unknown>) => {
    if (meta.attempt > millis.length) return Cause.done(Duration.zero)
    const delay = Duration.millis(millis[meta.attempt - 1])
    return Effect.succeed([delay, delay] as [Duration.Duration, Duration.Duration])
  }))
}

const scaleDelay = <Out, In, E, R>(
  self: Schedule.Schedule<Out, In, E, R>,
  f: (delay: number, random: number) => number
): Schedule.Schedule<Out, In, E, R> =>
  Schedule.modifyDelay(
    self,
    (meta) => Effect.map(Random.next, (random) => Duration.millis(f(Duration.toMillis(meta.duration), random)))
  )

/**
 * A delay drawn uniformly from 0 to the schedule's delay (AWS's "full jitter").
 * @since 0.1.0
 * @category combinators
 */
export const fullJitter = <Out, In, E, R>(self: Schedule.Schedule<Out, In, E, R>): Schedule.Schedule<Out, In, E, R> =>
  scaleDelay(self, (delay, random) => delay * random)

/**
 * Half the delay plus a random share of the other half.
 * @since 0.1.0
 * @category combinators
 */
export const equalJitter = <Out, In, E, R>(self: Schedule.Schedule<Out, In, E, R>): Schedule.Schedule<Out, In, E, R> =>
  scaleDelay(self, (delay, random) => delay / 2 + (delay / 2) * random)

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
  const limit = millisOf("Backoff.capped", "max", max)
  return scaleDelay(self, (delay) => Math.min(delay, limit))
})
