/**
 * effect-http-resilient: a resilient HTTP client for Effect.
 *
 * @example
 * ```ts
 * import { NodeRuntime } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { Backoff, HttpResilient, ResilientClientLive, RetryPolicy } from "effect-http-resilient"
 *
 * const policy = RetryPolicy.make({
 *   retries: 5,
 *   backoff: Backoff.exponential({ base: "100 millis" }).pipe(Backoff.fullJitter)
 * })
 * const program = HttpResilient.get("https://api.example.com/users/1").pipe(
 *   Effect.retry(policy), // a Schedule: compose it like any other
 *   Effect.flatMap((response) => response.json) // an @effect/platform HttpClientResponse
 * )
 * const main = () => program.pipe(Effect.provide(ResilientClientLive), NodeRuntime.runMain)
 * ```
 *
 * @since 0.1.0
 */

import type { ConfigError } from "effect/ConfigError"
import type { Layer } from "effect/Layer"
import * as Client from "./ResilientClient.js"
import type { ResilientClient as ResilientClientTag } from "./ResilientClient.js"

/**
 * @since 0.1.0
 */
export * as Backoff from "./Backoff.js"

/**
 * @since 0.1.0
 */
export * as Bulkhead from "./Bulkhead.js"

/**
 * @since 0.1.0
 */
export * as CircuitBreaker from "./CircuitBreaker.js"

/**
 * @since 0.1.0
 */
export * as HttpResilient from "./HttpResilient.js"

/**
 * @since 0.1.0
 */
export * as HttpResilientError from "./HttpResilientError.js"

/**
 * @since 0.1.0
 */
export * as Interceptor from "./Interceptor.js"

/**
 * @since 0.1.0
 */
export * as RateLimiter from "./RateLimiter.js"

/**
 * @since 0.1.0
 */
export * as ResilientClient from "./ResilientClient.js"

/**
 * @since 0.1.0
 */
export * as ResilientEvent from "./ResilientEvent.js"

/**
 * @since 0.1.0
 */
export * as RetryAfter from "./RetryAfter.js"

/**
 * @since 0.1.0
 */
export * as RetryPolicy from "./RetryPolicy.js"

/**
 * @since 0.1.0
 */
export * as Telemetry from "./Telemetry.js"

/**
 * @since 0.1.0
 */
export * as RetryBudget from "./RetryBudget.js"

/**
 * @since 0.1.0
 */
export * as Transport from "./Transport.js"

/**
 * @since 0.1.0
 */
export * as HttpResilientTest from "./HttpResilientTest.js"

/**
 * The client with every default, configurable from the environment (`HTTP_RESILIENT_*`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResilient, ResilientClientLive } from "effect-http-resilient"
 *
 * const main = HttpResilient.get("https://api.example.com/health").pipe(Effect.provide(ResilientClientLive))
 * // run it with NodeRuntime.runMain(main); tune it with HTTP_RESILIENT_* variables (see ResilientClient.layerConfig)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const ResilientClientLive: Layer<ResilientClientTag, ConfigError> = Client.ResilientClientLive
