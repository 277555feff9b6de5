/**
 * The errors of effect-http-resilient: one tagged union, `HttpResilientError`.
 *
 * Every member carries the request's `method`, its `url` with userinfo and sensitive
 * query values redacted, the `attempt` number (1, 2, 3 …) and, where there is one, the
 * underlying `cause`. Messages name the request, e.g.
 * `503 Service Unavailable: GET https://host/path (attempt 2)`.
 *
 * Nothing secret is ever part of an error's `message`, `String()`, `toJSON()` or inspected
 * form: values of secret headers (`authorization`, `cookie`, `x-api-key` … and any name the secret rule matches:
 * see `Telemetry`) and of secret query parameters are replaced, URL userinfo is dropped — for URLs that do not
 * parse too.
 *
 * @since 0.1.0
 */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import type * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import { errorMessage } from "./core/errorText.js"
import type * as Models from "./core/models.js"
import * as Replay from "./core/replay.js"
import type { TransportReason } from "./core/transportFailure.js"
import * as Verdicts from "./core/verdicts.js"
import { installSafeViews } from "./internal/errorViews.js"

/**
 * @example
 * ```ts
 * import { HttpResilientError } from "effect-http-resilient"
 *
 * const error = new HttpResilientError.TransportError({ method: "GET", url: "", attempt: 1, reason: "DnsFailure" })
 * // every error of the union carries the type id; `isHttpResilientError` checks for it
 * assert.ok(HttpResilientError.TypeId in error)
 * ```
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-http-resilient/HttpResilientError")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/** How a message tells a duration: undefined for one longer than can be represented. */
const formatDuration = (duration: unknown): string | undefined =>
  Duration.isFinite(duration as Duration.Duration) ? Duration.format(duration as Duration.Duration) : undefined

/**
 * `Data.TaggedError` for the members of the union: the base class it makes for a tag has the safe views (`toJSON`,
 * the inspected form, `toString`) and the non-enumerable `call` slot, `undefined` until the client sets an error's
 * own (see `CallInfo`), so no member can be declared without them.
 */
const TaggedError: typeof Data.TaggedError = (tag) => {
  const Base = Data.TaggedError(tag)
  installSafeViews(Base.prototype)
  Object.defineProperty(Base.prototype, "call", {
    value: undefined,
    writable: true,
    enumerable: false,
    configurable: true
  })
  return Base
}

/**
 * What every error knows about the request that failed.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestInfo extends Models.RequestInfo {}

/**
 * Why a retry policy gave up: `error.call.gaveUp`, and the `reason` of the `Failed` event
 * (`ResilientEvent.FailureReason` is the same type).
 *
 * @since 0.1.0
 * @category models
 */
export type FailureReason = Models.FailureReason

