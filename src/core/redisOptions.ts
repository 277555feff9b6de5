/**
 * The Redis connection options the rate limiter's Redis stores take in both editions.
 * @internal
 */

/**
 * Those of ioredis (`host`, `port`, `username`, `password`, `db`, `tls`, … — any other ioredis option is passed
 * through), plus the key `prefix`. Declared here so that the types do not need `ioredis`'s own.
 * @internal
 */
export interface RedisConnectionOptions {
  readonly host?: string | undefined
  readonly port?: number | undefined
  readonly path?: string | undefined
  readonly username?: string | undefined
  readonly password?: string | undefined
  readonly db?: number | undefined
  readonly tls?: object | undefined
  readonly connectTimeout?: number | undefined
  /** the prefix of the store's keys @default "ratelimiter:" */
  readonly prefix?: string | undefined
  readonly [option: string]: unknown
}
