/**
 * Pure parsing of the server's "wait before retrying" headers.
 *
 * - `Retry-After` (RFC 9110 §10.2.3): delta-seconds (`120`) or an HTTP-date in any of its three forms —
 *   IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime
 *   (`Sun Nov  6 08:49:37 1994`, read as GMT). A date is turned into a wait relative to "now" (the `Clock`'s
 *   time in the Effect variants); a date in the past is a wait of zero.
 * - `RateLimit-Reset` and `X-RateLimit-Reset`, the fallbacks: seconds (fractions allowed), or epoch seconds when
 *   the value is above 10⁹.
 *
 * Anything else — negative numbers, fractions in `Retry-After`, garbage, impossible dates (31 Feb) — is `None`,
 * never an exception. A valid value is never `None`, however far ahead: `Retry-After: 1000000000000` is a wait of
 * 10¹² seconds and a date in the year 9999 a wait of about 8,000 years, both too long for any `maxRetryAfter`; a wait
 * beyond what can be represented exactly (more than `Number.MAX_SAFE_INTEGER` milliseconds, about 285,000 years, or
 * more digits than a number holds) is `Some(Duration.infinity)`. So a retry policy fails such a wait with
 * `RetryAfterTooLongError` (or, with `onRetryAfterTooLong: "clamp"`, waits `maxRetryAfter`) instead of treating it
 * as absent. RFC 850 two-digit years follow RFC 9110 §5.6.7: the latest year with those two digits that is not more
 * than 50 years in the future.
 *
 * @example
 * ```ts
 * import { RetryAfter } from "effect-http-resilient"
 *
 * RetryAfter.parse("120", Date.UTC(2026, 0, 1))                              // Some(2 minutes)
 * RetryAfter.parse("Thu, 01 Jan 2026 00:00:30 GMT", Date.UTC(2026, 0, 1))    // Some(30 seconds)
 * RetryAfter.parse("soon", Date.UTC(2026, 0, 1))                             // None
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { lowerCaseHeaders } from "./core/headers.js"
import * as core from "./core/retryAfter.js"
import * as internal from "./internal/retryAfter.js"

/**
 * Response headers in any of the usual shapes: a record (names in any case), a `Headers`, or `[name, value]` pairs.
 *
 * @since 0.1.0
 * @category models
 */
export type HeadersInput =
  | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  | Headers
  | ReadonlyArray<readonly [string, string]>

/**
 * Parses a `Retry-After` value at `nowMillis` (epoch milliseconds): delta-seconds or an HTTP-date.
 *
 * @example
 * ```ts
 * import { Duration, Option } from "effect"
 * import { RetryAfter } from "effect-http-resilient"
 *
 * const wait = RetryAfter.parse("Wed, 21 Oct 2015 07:28:30 GMT", Date.UTC(2015, 9, 21, 7, 28, 0))
 * Option.map(wait, Duration.toSeconds) // Some(30)
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (value: string | undefined, nowMillis: number): Option.Option<Duration.Duration> =>
  internal.parseRetryAfter(value, nowMillis)

/**
 * Parses an HTTP-date (IMF-fixdate, RFC 850 or asctime) as epoch milliseconds; `nowMillis` resolves RFC 850's
 * two-digit years.
 *
 * @example
 * ```ts
 * import { Option } from "effect"
 * import { RetryAfter } from "effect-http-resilient"
 *
 * const now = Date.UTC(2015, 9, 1)
 * const date = (value: string) => Option.getOrThrow(RetryAfter.parseHttpDate(value, now))
 * assert.strictEqual(date("Wed, 21 Oct 2015 07:28:00 GMT"), Date.UTC(2015, 9, 21, 7, 28))
 * assert.strictEqual(date("Wednesday, 21-Oct-15 07:28:00 GMT"), Date.UTC(2015, 9, 21, 7, 28)) // RFC 850
 * assert.strictEqual(date("Wed Oct 21 07:28:00 2015"), Date.UTC(2015, 9, 21, 7, 28)) // asctime
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseHttpDate = (value: string, nowMillis: number): Option.Option<number> =>
  Option.fromNullable(core.parseHttpDate(value, nowMillis))

/**
 * Parses a `RateLimit-Reset` / `X-RateLimit-Reset` value at `nowMillis`: seconds, or epoch seconds above 10⁹.
 *
 * @example
 * ```ts
 * import { Duration, Option } from "effect"
 * import { RetryAfter } from "effect-http-resilient"
 *
 * const now = Date.UTC(2025, 0, 1)
 * const seconds = (value: string) => Duration.toSeconds(Option.getOrThrow(RetryAfter.parseRateLimitReset(value, now)))
 * assert.strictEqual(seconds("30"), 30) // delta seconds
 * assert.strictEqual(seconds(String(now / 1000 + 60)), 60) // epoch seconds
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseRateLimitReset = (value: string | undefined, nowMillis: number): Option.Option<Duration.Duration> =>
  internal.parseRateLimitReset(value, nowMillis)

/**
 * The server's wait from a set of response headers at `nowMillis`: `Retry-After` first, else `RateLimit-Reset`,
 * else `X-RateLimit-Reset`. An invalid value counts as absent.
 *
 * @example
 * ```ts
 * import { Duration, Option } from "effect"
 * import { RetryAfter } from "effect-http-resilient"
 *
 * const wait = RetryAfter.fromHeaders({ "Retry-After": "120", "RateLimit-Reset": "5" }, Date.now())
 * assert.strictEqual(Option.map(wait, Duration.toSeconds).pipe(Option.getOrThrow), 120) // Retry-After wins
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const fromHeaders = (headers: HeadersInput, nowMillis: number): Option.Option<Duration.Duration> =>
  internal.fromHeaders(lowerCaseHeaders(headers), nowMillis)

/**
 * {@link fromHeaders} at the `Clock`'s current time (so `TestClock` controls it).
 *
 * @example
 * ```ts
 * import { Duration, Effect, Option } from "effect"
 * import { RetryAfter } from "effect-http-resilient"
 *
 * const wait = Effect.runSync(RetryAfter.fromHeadersNow([["x-ratelimit-reset", "2"]]))
 * assert.deepStrictEqual(Option.map(wait, Duration.toMillis), Option.some(2000))
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const fromHeadersNow = (headers: HeadersInput): Effect.Effect<Option.Option<Duration.Duration>> =>
  Effect.map(Clock.currentTimeMillis, (now) => fromHeaders(headers, now))

/**
 * The server's wait carried by a response, at the `Clock`'s current time.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, RetryAfter } from "effect-http-resilient"
 *
 * const wait = HttpResilient.get("https://api.example.com/jobs/1").pipe(Effect.flatMap(RetryAfter.fromResponse))
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const fromResponse = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<Option.Option<Duration.Duration>> => fromHeadersNow(response.headers as Record<string, string>)
