/**
 * The Redis store of the client's rate limiter: v4's `effect/persistence` Redis `RateLimiterStore` over an `ioredis`
 * connection. Every client, in every process, that uses the same Redis and the same quota `key` shares one quota. It
 * lives in its own module, `effect-http-resilient/v4/RateLimiterRedis`, so that `ioredis` (an optional peer
 * dependency: `npm install ioredis`) is loaded, and bundled, only by apps that use it; the `effect-http-resilient/v4`
 * barrel never imports it.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { ResilientClient } from "effect-http-resilient/v4"
 * import * as RateLimiterRedis from "effect-http-resilient/v4/RateLimiterRedis"
 *
 * // one quota of 1,000 calls a minute for the whole fleet, in Redis
 * const FleetClient = ResilientClient.layer({ rateLimiter: { limit: 1000, window: "1 minute", key: "partner-api" } })
 *   .pipe(Layer.provide(RateLimiterRedis.layer({ host: "127.0.0.1", port: 6379 })))
 * ```
 *
 * @since 0.1.0
 */
import * as Layer from "effect/Layer"
import * as PersistedRateLimiter from "effect/persistence/RateLimiter"
import type { RedisConnectionOptions } from "../../src/core/redisOptions.js"
import { layerRedis } from "./CircuitBreakerRedis.js"
import type { Store } from "./RateLimiter.js"

/**
 * Connection options of {@link layer}: those of ioredis (`host`, `port`, `username`, `password`, `db`, `tls`, … —
 * any other ioredis option is passed through) or a `url` (`redis://host:port/db`), plus the key `prefix`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RedisOptions extends RedisConnectionOptions {
  /** `redis://host:port/db`; when set, it alone says where Redis is (the other connection options are not read) */
  readonly url?: string | undefined
}

/**
 * A Redis store for the client's rate limiter: provide it under the client layer. The connection is closed with the
 * layer's scope.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { ResilientClient } from "effect-http-resilient/v4"
 * import * as RateLimiterRedis from "effect-http-resilient/v4/RateLimiterRedis"
 *
 * const Client = ResilientClient.layer({ rateLimiter: { limit: 50, window: "1 second", key: "geo-api" } }).pipe(
 *   Layer.provide(RateLimiterRedis.layer({ url: "redis://redis.internal:6379", prefix: "myapp:rl:" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: RedisOptions = {}): Layer.Layer<Store> => {
  const { prefix, url, ...connection } = options
  const target = url === undefined ? connection : url
  return PersistedRateLimiter.layerStoreRedis({ prefix }).pipe(Layer.provide(layerRedis(target)))
}
