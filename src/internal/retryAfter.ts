/** @internal */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"

/**
 * A valid wait in milliseconds as a Duration. One beyond what can be represented exactly (more than
 * `Number.MAX_SAFE_INTEGER` ms, about 285,000 years, or more digits than a number holds) is `Duration.infinity`:
 * still a wait, and too long for any limit — never absent (DESIGN "Security rules").
 */
const waitOf = (millis: number): Duration.Duration =>
  millis <= Number.MAX_SAFE_INTEGER ? Duration.millis(Math.max(0, millis)) : Duration.infinity

const months: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11
}
const monthOf = (name: string): number | undefined =>
  Object.prototype.hasOwnProperty.call(months, name) ? months[name] : undefined
const shortDays = new Set(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
const longDays = new Set(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])

// IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
const imfFixdate = /^([A-Za-z]{3}), (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/
// RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
const rfc850 = /^([A-Za-z]+), (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/
// asctime: Sun Nov  6 08:49:37 1994
const asctime = /^([A-Za-z]{3}) ([A-Za-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/

const makeDate = (
  year: number,
  month: number | undefined,
  day: number,
  hour: number,
  minute: number,
  second: number
): number | undefined => {
  if (month === undefined || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999
  const date = new Date(0)
  date.setUTCFullYear(year, month, day)
  date.setUTCHours(hour, minute, Math.min(second, 59), 0)
  // reject 31 Feb and friends
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month) return undefined
  return date.getTime()
}

/** `nowMillis` plus `years` calendar years. */
const addYears = (nowMillis: number, years: number): number => {
  const date = new Date(nowMillis)
  date.setUTCFullYear(date.getUTCFullYear() + years)
  return date.getTime()
}

/**
 * RFC 9110 §5.6.7: a two-digit year that would put the date more than 50 years in the future means the
 * most recent past year with those digits. So the year is the latest one ending in `yy` whose date is at
 * most 50 years ahead of now.
 */
const rfc850Date = (
  yy: number,
  month: number | undefined,
  day: number,
  hour: number,
  minute: number,
  second: number,
  nowMillis: number
): number | undefined => {
  const limit = addYears(nowMillis, 50)
  const century = Math.floor(new Date(nowMillis).getUTCFullYear() / 100) * 100
  for (const year of [century + 100 + yy, century + yy, century - 100 + yy]) {
    const at = makeDate(year, month, day, hour, minute, second)
    if (at === undefined) {
      // 29 Feb exists in some centuries only: try the next candidate
      continue
    }
    if (at <= limit) return at
  }
  return undefined
}

/**
 * Parses an HTTP-date in any of the three forms RFC 9110 §5.6.7 allows, as epoch milliseconds.
 * RFC 850 two-digit years: the latest year with those digits that is at most 50 years after `nowMillis`.
 * Day and month names are case-sensitive, as the RFC says; asctime is GMT.
 * @internal
 */
export const parseHttpDate = (input: string, nowMillis: number): number | undefined => {
  if (typeof input !== "string") return undefined
  const s = input.trim()
  let m = imfFixdate.exec(s)
  if (m) {
    if (!shortDays.has(m[1])) return undefined
    return makeDate(Number(m[4]), monthOf(m[3]), Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]))
  }
  m = rfc850.exec(s)
  if (m) {
    if (!longDays.has(m[1])) return undefined
    if (!Number.isFinite(nowMillis)) return undefined
    return rfc850Date(Number(m[4]), monthOf(m[3]), Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]), nowMillis)
  }
  m = asctime.exec(s)
  if (m) {
    if (!shortDays.has(m[1])) return undefined
    return makeDate(Number(m[7]), monthOf(m[2]), Number(m[3].trim()), Number(m[4]), Number(m[5]), Number(m[6]))
  }
  return undefined
}

const digits = /^\d+$/

/**
 * `Retry-After`: delta-seconds or an HTTP-date. A past date is zero; anything invalid is `None`; a valid value
 * too far ahead to represent is `Duration.infinity`.
 * @internal
 */
export const parseRetryAfter = (value: string | undefined, nowMillis: number): Option.Option<Duration.Duration> => {
  if (typeof value !== "string") return Option.none()
  const s = value.trim()
  if (s.length === 0) return Option.none()
  if (digits.test(s)) return Option.some(waitOf(Number(s) * 1000))
  const at = parseHttpDate(s, nowMillis)
  if (at === undefined) return Option.none()
  const wait = at - nowMillis
  // no "now" to measure from (NaN): no wait can be told
  return Number.isNaN(wait) ? Option.none() : Option.some(waitOf(wait))
}

const decimal = /^\d+(\.\d+)?$/

/**
 * `RateLimit-Reset` / `X-RateLimit-Reset`: delta seconds, or epoch seconds when above 10⁹. A valid value too far
 * ahead to represent is `Duration.infinity`.
 * @internal
 */
export const parseRateLimitReset = (
  value: string | undefined,
  nowMillis: number
): Option.Option<Duration.Duration> => {
  if (typeof value !== "string") return Option.none()
  const s = value.trim()
  if (!decimal.test(s)) return Option.none()
  const n = Number(s)
  if (n > 1e9) {
    const wait = n * 1000 - nowMillis
    return Number.isNaN(wait) ? Option.none() : Option.some(waitOf(Math.ceil(wait)))
  }
  return Option.some(Duration.millis(Math.ceil(n * 1000)))
}

/**
 * The server's wait from response headers (lower-case names): Retry-After first, else RateLimit-Reset,
 * else X-RateLimit-Reset.
 * @internal
 */
export const fromHeaders = (
  headers: Readonly<Record<string, string | undefined>>,
  nowMillis: number
): Option.Option<Duration.Duration> => {
  const retryAfter = parseRetryAfter(headers["retry-after"], nowMillis)
  if (Option.isSome(retryAfter)) return retryAfter
  const reset = parseRateLimitReset(headers["ratelimit-reset"], nowMillis)
  if (Option.isSome(reset)) return reset
  return parseRateLimitReset(headers["x-ratelimit-reset"], nowMillis)
}

/**
 * Which header {@link fromHeaders} took the wait from, if any.
 * @internal
 */
export const sourceOf = (
  headers: Readonly<Record<string, string | undefined>>,
  nowMillis: number
): "retry-after" | "rate-limit-reset" | undefined => {
  if (Option.isSome(parseRetryAfter(headers["retry-after"], nowMillis))) return "retry-after"
  return Option.isSome(fromHeaders(headers, nowMillis)) ? "rate-limit-reset" : undefined
}

/**
 * Headers in any shape (a record with names in any case, a `Headers`, or `[name, value]` pairs) as a record
 * with lower-case names; repeated names are joined with ", ".
 * @internal
 */
export const lowerCaseHeaders = (
  input:
    | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
    | Headers
    | ReadonlyArray<readonly [string, string]>
): Record<string, string> => {
  const out: Record<string, string> = {}
  const add = (name: string, value: string | ReadonlyArray<string> | undefined) => {
    if (value === undefined) return
    const key = name.toLowerCase()
    const joined = typeof value === "string" ? value : value.join(", ")
    out[key] = out[key] === undefined ? joined : `${out[key]}, ${joined}`
  }
  if (Array.isArray(input)) {
    for (const [name, value] of input as ReadonlyArray<readonly [string, string]>) add(name, value)
  } else if (typeof (input as Headers).forEach === "function") {
    ;(input as Headers).forEach((value, name) => add(name, value))
  } else {
    for (const name of Object.keys(input)) add(name, (input as Record<string, string | undefined>)[name])
  }
  return out
}
