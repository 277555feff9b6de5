/** @internal */
import * as ExperimentalRateLimiter from "@effect/experimental/RateLimiter"
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import {
  AdaptivePauses,
  type RateLimitedRequest,
  type RateLimiterOptionsOf,
  type RateLimiterSettingsOf,
  rateLimitKey,
  waitWithin,
  WouldPassDeadline
} from "../core/rateLimit.js"
import type { HttpResilientError } from "../HttpResilientError.js"

export type { RateLimitedRequest }
export { WouldPassDeadline }

/** @internal */
export interface RateLimiterOptions extends RateLimiterOptionsOf<Duration.DurationInput> {}

/** @internal */
export interface RateLimiterSettings extends RateLimiterSettingsOf<Duration.Duration> {}

/** @internal */
export const resolve = (options: RateLimiterOptions): RateLimiterSettings => ({
  quota: options.limit === undefined || options.window === undefined ? undefined : {
    limit: options.limit,
    window: Duration.decode(options.window),
    algorithm: options.algorithm ?? "token-bucket"
  },
  key: options.key,
  adaptive: options.adaptive === true
})

/**
 * A memory store that keeps the quota of at most `maxKeys` keys: each key has its own `@effect/experimental` memory
 * store, and past the cap the least recently used key's is dropped (that key starts again with a full quota).
 * `@effect/experimental`'s own memory store keeps every key it ever saw.
 * @internal
 */
export const makeBoundedMemoryStore = (
  maxKeys: number
): ExperimentalRateLimiter.RateLimiterStore["Type"] & { readonly size: () => number; readonly clear: () => void } => {
  /** in order of use, least recent first */
  const stores = new Map<string, ExperimentalRateLimiter.RateLimiterStore["Type"]>()
  const storeFor = (key: string) => {
    let store = stores.get(key)
    if (store !== undefined) {
      stores.delete(key)
    } else {
      store = Effect.runSync(
        Effect.scoped(Effect.map(Layer.build(ExperimentalRateLimiter.layerStoreMemory), Context.unsafeGet(Tag)))
      )
      if (stores.size >= maxKeys) stores.delete(stores.keys().next().value!)
    }
    stores.set(key, store)
    return store
  }
  return {
    fixedWindow: (options) => Effect.suspend(() => storeFor(options.key).fixedWindow(options)),
    tokenBucket: (options) => Effect.suspend(() => storeFor(options.key).tokenBucket(options)),
    size: () => stores.size,
    clear: () => stores.clear()
  }
}

const Tag = ExperimentalRateLimiter.RateLimiterStore

/**
 * A limiter over a fresh bounded memory store (`makeBoundedMemoryStore`), made for one client when no
 * `RateLimiterStore` is in context.
 * @internal
 */
export const makeMemoryLimiter = (
  maxKeys: number
): {
  readonly limiter: ExperimentalRateLimiter.RateLimiter
  readonly store: ReturnType<typeof makeBoundedMemoryStore>
} => {
  const store = makeBoundedMemoryStore(maxKeys)
  return { limiter: Effect.runSync(Effect.provideService(ExperimentalRateLimiter.make, Tag, store)), store }
}

/**
 * The limiter over the store in context (the Redis one, for example), or `undefined` (then the client makes its
 * own over a bounded memory store).
 * @internal
 */
export const limiterFromContext: Effect.Effect<ExperimentalRateLimiter.RateLimiter | undefined> = Effect.flatMap(
  Effect.serviceOption(ExperimentalRateLimiter.RateLimiterStore),
  (store) =>
    store._tag === "Some"
      ? Effect.provideService(ExperimentalRateLimiter.make, ExperimentalRateLimiter.RateLimiterStore, store.value)
      : Effect.succeed(undefined)
)

/**
 * A client's rate limiter: a quota per key on `@effect/experimental`'s `RateLimiter` (memory or Redis store),
 * and, when adaptive, a pause per origin after a 429 carrying Retry-After.
 * @internal
 */
export class ClientRateLimiter {
  /** the adaptive pause of each origin */
  private readonly pauses: AdaptivePauses
  private readonly window: Duration.Duration | undefined

