/**
 * The client's rate limiter: a quota per key counted by v4's `effect/persistence` `RateLimiter` (over the
 * `RateLimiterStore` in context — memory or Redis — else a memory store of the client's own), and the adaptive pause
 * per origin of the shared core (src/core/rateLimit.ts).
 * @internal
 */
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as PersistedRateLimiter from "effect/persistence/RateLimiter"
import type * as Scope from "effect/Scope"
import { millisDuration } from "../../../src/core/durationRules.js"
import {
  AdaptivePauses,
  type RateLimitedRequest,
  type RateLimiterOptionsOf,
  type RateLimiterSettingsOf,
  rateLimiterShapeProblem,
  rateLimitKey,
  waitWithin,
  WouldPassDeadline
} from "../../../src/core/rateLimit.js"
import type { HttpResilientError } from "../HttpResilientError.js"
import { badOption, millisOf, numberOf } from "./options.js"

/** @internal */
export interface RateLimiterOptions extends RateLimiterOptionsOf<Duration.Input> {}

/** The options read. @internal */
export interface RateLimiterSettings extends RateLimiterSettingsOf<Duration.Duration> {}

/**
 * Reads the `rateLimiter` option; a bad one throws a `RangeError` naming it, its value and why.
 * @internal
 */
export const settingsOf = (fn: string, options: RateLimiterOptions): RateLimiterSettings => {
  const name = (field: string) => `rateLimiter.${field}`
  if (typeof options !== "object" || options === null) {
    throw badOption(fn, "rateLimiter", options, "false or { limit, window, algorithm, key, adaptive }")
  }
  const limit = options.limit === undefined
    ? undefined
    : numberOf(fn, name("limit"), options.limit, { integer: true, min: 1, expected: "an integer ≥ 1" })
  const window = options.window === undefined ? undefined : millisOf(fn, name("window"), options.window, millisDuration)
  const algorithm = options.algorithm ?? "token-bucket"
  if (algorithm !== "token-bucket" && algorithm !== "fixed-window") {
    throw badOption(fn, name("algorithm"), algorithm, `"token-bucket" or "fixed-window"`)
  }
  if (options.key !== undefined && typeof options.key !== "string" && typeof options.key !== "function") {
    throw badOption(fn, name("key"), options.key, "a string or a function of the request")
  }
  if (options.adaptive !== undefined && typeof options.adaptive !== "boolean") {
    throw badOption(fn, name("adaptive"), options.adaptive, "true or false")
  }
  const problem = rateLimiterShapeProblem(options)
  if (problem !== undefined) {
    const field = problem.field === undefined ? "rateLimiter" : name(problem.field)
    throw new RangeError(`${fn}: option "${field}": ${problem.text}`)
  }
  return {
    quota: limit === undefined || window === undefined
      ? undefined
      : { limit, window: Duration.millis(window), algorithm },
    key: options.key,
    adaptive: options.adaptive === true
  }
}

/** An exceeded quota's wait; a store that failed is `undefined` (the attempt goes, the failure is logged). */
const exceeded = (error: PersistedRateLimiter.RateLimiterError): number | undefined =>
  error.reason._tag === "RateLimitExceeded" ? Duration.toMillis(error.reason.retryAfter) : undefined

const storeFailed = (error: PersistedRateLimiter.RateLimiterError) =>
  Effect.as(Effect.logWarning("effect-http-resilient: the rate limiter's store failed", error), 0)

/** Sleeps `wait` on the clock (0: not at all), or fails with the refusal. */
const sleepFor = (clock: Clock.Clock, wait: number | WouldPassDeadline): Effect.Effect<number, WouldPassDeadline> =>
  wait === 0
    ? Effect.succeed(0)
    : wait instanceof WouldPassDeadline
    ? Effect.fail(wait)
    : Effect.as(clock.sleep(Duration.millis(wait)), wait)

/**
 * A client's rate limiter.
 * @internal
 */
export class ClientRateLimiter {
  private readonly pauses: AdaptivePauses

