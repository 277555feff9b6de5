/**
 * The test proxy (test/shared/proxy.ts) as a scoped resource: started for the test, closed after it.
 */
import * as Effect from "effect/Effect"
import { startProxy } from "../shared/proxy.js"

export { startProxy, type TestProxy } from "../shared/proxy.js"

/** A proxy as a scoped resource: started for the test, closed after it. */
export const proxyScoped = (options: { readonly auth?: string } = {}) =>
  Effect.acquireRelease(
    Effect.promise(() => startProxy(options)),
    (proxy) => Effect.promise(() => proxy.close())
  )
