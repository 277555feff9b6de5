/** @internal */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Interval from "effect/ScheduleInterval"
import * as Intervals from "effect/ScheduleIntervals"
import { decorrelatedRange, endsPastTotal, fixedUniformMillis, pickUniformMillis } from "../core/backoff.js"
import { showValue } from "./optionValue.js"
import {
  constructorFrame,
  decodeOrThrow,
  type Field,
  firstProblemDecoder,
  type Frame,
  optionsSchema,
  type OptionsSpec,
  ruleSchema
} from "./schema/frame.js"
import { durationMillis, NonNegativeDuration, PositiveDuration, type Rule, rule } from "./schema/rules.js"

// ---------------------------------------------------------------------------
// validation: one Schema per function's options, over the shared rules
// ---------------------------------------------------------------------------

/**
 * How a backoff (and `RetryPolicy.make`) reports a bad option: an `IllegalArgumentException` naming the function,
 * the option and the value (`Backoff.exponential: option "base" must be a positive finite duration, got 0`).
 * @internal
 */
export const illegalFrame = (fn: string): Frame =>
  constructorFrame(
    fn,
    (path, value, rule) =>
      `${fn}: option "${path.length === 0 ? "options" : path.join(".")}" must be ${rule.expected}, got ${
        showValue(value)
      }`,
    (path, text) => `${fn}: option "${path.join(".")}" ${text}`
  )

/**
 * A decoder of the options of `fn` against `spec` (reported by `illegalFrame`), throwing an
 * `IllegalArgumentException` at the first problem.
 * @internal
 */
export const optionsDecoder = <A>(fn: string, spec: OptionsSpec): (options: unknown) => A => {
  const decode = firstProblemDecoder(optionsSchema<A>(spec, [], illegalFrame(fn)))
  return (options) => decodeOrThrow(decode, options, (message) => new Cause.IllegalArgumentException(message))
}

/** A decoder of one duration option of `fn`, to its milliseconds. */
const durationDecoder = (fn: string, option: string, rule: Rule): (input: unknown) => number => {
  const decode = firstProblemDecoder(ruleSchema<Duration.DurationInput>([option], rule, illegalFrame(fn)))
  return (input) => {
    decodeOrThrow(decode, input, (message) => new Cause.IllegalArgumentException(message))
    return durationMillis(input)!
  }
}

/** The option `option` may not be a shorter duration than the option `lower`. */
const notBelow = (option: string, lower: string): OptionsSpec["check"] => (options, path, frame) => {
  const low = durationMillis(options[lower])
  const value = durationMillis(options[option])
  return options[option] === undefined || low === undefined || value === undefined || value >= low ? [] : [{
    key: option,
    message: frame.problem(
      [...path, option],
      `must not be below "${lower}" (${low} ms), got ${showValue(options[option])}`
    )
  }]
}

const spec = (
  fields: Record<string, Field>,
  check?: OptionsSpec["check"]
): OptionsSpec => ({
  fields,
  expected: `an object with the options ${Object.keys(fields).join(", ")}`,
  required: true,
  check
})

const Factor = rule((u) => typeof u === "number" && Number.isFinite(u) && u >= 1, "a finite number of at least 1")

/** The options of each backoff. */
const specs = {
  exponential: spec({
    base: { rule: PositiveDuration, required: true },
    factor: { rule: Factor },
    max: { rule: PositiveDuration }
  }, notBelow("max", "base")),
  fibonacci: spec(
    { base: { rule: PositiveDuration, required: true }, max: { rule: PositiveDuration } },
    notBelow("max", "base")
  ),
  linear: spec({
    initial: { rule: NonNegativeDuration, required: true },
    step: { rule: NonNegativeDuration, required: true },
    max: { rule: PositiveDuration }
  }, notBelow("max", "initial")),
  random: spec(
    { min: { rule: NonNegativeDuration, required: true }, max: { rule: NonNegativeDuration, required: true } },
    notBelow("max", "min")
  ),
  decorrelatedJitter: spec(
    { base: { rule: PositiveDuration, required: true }, max: { rule: PositiveDuration, required: true } },
    notBelow("max", "base")
  )
} as const

const decodeExponential = optionsDecoder<ExponentialOptions>("Backoff.exponential", specs.exponential)
const decodeFibonacci = optionsDecoder<FibonacciOptions>("Backoff.fibonacci", specs.fibonacci)
const decodeLinear = optionsDecoder<LinearOptions>("Backoff.linear", specs.linear)
const decodeRandom = optionsDecoder<RandomOptions>("Backoff.random", specs.random)
const decodeDecorrelated = optionsDecoder<DecorrelatedJitterOptions>(
  "Backoff.decorrelatedJitter",
  specs.decorrelatedJitter
)
const constantDelay = durationDecoder("Backoff.constant", "delay", NonNegativeDuration)
const cappedMax = durationDecoder("Backoff.capped", "max", NonNegativeDuration)
const upToTotal = durationDecoder("Backoff.upTo", "total", NonNegativeDuration)