  constructor(
    readonly settings: RateLimiterSettings,
    private readonly limiter: PersistedRateLimiter.RateLimiter | undefined,
    maxOrigins: number
  ) {
    this.pauses = new AdaptivePauses(maxOrigins)
  }

  /**
   * Waits (on the clock) until `request` may go; fails when that would pass `deadline` (epoch ms). Succeeds with the
   * time it waited in milliseconds: the longer of the quota's wait and the origin's adaptive pause.
   */
  acquire(request: RateLimitedRequest, clock: Clock.Clock, deadline: number | undefined) {
    return Effect.suspend((): Effect.Effect<number, WouldPassDeadline> => {
      const now = clock.currentTimeMillisUnsafe()
      const origin = request.url.origin
      const pause = this.settings.adaptive ? this.pauses.remaining(origin, now) : 0
      const wait = this.quotaWait(rateLimitKey(this.settings.key, request.method, request.url, origin), now, deadline)
      return wait === undefined
        ? sleepFor(clock, waitWithin(pause, now, deadline))
        : Effect.flatMap(wait, (millis) => sleepFor(clock, waitWithin(Math.max(millis, pause), now, deadline)))
    })
  }

  /** The quota's wait for `key` (`undefined`: no quota); a spent quota whose wait would pass the deadline refuses. */
  private quotaWait(key: string, now: number, deadline: number | undefined) {
    const quota = this.settings.quota
    const limiter = this.limiter
    if (quota === undefined || limiter === undefined) return undefined
    const { algorithm, limit, window } = quota
    const consume = (onExceeded: "fail" | "delay") => limiter.consume({ algorithm, window, limit, key, onExceeded })
    // "fail" first takes nothing when the quota is spent: a call that cannot wait does not use up a slot
    return Effect.catch(
      Effect.as(consume("fail"), 0),
      (error): Effect.Effect<number, WouldPassDeadline> => {
        const wait = exceeded(error)
        if (wait === undefined) return storeFailed(error)
        const refused = waitWithin(wait, now, deadline)
        if (refused instanceof WouldPassDeadline) return Effect.fail(refused)
        return Effect.matchEffect(consume("delay"), {
          onFailure: storeFailed,
          onSuccess: (result) => Effect.succeed(Duration.toMillis(result.delay))
        })
      }
    )
  }

  /** With `adaptive`, a 429 with a server wait (its `retryAfter`) pauses every attempt to the origin until it ends. */
  observe(origin: string, error: HttpResilientError, now: number): void {
    if (this.settings.adaptive && error._tag === "StatusError") {
      this.pauses.observe(
        origin,
        error.status,
        Option.getOrUndefined(Option.map(error.retryAfter, Duration.toMillis)),
        now
      )
    }
  }
}

/**
 * The client's limiter for `settings` (`undefined`: off): its quota on v4's `RateLimiter` over the
 * `RateLimiterStore` in context, else over a memory store made in the client's scope.
 * @internal
 */
export const make = (
  settings: RateLimiterSettings | undefined,
  maxOrigins: number
): Effect.Effect<ClientRateLimiter | undefined, never, Scope.Scope> => {
  if (settings === undefined) return Effect.succeed(undefined)
  if (settings.quota === undefined) return Effect.succeed(new ClientRateLimiter(settings, undefined, maxOrigins))
  return Effect.gen(function*() {
    const inContext = yield* Effect.serviceOption(PersistedRateLimiter.RateLimiterStore)
    // fresh: a client without a store in context has a memory store of its own, shared with no other client
    const store = inContext._tag === "Some"
      ? inContext.value
      : Context.get(
        yield* Layer.build(Layer.fresh(PersistedRateLimiter.layerStoreMemory)),
        PersistedRateLimiter.RateLimiterStore
      )
    const limiter = yield* Effect.provideService(
      PersistedRateLimiter.make,
      PersistedRateLimiter.RateLimiterStore,
      store
    )
    return new ClientRateLimiter(settings, limiter, maxOrigins)
  })
}
