import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, FastCheck as fc, Option, TestClock } from "effect"
import { RetryAfter } from "../src/index.js"

const NOW = Date.UTC(2026, 0, 1) // Thu, 01 Jan 2026 00:00:00 GMT

const millisOf = (o: Option.Option<Duration.Duration>) => Option.map(o, Duration.toMillis)
/** The wait in milliseconds, or "None": compared with strictEqual, which tells None from Some apart. */
const waitOf = (o: Option.Option<Duration.Duration>): number | "None" =>
  Option.isSome(o) ? Duration.toMillis(o.value) : "None"

const days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const pad = (n: number, width = 2) => String(n).padStart(width, "0")
const clock = (d: Date) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`

const imfFixdate = (ms: number) => {
  const d = new Date(ms)
  return `${days[d.getUTCDay()].slice(0, 3)}, ${pad(d.getUTCDate())} ${months[d.getUTCMonth()]} ${
    pad(d.getUTCFullYear(), 4)
  } ${clock(d)} GMT`
}
const rfc850 = (ms: number) => {
  const d = new Date(ms)
  return `${days[d.getUTCDay()]}, ${pad(d.getUTCDate())}-${months[d.getUTCMonth()]}-${pad(d.getUTCFullYear() % 100)} ${
    clock(d)
  } GMT`
}
const asctime = (ms: number) => {
  const d = new Date(ms)
  return `${days[d.getUTCDay()].slice(0, 3)} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${
    clock(d)
  } ${pad(d.getUTCFullYear(), 4)}`
}

describe("Retry-After", () => {
  it("delta-seconds", () => {
    assert.deepStrictEqual(millisOf(RetryAfter.parse("120", NOW)), Option.some(120_000))
    assert.deepStrictEqual(millisOf(RetryAfter.parse("0", NOW)), Option.some(0))
    assert.deepStrictEqual(millisOf(RetryAfter.parse("  7 ", NOW)), Option.some(7000))
    assert.deepStrictEqual(millisOf(RetryAfter.parse("007", NOW)), Option.some(7000))
  })

  it("the three date forms, relative to now", () => {
    for (
      const value of [
        "Thu, 01 Jan 2026 00:00:30 GMT",
        "Thursday, 01-Jan-26 00:00:30 GMT",
        "Thu Jan  1 00:00:30 2026"
      ]
    ) assert.deepStrictEqual(millisOf(RetryAfter.parse(value, NOW)), Option.some(30_000), value)
  })

  it("a past date is zero", () => {
    assert.deepStrictEqual(millisOf(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", NOW)), Option.some(0))
    assert.deepStrictEqual(millisOf(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", NOW)), Option.some(0))
    assert.deepStrictEqual(millisOf(RetryAfter.parse("Sun Nov  6 08:49:37 1994", NOW)), Option.some(0))
  })

  it("negative, fractional, garbage and impossible values are None", () => {
    for (
      const value of [
        "-1",
        "+5",
        "1.5",
        "1e3",
        "",
        "   ",
        "soon",
        "5 seconds",
        "0x10",
        "Infinity",
        "Thu, 31 Feb 2026 00:00:00 GMT", // no 31 February
        "Thu, 01 Jan 2026 24:00:00 GMT",
        "Thu, 01 Jan 2026 00:60:00 GMT",
        "thu, 01 jan 2026 00:00:00 GMT", // names are case-sensitive
        "Thu, 01 Foo 2026 00:00:00 GMT",
        "Thu, 01 Jan 2026 00:00:00 UTC",
        "Funday, 01-Jan-26 00:00:00 GMT"
      ]
    ) assert.isTrue(Option.isNone(RetryAfter.parse(value, NOW)), value)
    assert.isTrue(Option.isNone(RetryAfter.parse(undefined, NOW)))
  })

  it("a far-future wait is a wait (too long for any limit), never None; beyond what can be represented, infinity", () => {
    assert.strictEqual(waitOf(RetryAfter.parse("99999999999", NOW)), 99_999_999_999_000)
    assert.strictEqual(waitOf(RetryAfter.parse("1000000000000", NOW)), 1e15)
    const year9999 = Date.UTC(9999, 11, 31, 23, 59, 59) - NOW
    assert.strictEqual(waitOf(RetryAfter.parse("Fri, 31 Dec 9999 23:59:59 GMT", NOW)), year9999)
    assert.strictEqual(waitOf(RetryAfter.parse("Fri Dec 31 23:59:59 9999", NOW)), year9999)
    // beyond Number.MAX_SAFE_INTEGER milliseconds, or more digits than a number holds: Duration.infinity
    for (const value of ["10000000000000", "9".repeat(400)]) {
      assert.strictEqual(waitOf(RetryAfter.parse(value, NOW)), Infinity, value)
    }
  })

  it("RFC 850 two-digit years follow RFC 9110 §5.6.7 (not more than 50 years ahead)", () => {
    const year = (value: string, now: number) =>
      Option.map(RetryAfter.parseHttpDate(value, now), (ms) => new Date(ms).getUTCFullYear())
    assert.deepStrictEqual(year("Sunday, 06-Nov-94 08:49:37 GMT", NOW), Option.some(1994))
    assert.deepStrictEqual(year("Wednesday, 01-Jan-30 00:00:00 GMT", NOW), Option.some(2030))
    // exactly 50 years ahead is still the future; one day more is the past
    assert.deepStrictEqual(year("Wednesday, 01-Jan-76 00:00:00 GMT", NOW), Option.some(2076))
    assert.deepStrictEqual(year("Thursday, 02-Jan-76 00:00:00 GMT", NOW), Option.some(1976))
    // near the end of a century, a small two-digit year is the next century
    const late = Date.UTC(2095, 5, 1)
    assert.deepStrictEqual(year("Monday, 01-Jan-03 00:00:00 GMT", late), Option.some(2103))
    assert.deepStrictEqual(year("Friday, 01-Jan-60 00:00:00 GMT", late), Option.some(2060))
  })

  it.prop("never throws, on any string (10,000 runs)", {
    value: fc.oneof(
      fc.string(),
      fc.fullUnicodeString(),
      fc.stringMatching(/^[A-Za-z]{3,9}, [0-9]{1,3}[ -][A-Za-z]{3}[ -][0-9]{2,5} [0-9:]{5,9} GMT$/),
      fc.stringMatching(/^[0-9.+-]{0,30}$/)
    ),
    now: fc.oneof(fc.integer(), fc.double(), fc.constant(NOW))
  }, ({ now, value }) => {
    RetryAfter.parse(value, now)
    RetryAfter.parseHttpDate(value, now)
    RetryAfter.parseRateLimitReset(value, now)
    RetryAfter.fromHeaders({ "Retry-After": value, "RateLimit-Reset": value, "X-RateLimit-Reset": value }, now)
  }, { fastCheck: { numRuns: 10_000 } })

  it.prop("never throws on garbage header values (10,000 runs)", { value: fc.anything() }, ({ value }) => {
    RetryAfter.parse(value as string, NOW)
    RetryAfter.parseRateLimitReset(value as string, NOW)
    RetryAfter.parseHttpDate(value as string, NOW)
  }, { fastCheck: { numRuns: 10_000 } })

  const seconds = (min: number, max: number) => fc.integer({ min: min / 1000, max: max / 1000 }).map((s) => s * 1000)

  it.prop(
    "IMF-fixdate and asctime round-trip",
    { at: seconds(new Date(0).setUTCFullYear(1, 0, 1), Date.UTC(9999, 11, 31)) },
    ({ at }) => {
      assert.deepStrictEqual(RetryAfter.parseHttpDate(imfFixdate(at), NOW), Option.some(at), imfFixdate(at))
      assert.deepStrictEqual(RetryAfter.parseHttpDate(asctime(at), NOW), Option.some(at), asctime(at))
    },
    { fastCheck: { numRuns: 2_000 } }
  )

  it.prop(
    "RFC 850 round-trips for dates within 50 years of now",
    {
      now: seconds(Date.UTC(1970, 0, 1), Date.UTC(2200, 0, 1)),
      offset: seconds(-49 * 365 * 86_400_000, 49 * 365 * 86_400_000)
    },
    ({ now, offset }) => {
      const at = now + offset
      assert.deepStrictEqual(RetryAfter.parseHttpDate(rfc850(at), now), Option.some(at), `${rfc850(at)} at ${now}`)
    },
    { fastCheck: { numRuns: 2_000 } }
  )

  it.prop(
    "a future date is the exact wait, a past one zero",
    { offset: seconds(-10 * 365 * 86_400_000, 10 * 365 * 86_400_000) },
    ({ offset }) => {
      for (const format of [imfFixdate, rfc850, asctime]) {
        assert.deepStrictEqual(millisOf(RetryAfter.parse(format(NOW + offset), NOW)), Option.some(Math.max(0, offset)))
      }
    }
  )
})

describe("RateLimit-Reset and X-RateLimit-Reset", () => {
  it("delta seconds, or epoch seconds above 10⁹", () => {
    assert.deepStrictEqual(millisOf(RetryAfter.parseRateLimitReset("30", NOW)), Option.some(30_000))
    assert.deepStrictEqual(millisOf(RetryAfter.parseRateLimitReset("1.5", NOW)), Option.some(1500))
    assert.deepStrictEqual(millisOf(RetryAfter.parseRateLimitReset(String(NOW / 1000 + 42), NOW)), Option.some(42_000))
    assert.deepStrictEqual(millisOf(RetryAfter.parseRateLimitReset(String(NOW / 1000 - 42), NOW)), Option.some(0))
    for (const value of ["-3", "abc", "", "1e3"]) {
      assert.isTrue(Option.isNone(RetryAfter.parseRateLimitReset(value, NOW)), value)
    }
  })

  it("a far epoch is a wait, never None; beyond what can be represented, infinity", () => {
    // 31 Dec 9999 23:59:59 GMT
    assert.strictEqual(waitOf(RetryAfter.parseRateLimitReset("253402300799", NOW)), 253_402_300_799_000 - NOW)
    for (const value of ["99999999999999", "9".repeat(400), `${"9".repeat(400)}.5`]) {
      assert.strictEqual(waitOf(RetryAfter.parseRateLimitReset(value, NOW)), Infinity, value)
    }
    assert.strictEqual(waitOf(RetryAfter.fromHeaders({ "x-ratelimit-reset": "99999999999999" }, NOW)), Infinity)
  })

  it("fromHeaders: Retry-After first, then RateLimit-Reset, then X-RateLimit-Reset; names in any case", () => {
    const wait = (headers: RetryAfter.HeadersInput) => millisOf(RetryAfter.fromHeaders(headers, NOW))
    assert.deepStrictEqual(
      wait({ "Retry-After": "5", "RateLimit-Reset": "7", "X-RateLimit-Reset": "9" }),
      Option.some(5000)
    )
    assert.deepStrictEqual(wait({ "retry-after": "junk", "ratelimit-reset": "7" }), Option.some(7000))
    assert.deepStrictEqual(wait(new Headers({ "X-RateLimit-Reset": String(NOW / 1000 + 9) })), Option.some(9000))
    assert.deepStrictEqual(wait([["RETRY-AFTER", "3"]]), Option.some(3000))
    assert.isTrue(Option.isNone(RetryAfter.fromHeaders({ "content-type": "text/plain" }, NOW)))
  })

  it.effect("fromHeadersNow reads the Clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const wait = yield* RetryAfter.fromHeadersNow({ "retry-after": "Thu, 01 Jan 2026 00:01:00 GMT" })
      assert.deepStrictEqual(millisOf(wait), Option.some(60_000))
    }))
})
