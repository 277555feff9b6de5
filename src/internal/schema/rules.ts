/**
 * The rules option values keep, each said once: what a rule accepts and what such a value is, as a noun phrase
 * (`an integer ≥ 1`). Every option Schema (client options, protections, hedging, retry policies, backoffs, the test
 * kit's chaos rates) is built from these, so one rule reads the same wherever it applies; how a broken rule is
 * reported (a layer's `ConfigError`, a variable of the environment, a constructor's exception) is a `Frame`'s
 * business (frame.ts).
 * @internal
 */
import * as Duration from "effect/Duration"
import { isRate01, rate01Expected } from "../../core/chaos.js"
import {
  type DurationRule,
  keepsDurationRule,
  millisDuration,
  nonNegativeDuration,
  positiveDuration
} from "../../core/durationRules.js"

/**
 * A rule an option's value keeps: `is` accepts the values, `expected` says what they are (`"an integer ≥ 1"`),
 * `example` shows one where options are configured (a layer, the environment), `show` shows a rejected value when
 * `showValue` would show too much (a URL's secrets).
 * @internal
 */
export interface Rule {
  readonly is: (u: unknown) => boolean
  readonly expected: string
  readonly example?: string | undefined
  readonly show?: ((u: unknown) => string) | undefined
}

/**
 * A rule from a predicate and what the values it accepts are.
 * @internal
 */
export const rule = (is: (u: unknown) => boolean, expected: string, example?: string): Rule =>
  example === undefined ? { is, expected } : { is, expected, example }

/**
 * The milliseconds of a finite duration input (`"10 seconds"`, a number of milliseconds, a `Duration`, an
 * `[seconds, nanos]` pair), or undefined for anything else. A negative input reads as 0, as `Duration.decode` reads
 * it: a rule that accepts 0 rejects negative inputs first.
 * @internal
 */
export const durationMillis = (input: unknown): number | undefined => {
  if (input === undefined || input === null) return undefined
  const decoded = Duration.decodeUnknown(input)
  return decoded._tag === "Some" && Duration.isFinite(decoded.value) ? Duration.toMillis(decoded.value) : undefined
}

const durationRule = (core: DurationRule): Rule =>
  rule((u) => keepsDurationRule(core, u, durationMillis(u)), core.expected, core.example)

/**
 * A finite duration above zero (a client's timeouts, a backoff's base).
 * @internal
 */
export const PositiveDuration: Rule = durationRule(positiveDuration)

/**
 * A finite duration, zero included (a grace period, a backoff's constant delay, a cap).
 * @internal
 */
export const NonNegativeDuration: Rule = durationRule(nonNegativeDuration)

/**
 * A finite duration of at least 1 ms: the protections' windows and waits, a hedge's delay, where less than a
 * millisecond would mean never waiting (a hedge after 0 ms is two requests always).
 * @internal
 */
export const MillisDuration: Rule = durationRule(millisDuration)

/**
 * An integer from `min` to `max` (`an integer ≥ min` when there is no useful maximum).
 * @internal
 */
export const intRange = (min: number, max: number = Number.MAX_SAFE_INTEGER): Rule =>
  rule(
    (u) => typeof u === "number" && Number.isInteger(u) && u >= min && u <= max,
    max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`
  )

/**
 * An integer ≥ 0 (a queue's length).
 * @internal
 */
export const NonNegativeInt: Rule = intRange(0)

/**
 * An integer ≥ 1 (a count of things that must exist: probes, slots, a threshold).
 * @internal
 */
export const PositiveInt: Rule = intRange(1)

/**
 * A number from `min` to `max`, both included (never NaN).
 * @internal
 */
export const numberRange = (min: number, max: number): Rule =>
  rule((u) => typeof u === "number" && u >= min && u <= max, `a number from ${min} to ${max}`)

/**
 * A share of attempts above zero, at most all of them: a ratio breaker's failure threshold.
 * @internal
 */
export const Share: Rule = rule((u) => typeof u === "number" && u > 0 && u <= 1, "a share in (0, 1]")

/**
 * A rate from 0 (never) to 1 (always): the test kit's chaos rates.
 * @internal
 */
export const Rate01: Rule = rule(isRate01, rate01Expected)

/**
 * One of the given strings, named as `"a" or "b"`.
 * @internal
 */
export const oneOf = (...values: ReadonlyArray<string>): Rule =>
  rule(
    (u) => typeof u === "string" && values.includes(u),
    values.map((v) => JSON.stringify(v)).join(" or ")
  )

/**
 * A function; `expected` says which (`"a predicate on the error"`).
 * @internal
 */
export const functionRule = (expected: string): Rule => rule((u) => typeof u === "function", expected)

/**
 * An object as options are given: not null, not an array.
 * @internal
 */
export const isObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * `true` (the default limit), `false` (none followed) or how many redirects to follow, 0 to 100.
 * @internal
 */
export const FollowRedirects: Rule = rule(
  (u) => typeof u === "boolean" || (typeof u === "number" && Number.isInteger(u) && u >= 0 && u <= 100),
  "true, false or an integer from 0 to 100"
)
