/**
 * The option shapes both editions share, over each edition's own types: `D` a duration input, `S` a schedule or
 * strategy, `E` the error union, `A` the accepted statuses, `H` the headers input, `P` the query parameters input.
 * Each edition's public module names and documents them (`RetryPolicy.Options`, `ResilientClient.ClientOptions` …).
 * @internal
 */

/**
 * `RetryPolicy.make`'s options.
 * @internal
 */
export interface RetryPolicyOptionsOf<D, B, E> {
  readonly retries?: number | undefined
  readonly backoff?: B | undefined
  readonly statuses?: ReadonlyArray<number> | undefined
  readonly methods?: ReadonlyArray<string> | undefined
  readonly retryOn?: ((error: E) => boolean) | undefined
  readonly respectRetryAfter?: boolean | undefined
  readonly maxRetryAfter?: D | undefined
  readonly onRetryAfterTooLong?: "fail" | "clamp" | undefined
}

/**
 * The `retryBudget` client option (each edition documents it in its `RetryBudget` module).
 * @internal
 */
export interface RetryBudgetOptionsOf<D> {
  /** Retries allowed per first attempt in the window while the origin succeeds. @default 0.8 */
  readonly ratio?: number | undefined
  /** How far back attempts, outcomes and retries are counted. @default "10 seconds" */
  readonly window?: D | undefined
  /** The reserve, per second of the window, available whatever the traffic. @default 10 */
  readonly minRetriesPerSecond?: number | undefined
  /**
   * Scale `ratio` by the origin's health: the share of its attempts that ended in the window that succeeded
   * (1 before any ended). `false`: the whole `ratio` whatever the origin does (Finagle's budget).
   * @default true
   */
  readonly adaptive?: boolean | undefined
}

/**
 * A standalone retry budget, as `RetryBudget.make` returns it.
 * @internal
 */
export interface RetryBudgetOf {
  readonly recordRequest: (nowMillis: number) => void
  readonly recordSuccess: (nowMillis: number) => void
  readonly recordFailure: (nowMillis: number) => void
  readonly tryRetry: (nowMillis: number) => boolean
  readonly available: (nowMillis: number) => number
}

/**
 * The `circuitBreaker` client option.
 * @internal
 */
export interface CircuitBreakerOptionsOf<D, S, E> {
  readonly strategy?: S | undefined
  readonly breakDuration?: D | undefined
  readonly backoffFactor?: number | undefined
  readonly maxBreakDuration?: D | undefined
  readonly probes?: number | undefined
  readonly isFailure?: ((error: E) => boolean) | undefined
}

/**
 * The request options both editions have.
 * @internal
 */
export interface CommonRequestOptions<D, H, P> {
  readonly headers?: H | undefined
  readonly urlParams?: P | undefined
  readonly timeout?: D | undefined
  readonly deadline?: D | undefined
  readonly idempotencyKey?: boolean | string | undefined
  readonly tag?: string | undefined
}

/**
 * The client options both editions have.
 * @internal
 */
export interface CommonClientOptions<D, A, H> {
  readonly baseUrl?: string | URL | undefined
  readonly headers?: H | undefined
  readonly timeout?: D | undefined
  readonly deadline?: D | undefined
  readonly maxConnections?: number | undefined
  readonly maxOrigins?: number | undefined
  readonly acceptStatus?: A | undefined
  readonly maxResponseSize?: number | undefined
  readonly redactHeaders?: ReadonlyArray<string> | undefined
}
