/**
 * `warmUp`'s sockets as v3 Effects over the core's warm pool (core/warmPool.ts): each open is interruptible (the
 * socket is destroyed).
 * @internal
 */
import * as Effect from "effect/Effect"
import * as core from "../core/warmPool.js"

/**
 * The core's warm pool with `warm`: opens sockets to `origin` until `connections` are parked; fails with the first
 * connect error.
 * @internal
 */
export interface WarmPool extends core.WarmPool {
  readonly warm: (origin: URL, connections: number) => Effect.Effect<void, unknown>
}

/**
 * @param connectOptions what undici's connector is built from (TLS, timeout, lookup)
 * @param idleMillis a parked socket unused this long is closed, like an idle keep-alive connection
 * @internal
 */
export const make = (connectOptions: Record<string, unknown>, idleMillis: number): WarmPool => {
  const pool = core.makeWarmPool(connectOptions, idleMillis)
  const openOne = (origin: URL) =>
    Effect.async<void, unknown>((resume) => {
      const cancel = pool.open(origin, (error) => resume(error === undefined ? Effect.void : Effect.fail(error)))
      return Effect.sync(cancel)
    })
  const warm = (origin: URL, connections: number): Effect.Effect<void, unknown> =>
    Effect.suspend(() =>
      Effect.forEach(Array.from({ length: pool.missing(origin, connections) }), () => openOne(origin), {
        concurrency: "unbounded",
        discard: true
      })
    )
  return { ...pool, warm }
}
