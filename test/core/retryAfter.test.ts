import { assert, describe, it } from "@effect/vitest"
import {
  parseHttpDate,
  rateLimitResetMillis,
  retryAfterMillis,
  sourceOf,
  waitMillisFromHeaders
} from "../../src/core/retryAfter.js"

const NOW = Date.UTC(2026, 0, 1) // Thu, 01 Jan 2026 00:00:00 GMT

describe("core/retryAfter", () => {
  it("Retry-After delta seconds are milliseconds; blank, negative and fractional values are undefined", () => {
    assert.strictEqual(retryAfterMillis("120", NOW), 120_000)
    assert.strictEqual(retryAfterMillis(" 0 ", NOW), 0)
    assert.strictEqual(retryAfterMillis(undefined, NOW), undefined)
    assert.strictEqual(retryAfterMillis("", NOW), undefined)
    assert.strictEqual(retryAfterMillis("-1", NOW), undefined)
    assert.strictEqual(retryAfterMillis("1.5", NOW), undefined)
    assert.strictEqual(retryAfterMillis("soon", NOW), undefined)
  })

  it("Retry-After dates in the three forms, relative to the given now; a past date is 0", () => {
    assert.strictEqual(retryAfterMillis("Thu, 01 Jan 2026 00:00:30 GMT", NOW), 30_000)
    assert.strictEqual(retryAfterMillis("Thursday, 01-Jan-26 00:00:30 GMT", NOW), 30_000)
    assert.strictEqual(retryAfterMillis("Thu Jan  1 00:00:30 2026", NOW), 30_000)
    assert.strictEqual(retryAfterMillis("Wed, 31 Dec 2025 23:00:00 GMT", NOW), 0)
    // no "now" to measure a date from
    assert.strictEqual(retryAfterMillis("Thu, 01 Jan 2026 00:00:30 GMT", NaN), undefined)
  })

  it("a valid wait beyond what can be represented is Infinity, never undefined", () => {
    assert.strictEqual(retryAfterMillis("9".repeat(400), NOW), Infinity)
    assert.strictEqual(retryAfterMillis(String(Number.MAX_SAFE_INTEGER), NOW), Infinity)
    assert.strictEqual(retryAfterMillis("1000000000000", NOW), 1e15)
    assert.strictEqual(rateLimitResetMillis("9".repeat(400), NOW), Infinity)
  })

  it("RFC 850 two-digit years: the latest year with those digits at most 50 years ahead (RFC 9110 §5.6.7)", () => {
    assert.strictEqual(parseHttpDate("Friday, 01-Jan-76 00:00:00 GMT", NOW), Date.UTC(2076, 0, 1))
    assert.strictEqual(parseHttpDate("Saturday, 01-Jan-77 00:00:00 GMT", NOW), Date.UTC(1977, 0, 1))
    assert.strictEqual(parseHttpDate("Friday, 01-Jan-76 00:00:00 GMT", NaN), undefined)
    // 31 Feb, a wrong day name for the form, lower-case month: invalid
    assert.strictEqual(parseHttpDate("Tue, 31 Feb 2026 00:00:00 GMT", NOW), undefined)
    assert.strictEqual(parseHttpDate("Thursday, 01 Jan 2026 00:00:00 GMT", NOW), undefined)
    assert.strictEqual(parseHttpDate("Thu, 01 jan 2026 00:00:00 GMT", NOW), undefined)
  })

  it("RateLimit-Reset: delta seconds (fractions rounded up), or epoch seconds above 10⁹", () => {
    assert.strictEqual(rateLimitResetMillis("30", NOW), 30_000)
    assert.strictEqual(rateLimitResetMillis("0.0015", NOW), 2)
    assert.strictEqual(rateLimitResetMillis(String(NOW / 1000 + 60), NOW), 60_000)
    assert.strictEqual(rateLimitResetMillis(String(NOW / 1000 - 60), NOW), 0)
    assert.strictEqual(rateLimitResetMillis("-5", NOW), undefined)
    assert.strictEqual(rateLimitResetMillis(undefined, NOW), undefined)
  })

  it("from headers: Retry-After first, else RateLimit-Reset, else X-RateLimit-Reset; invalid counts as absent", () => {
    assert.strictEqual(waitMillisFromHeaders({ "retry-after": "5", "ratelimit-reset": "9" }, NOW), 5000)
    assert.strictEqual(waitMillisFromHeaders({ "retry-after": "bad", "ratelimit-reset": "9" }, NOW), 9000)
    assert.strictEqual(waitMillisFromHeaders({ "x-ratelimit-reset": "2" }, NOW), 2000)
    assert.strictEqual(waitMillisFromHeaders({}, NOW), undefined)
    assert.strictEqual(sourceOf({ "retry-after": "5" }, NOW), "retry-after")
    assert.strictEqual(sourceOf({ "retry-after": "bad", "x-ratelimit-reset": "2" }, NOW), "rate-limit-reset")
    assert.strictEqual(sourceOf({ "retry-after": "bad" }, NOW), undefined)
  })
})
