/**
 * The client-side rate limiter's rules both editions share: the option's shape, the quota's key, the wait decision
 * against the deadline, and the adaptive pause per origin after a 429 carrying a server wait. The quota itself is
 * counted by each edition's Effect `RateLimiter` (`@effect/experimental` in v3, `effect/persistence` in v4).
 * @internal
 */

/**
 * What a rate limiter's `key` function sees of a request.
 * @internal
 */
export interface RateLimitedRequest {
  readonly method: string
  readonly url: URL
}

/**
 * The quota's name: one string, or a function of the request.
 * @internal
 */
export type RateLimitKey = string | ((request: RateLimitedRequest) => string)

/**
 * The `rateLimiter` client option, over the edition's duration input `D`.
 * @internal
 */
export interface RateLimiterOptionsOf<D> {
  readonly limit?: number | undefined
  readonly window?: D | undefined
  readonly algorithm?: "token-bucket" | "fixed-window" | undefined
  readonly key?: RateLimitKey | undefined
  readonly adaptive?: boolean | undefined
}

/**
 * The `rateLimiter` option read, over the edition's duration `D`: the quota (`undefined` when only the adaptive pause
 * is on), the key, whether 429s pause the origin.
 * @internal
 */
export interface RateLimiterSettingsOf<D> {
  readonly quota:
    | { readonly limit: number; readonly window: D; readonly algorithm: "token-bucket" | "fixed-window" }
    | undefined
  readonly key: RateLimitKey | undefined
  readonly adaptive: boolean
}

/**
 * What is wrong with the option's shape as a whole (its fields each checked apart): `limit` and `window` go
 * together, and a limiter needs a quota, or to be adaptive, or both. `field` names the missing one, if one is.
 * @internal
 */
export const rateLimiterShapeProblem = (
  options: { readonly limit?: unknown; readonly window?: unknown; readonly adaptive?: unknown }
): { readonly field: "limit" | "window" | undefined; readonly text: string } | undefined => {
  if ((options.limit === undefined) !== (options.window === undefined)) {
    const noLimit = options.limit === undefined
    return {
      field: noLimit ? "limit" : "window",
      text: `"limit" and "window" go together (got ${
        noLimit ? "a window without a limit" : "a limit without a window"
      })`
    }
  }
  if (options.limit === undefined && options.adaptive !== true) {
    return { field: undefined, text: `set "limit" and "window", or "adaptive: true", or both` }
  }
  return undefined
}

/**
 * The quota's key for a request: the option's string, the function's answer, else the origin.
 * @internal
 */
export const rateLimitKey = (key: RateLimitKey | undefined, method: string, url: URL, origin: string): string =>
  key === undefined ? origin : typeof key === "string" ? key : key({ method, url })

/**
 * The reason an attempt may not go yet: it would have to wait `waitMillis`, past its deadline.
 * @internal
 */
export class WouldPassDeadline {
  constructor(readonly waitMillis: number) {}
}

/**
 * Whether a wait of `millis` from `now` fits before `deadline` (epoch ms): the wait (0: go at once), or the refusal.
 * @internal
 */
export const waitWithin = (millis: number, now: number, deadline: number | undefined): number | WouldPassDeadline =>
  millis <= 0 ? 0 : deadline !== undefined && now + millis > deadline ? new WouldPassDeadline(millis) : millis

/**
 * The adaptive pauses: origin → epoch ms its pause ends, at most `maxOrigins` of them. A 429 with a server wait
 * pauses every attempt to its origin until the wait is over; a later, shorter wait does not shorten it.
 * @internal
 */
export class AdaptivePauses {
  /** in order of insertion, the one set longest ago first */
  private readonly pausedUntil = new Map<string, number>()

  constructor(readonly maxOrigins: number) {}

  /** Origins with a pause remembered. */
  get size(): number {
    return this.pausedUntil.size
  }

  /** Forgets every pause. */
  clear(): void {
    this.pausedUntil.clear()
  }

  /** How long an attempt to `origin` must still wait at `now` (0: not paused). */
  remaining(origin: string, now: number): number {
    return Math.max(0, (this.pausedUntil.get(origin) ?? 0) - now)
  }

  /** Epoch ms until which the origin is paused (0 when it is not). */
  until(origin: string): number {
    return this.pausedUntil.get(origin) ?? 0
  }

  /** A response of `status` with a server wait of `retryAfterMillis`: a 429 with a wait pauses its origin. */
  observe(origin: string, status: number, retryAfterMillis: number | undefined, now: number): void {
    if (status === 429 && retryAfterMillis !== undefined) this.pause(origin, now + retryAfterMillis, now)
  }

  /** Pauses `origin` until `until` (epoch ms), unless it is paused longer already. */
  pause(origin: string, until: number, now: number): void {
    const paused = this.pausedUntil
    const current = paused.get(origin)
    if (current !== undefined && until <= current) return
    if (current === undefined && paused.size >= this.maxOrigins) {
      // past the cap: pauses that are over go first, then the one set longest ago
      for (const [key, end] of paused) if (end <= now) paused.delete(key)
      if (paused.size >= this.maxOrigins) paused.delete(paused.keys().next().value!)
    }
    paused.set(origin, until)
  }
}
