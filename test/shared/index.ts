/**
 * The shared behavioural suite: every body, registered for one driver. An edition's runner calls
 * `sharedSuite({ it, describe }, driver)` in one test file.
 */
import { attemptBodies } from "./attempts.js"
import { bodyBodies } from "./bodies.js"
import { chaosBodies } from "./chaos.js"
import type { Driver, Registrar } from "./driver.js"
import { errorBodies } from "./errors.js"
import { httpClientBodies } from "./httpClient.js"
import { interceptorBodies } from "./interceptors.js"
import { networkBodies } from "./network.js"
import { poolBodies } from "./pool.js"
import { protectionBodies } from "./protections.js"
import { rateLimiterBodies } from "./rateLimiter.js"
import { retryBodies } from "./retry.js"
import { securityBodies } from "./security.js"
import { streamBodies } from "./streams.js"

export const bodies = [
  retryBodies,
  errorBodies,
  protectionBodies,
  securityBodies,
  streamBodies,
  networkBodies,
  bodyBodies,
  poolBodies,
  rateLimiterBodies,
  interceptorBodies,
  attemptBodies,
  chaosBodies,
  httpClientBodies
] as const

export const sharedSuite = (t: Registrar, driver: Driver): void => {
  t.describe(`shared behaviour (${driver.edition})`, () => {
    for (const body of bodies) body(t, driver)
  })
}
