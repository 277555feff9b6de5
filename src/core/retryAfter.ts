/**
 * The server's "wait before retrying" headers as plain milliseconds: `Retry-After` (delta-seconds or an HTTP-date in
 * any of the three forms of RFC 9110 §5.6.7) and `RateLimit-Reset` / `X-RateLimit-Reset` (delta seconds, or epoch
 * seconds above 10⁹). "Now" is an argument (epoch milliseconds). A wait is a number of milliseconds (a past date is
 * 0), `Infinity` when valid but beyond what can be represented, `undefined` when absent or invalid. Effect-free: the
 * Effect face (`RetryAfter`) turns these into `Option<Duration>`.
 * @internal
 */

/**
 * A valid wait in milliseconds. One beyond what can be represented exactly (more than `Number.MAX_SAFE_INTEGER` ms,
 * about 285,000 years, or more digits than a number holds) is `Infinity`: still a wait, and too long for any limit —
 * never absent (DESIGN "Security rules").
 */
const waitOf = (millis: number): number => millis <= Number.MAX_SAFE_INTEGER ? Math.max(0, millis) : Infinity

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
 * `Retry-After`: delta-seconds or an HTTP-date, as a wait in milliseconds at `nowMillis`. A past date is 0; anything
 * invalid (or no value) is `undefined`; a valid value too far ahead to represent is `Infinity`.
 * @internal
 */
export const retryAfterMillis = (value: string | undefined, nowMillis: number): number | undefined => {
  if (typeof value !== "string") return undefined
  const s = value.trim()
  if (s.length === 0) return undefined
  if (digits.test(s)) return waitOf(Number(s) * 1000)
  const at = parseHttpDate(s, nowMillis)
  if (at === undefined) return undefined
  const wait = at - nowMillis
  // no "now" to measure from (NaN): no wait can be told
  return Number.isNaN(wait) ? undefined : waitOf(wait)
}

const decimal = /^\d+(\.\d+)?$/

/**
 * `RateLimit-Reset` / `X-RateLimit-Reset`: delta seconds, or epoch seconds when above 10⁹, as a wait in milliseconds
 * (rounded up) at `nowMillis`. Invalid is `undefined`; a valid value too far ahead to represent is `Infinity`.
 * @internal
 */
export const rateLimitResetMillis = (value: string | undefined, nowMillis: number): number | undefined => {
  if (typeof value !== "string") return undefined
  const s = value.trim()
  if (!decimal.test(s)) return undefined
  const n = Number(s)
  if (n > 1e9) {
    const wait = n * 1000 - nowMillis
    return Number.isNaN(wait) ? undefined : waitOf(Math.ceil(wait))
  }
  return Math.ceil(n * 1000)
}

/**
 * The server's wait in milliseconds from response headers (lower-case names): Retry-After first, else
 * RateLimit-Reset, else X-RateLimit-Reset; an invalid value counts as absent.
 * @internal
 */
export const waitMillisFromHeaders = (
  headers: Readonly<Record<string, string | undefined>>,
  nowMillis: number
): number | undefined =>
  retryAfterMillis(headers["retry-after"], nowMillis) ??
    rateLimitResetMillis(headers["ratelimit-reset"], nowMillis) ??
    rateLimitResetMillis(headers["x-ratelimit-reset"], nowMillis)

/**
 * Which header {@link waitMillisFromHeaders} took the wait from, if any.
 * @internal
 */
export const sourceOf = (
  headers: Readonly<Record<string, string | undefined>>,
  nowMillis: number
): "retry-after" | "rate-limit-reset" | undefined => {
  if (retryAfterMillis(headers["retry-after"], nowMillis) !== undefined) return "retry-after"
  return waitMillisFromHeaders(headers, nowMillis) !== undefined ? "rate-limit-reset" : undefined
}
