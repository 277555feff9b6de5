/**
 * The Effect face of the core's `Retry-After` / `RateLimit-Reset` parsing (`src/core/retryAfter.ts`): a wait in
 * milliseconds becomes `Option<Duration>` (`Infinity` is `Duration.infinity`, absent or invalid is `None`).
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as core from "../core/retryAfter.js"

const toWait = (millis: number | undefined): Option.Option<Duration.Duration> =>
  millis === undefined ? Option.none() : Option.some(Duration.millis(millis))

/**
 * `Retry-After`: delta-seconds or an HTTP-date. A past date is zero; anything invalid is `None`; a valid value
 * too far ahead to represent is `Duration.infinity`.
 * @internal
 */
export const parseRetryAfter = (value: string | undefined, nowMillis: number): Option.Option<Duration.Duration> =>
  toWait(core.retryAfterMillis(value, nowMillis))

/**
 * `RateLimit-Reset` / `X-RateLimit-Reset`: delta seconds, or epoch seconds when above 10⁹. A valid value too far
 * ahead to represent is `Duration.infinity`.
 * @internal
 */
export const parseRateLimitReset = (value: string | undefined, nowMillis: number): Option.Option<Duration.Duration> =>
  toWait(core.rateLimitResetMillis(value, nowMillis))

/**
 * The server's wait from response headers (lower-case names): Retry-After first, else RateLimit-Reset,
 * else X-RateLimit-Reset.
 * @internal
 */
export const fromHeaders = (
  headers: Readonly<Record<string, string | undefined>>,
  nowMillis: number
): Option.Option<Duration.Duration> => toWait(core.waitMillisFromHeaders(headers, nowMillis))
