/**
 * Reading options: durations to milliseconds, and errors that name the option, the value and why.
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import { type DurationRule, keepsDurationRule } from "../../../src/core/durationRules.js"

/** A value as an error shows it. @internal */
export const shown = (u: unknown): string => {
  if (typeof u === "function") return "a function"
  if (Duration.isDuration(u)) return Duration.format(u)
  try {
    return typeof u === "number" ? String(u) : JSON.stringify(u) ?? String(u)
  } catch {
    return String(u)
  }
}

/**
 * A bad option, with what a caller needs to report it in its own words (`layerConfig` names the variable).
 * @internal
 */
export class BadOption extends RangeError {
  constructor(
    readonly fn: string,
    /** the option's path, dotted: `bulkhead.maxConcurrent` */
    readonly option: string,
    readonly value: unknown,
    readonly expected: string,
    /** `<value> is not <expected>`: the message without the option's name (another wording when given) */
    readonly reason: string = `${shown(value)} is not ${expected}`
  ) {
    super(`${fn}: option "${option}" ${reason}`)
  }
}

/**
 * A bad option: `fn: option "name" <value> is not <expected>`.
 * @internal
 */
export const badOption = (fn: string, name: string, value: unknown, expected: string): RangeError =>
  new BadOption(fn, name, value, expected)

/**
 * A duration option in milliseconds, checked with the root entry's rule for that option (`positiveDuration`,
 * `nonNegativeDuration`, `millisDuration` of src/core/durationRules.ts); throws naming the option, the value and
 * the rule's text (`-1 is not a positive finite duration`).
 * @internal
 */
export const millisOf = (fn: string, name: string, input: unknown, rule: DurationRule): number => {
  const decoded = Duration.fromInput(input as Duration.Input)
  const millis = Option.isSome(decoded) ? Duration.toMillis(decoded.value) : undefined
  if (!keepsDurationRule(rule, input, millis)) throw badOption(fn, name, input, rule.expected)
  return millis as number
}

/**
 * An optional duration in milliseconds, checked with `rule`.
 * @internal
 */
export const optionalMillis = (fn: string, name: string, input: unknown, rule: DurationRule): number | undefined =>
  input === undefined ? undefined : millisOf(fn, name, input, rule)

/**
 * A number within bounds; throws naming the option.
 * @internal
 */
export const numberOf = (
  fn: string,
  name: string,
  input: unknown,
  check: { readonly integer?: boolean; readonly min: number; readonly max?: number; readonly expected: string }
): number => {
  const ok = typeof input === "number" && !Number.isNaN(input) && input >= check.min &&
    (check.max === undefined || input <= check.max) &&
    (!check.integer || Number.isInteger(input) || input === Infinity)
  if (!ok) throw badOption(fn, name, input, check.expected)
  return input as number
}
