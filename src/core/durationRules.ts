/**
 * The three rules a duration option keeps, said once for both editions: what each accepts (as milliseconds) and
 * what such a value is (`"a positive finite duration"`). Reading a duration input (`"10 seconds"`, a number of
 * milliseconds, a `Duration`) is each edition's `Duration` business; whether the input keeps the rule is decided
 * here, so both editions accept the same values and refuse the others in the same words.
 * @internal
 */

/**
 * A duration rule: `accepts` says which finite millisecond counts keep it, `expected` what they are.
 * @internal
 */
export interface DurationRule {
  readonly expected: string
  readonly example: string
  readonly accepts: (millis: number) => boolean
}

const example = `"10 seconds" or 10000 for milliseconds`

/**
 * A finite duration above zero: a client's, a route's and a request's `timeout` and `deadline`, the connection
 * timeouts, a backoff's base.
 * @internal
 */
export const positiveDuration: DurationRule = {
  expected: "a positive finite duration",
  example,
  accepts: (millis) => millis > 0
}

/**
 * A finite duration, zero included: a grace period, a backoff's constant delay, a cap, the test kit's delays.
 * @internal
 */
export const nonNegativeDuration: DurationRule = {
  expected: "a non-negative finite duration",
  example,
  accepts: (millis) => millis >= 0
}

/**
 * A finite duration of at least 1 ms: the protections' windows and waits, a hedge's delay, where less than a
 * millisecond would mean never waiting (a hedge after 0 ms is two requests always).
 * @internal
 */
export const millisDuration: DurationRule = {
  expected: "a finite duration of at least 1 millisecond",
  example: `"5 seconds" or 5000`,
  accepts: (millis) => millis >= 1
}

/**
 * Whether a duration input is negative as written (`-5`, `"-1 millis"`, NaN): a `Duration` reader may read these as
 * zero without a word, so they are refused before it.
 * @internal
 */
export const isNegativeDurationInput = (input: unknown): boolean => {
  if (typeof input === "number") return input < 0 || Number.isNaN(input)
  if (typeof input === "bigint") return input < BigInt(0)
  if (typeof input === "string") return input.trimStart().startsWith("-")
  if (Array.isArray(input)) return input.some((x) => typeof x === "number" && x < 0)
  return false
}

/**
 * Whether a duration input keeps `rule`, given the milliseconds the edition read from it (undefined: not a
 * duration).
 * @internal
 */
export const keepsDurationRule = (rule: DurationRule, input: unknown, millis: number | undefined): boolean =>
  millis !== undefined && Number.isFinite(millis) && !isNegativeDurationInput(input) && rule.accepts(millis)
