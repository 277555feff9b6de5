/**
 * What the client publishes (`ResilientClient.subscribe`, `events`, the layer's hooks): the same event names and
 * fields as the root entry's `ResilientEvent`, as v4 `Data.TaggedClass` values.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type { CircuitState as CoreCircuitState } from "../../src/core/circuitBreaker.js"
import type * as Models from "../../src/core/models.js"
import type { FailureReason as GaveUpReason, HttpResilientError } from "./HttpResilientError.js"

/**
 * What every request event carries: method, redacted URL, attempt, timestamp (epoch ms by the Clock), tag.
 * @since 0.1.0
 * @category models
 */
export interface EventInfo extends Models.EventInfo {}

/**
 * Before every attempt.
 * @since 0.1.0
 * @category events
 */
export class RequestStarted extends Data.TaggedClass("RequestStarted")<EventInfo> {}

/**
 * An attempt failed.
 * @since 0.1.0
 * @category events
 */
export class AttemptFailed extends Data.TaggedClass("AttemptFailed")<Models.AttemptFailedFields<HttpResilientError>> {}

/**
 * @since 0.1.0
 * @category models
 */
export type RetryReason = Models.RetryReason

/**
 * A retry was scheduled after `delay`.
 * @since 0.1.0
 * @category events
 */
export class RetryScheduled
  extends Data.TaggedClass("RetryScheduled")<Models.RetryScheduledFields<Duration.Duration, HttpResilientError>>
{}

/**
 * @since 0.1.0
 * @category models
 */
export type FailureReason = GaveUpReason

/**
 * The policy gave up.
 * @since 0.1.0
 * @category events
 */
export class Failed extends Data.TaggedClass("Failed")<Models.FailedFields<HttpResilientError>> {}

/**
 * An attempt succeeded.
 * @since 0.1.0
 * @category events
 */
export class Succeeded extends Data.TaggedClass("Succeeded")<Models.SucceededFields<Duration.Duration>> {}

/**
 * A breaker's state: `closed`, `open` or `half-open` (the `from` and `to` of {@link CircuitStateChanged}).
 *
 * @example
 * ```ts
 * import type { ResilientEvent } from "effect-http-resilient/v4"
 *
 * const opened = (event: ResilientEvent.ResilientEvent): boolean =>
 *   event._tag === "CircuitStateChanged" && event.to === ("open" satisfies ResilientEvent.CircuitState)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type CircuitState = CoreCircuitState

/**
 * An origin's breaker changed state.
 * @since 0.1.0
 * @category events
 */
export class CircuitStateChanged
  extends Data.TaggedClass("CircuitStateChanged")<Models.CircuitStateChangedFields<CircuitState>>
{}

/**
 * A retry was refused: the budget is empty.
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
