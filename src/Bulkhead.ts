/**
 * The bulkhead: a cap on the attempts a client runs at once, with an optional bounded queue.
 *
 * One bulkhead per client, shared by every origin (like the concurrency limiter of .NET's standard
 * resilience pipeline): it protects the caller's process — sockets, memory, the event loop — from a flood of
 * its own requests. To cap one origin separately, give it its own client. An attempt takes a slot before the
 * circuit breaker is asked and gives it back when it ends however it ends (success, failure, interruption).
 * With no free slot it waits in a FIFO queue of `maxQueue`; when the queue is full it fails at once with
 * `BulkheadRejectedError` `reason: "full"`, and when the wait outlasts `queueTimeout` with `reason:
 * "queue-timeout"` (its message and `queueTimeout` field say how long it waited); neither is retried by a retry
 * policy. Taking a free slot
 * is a counter increment: no fiber or race per attempt.
 *
 * @example
 * ```ts
 * import { ResilientClient } from "effect-http-resilient"
 *
 * const Client = ResilientClient.layer({ bulkhead: { maxConcurrent: 64, maxQueue: 256, queueTimeout: "2 seconds" } })
 * ```
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as internal from "./internal/bulkhead.js"

/**
 * Options of the client's `bulkhead` (`false` turns it off).
 *
 * - `maxConcurrent`: attempts running at once, all origins together. @default 1000
 * - `maxQueue`: attempts that may wait for a slot; beyond, `BulkheadRejectedError` at once. @default 0
 * - `queueTimeout`: the longest wait in the queue; then `BulkheadRejectedError` `reason: "queue-timeout"`.
 *   @default no limit but the call's deadline
 *
 * @since 0.1.0
 * @category models
 */
export interface BulkheadOptions {
  readonly maxConcurrent?: number | undefined
  readonly maxQueue?: number | undefined
  readonly queueTimeout?: Duration.DurationInput | undefined
}

/**
 * The defaults: 1000 concurrent attempts, no queue.
 *
 * @example
 * ```ts
 * import { Bulkhead } from "effect-http-resilient"
 *
 * assert.deepStrictEqual(Bulkhead.defaults, { maxConcurrent: 1000, maxQueue: 0 })
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: typeof internal.defaults = internal.defaults