/**
 * The facts of the call an error came from, as the client knew them when the attempt failed: what a retry policy
 * decides with (`RetryPolicy` reads them here), and what it decided.
 *
 * An error's `call` is set by the client on every error an attempt fails with (and on the error a policy ends a call
 * with instead, which keeps the facts of the error it refused to retry); it is `undefined` on errors made outside an
 * attempt — `circuitState`, `warmUp`, options refused before any request was built, the call's own `deadline`
 * passing while an attempt runs, decoding a body after a success, errors built by hand. (A `RetryPolicy` that gives
 * up on such an error gives it bare facts to record `gaveUp` on.) It is filled only when an error is made: a call
 * that succeeds allocates nothing for it.
 *
 * `call` is a non-enumerable property: it is not part of an error's `toJSON()`, inspected form, `Cause.pretty` or
 * structural equality (`Equal.equals`), which show what failed, not the call's bookkeeping; read it by name. Nothing
 * in it is secret: the idempotency key is an opaque token the server sees on every attempt.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Backoff, HttpResilient, HttpResilientTest, RetryPolicy } from "effect-http-resilient"
 *
 * const order = HttpResilient.post("http://api.test/orders", { json: { sku: 7 }, idempotencyKey: "order-7" }).pipe(
 *   Effect.retry(RetryPolicy.make({ retries: 1, backoff: Backoff.constant("1 millis") })),
 *   Effect.flip
 * )
 * const script = [HttpResilientTest.reply(503), HttpResilientTest.reply(503)]
 * Effect.runPromise(Effect.provide(order, HttpResilientTest.layer(script))).then((e) => {
 *   assert.strictEqual(e.call?.attempt, 2)
 *   assert.strictEqual(e.call?.idempotencyKey, "order-7")
 *   assert.strictEqual(e.call?.gaveUp, "exhausted")
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface CallInfo extends Models.CallInfo<HttpResilientError> {}

/**
 * Why a {@link TransportError} happened.
 *
 * - `ConnectionRefused`, `ConnectionReset`, `ConnectTimeout`, `DnsFailure`: the socket could not be had or was lost
 *   (`ConnectionRefused` also when the client's `proxy` answers a `CONNECT` with anything but 200).
 * - `HeadersTimeout`, `BodyTimeout`: the transport's own idle timeouts (not the attempt timeout).
 * - `TlsFailure`: the TLS handshake failed (untrusted certificate, wrong host name …).
 * - `ProtocolError`: the server spoke something that is not HTTP/1.1 (malformed status line, a status outside
 *   100–599, headers over the transport's limit, bad chunking …), or sent a body that is not what its
 *   `Content-Encoding` says (corrupt gzip, deflate or br; see the client option `decompress`). Not transient: the
 *   server broke the protocol.
 * - `ResponseTooLarge`: the body passed `maxResponseSize` (decoded bytes, when decompressed); the socket was closed.
 * - `Aborted`: the request was aborted by something other than an interruption.
 * - `NotResumable`: a resumed stream could not continue without repeating or skipping bytes.
 * - `StreamEnded`: the server ended an event stream (`sse`) cleanly; it is reconnected to, as `EventSource` does,
 *   and this is the error once the retry policy gives up.
 * - `RedirectLoop`, `TooManyRedirects`: redirects did not end.
 * - `InsecureRedirect`: a redirect from https: to http:, refused unless the client option `allowInsecureRedirects` is
 *   true (nothing was sent to the http: URL).
 * - `Unknown`: anything else; see `cause`. Every error code undici 7 defines maps to a named reason or, when the
 *   request itself caused it (a body whose length differs from its `content-length`, a header undici refuses), to
 *   an `InvalidRequestError` instead; `Unknown` is left for what no rule knows.
 *
 * @since 0.1.0
 * @category models
 */
export type TransportErrorReason = TransportReason

/**
 * The network failed: the connection was refused or reset, DNS or TLS failed, the server
 * broke the protocol, or the body was too large.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient } from "effect-http-resilient"
 *
 * const program = HttpResilient.get("http://127.0.0.1:1/").pipe(
 *   Effect.catchTag("TransportError", (e) => Effect.succeed(`down: ${e.reason}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends TaggedError("TransportError")<Models.TransportFields> {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /**
   * The facts of the call this error came from, `undefined` outside an attempt; see {@link CallInfo}. Not
   * enumerable.
   *
   * @since 0.1.0
   */
  declare readonly call: CallInfo | undefined
  /** @since 0.1.0 */
  override get message(): string {
    return errorMessage(this, formatDuration)
  }
}

/**
 * The attempt timeout (`scope: "attempt"`) or the call's deadline (`scope: "deadline"`) ran out.
 * An attempt that times out has its socket aborted.
 *
 * `timeout` is the attempt timeout that ran out; for a deadline, it is what was left of the deadline when it was
 * enforced (0 when an attempt would start after it, the remainder when a wait or an attempt would run past it).
 * A retry policy gives up with it as soon as its next wait would not end before the deadline, without sleeping
 * into it.
 *
 * @example
 * ```ts
 * import { Duration, Effect } from "effect"
 * import { HttpResilient, RetryPolicy } from "effect-http-resilient"
 *
 * const options = { timeout: "5 seconds", deadline: "20 seconds" } as const
 * const report = HttpResilient.get("https://api.example.com/report", options).pipe(
 *   Effect.retry(RetryPolicy.default),
 *   Effect.catchTag("TimeoutError", (e) =>
 *     Effect.fail(e.scope === "deadline" ? "no report in 20 s" : `an attempt took over ${Duration.format(e.timeout)}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TimeoutError extends TaggedError("TimeoutError")<Models.TimeoutFields<Duration.Duration>> {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /**
   * The facts of the call this error came from, `undefined` outside an attempt; see {@link CallInfo}. Not
   * enumerable.
   *
   * @since 0.1.0
   */
  declare readonly call: CallInfo | undefined
  /** @since 0.1.0 */
  override get message(): string {
    return errorMessage(this, formatDuration)
  }
}

