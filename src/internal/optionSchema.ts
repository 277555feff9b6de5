/**
 * The Schemas of the kinds of option values requests and clients share (a duration, a count, a header record …),
 * each failing with a message that names the option, shows the value (`showValue`) and says what it is not. The
 * rules behind the plain ones (durations, counts) are said once in schema/rules.ts; request options
 * (requestOptions.ts) and client options (config.ts) are built from these.
 * @internal
 */
import type * as Duration from "effect/Duration"
import * as ParseResult from "effect/ParseResult"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { type HeadersInput, isToken, isValidHeaderValue } from "../core/headers.js"
import type { UrlParamsInput } from "../core/url.js"
import { classOf, showValue, withArticle } from "./optionValue.js"
import { ruleSchema } from "./schema/frame.js"
import { FollowRedirects, intRange, NonNegativeDuration, PositiveDuration } from "./schema/rules.js"

/** A Schema that accepts what `is` accepts and otherwise fails with `message(value)`. */
const rule = <A>(is: (u: unknown) => u is A, message: (value: unknown) => string): Schema.Schema<A> =>
  Schema.declare(is, { message: (issue) => message(issue.actual) })

/**
 * A finite duration above zero (`allowZero`: zero too), as `Duration.decode` reads it: `"10 seconds"`, a number of
 * milliseconds, a `Duration`.
 * @internal
 */
export const durationInput = (name: string, { allowZero = false } = {}): Schema.Schema<Duration.DurationInput> =>
  ruleSchema([name], allowZero ? NonNegativeDuration : PositiveDuration)

/**
 * An integer from 1 to `max`.
 * @internal
 */
export const positiveInt = (name: string, max = Number.MAX_SAFE_INTEGER): Schema.Schema<number> =>
  ruleSchema([name], intRange(1, max))

/**
 * `true` (the default limit), `false` (none followed) or how many redirects to follow, 0 to 100.
 * @internal
 */
export const followRedirectsInput: Schema.Schema<boolean | number> = ruleSchema(["followRedirects"], FollowRedirects)

/**
 * A function (hooks, `lookup`).
 * @internal
 */
export const fn = (name: string): Schema.Schema<(...args: Array<any>) => any> =>
  rule(
    (u: unknown): u is (...args: Array<any>) => any => typeof u === "function",
    (value) => `${name}: expected a function, got ${showValue(value)}`
  )

/** @internal */
export const booleanInput = (name: string): Schema.Schema<boolean> =>
  rule(
    (u: unknown): u is boolean => typeof u === "boolean",
    (value) => `${name}: expected true or false, got ${showValue(value)}`
  )

/** @internal */
export const stringInput = (name: string): Schema.Schema<string> =>
  rule(
    (u: unknown): u is string => typeof u === "string",
    (value) => `${name}: expected a string, got ${showValue(value)}`
  )

/**
 * A non-empty string that may be sent as a header value (no CR, LF, NUL or other controls).
 * @internal
 */
export const headerValueInput = (name: string): Schema.Schema<string> =>
  rule(
    (u: unknown): u is string => typeof u === "string" && u.length > 0 && isValidHeaderValue(u),
    (value) =>
      typeof value === "string" && value.length > 0
        ? `${name}: the value contains a control character (CR, LF, NUL …)`
        : `${name}: expected a non-empty header value, got ${showValue(value)}`
  )

/**
 * A retry policy (any `Schedule`, e.g. a `RetryPolicy`) or `false` for none.
 * @internal
 */
export const retryInput = (name: string): Schema.Schema<Schedule.Schedule<unknown, any, never> | false> =>
  rule(
    (u: unknown): u is Schedule.Schedule<unknown, any, never> | false => u === false || Schedule.isSchedule(u),
    (value) => `${name}: expected a Schedule (e.g. a RetryPolicy) or false, got ${showValue(value)}`
  )

const isPair = (u: unknown): u is readonly [string, string] =>
  Array.isArray(u) && u.length === 2 && typeof u[0] === "string" && typeof u[1] === "string"

/** A plain object (literal or without prototype): not an array, a class instance, a Map … */
const isRecord = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== "object" || u === null) return false
  const proto = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

const headerValueProblem = (name: string, header: string, v: unknown, inList: boolean): string | undefined => {
  if (typeof v !== "string") {
    return `${name}: header ${JSON.stringify(header)} has a ${typeof v === "object" ? "non-string" : typeof v} ${
      inList ? "element" : "value"
    } (expected a string or a list of strings)`
  }
  if (!isValidHeaderValue(v)) {
    return `${name}: header ${JSON.stringify(header)} value contains a control character (CR, LF, NUL …)`
  }
  return undefined
}

