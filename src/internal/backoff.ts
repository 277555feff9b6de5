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
import { showValue, unknownOptionsMessage } from "./optionValue.js"

// ---------------------------------------------------------------------------
// validation
// ---------------------------------------------------------------------------

/**
 * Throws an `IllegalArgumentException` naming the function, the option and the value.
 * @internal
 */
export const illegal = (fn: string, option: string, value: unknown, why: string): never => {
  throw new Cause.IllegalArgumentException(`${fn}: option "${option}" ${why}, got ${showValue(value)}`)
}

/**
 * Checks that `options` is an object with no option outside `known`; otherwise throws an
 * `IllegalArgumentException` naming the function, the unknown option and the known ones.
 * @internal
 */
export const checkOptionNames = (fn: string, options: unknown, known: ReadonlyArray<string>): void => {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    illegal(fn, "options", options, `must be an object with the options ${known.join(", ")}`)
  }
  const unknown = unknownOptionsMessage(fn, options as object, known)
  if (unknown !== undefined) throw new Cause.IllegalArgumentException(unknown)
}

const isNegativeInput = (input: unknown): boolean => {
  if (typeof input === "number") return input < 0 || Number.isNaN(input)
  if (typeof input === "bigint") return input < BigInt(0)
  if (typeof input === "string") return /^\s*-/.test(input)
  if (Array.isArray(input)) return input.some((x) => typeof x === "number" && x < 0)
  return false
}

/**
 * A duration option in milliseconds: finite, never negative, positive unless `allowZero`.
 * (`Duration.decode` turns negative numbers into zero silently, so they are caught first.)
 * @internal
 */
export const durationOption = (
  fn: string,
  option: string,
  input: unknown,
  { allowZero = false }: { readonly allowZero?: boolean } = {}
): number => {
  const what = allowZero ? "must be a non-negative finite duration" : "must be a positive finite duration"
  if (input === undefined || input === null || isNegativeInput(input)) return illegal(fn, option, input, what)
  const decoded = Duration.decodeUnknown(input)
  if (decoded._tag === "None" || !Duration.isFinite(decoded.value)) return illegal(fn, option, input, what)
  const millis = Duration.toMillis(decoded.value)
  if (!allowZero && millis <= 0) return illegal(fn, option, input, what)
  return millis
}

const optionalMax = (fn: string, input: unknown, atLeast: number, atLeastName: string): number => {
  if (input === undefined) return Infinity
  const max = durationOption(fn, "max", input)
  if (max < atLeast) illegal(fn, "max", input, `must not be below "${atLeastName}" (${atLeast} ms)`)
  return max
}

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
  const fn = "Backoff.exponential"
  checkOptionNames(fn, options, ["base", "factor", "max"])
  const base = durationOption(fn, "base", options.base)
  const factor = options.factor ?? 2
  if (typeof factor !== "number" || !Number.isFinite(factor) || factor < 1) {
    illegal(fn, "factor", factor, "must be a finite number of at least 1")
  }
  const max = optionalMax(fn, options.max, base, "base")
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
  const fn = "Backoff.fibonacci"
  checkOptionNames(fn, options, ["base", "max"])
  const base = durationOption(fn, "base", options.base)
  const max = optionalMax(fn, options.max, base, "base")
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
  const fn = "Backoff.linear"
  checkOptionNames(fn, options, ["initial", "step", "max"])
  const initial = durationOption(fn, "initial", options.initial, { allowZero: true })
  const step = durationOption(fn, "step", options.step, { allowZero: true })
  const max = optionalMax(fn, options.max, initial, "initial")
  return unfoldDelays(0, (n) => [Math.min(initial + n * step, max), n + 1])
}

/** @internal */
export const constant = (delay: Duration.DurationInput): Schedule.Schedule<Duration.Duration> => {
  const millis = durationOption("Backoff.constant", "delay", delay, { allowZero: true })
  return unfoldDelays(undefined, () => [millis, undefined])
}

/** @internal */
export const fromDelays = (
  ...delays: readonly [Duration.DurationInput, ...Array<Duration.DurationInput>]
): Schedule.Schedule<Duration.Duration> => {
  if (delays.length === 0) illegal("Backoff.fromDelays", "delays", delays, "must hold at least one delay")
  const millis = delays.map((d, i) => durationOption("Backoff.fromDelays", `delays[${i}]`, d, { allowZero: true }))
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
  const lo = Math.ceil(min)
  const hi = Math.floor(max)
  if (hi <= lo) return Effect.succeed(hi === lo ? lo : min)
  return Effect.map(Random.next, (r) => Math.min(hi, lo + Math.floor(r * (hi - lo + 1))))
}

/** @internal */
export const random = (options: RandomOptions): Schedule.Schedule<Duration.Duration> => {
  const fn = "Backoff.random"
  checkOptionNames(fn, options, ["min", "max"])
  const min = durationOption(fn, "min", options.min, { allowZero: true })
  const max = durationOption(fn, "max", options.max, { allowZero: true })
  if (max < min) illegal(fn, "max", options.max, `must not be below "min" (${min} ms)`)
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
  const fn = "Backoff.decorrelatedJitter"
  checkOptionNames(fn, options, ["base", "max"])
  const base = durationOption(fn, "base", options.base)
  const max = durationOption(fn, "max", options.max)
  if (max < base) illegal(fn, "max", options.max, `must not be below "base" (${base} ms)`)
  return Schedule.makeWithState(
    base,
    (now, _input: unknown, previous: number) =>
      Effect.map(uniform(base, Math.max(base, previous * 3)), (drawn) => {
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
  const millis = durationOption("Backoff.capped", "max", max, { allowZero: true })
  return mapDelay(self, (delay) => Math.min(delay, millis))
})

/** @internal */
export const upTo = dual<
  (total: Duration.DurationInput) => <Out, In, R>(self: Schedule.Schedule<Out, In, R>) => Schedule.Schedule<Out, In, R>,
  <Out, In, R>(self: Schedule.Schedule<Out, In, R>, total: Duration.DurationInput) => Schedule.Schedule<Out, In, R>
>(2, <Out, In, R>(self: Schedule.Schedule<Out, In, R>, total: Duration.DurationInput) => {
  const limit = durationOption("Backoff.upTo", "total", total, { allowZero: true })
  return Schedule.makeWithState(
    [undefined as number | undefined, self.initial] as const,
    (now, input: In, [start, state]) => {
      const first = start ?? now
      return Effect.map(self.step(now, input, state), ([next, out, decision]) => {
        if (ScheduleDecision.isDone(decision) || now + decisionDelay(now, decision) - first > limit) {
          return [[first, next] as const, out, ScheduleDecision.done] as const
        }
        return [[first, next] as const, out, decision] as const
      })
    }
  )
})
