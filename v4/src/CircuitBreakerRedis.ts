/**
 * A fleet-wide circuit breaker store: `effect/persistence`'s Redis `CircuitBreakerStore` over an `ioredis`
 * connection (an optional peer, needed only by this module, which the `effect-http-resilient/v4` barrel does not
 * import). Every process whose client uses `CircuitBreaker.persisted(...)` over the same Redis shares one breaker per
 * origin: when one opens it, the others reject with `CircuitOpenError` without sending a request.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, ResilientClient } from "effect-http-resilient/v4"
 * import * as CircuitBreakerRedis from "effect-http-resilient/v4/CircuitBreakerRedis"
 * import { Layer } from "effect"
 *
 * const Client = ResilientClient.layer({ circuitBreaker: CircuitBreaker.persisted({ openDuration: "30 seconds" }) })
 *   .pipe(Layer.provide(CircuitBreakerRedis.layer({ url: "redis://127.0.0.1:6379" })))
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as PersistedBreaker from "effect/persistence/CircuitBreaker"
import * as Redis from "effect/persistence/Redis"
import { Redis as IORedis } from "ioredis"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `redis://host:port/db` @default "redis://127.0.0.1:6379" */
  readonly url?: string | undefined
  /** the store's key prefix (v4's default when unset) */
  readonly prefix?: string | undefined
}

const failed = (cause: unknown) => new Redis.RedisError({ cause })

/**
 * Where Redis is: a `redis://host:port/db` URL, or ioredis connection options (`host`, `port`, `username`,
 * `password`, `db`, `tls` … — any other ioredis option is passed through). Declared here so that the types do not
 * need `ioredis`'s own.
 * @since 0.1.0
 * @category models
 */
export type RedisTarget = string | { readonly [option: string]: unknown }

const open = (target: RedisTarget, options: object = {}): IORedis =>
  typeof target === "string" ? new IORedis(target, options) : new IORedis({ ...target, ...options })

const connection = (target: RedisTarget) => {
  const client = open(target, { lazyConnect: false, maxRetriesPerRequest: 1 })
  const send = <A>(command: string, ...args: ReadonlyArray<string>): Effect.Effect<A, Redis.RedisError> =>
    Effect.tryPromise({ try: () => client.call(command, ...args) as Promise<A>, catch: failed })
  return { client, send }
}

/**
 * The `effect/persistence` `Redis` service over ioredis connections to `target` (a URL or ioredis options), closed
 * with the layer.
 * @since 0.1.0
 * @category layers
 */
export const layerRedis = (target: RedisTarget = "redis://127.0.0.1:6379"): Layer.Layer<Redis.Redis> =>
  Layer.effect(
    Redis.Redis,
    Effect.gen(function*() {
      const main = yield* Effect.acquireRelease(
        Effect.sync(() => connection(target)),
        ({ client }) => Effect.promise(() => client.quit().catch(() => "closed"))
      )
      return yield* Redis.make({
        send: main.send,
        subscribe: (channel, onMessage) =>
          Effect.map(
            Effect.acquireRelease(
              Effect.tryPromise({
                try: async () => {
                  const subscriber = open(target)
                  subscriber.on("message", (ch: string, message: string) => onMessage({ channel: ch, message }))
                  await subscriber.subscribe(channel)
                  return subscriber
                },
                catch: failed
              }),
              (subscriber) => Effect.promise(() => subscriber.quit().catch(() => "closed"))
            ),
            (subscriber) =>
              Effect.tryPromise({ try: () => subscriber.unsubscribe(channel).then(() => undefined), catch: failed })
          ),
        connect: Effect.sync(() => {
          const { client, send } = connection(target)
          return { send, close: Effect.promise(() => client.quit().catch(() => "closed")).pipe(Effect.asVoid) }
        })
      })
    })
  )

/**
 * The Redis `CircuitBreakerStore` for `CircuitBreaker.persisted(...)`.
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<PersistedBreaker.CircuitBreakerStore> =>
  PersistedBreaker.layerStoreRedis({ prefix: options.prefix }).pipe(Layer.provide(layerRedis(options.url)))