/** An optional `max` in milliseconds (`Infinity` when there is none). */
const maxMillis = (max: Duration.DurationInput | undefined): number =>
  max === undefined ? Infinity : durationMillis(max)!

// ---------------------------------------------------------------------------
// building blocks
// ---------------------------------------------------------------------------

const continueAfter = (now: number, delayMillis: number) =>
  ScheduleDecision.continueWith(Interval.after(now + delayMillis))

/**
 * A schedule that recurs forever, each time after the delay `next(state)` computes, yielding that delay.
 * @internal
 */
const unfoldDelays = <S>(
  initial: S,
  next: (state: S) => readonly [delayMillis: number, next: S]
): Schedule.Schedule<Duration.Duration> =>
  Schedule.makeWithState(initial, (now, _input: unknown, state: S) => {
    const [delay, following] = next(state)
    return Effect.succeed([following, Duration.millis(delay), continueAfter(now, delay)] as const)
  })

/**
 * The delay a decision asks for, in milliseconds from `now` (never negative).
 * @internal
 */
export const decisionDelay = (now: number, decision: ScheduleDecision.ScheduleDecision): number =>
  ScheduleDecision.isDone(decision) ? 0 : Math.max(0, Intervals.start(decision.intervals) - now)

/**
 * Changes the delay of every recurrence of `self`. When `self` yields its delay (a `Duration`, as every
 * `Backoff` constructor does), the output becomes the new delay too.
 * @internal
 */
export const mapDelayEffect = <Out, In, R, R2>(
  self: Schedule.Schedule<Out, In, R>,
  f: (delayMillis: number) => Effect.Effect<number, never, R2>
): Schedule.Schedule<Out, In, R | R2> =>
  Schedule.makeWithState(
    self.initial,
    (now, input: In, state) =>
      Effect.flatMap(self.step(now, input, state), ([next, out, decision]) => {
        if (ScheduleDecision.isDone(decision)) return Effect.succeed([next, out, decision] as const)
        const delay = decisionDelay(now, decision)
        return Effect.map(f(delay), (changed) => {
          const millis = Math.max(0, changed)
          const output = Duration.isDuration(out) ? (Duration.millis(millis) as Out) : out
          return [next, output, continueAfter(now, millis)] as const
        })
      })
  )

const mapDelay = <Out, In, R>(
  self: Schedule.Schedule<Out, In, R>,
  f: (delayMillis: number) => number
): Schedule.Schedule<Out, In, R> => mapDelayEffect(self, (delay) => Effect.succeed(f(delay)))

// ---------------------------------------------------------------------------
// strategies
// ---------------------------------------------------------------------------

/** @internal */
export interface ExponentialOptions {
  readonly base: Duration.DurationInput
  readonly factor?: number | undefined
  readonly max?: Duration.DurationInput | undefined
}

/** @internal */
export const exponential = (options: ExponentialOptions): Schedule.Schedule<Duration.Duration> => {
  decodeExponential(options)
  const base = durationMillis(options.base)!
  const factor = options.factor ?? 2
  const max = maxMillis(options.max)
  return unfoldDelays(0, (n) => {
    const delay = Math.min(base * Math.pow(factor, n), max)
    return [delay, delay >= max ? n : n + 1]
  })
}

/** @internal */
export interface FibonacciOptions {
  readonly base: Duration.DurationInput
  readonly max?: Duration.DurationInput | undefined
}

/** @internal */
export const fibonacci = (options: FibonacciOptions): Schedule.Schedule<Duration.Duration> => {
  decodeFibonacci(options)
  const base = durationMillis(options.base)!
  const max = maxMillis(options.max)
  return unfoldDelays(
    [base, base] as const,
    ([a, b]) => [Math.min(a, max), a >= max ? [a, b] as const : [b, a + b] as const]
  )
}

/** @internal */
export interface LinearOptions {
  readonly initial: Duration.DurationInput
  readonly step: Duration.DurationInput
  readonly max?: Duration.DurationInput | undefined
}

/** @internal */
export const linear = (options: LinearOptions): Schedule.Schedule<Duration.Duration> => {
  decodeLinear(options)
  const initial = durationMillis(options.initial)!
  const step = durationMillis(options.step)!
  const max = maxMillis(options.max)
  return unfoldDelays(0, (n) => [Math.min(initial + n * step, max), n + 1])
}

/** @internal */
export const constant = (delay: Duration.DurationInput): Schedule.Schedule<Duration.Duration> => {
  const millis = constantDelay(delay)
  return unfoldDelays(undefined, () => [millis, undefined])
}

