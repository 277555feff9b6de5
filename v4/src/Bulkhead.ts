/**
 * The bulkhead: a cap on the attempts a client runs at once, with an optional bounded FIFO queue, as the root
 * entry's `Bulkhead` (one per client, shared by every origin; the counting is the core's, `src/core/bulkhead.ts`).
 * An attempt takes a slot before the circuit breaker is asked and gives it back when it ends however it ends.
 * With no free slot it waits in the queue of `maxQueue`; a full queue fails at once with `BulkheadRejectedError`
 * `reason: "full"`, a wait beyond `queueTimeout` with `reason: "queue-timeout"`; neither is retried. Durations
 * are v4 `Duration.Input`s.
 *
 * @example
 * ```ts
 * import { ResilientClient } from "effect-http-resilient/v4"
 *
 * const Client = ResilientClient.layer({ bulkhead: { maxConcurrent: 64, maxQueue: 256, queueTimeout: "2 seconds" } })
 * ```
 *
 * @since 0.1.0
 */
import { bulkheadDefaults } from "../../src/core/bulkhead.js"
import type * as internal from "./internal/bulkhead.js"

/**
 * Options of the client's `bulkhead` (`false` turns it off).
 *
 * - `maxConcurrent`: attempts running at once, all origins together. @default 1000
 * - `maxQueue`: attempts that may wait for a slot; beyond, `BulkheadRejectedError` at once. @default 0
 * - `queueTimeout`: the longest wait in the queue (a v4 `Duration.Input`); then `BulkheadRejectedError`
 *   `reason: "queue-timeout"`. @default no limit but the call's deadline
 *
 * @example
 * ```ts
 * import { Bulkhead, ResilientClient } from "effect-http-resilient/v4"
 *
 * const bulkhead: Bulkhead.BulkheadOptions = { maxConcurrent: 8, maxQueue: 16, queueTimeout: "1 second" }
 * const Client = ResilientClient.layer({ bulkhead })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type BulkheadOptions = internal.BulkheadOptions

/**
 * The defaults: 1000 concurrent attempts, no queue.
 *
 * @example
 * ```ts
 * import { Bulkhead } from "effect-http-resilient/v4"
 *
 * assert.deepStrictEqual(Bulkhead.defaults, { maxConcurrent: 1000, maxQueue: 0 })
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: typeof bulkheadDefaults = bulkheadDefaults