/**
 * The response's status is outside the client's `acceptStatus` (by default 200–399).
 * The response is kept, its body already read, so `error.response.text` works.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, HttpResilientTest } from "effect-http-resilient"
 *
 * // a 404 is an answer, not a failure, for this call
 * const user = HttpResilient.get("http://api.test/users/7").pipe(
 *   Effect.catchTag("StatusError", (e) => e.status === 404 ? Effect.succeed(null) : Effect.fail(e))
 * )
 * const script = [HttpResilientTest.reply(404, { body: "no such user" })]
 * Effect.runPromise(Effect.provide(user, HttpResilientTest.layer(script))).then((u) => assert.strictEqual(u, null))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class StatusError extends TaggedError("StatusError")<
  Models.StatusFields<HttpClientResponse.HttpClientResponse, Option.Option<Duration.Duration>>
> {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /**
   * The facts of the call this error came from, `undefined` outside an attempt; see {@link CallInfo}. Not
   * enumerable.
   *
   * @since 0.1.0
   */
  declare readonly call: CallInfo | undefined
  /** @since 0.1.0 */
  override get message(): string {
    return errorMessage(this, formatDuration)
  }
}

/**
 * The response's status was accepted, but the `acceptResponse` check (the client's, or the request's, which replaces
 * it) said no: e.g. a 200 whose body reports an error, or a job that is not done yet. The response is kept, its body
 * already read, so `error.response.json` works; `headers` are redacted. `RetryPolicy` retries it by default (it is
 * transient, like a 503), under the same method and budget rules; `catchTag` on it returns the last response after
 * retries.
 *
 * The message reads `Response rejected by acceptResponse (200 OK): GET https://host/path (attempt 2)`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, HttpResilientTest } from "effect-http-resilient"
 *
 * // a job is done when its body says so; after the retries, take the last answer as it is
 * const job = HttpResilient.get("http://api.test/jobs/7", {
 *   acceptResponse: (response) => Effect.map(response.json, (body) => (body as { done: boolean }).done),
 *   retry: false
 * }).pipe(Effect.catchTag("ResponseRejectedError", (e) => Effect.succeed(e.response)))
 * const script = [HttpResilientTest.reply(200, { body: "{\"done\":false}" })]
 * Effect.runPromise(Effect.provide(job, HttpResilientTest.layer(script))).then((r) => assert.strictEqual(r.status, 200))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ResponseRejectedError extends TaggedError("ResponseRejectedError")<
  Models.ResponseFields<HttpClientResponse.HttpClientResponse>
> {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /**
   * The facts of the call this error came from, `undefined` outside an attempt; see {@link CallInfo}. Not
   * enumerable.
   *
   * @since 0.1.0
   */
  declare readonly call: CallInfo | undefined
  /** @since 0.1.0 */
  override get message(): string {
    return errorMessage(this, formatDuration)
  }
}

/**
 * The origin's circuit breaker is open, or half-open with every probe slot taken: no I/O was done.
 *
 * `state` tells which. `retryAt` (epoch milliseconds by the `Clock`, never before the rejection) is when trying
 * again may be let through: for an open breaker, the end of its break (a probe goes through then); for a
 * half-open one, when the first probe in flight is due to end — by its attempt timeout, clipped to its deadline —
 * since by then that probe has closed the breaker, opened it again (ask again: the new error's `retryAt` is the
 * new break's end) or freed its slot. The probe may well answer sooner. The messages read
 * `Circuit open for https://host: GET https://host/path (attempt 1)` and
 * `Circuit half-open for https://host, no free probe (2 in flight): GET https://host/path (attempt 1)`.
 * (`state` is always set by the client; an error built without one reads as open.)
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient } from "effect-http-resilient"
 *
 * // serve the last known prices while the origin's breaker is open
 * const cached: ReadonlyArray<number> = []
 * const prices = HttpResilient.get("https://prices.example.com/latest").pipe(
 *   Effect.flatMap((response) => response.json),
 *   Effect.catchTag("CircuitOpenError", (e) =>
 *     Effect.as(Effect.logWarning(`${e.origin} unavailable until ${new Date(e.retryAt).toISOString()}`), cached))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class CircuitOpenError extends TaggedError("CircuitOpenError")<Models.CircuitOpenFields> {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /**
   * The facts of the call this error came from, `undefined` outside an attempt; see {@link CallInfo}. Not
   * enumerable.
   *
   * @since 0.1.0
   */
  declare readonly call: CallInfo | undefined
  /** @since 0.1.0 */
  override get message(): string {
    return errorMessage(this, formatDuration)
  }
}

