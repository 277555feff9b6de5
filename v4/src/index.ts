/**
 * `effect-http-resilient/v4`: the Effect v4 edition.
 * @since 0.1.0
 */

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
export * as HttpResilientTest from "./HttpResilientTest.js"
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
export * as RetryBudget from "./RetryBudget.js"
/**
 * @since 0.1.0
 */
export * as RetryPolicy from "./RetryPolicy.js"
/**
 * @since 0.1.0
 */
export * as Telemetry from "./Telemetry.js"
/**
 * The client with every default (users reach for it by this name).
 * @since 0.1.0
 */
export { ResilientClientLive } from "./ResilientClient.js"
/**
 * @since 0.1.0
 */
export * as Transport from "./Transport.js"
