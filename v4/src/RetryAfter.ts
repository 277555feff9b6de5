/**
 * Pure parsing of the server's "wait before retrying" headers, as the root entry's `RetryAfter` (the rules are
 * the core's, `src/core/retryAfter.ts`): `Retry-After` as delta-seconds or an HTTP-date (IMF-fixdate, RFC 850,
 * asctime; a past date is a wait of zero), else `RateLimit-Reset`, else `X-RateLimit-Reset` (seconds, or epoch
 * seconds above 10⁹). Anything invalid is `None`, never an exception; a valid wait too far ahead to represent is
 * `Some(Duration.infinity)`. The results are v4 `Option`s and `Duration`s; {@link fromResponse} reads a v4
 * `effect/http` response.
 *
 * @example
 * ```ts
 * import { Duration, Option } from "effect"
 * import { RetryAfter } from "effect-http-resilient/v4"
 *
 * const now = Date.UTC(2026, 0, 1)
 * Option.map(RetryAfter.parse("120", now), Duration.toSeconds)                           // Some(120)
 * Option.map(RetryAfter.parse("Thu, 01 Jan 2026 00:00:30 GMT", now), Duration.toSeconds) // Some(30)
 * RetryAfter.parse("soon", now)                                                           // None
 * ```
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Option from "effect/Option"
import { type HeadersInput as CoreHeadersInput, lowerCaseHeaders } from "../../src/core/headers.js"
import * as core from "../../src/core/retryAfter.js"

/**
 * Response headers in any of the usual shapes: a record (names in any case), a `Headers`, or `[name, value]` pairs.
 *
 * @since 0.1.0
 * @category models
 */
export type HeadersInput = CoreHeadersInput

const toWait = (millis: number | undefined): Option.Option<Duration.Duration> =>
  millis === undefined ? Option.none() : Option.some(Duration.millis(millis))

/**
 * Parses a `Retry-After` value at `nowMillis` (epoch milliseconds): delta-seconds or an HTTP-date.
 *
 * @example
 * ```ts
 * import { Duration, Option } from "effect"
 * import { RetryAfter } from "effect-http-resilient/v4"
 *
 * const wait = RetryAfter.parse("Wed, 21 Oct 2015 07:28:30 GMT", Date.UTC(2015, 9, 21, 7, 28, 0))
 * Option.map(wait, Duration.toSeconds) // Some(30)
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (value: string | undefined, nowMillis: number): Option.Option<Duration.Duration> =>
  toWait(core.retryAfterMillis(value, nowMillis))

/**
 * Parses an HTTP-date (IMF-fixdate, RFC 850 or asctime) as epoch milliseconds; `nowMillis` resolves RFC 850's
 * two-digit years.
 *
 * @example
 * ```ts
 * import { Option } from "effect"
 * import { RetryAfter } from "effect-http-resilient/v4"
 *
 * const now = Date.UTC(2015, 9, 1)
 * RetryAfter.parseHttpDate("Wednesday, 21-Oct-15 07:28:00 GMT", now) // Some(Date.UTC(2015, 9, 21, 7, 28))
 * RetryAfter.parseHttpDate("Wed Oct 21 07:28:00 2015", now)          // Some(Date.UTC(2015, 9, 21, 7, 28))
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseHttpDate = (value: string, nowMillis: number): Option.Option<number> =>
  Option.fromUndefinedOr(core.parseHttpDate(value, nowMillis))

/**
 * Parses a `RateLimit-Reset` / `X-RateLimit-Reset` value at `nowMillis`: seconds, or epoch seconds above 10⁹.
 *
 * @example
 * ```ts
 * import { RetryAfter } from "effect-http-resilient/v4"
 *
 * const now = Date.UTC(2025, 0, 1)
 * RetryAfter.parseRateLimitReset("30", now)                    // Some(30 seconds)
 * RetryAfter.parseRateLimitReset(String(now / 1000 + 60), now) // Some(60 seconds): epoch seconds
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseRateLimitReset = (value: string | undefined, nowMillis: number): Option.Option<Duration.Duration> =>
  toWait(core.rateLimitResetMillis(value, nowMillis))

/**
 * The server's wait from a set of response headers at `nowMillis`: `Retry-After` first, else `RateLimit-Reset`,
 * else `X-RateLimit-Reset`. An invalid value counts as absent.
 *
 * @example
 * ```ts
 * import { RetryAfter } from "effect-http-resilient/v4"
 *
 * RetryAfter.fromHeaders({ "Retry-After": "120", "RateLimit-Reset": "5" }, Date.now()) // Some(120 seconds)
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const fromHeaders = (headers: HeadersInput, nowMillis: number): Option.Option<Duration.Duration> =>
  toWait(core.waitMillisFromHeaders(lowerCaseHeaders(headers), nowMillis))

/**
 * {@link fromHeaders} at the `Clock`'s current time (so `TestClock` controls it).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { RetryAfter } from "effect-http-resilient/v4"
 *
 * const wait = Effect.runSync(RetryAfter.fromHeadersNow([["x-ratelimit-reset", "2"]])) // Some(2 seconds)
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const fromHeadersNow = (headers: HeadersInput): Effect.Effect<Option.Option<Duration.Duration>> =>
  Effect.map(Clock.currentTimeMillis, (now) => fromHeaders(headers, now))

/**
 * The server's wait carried by a v4 `effect/http` response, at the `Clock`'s current time.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, RetryAfter } from "effect-http-resilient/v4"
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