const headerProblem = (name: string, header: string, value: unknown): string | undefined => {
  if (!isToken(header)) return `${name}: ${showValue(header)} is not an HTTP token`
  if (value === undefined) return undefined
  if (!Array.isArray(value)) return headerValueProblem(name, header, value, false)
  for (const v of value) {
    const problem = headerValueProblem(name, header, v, true)
    if (problem !== undefined) return problem
  }
  return undefined
}

/**
 * What is wrong with a headers option (a record of names to a value or a list of values, a `Headers`, or
 * `[name, value]` pairs), or undefined when nothing is. Never shows a header's value: the name may be a secret's.
 * No closures: this runs on every call that sets headers.
 */
const headersProblem = (name: string, u: unknown): string | undefined => {
  if (isRecord(u)) {
    for (const header in u) {
      const problem = headerProblem(name, header, u[header])
      if (problem !== undefined) return problem
    }
    return undefined
  }
  if (Array.isArray(u)) {
    for (let i = 0; i < u.length; i++) {
      const pair = u[i]
      if (!isPair(pair)) return `${name}: entry ${i} is not a [name, value] pair of strings`
      const problem = headerProblem(name, pair[0], pair[1])
      if (problem !== undefined) return problem
    }
    return undefined
  }
  return u instanceof Headers
    ? undefined
    : `${name}: expected a record of header values, a Headers or [name, value] pairs, got ${kindOf(u)}`
}

/**
 * Headers: a record of names to a string or a list of strings, a `Headers`, or `[name, value]` pairs; every name an
 * HTTP token, no value with CR, LF, NUL or another control. The message names the header, never its value.
 * @internal
 */
export const headersInput = (name = "headers"): Schema.Schema<HeadersInput> =>
  Schema.declare((u: unknown): u is HeadersInput => headersProblem(name, u) === undefined, {
    message: (issue) => headersProblem(name, issue.actual) ?? `${name}: invalid`
  })

const isParamValue = (u: unknown): boolean => typeof u === "string" || typeof u === "number" || typeof u === "boolean"

/**
 * What is wrong with URL parameters, or undefined. Names the parameter, never shows a value: query parameters and form
 * fields carry tokens and passwords.
 */
const urlParamsProblem = (name: string, u: unknown): string | undefined => {
  if (isRecord(u)) {
    for (const key in u) {
      const value = u[key]
      if (value !== undefined && !isParamValue(value) && !(Array.isArray(value) && value.every(isParamValue))) {
        return `${name}: ${JSON.stringify(key)} is not a string, number or boolean, nor a list of them (got ${
          kindOf(value)
        })`
      }
    }
    return undefined
  }
  if (Array.isArray(u)) {
    for (let i = 0; i < u.length; i++) {
      if (!isPair(u[i])) return `${name}: entry ${i} is not a [name, value] pair of strings`
    }
    return undefined
  }
  return u instanceof URLSearchParams
    ? undefined
    : `${name}: expected a record of strings, numbers, booleans or lists of them, a URLSearchParams or [name, value] pairs, got ${
      kindOf(u)
    }`
}

/**
 * What kind of value `u` is, without showing it (for values that may hold secrets): `null`, `a number`, `an array`,
 * `an object`, `a Promise`, `a Map` (an object's class, never its contents) …
 * @internal
 */
export const kindOf = (u: unknown): string => {
  if (u === null) return "null"
  if (Array.isArray(u)) return "an array"
  const type = typeof u
  if (type === "undefined") return "undefined"
  return withArticle((type === "object" ? classOf(u as object) : undefined) ?? type)
}

/**
 * URL parameters (and a `form` body): a record of names to a string, number or boolean or a list of them, a
 * `URLSearchParams`, or `[name, value]` pairs. The message names the parameter, never its value.
 * @internal
 */
export const urlParamsInput = (name = "urlParams"): Schema.Schema<UrlParamsInput> =>
  Schema.declare((u: unknown): u is UrlParamsInput => urlParamsProblem(name, u) === undefined, {
    message: (issue) => urlParamsProblem(name, issue.actual) ?? `${name}: invalid`
  })

/**
 * The message of a failed decode against one of these rules (the first issue's, without the `Expected undefined`
 * an optional field adds beside it).
 * @internal
 */
export const issueMessage = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error).filter((issue) =>
    !issue.message.startsWith("Expected undefined")
  )
  return issues.length === 0 ? error.message : issues[0].message
}