/**
 * Why a {@link BulkheadRejectedError} happened: no slot was free and the queue was full (`"full"`, at once), or
 * the attempt waited in the queue for the whole `queueTimeout` (`"queue-timeout"`).
 *
 * @since 0.1.0
 * @category models
 */
export type BulkheadRejectionReason = "full" | "queue-timeout"

/**
 * The bulkhead had no free slot and its queue was full, or the wait in the queue timed out.
 *
 * `limit` is the bulkhead's `maxConcurrent` (all running when it was rejected); `queued` the attempts waiting in
 * the queue at that moment, not counting this one. `reason` tells the two cases apart, and a queue timeout carries
 * the `queueTimeout` it waited. The messages read
 * `Bulkhead full (10 running, 100 queued): GET https://host/path (attempt 1)` and
 * `Bulkhead queue wait timed out after 50ms (1 running, 0 queued): GET https://host/path (attempt 1)`.
 * (`reason` is always set by the client; an error built without one reads as `"full"`.)
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient } from "effect-http-resilient"
 *
 * // shed load: answer "busy" at once rather than pile up
 * const thumbnail = HttpResilient.get("https://images.example.com/t/1.png").pipe(
 *   Effect.map(() => "ok"),
 *   Effect.catchTag("BulkheadRejectedError", (e) => Effect.succeed(`busy (${e.limit} running, ${e.reason})`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class BulkheadRejectedError
  extends TaggedError("BulkheadRejectedError")<Models.BulkheadRejectedFields<Duration.Duration>>
{
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /**
   * The facts of the call this error came from, `undefined` outside an attempt; see {@link CallInfo}. Not
   * enumerable.
   *
   * @since 0.1.0
   */
  declare readonly call: CallInfo | undefined
  /** @since 0.1.0 */
  override get message(): string {
    return errorMessage(this, formatDuration)
  }
}

/**
 * The client-side rate limiter would make the call wait past its deadline.
 *
 * @example
 * ```ts
 * import { Duration, Effect } from "effect"
 * import { HttpResilient } from "effect-http-resilient"
 *
 * const quote = HttpResilient.get("https://partner.example.com/quote", { deadline: "1 second" }).pipe(
 *   Effect.catchTag("RateLimitedError", (e) => Effect.fail(`quota used up, next in ${Duration.format(e.waitFor)}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimitedError extends TaggedError("RateLimitedError")<Models.RateLimitedFields<Duration.Duration>> {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /**
   * The facts of the call this error came from, `undefined` outside an attempt; see {@link CallInfo}. Not
   * enumerable.
   *
   * @since 0.1.0
   */
  declare readonly call: CallInfo | undefined
  /** @since 0.1.0 */
  override get message(): string {
    return errorMessage(this, formatDuration)
  }
}

/**
 * A retry was due but the client's retry budget is empty. `lastError` is the error that
 * would have been retried.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, RetryPolicy } from "effect-http-resilient"
 *
 * const user = HttpResilient.get("https://api.example.com/users/1").pipe(
 *   Effect.retry(RetryPolicy.default),
 *   // the fleet is retrying too much already: report the error that would have been retried
 *   Effect.catchTag("RetryBudgetExhaustedError", (e) => Effect.fail(e.lastError))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class RetryBudgetExhaustedError
  extends TaggedError("RetryBudgetExhaustedError")<Models.RetryBudgetExhaustedFields<HttpResilientError>>
{
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /**
   * The facts of the call this error came from, `undefined` outside an attempt; see {@link CallInfo}. Not
   * enumerable.
   *
   * @since 0.1.0
   */
  declare readonly call: CallInfo | undefined
  /** @since 0.1.0 */
  override get message(): string {
    return errorMessage(this, formatDuration)
  }
}

