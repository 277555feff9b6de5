/**
 * A client-side rate limiter, built on v4's `effect/persistence` `RateLimiter`: a quota of `limit` attempts per
 * `window` — token bucket (default) or fixed window — per origin (default), per fixed key, or per key computed from
 * the request. Off by default; the client option `rateLimiter` turns it on. The same options, defaults and errors as
 * the root entry's `RateLimiter`.
 *
 * An attempt over the quota **waits** (on the `Clock`) until its turn, in the attempt's order: deadline → rate
 * limiter → bulkhead → circuit breaker → transport; its attempt timeout starts when it is let through. When the wait
 * would pass the call's deadline it fails at once with `RateLimitedError` (`waitFor` says how long it would have
 * waited) without using up a slot.
 *
 * The quota lives in a store, v4's `RateLimiterStore`: by default a memory store of the client (v4's: an entry is
 * dropped once its key is as good as unseen — a full bucket, an expired window — so it holds the keys used within
 * about one window, not a fixed number of keys as the root's); put `layerMemory` under several clients to share one
 * in the process, or the Redis store of `effect-http-resilient/v4/RateLimiterRedis` so every process of a fleet
 * shares one quota (the key names the quota: give the same key in every process). A store that fails does not stop
 * calls: the attempt goes and the failure is logged.
 *
 * With `adaptive: true`, a 429 carrying `Retry-After` (or `RateLimit-Reset`) pauses every attempt to that origin,
 * not just the call that got it, until the server's wait is over — in the process's memory, as in the root entry.
 * (v4's own `adaptiveConsume` is not used: after a pause it learns a rate from the next 429 and holds every attempt
 * to it, where this pause ends with the server's wait.) `adaptive` works with or without a quota.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { RateLimiter, ResilientClient } from "effect-http-resilient/v4"
 *
 * // 100 requests per second per origin, and back off the whole origin on 429
 * const Client = ResilientClient.layer({ rateLimiter: { limit: 100, window: "1 second", adaptive: true } })
 *
 * // the quota in a memory store that other clients of the process can be given too
 * const Shared = ResilientClient.layer({ rateLimiter: { limit: 10, window: "1 second", key: "partner-api" } })
 *   .pipe(Layer.provide(RateLimiter.layerMemory))
 * ```
 *
 * @since 0.1.0
 */
import type * as Layer from "effect/Layer"
import * as PersistedRateLimiter from "effect/persistence/RateLimiter"
import type { RateLimitedRequest as Request } from "../../src/core/rateLimit.js"
import type * as internal from "./internal/rateLimiter.js"

/**
 * What a `key` function sees of a request: its method and URL.
 *
 * @since 0.1.0
 * @category models
 */
export type RateLimitedRequest = Request

/**
 * Options of the client's `rateLimiter` (`false` or absent: off).
 *
 * - `limit`, `window`: at most `limit` attempts per `window` (both, or neither with `adaptive`).
 * - `algorithm`: `"token-bucket"` (smooth: a token every `window / limit`, bursts up to `limit`) or
 *   `"fixed-window"`. @default "token-bucket"
 * - `key`: the quota's name: a string (one quota for everything, shared by name in a store) or a function of the
 *   request (per user, per tenant …). @default the request's origin
 * - `adaptive`: a 429 with a server wait pauses the whole origin. @default false
 *
 * @example
 * ```ts
 * import { ResilientClient, type RateLimiter } from "effect-http-resilient/v4"
 *
 * const perUser: RateLimiter.RateLimiterOptions = {
 *   limit: 5,
 *   window: "1 second",
 *   key: (request) => request.url.searchParams.get("user") ?? "anonymous"
 * }
 * const Client = ResilientClient.layer({ rateLimiter: perUser })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimiterOptions extends internal.RateLimiterOptions {}

/**
 * The store the quotas live in: v4's `effect/persistence` `RateLimiterStore`. A client uses the one in context when
 * its layer is built, else a memory store of its own.
 *
 * @example
 * ```ts
 * import * as PersistedRateLimiter from "effect/persistence/RateLimiter"
 * import { RateLimiter } from "effect-http-resilient/v4"
 *
 * // any effect/persistence store layer can hold the client's quotas
 * console.log(RateLimiter.Store === PersistedRateLimiter.RateLimiterStore) // true
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export const Store: typeof PersistedRateLimiter.RateLimiterStore = PersistedRateLimiter.RateLimiterStore

/**
 * @since 0.1.0
 * @category tags
 */
export type Store = PersistedRateLimiter.RateLimiterStore

/**
 * A memory store (v4's `layerStoreMemory`); provide it to several clients so they share their quotas.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { RateLimiter, ResilientClient } from "effect-http-resilient/v4"
 *
 * // the quota lives in the store given to the layer, not in the client
 * const Client = ResilientClient.layer({ rateLimiter: { limit: 10, window: "1 second", key: "partner-api" } }).pipe(
 *   Layer.provide(RateLimiter.layerMemory)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<Store> = PersistedRateLimiter.layerStoreMemory