  constructor(
    readonly settings: RateLimiterSettings,
    private readonly limiter: ExperimentalRateLimiter.RateLimiter | undefined,
    readonly maxOrigins: number,
    /** the memory store the client made for itself, if it did */
    readonly memoryStore?: ReturnType<typeof makeBoundedMemoryStore> | undefined
  ) {
    this.window = settings.quota?.window
    this.pauses = new AdaptivePauses(maxOrigins)
  }

  /** Origins with a pause remembered. */
  get pausedOrigins(): number {
    return this.pauses.size
  }

  /** Forgets every pause and quota kept in memory (the client's scope closed). */
  clear(): void {
    this.pauses.clear()
    this.memoryStore?.clear()
  }

  /**
   * Waits (on the clock) until the attempt may go; fails when that would pass `deadline` (epoch ms).
   * Succeeds with the time it waited in milliseconds.
   */
  acquire(
    method: string,
    url: URL,
    origin: string,
    clock: Clock.Clock,
    deadline: number | undefined
  ): Effect.Effect<number, WouldPassDeadline> {
    return Effect.suspend(() => {
      const now = clock.unsafeCurrentTimeMillis()
      const pause = this.settings.adaptive ? this.pauses.remaining(origin, now) : 0
      const quota = this.settings.quota
      if (quota === undefined || this.limiter === undefined) return this.sleep(pause, now, clock, deadline)
      const limiter = this.limiter
      const base = {
        algorithm: quota.algorithm,
        window: this.window!,
        limit: quota.limit,
        key: rateLimitKey(this.settings.key, method, url, origin)
      }
      // "fail" first: it takes nothing when the quota is spent, so a call that cannot wait does not use up a slot
      const waitFor: Effect.Effect<number, WouldPassDeadline | ExperimentalRateLimiter.RateLimitStoreError> = Effect
        .matchEffect(limiter.consume({ ...base, onExceeded: "fail" }), {
          onSuccess: () => Effect.succeed(0),
          onFailure: (
            error
          ): Effect.Effect<number, WouldPassDeadline | ExperimentalRateLimiter.RateLimitStoreError> => {
            if (error.reason === "StoreError") return Effect.fail(error)
            const retryAfter = Duration.toMillis(error.retryAfter)
            if (deadline !== undefined && now + retryAfter > deadline) {
              return Effect.fail(new WouldPassDeadline(retryAfter))
            }
            return Effect.mapBoth(limiter.consume({ ...base, onExceeded: "delay" }), {
              onFailure: (e) => e as ExperimentalRateLimiter.RateLimitStoreError,
              onSuccess: (result) => Duration.toMillis(result.delay)
            })
          }
        })
      return waitFor.pipe(
        Effect.catchIf(
          (error): error is ExperimentalRateLimiter.RateLimitStoreError => !(error instanceof WouldPassDeadline),
          (error) =>
            // an unreachable store does not stop the client: the attempt goes, and the problem is logged
            Effect.as(Effect.logWarning("effect-http-resilient: the rate limiter's store failed", error), 0)
        ),
        Effect.flatMap((delay) => this.sleep(Math.max(delay, pause), now, clock, deadline))
      )
    })
  }

  private sleep(
    millis: number,
    now: number,
    clock: Clock.Clock,
    deadline: number | undefined
  ): Effect.Effect<number, WouldPassDeadline> {
    const wait = waitWithin(millis, now, deadline)
    if (wait === 0) return Effect.succeed(0)
    if (wait instanceof WouldPassDeadline) return Effect.fail(wait)
    return Effect.as(clock.sleep(Duration.millis(wait)), wait)
  }

  /** With `adaptive`, a 429 with a server wait pauses every attempt to the origin until it is over. */
  observe(origin: string, error: HttpResilientError, now: number): void {
    if (!this.settings.adaptive || error._tag !== "StatusError") return
    const wait = error.retryAfter
    this.pauses.observe(origin, error.status, wait._tag === "Some" ? Duration.toMillis(wait.value) : undefined, now)
  }

  /** Epoch ms until which the origin is paused (0 when it is not). */
  pausedUntilFor(origin: string): number {
    return this.pauses.until(origin)
  }
}

/** @internal */
export type ExperimentalLimiter = ExperimentalRateLimiter.RateLimiter