/** @internal */
export const fromDelays = (
  ...delays: readonly [Duration.DurationInput, ...Array<Duration.DurationInput>]
): Schedule.Schedule<Duration.Duration> => {
  if (delays.length === 0) {
    throw new Cause.IllegalArgumentException(`Backoff.fromDelays: option "delays" must hold at least one delay, got []`)
  }
  const millis = delays.map((d, i) => durationDecoder("Backoff.fromDelays", `delays[${i}]`, NonNegativeDuration)(d))
  return Schedule.makeWithState(0, (now, _input: unknown, n: number) =>
    Effect.succeed(
      n < millis.length
        ? [n + 1, Duration.millis(millis[n]), continueAfter(now, millis[n])] as const
        : [n, Duration.zero, ScheduleDecision.done] as const
    ))
}

/** @internal */
export interface RandomOptions {
  readonly min: Duration.DurationInput
  readonly max: Duration.DurationInput
}

/**
 * A whole number of milliseconds drawn uniformly from `[min, max]` (bounds rounded inwards); `min` when that
 * range holds no whole number.
 */
const uniform = (min: number, max: number): Effect.Effect<number> => {
  const fixed = fixedUniformMillis(min, max)
  return fixed !== undefined ? Effect.succeed(fixed) : Effect.map(Random.next, (r) => pickUniformMillis(min, max, r))
}

/** @internal */
export const random = (options: RandomOptions): Schedule.Schedule<Duration.Duration> => {
  decodeRandom(options)
  const min = durationMillis(options.min)!
  const max = durationMillis(options.max)!
  return Schedule.makeWithState(
    undefined,
    (now, _input: unknown, state: undefined) =>
      Effect.map(uniform(min, max), (delay) => [state, Duration.millis(delay), continueAfter(now, delay)] as const)
  )
}

/** @internal */
export interface DecorrelatedJitterOptions {
  readonly base: Duration.DurationInput
  readonly max: Duration.DurationInput
}

/** @internal */
export const decorrelatedJitter = (options: DecorrelatedJitterOptions): Schedule.Schedule<Duration.Duration> => {
  decodeDecorrelated(options)
  const base = durationMillis(options.base)!
  const max = durationMillis(options.max)!
  return Schedule.makeWithState(
    base,
    (now, _input: unknown, previous: number) =>
      Effect.map(uniform(...decorrelatedRange(base, previous)), (drawn) => {
        const delay = Math.min(max, drawn)
        return [delay, Duration.millis(delay), continueAfter(now, delay)] as const
      })
  )
}

// ---------------------------------------------------------------------------
// combinators
// ---------------------------------------------------------------------------

/** @internal */
export const fullJitter = <Out, In, R>(self: Schedule.Schedule<Out, In, R>): Schedule.Schedule<Out, In, R> =>
  mapDelayEffect(self, (delay) => uniform(0, delay))

/** @internal */
export const equalJitter = <Out, In, R>(self: Schedule.Schedule<Out, In, R>): Schedule.Schedule<Out, In, R> =>
  mapDelayEffect(self, (delay) => uniform(delay / 2, delay))

/** @internal */
export const jittered = <Out, In, R>(self: Schedule.Schedule<Out, In, R>): Schedule.Schedule<Out, In, R> =>
  Schedule.jittered(self)

/** @internal */
export const capped = dual<
  (max: Duration.DurationInput) => <Out, In, R>(self: Schedule.Schedule<Out, In, R>) => Schedule.Schedule<Out, In, R>,
  <Out, In, R>(self: Schedule.Schedule<Out, In, R>, max: Duration.DurationInput) => Schedule.Schedule<Out, In, R>
>(2, (self, max) => {
  const millis = cappedMax(max)
  return mapDelay(self, (delay) => Math.min(delay, millis))
})

/** @internal */
export const upTo = dual<
  (total: Duration.DurationInput) => <Out, In, R>(self: Schedule.Schedule<Out, In, R>) => Schedule.Schedule<Out, In, R>,
  <Out, In, R>(self: Schedule.Schedule<Out, In, R>, total: Duration.DurationInput) => Schedule.Schedule<Out, In, R>
>(2, <Out, In, R>(self: Schedule.Schedule<Out, In, R>, total: Duration.DurationInput) => {
  const limit = upToTotal(total)
  return Schedule.makeWithState(
    [undefined as number | undefined, self.initial] as const,
    (now, input: In, [start, state]) => {
      const first = start ?? now
      return Effect.map(self.step(now, input, state), ([next, out, decision]) => {
        if (ScheduleDecision.isDone(decision) || endsPastTotal(first, now, decisionDelay(now, decision), limit)) {
          return [[first, next] as const, out, ScheduleDecision.done] as const
        }
        return [[first, next] as const, out, decision] as const
      })
    }
  )
})