/**
 * The server asked to wait longer than `maxRetryAfter`, or past the deadline. A wait beyond what can be represented
 * exactly (more than `Number.MAX_SAFE_INTEGER` milliseconds) is `Duration.infinity` here, and the message reads
 * "Server asked to wait longer than can be represented".
 *
 * @example
 * ```ts
 * import { Duration, Effect } from "effect"
 * import { HttpResilient, RetryPolicy } from "effect-http-resilient"
 *
 * const job = HttpResilient.get("https://api.example.com/jobs/1").pipe(
 *   Effect.retry(RetryPolicy.make({ maxRetryAfter: "10 seconds" })),
 *   Effect.catchTag("RetryAfterTooLongError", (e) => Effect.fail(`come back in ${Duration.format(e.retryAfter)}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class RetryAfterTooLongError extends TaggedError("RetryAfterTooLongError")<
  Models.RetryAfterTooLongFields<Duration.Duration, HttpResilientError>
> {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /**
   * The facts of the call this error came from, `undefined` outside an attempt; see {@link CallInfo}. Not
   * enumerable.
   *
   * @since 0.1.0
   */
  declare readonly call: CallInfo | undefined
  /** @since 0.1.0 */
  override get message(): string {
    return errorMessage(this, formatDuration)
  }
}

/**
 * The request could not be built: bad URL, method, header name or value (CR, LF, NUL …),
 * or a body that cannot be encoded. No I/O was done. Also what the transport reports when the request itself is
 * at fault — a body whose length differs from its `content-length` header, a header undici refuses: the request
 * is to blame, not the server, so it is not transient, the circuit breaker ignores it and no retry spends the
 * retry budget on it. The client's `proxy` refusing its credentials (407) is one too, reason `InvalidOption`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, HttpResilientTest } from "effect-http-resilient"
 *
 * // a relative URL and no `baseUrl`: fails before any I/O
 * const error = HttpResilient.get("users/1").pipe(Effect.flip, Effect.provide(HttpResilientTest.layer([])))
 * Effect.runPromise(error).then((e) => {
 *   assert.strictEqual(e._tag, "InvalidRequestError")
 *   if (e._tag === "InvalidRequestError") assert.strictEqual(e.reason, "InvalidUrl")
 * })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidRequestError extends TaggedError("InvalidRequestError")<Models.InvalidRequestFields> {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /**
   * The facts of the call this error came from, `undefined` outside an attempt; see {@link CallInfo}. Not
   * enumerable.
   *
   * @since 0.1.0
   */
  declare readonly call: CallInfo | undefined
  /** @since 0.1.0 */
  override get message(): string {
    return errorMessage(this, formatDuration)
  }
}

/**
 * The body is not valid JSON, or does not match the schema. From `ndjson`, `line` is the number (from 1, blank
 * lines counted) of the line that failed.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { HttpResilient, HttpResilientTest } from "effect-http-resilient"
 *
 * const User = Schema.Struct({ id: Schema.Number })
 * const error = HttpResilient.getJson("http://api.test/users/1", User).pipe(
 *   Effect.flip,
 *   Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200, { json: { id: "one" } })]))
 * )
 * Effect.runPromise(error).then((e) => assert.strictEqual(e._tag, "DecodeError"))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class DecodeError extends TaggedError("DecodeError")<Models.DecodeFields> {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /**
   * The facts of the call this error came from, `undefined` outside an attempt; see {@link CallInfo}. Not
   * enumerable.
   *
   * @since 0.1.0
   */
  declare readonly call: CallInfo | undefined
  /** @since 0.1.0 */
  override get message(): string {
    return errorMessage(this, formatDuration)
  }
}

/**
 * A request or response interceptor failed.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, HttpResilientTest, Interceptor } from "effect-http-resilient"
 *
 * const auth = Interceptor.onRequest("auth", () => Effect.fail("no token"))
 * const error = HttpResilient.get("http://api.test/me").pipe(
 *   Effect.flip,
 *   Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)], { interceptors: [auth] }))
 * )
 * Effect.runPromise(error).then((e) =>
 *   assert.strictEqual(e.message, "Interceptor \"auth\" failed (no token): GET http://api.test/me (attempt 1)")
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InterceptorError extends TaggedError("InterceptorError")<Models.InterceptorFields> {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /**
   * The facts of the call this error came from, `undefined` outside an attempt; see {@link CallInfo}. Not
   * enumerable.
   *
   * @since 0.1.0
   */
  declare readonly call: CallInfo | undefined
  /** @since 0.1.0 */
  override get message(): string {
    return errorMessage(this, formatDuration)
  }
}

