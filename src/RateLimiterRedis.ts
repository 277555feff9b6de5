/**
 * The Redis store of the client's rate limiter: every client, in every process, that uses the same Redis and the
 * same quota `key` shares one quota. It lives in its own module, `effect-http-resilient/RateLimiterRedis`, so that
 * `ioredis` (an optional peer dependency: `npm install ioredis`) is loaded, and bundled, only by apps that use it;
 * the main entry point never imports it.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { ResilientClient } from "effect-http-resilient"
 * import * as RateLimiterRedis from "effect-http-resilient/RateLimiterRedis"
 *
 * // one quota of 1,000 calls a minute for the whole fleet, in Redis
 * const FleetClient = ResilientClient.layer({ rateLimiter: { limit: 1000, window: "1 minute", key: "partner-api" } })
 *   .pipe(Layer.provide(RateLimiterRedis.layer({ host: "127.0.0.1", port: 6379 })))
 * ```
 *
 * @since 0.1.0
 */
import * as Redis from "@effect/experimental/RateLimiter/Redis"
import type * as Layer from "effect/Layer"
import type { RedisConnectionOptions } from "./core/redisOptions.js"
import type { Store } from "./RateLimiter.js"

/**
 * Connection options of {@link layer}: those of ioredis (`host`, `port`, `username`, `password`, `db`, `tls`,
 * … — any other ioredis option is passed through), plus the key `prefix`. Declared here so that the types do
 * not need `ioredis`'s own.
 *
 * @since 0.1.0
 * @category models
 */
export interface RedisOptions extends RedisConnectionOptions {}

/**
 * A Redis store for the client's rate limiter (ioredis `options` plus a key `prefix`, default `"ratelimiter:"`):
 * provide it under the client layer. The connection is closed with the layer's scope.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { ResilientClient } from "effect-http-resilient"
 * import * as RateLimiterRedis from "effect-http-resilient/RateLimiterRedis"
 *
 * const Client = ResilientClient.layer({ rateLimiter: { limit: 50, window: "1 second", key: "geo-api" } }).pipe(
 *   Layer.provide(RateLimiterRedis.layer({ host: "redis.internal", port: 6379, prefix: "myapp:rl:" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: RedisOptions): Layer.Layer<Store> =>
  Redis.layerStore(options as Parameters<typeof Redis.layerStore>[0])
