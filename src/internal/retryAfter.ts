/** @internal */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"

/** Waits longer than this (about 68 years) are absurd and count as absent. */
const MAX_SECONDS = 2_147_483_647

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
  const ms = Date.UTC(year, month, day, hour, minute, Math.min(second, 59))
  const check = new Date(ms)
  // reject 31 Feb and friends
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month) return undefined
  return ms
}

/**
 * Parses an HTTP-date in any of the three forms RFC 9110 §5.6.7 allows, as epoch milliseconds.
 * RFC 850 two-digit years more than 50 years in the future mean the previous century.
 * @internal
 */
export const parseHttpDate = (input: string, nowMillis: number): number | undefined => {
  const s = input.trim()
  let m = imfFixdate.exec(s)
  if (m) {
    if (!shortDays.has(m[1])) return undefined
    return makeDate(Number(m[4]), months[m[3]], Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]))
  }
  m = rfc850.exec(s)
  if (m) {
    if (!longDays.has(m[1])) return undefined
    const yy = Number(m[4])
    const currentYear = new Date(nowMillis).getUTCFullYear()
    let year = Math.floor(currentYear / 100) * 100 + yy
    if (year > currentYear + 50) year -= 100
    return makeDate(year, months[m[3]], Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]))
  }
  m = asctime.exec(s)
  if (m) {
    if (!shortDays.has(m[1])) return undefined
    return makeDate(Number(m[7]), months[m[2]], Number(m[3].trim()), Number(m[4]), Number(m[5]), Number(m[6]))
  }
  return undefined
}

const digits = /^\d+$/

/**
 * `Retry-After`: delta-seconds or an HTTP-date. A past date is zero; anything invalid is `None`.
 * @internal
 */
export const parseRetryAfter = (value: string | undefined, nowMillis: number): Option.Option<Duration.Duration> => {
  if (typeof value !== "string") return Option.none()
  const s = value.trim()
  if (s.length === 0) return Option.none()
  if (digits.test(s)) {
    const seconds = Number(s)
    return seconds <= MAX_SECONDS ? Option.some(Duration.seconds(seconds)) : Option.none()
  }
  const at = parseHttpDate(s, nowMillis)
  if (at === undefined) return Option.none()
  const wait = at - nowMillis
  if (wait > MAX_SECONDS * 1000) return Option.none()
  return Option.some(Duration.millis(Math.max(0, wait)))
}

const decimal = /^\d+(\.\d+)?$/

/**
 * `RateLimit-Reset` / `X-RateLimit-Reset`: delta seconds, or epoch seconds when above 10⁹.
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
  if (!Number.isFinite(n)) return Option.none()
  if (n > 1e9) {
    const wait = n * 1000 - nowMillis
    if (wait > MAX_SECONDS * 1000) return Option.none()
    return Option.some(Duration.millis(Math.max(0, Math.ceil(wait))))
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
