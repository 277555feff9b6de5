/**
 * effect-http-resilient: a resilient HTTP client for Effect.
 *
 * @since 0.1.0
 */

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
 * @since 0.1.0
 * @category layers
 */
export { ResilientClientLive } from "./ResilientClient.js"