/**
 * Every error a call can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type HttpResilientError =
  | TransportError
  | TimeoutError
  | StatusError
  | CircuitOpenError
  | BulkheadRejectedError
  | RateLimitedError
  | RetryBudgetExhaustedError
  | RetryAfterTooLongError
  | InvalidRequestError
  | DecodeError
  | InterceptorError
  | ResponseRejectedError

/**
 * @example
 * ```ts
 * import { HttpResilientError } from "effect-http-resilient"
 *
 * const error = new HttpResilientError.TransportError({ method: "GET", url: "", attempt: 1, reason: "Unknown" })
 * assert.strictEqual(HttpResilientError.isHttpResilientError(error), true)
 * assert.strictEqual(HttpResilientError.isHttpResilientError(new Error("boom")), false)
 * ```
 *
 * @since 0.1.0
 * @category refinements
 */
export const isHttpResilientError = (u: unknown): u is HttpResilientError => Predicate.hasProperty(u, TypeId)

/**
 * The statuses that are worth retrying by default: 408, 429, 500, 502, 503, 504.
 *
 * @example
 * ```ts
 * import { HttpResilientError } from "effect-http-resilient"
 *
 * assert.strictEqual(HttpResilientError.transientStatuses.has(503), true)
 * assert.strictEqual(HttpResilientError.transientStatuses.has(501), false) // Not Implemented stays so
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const transientStatuses: ReadonlySet<number> = Verdicts.transientStatuses

/**
 * Whether trying again later may succeed: transport failures (not TLS, protocol, size or redirect
 * problems), attempt timeouts, and `StatusError` with 408, 429, 500, 502, 503, 504 — or 413
 * when it carries a Retry-After — and `ResponseRejectedError` (the `acceptResponse` check said no). Open circuits, bulkhead rejections, deadlines and invalid
 * requests are never transient.
 *
 * @example
 * ```ts
 * import { HttpResilientError } from "effect-http-resilient"
 *
 * const request = { method: "GET", url: "https://api.example.com/", attempt: 1 }
 * const reset = new HttpResilientError.TransportError({ ...request, reason: "ConnectionReset" })
 * const badCertificate = new HttpResilientError.TransportError({ ...request, reason: "TlsFailure" })
 * assert.strictEqual(HttpResilientError.isTransient(reset), true)
 * assert.strictEqual(HttpResilientError.isTransient(badCertificate), false)
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransient = (error: HttpResilientError): boolean => Verdicts.isTransientFacts(error)

/**
 * Methods that may be repeated without changing the outcome (RFC 9110 §9.2.2), plus QUERY.
 *
 * @example
 * ```ts
 * import { HttpResilientError } from "effect-http-resilient"
 *
 * assert.strictEqual(HttpResilientError.idempotentMethods.has("PUT"), true)
 * assert.strictEqual(HttpResilientError.idempotentMethods.has("POST"), false)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const idempotentMethods: ReadonlySet<string> = Replay.idempotentMethods

/**
 * Whether `error`, from a request with `method`, may be retried: it is transient and the method is
 * idempotent, or it is POST/PATCH and the request carried an `Idempotency-Key`.
 *
 * @example
 * ```ts
 * import { HttpResilientError } from "effect-http-resilient"
 *
 * const request = { method: "POST", url: "https://api.example.com/orders", attempt: 1 }
 * const reset = new HttpResilientError.TransportError({ ...request, reason: "ConnectionReset" })
 * assert.strictEqual(HttpResilientError.isRetryable(reset, "POST"), false)
 * assert.strictEqual(HttpResilientError.isRetryable(reset, "POST", true), true) // with an Idempotency-Key
 * assert.strictEqual(HttpResilientError.isRetryable("GET")(reset), true)
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRetryable: {
  (method: string, hasIdempotencyKey?: boolean): (error: HttpResilientError) => boolean
  (error: HttpResilientError, method: string, hasIdempotencyKey?: boolean): boolean
} = function(...args: Array<any>) {
  if (typeof args[0] === "string") {
    const method = args[0] as string
    const key = args[1] === true
    return (error: HttpResilientError) => isTransient(error) && methodAllowsRetry(method, key)
  }
  return isTransient(args[0]) && methodAllowsRetry(args[1], args[2] === true)
} as any

const methodAllowsRetry = (method: string, hasIdempotencyKey: boolean): boolean =>
  Replay.mayRepeat(method.toUpperCase(), hasIdempotencyKey)
