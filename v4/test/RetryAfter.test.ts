import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Option } from "effect"
import { HttpResilient, HttpResilientTest, RetryAfter } from "effect-http-resilient/v4"
import { TestClock } from "effect/testing"

// The v4 face of the core's parsing (the rules themselves: test/core/retryAfter.test.ts): v4 Options and
// Durations, None for anything invalid, infinity beyond what can be represented, the Clock for "now".
const NOW = Date.UTC(2026, 0, 1) // Thu, 01 Jan 2026 00:00:00 GMT

const waitOf = (o: Option.Option<Duration.Duration>): number | "None" =>
  Option.isSome(o) ? Duration.toMillis(o.value) : "None"

describe("RetryAfter (v4)", () => {
  it("parse: delta-seconds, the three date forms relative to now, a past date zero, garbage None", () => {
    assert.strictEqual(waitOf(RetryAfter.parse("120", NOW)), 120_000)
    assert.strictEqual(waitOf(RetryAfter.parse("  7 ", NOW)), 7000)
    for (
      const value of ["Thu, 01 Jan 2026 00:00:30 GMT", "Thursday, 01-Jan-26 00:00:30 GMT", "Thu Jan  1 00:00:30 2026"]
    ) assert.strictEqual(waitOf(RetryAfter.parse(value, NOW)), 30_000, value)
    assert.strictEqual(waitOf(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", NOW)), 0)
    for (const value of ["-1", "1.5", "soon", "", "Thu, 31 Feb 2026 00:00:00 GMT", undefined]) {
      assert.strictEqual(waitOf(RetryAfter.parse(value, NOW)), "None", String(value))
    }
  })

  it("a far-future wait is a wait, never None; beyond what can be represented, infinity", () => {
    assert.strictEqual(waitOf(RetryAfter.parse("1000000000000", NOW)), 1e15)
    assert.strictEqual(waitOf(RetryAfter.parse("9".repeat(400), NOW)), Infinity)
    assert.isTrue(Duration.isDuration(Option.getOrThrow(RetryAfter.parse("9".repeat(400), NOW))))
    assert.strictEqual(waitOf(RetryAfter.parseRateLimitReset("99999999999999", NOW)), Infinity)
  })

  it("parseHttpDate: epoch milliseconds, RFC 850's two-digit years resolved at now; None otherwise", () => {
    const at = Date.UTC(2026, 0, 1, 0, 0, 30)
    assert.deepStrictEqual(RetryAfter.parseHttpDate("Thu, 01 Jan 2026 00:00:30 GMT", NOW), Option.some(at))
    assert.deepStrictEqual(RetryAfter.parseHttpDate("Thursday, 01-Jan-26 00:00:30 GMT", NOW), Option.some(at))
    assert.deepStrictEqual(RetryAfter.parseHttpDate("Thu Jan  1 00:00:30 2026", NOW), Option.some(at))
    assert.deepStrictEqual(
      RetryAfter.parseHttpDate("Thursday, 02-Jan-76 00:00:00 GMT", NOW),
      Option.some(Date.UTC(1976, 0, 2))
    )
    assert.isTrue(Option.isNone(RetryAfter.parseHttpDate("tomorrow", NOW)))
  })

  it("parseRateLimitReset: delta seconds (fractions allowed), or epoch seconds above 10⁹", () => {
    assert.strictEqual(waitOf(RetryAfter.parseRateLimitReset("30", NOW)), 30_000)
    assert.strictEqual(waitOf(RetryAfter.parseRateLimitReset("1.5", NOW)), 1500)
    assert.strictEqual(waitOf(RetryAfter.parseRateLimitReset(String(NOW / 1000 + 42), NOW)), 42_000)
    assert.strictEqual(waitOf(RetryAfter.parseRateLimitReset(String(NOW / 1000 - 42), NOW)), 0)
    assert.strictEqual(waitOf(RetryAfter.parseRateLimitReset("-3", NOW)), "None")
  })

  it("fromHeaders: Retry-After first, then RateLimit-Reset, then X-RateLimit-Reset; names in any case, any shape", () => {
    const wait = (headers: RetryAfter.HeadersInput) => waitOf(RetryAfter.fromHeaders(headers, NOW))
    assert.strictEqual(wait({ "Retry-After": "5", "RateLimit-Reset": "7", "X-RateLimit-Reset": "9" }), 5000)
    assert.strictEqual(wait({ "retry-after": "junk", "ratelimit-reset": "7" }), 7000)
    assert.strictEqual(wait(new Headers({ "X-RateLimit-Reset": String(NOW / 1000 + 9) })), 9000)
    assert.strictEqual(wait([["RETRY-AFTER", "3"]]), 3000)
    assert.strictEqual(wait({ "content-type": "text/plain" }), "None")
  })

  it.effect("fromHeadersNow reads the Clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const wait = yield* RetryAfter.fromHeadersNow({ "retry-after": "Thu, 01 Jan 2026 00:01:00 GMT" })
      assert.strictEqual(waitOf(wait), 60_000)
    }))

  it.effect("fromResponse reads a v4 response's headers at the Clock's time", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const response = yield* HttpResilient.get("http://api.test/jobs/1")
      assert.strictEqual(waitOf(yield* RetryAfter.fromResponse(response)), 90_000)
    }).pipe(
      Effect.provide(HttpResilientTest.layer([
        HttpResilientTest.reply(200, { headers: { "Retry-After": "Thu, 01 Jan 2026 00:01:30 GMT" } })
      ]))
    ))
})
