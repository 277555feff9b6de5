/**
 * The events a client publishes on `ResilientClient.events` and passes to the layer's hooks
 * (`onRequest`, `onRetry`, `onSuccess`, `onFailure`).
 *
 * Every event carries `method`, the redacted `url`, the `attempt` number and `timestamp`
 * (epoch milliseconds by the `Clock`, so `TestClock` controls it). For 503 → 503 → 200 the order is:
 * `RequestStarted`, `AttemptFailed`, `RetryScheduled`, `RequestStarted`, `AttemptFailed`,
 * `RetryScheduled`, `RequestStarted`, `Succeeded`.
 *
 * @example
 * ```ts
 * import { Chunk, Effect, Queue } from "effect"
 * import { HttpResilient, HttpResilientTest, ResilientClient, RetryPolicy } from "effect-http-resilient"
 *
 * const script = [HttpResilientTest.reply(503, { headers: { "retry-after": "0" } }), HttpResilientTest.reply(200)]
 * const tags = Effect.gen(function*() {
 *   const events = yield* ResilientClient.subscribe
 *   yield* HttpResilient.get("http://api.test/x").pipe(Effect.retry(RetryPolicy.default))
 *   return Chunk.toArray(yield* Queue.takeAll(events)).map((event) => event._tag)
 * }).pipe(Effect.scoped, Effect.provide(HttpResilientTest.layer(script)))
 * Effect.runPromise(tags).then((t) =>
 *   assert.deepStrictEqual(t, ["RequestStarted", "AttemptFailed", "RetryScheduled", "RequestStarted", "Succeeded"])
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type * as Breaker from "./core/circuitBreaker.js"
import type * as Models from "./core/models.js"
import type { FailureReason as GaveUpReason, HttpResilientError } from "./HttpResilientError.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface EventInfo extends Models.EventInfo {}

/**
 * Before every attempt, once the request is valid.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ResilientClient } from "effect-http-resilient"
 *
 * const Client = ResilientClient.layer({
 *   onRequest: (event) => Effect.logDebug(`${event.method} ${event.url} (attempt ${event.attempt})`)
 * })
 * ```
 *
 * @since 0.1.0
 * @category events
 */
export class RequestStarted extends Data.TaggedClass("RequestStarted")<EventInfo> {}

/**
 * An attempt failed (with a tagged error). Whether it is retried is told by the next event.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { ResilientClient } from "effect-http-resilient"
 *
 * const logFailedAttempts = ResilientClient.events.pipe(
 *   Stream.runForEach((event) =>
 *     event._tag === "AttemptFailed"
 *       ? Effect.logWarning(`attempt ${event.attempt} failed: ${event.error.message}`)
 *       : Effect.void
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category events
 */
export class AttemptFailed extends Data.TaggedClass("AttemptFailed")<Models.AttemptFailedFields<HttpResilientError>> {}

/**
 * Why a retry waits what it waits: the backoff's delay, or the server's (`Retry-After`, `RateLimit-Reset`).
 *
 * @since 0.1.0
 * @category models
 */
export type RetryReason = Models.RetryReason

/**
 * A retry policy decided to try again after `delay`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, HttpResilientTest, RetryPolicy } from "effect-http-resilient"
 *
 * const reasons: Array<string> = []
 * const TestClient = HttpResilientTest.layer(
 *   [HttpResilientTest.reply(503, { headers: { "retry-after": "0" } }), HttpResilientTest.reply(200)],
 *   { onRetry: (event) => reasons.push(event.reason) }
 * )
 * const call = HttpResilient.get("http://api.test/x").pipe(Effect.retry(RetryPolicy.default))
 * Effect.runPromise(Effect.provide(call, TestClient)).then(() => assert.deepStrictEqual(reasons, ["retry-after"]))
 * ```
 *
 * @since 0.1.0
 * @category events
 */
export class RetryScheduled
  extends Data.TaggedClass("RetryScheduled")<Models.RetryScheduledFields<Duration.Duration, HttpResilientError>>
{}

/**
 * Why a retry policy gave up (the same type as `HttpResilientError.FailureReason`, which `error.call.gaveUp` holds).
 *
 * @since 0.1.0
 * @category models
 */
export type FailureReason = GaveUpReason

/**
 * The call's final failure: a retry policy gave up, a plain `Schedule` run by the client's retry driver ended, or
 * a call with no retry around it failed (README "When `Failed` fires"); `error` is what the call fails with.
 * Once per call; none under `Effect.retry` with a plain `Schedule`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ResilientClient } from "effect-http-resilient"
 *
 * const Client = ResilientClient.layer({
 *   onFailure: (event) =>
 *     event.reason === "budget" ? Effect.logError(`retry budget empty, gave up on ${event.url}`) : Effect.void
 * })
 * ```
 *
 * @since 0.1.0
 * @category events
 */
export class Failed extends Data.TaggedClass("Failed")<Models.FailedFields<HttpResilientError>> {}

/**
 * An attempt got an accepted response.
 *
 * @example
 * ```ts
 * import { Duration, Effect } from "effect"
 * import { ResilientClient } from "effect-http-resilient"
 *
 * const Client = ResilientClient.layer({
 *   onSuccess: (event) =>
 *     Duration.toMillis(event.duration) > 1000
 *       ? Effect.logWarning(`slow: ${event.method} ${event.url} took ${Duration.format(event.duration)}`)
 *       : Effect.void
 * })
 * ```
 *
 * @since 0.1.0
 * @category events
 */
export class Succeeded extends Data.TaggedClass("Succeeded")<Models.SucceededFields<Duration.Duration>> {}

/**
 * The state of a circuit breaker: `"closed"`, `"open"` or `"half-open"`.
 *
 * @since 0.1.0
 * @category models
 */
export type CircuitState = Breaker.CircuitState

/**
 * An origin's circuit breaker changed state.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { ResilientClient } from "effect-http-resilient"
 *
 * const alertOnOpen = ResilientClient.events.pipe(
 *   Stream.runForEach((event) =>
 *     event._tag === "CircuitStateChanged" && event.to === "open"
 *       ? Effect.logError(`circuit for ${event.origin} opened`)
 *       : Effect.void
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category events
 */
export class CircuitStateChanged
  extends Data.TaggedClass("CircuitStateChanged")<Models.CircuitStateChangedFields<CircuitState>>
{}

/**
 * A retry was refused because the client's retry budget was empty.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { ResilientClient } from "effect-http-resilient"
 *
 * // how many retries the budget refused, counted until the stream is interrupted
 * const refused = ResilientClient.events.pipe(
 *   Stream.filter((event) => event._tag === "RetryBudgetExhausted"),
 *   Stream.runCount
 * )
 * ```
 *
 * @since 0.1.0
 * @category events
 */
export class RetryBudgetExhausted extends Data.TaggedClass("RetryBudgetExhausted")<EventInfo> {}

/**
 * @since 0.1.0
 * @category models
 */
export type ResilientEvent =
  | RequestStarted
  | AttemptFailed
  | RetryScheduled
  | Failed
  | Succeeded
  | CircuitStateChanged
  | RetryBudgetExhausted
