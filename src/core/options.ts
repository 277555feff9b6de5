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
