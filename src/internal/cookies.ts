/**
 * The `cookies` option: the jar it stands for (the core's rules, src/core/cookies.ts), and loading tough-cookie (an
 * optional peer) only when it is `true`.
 * @internal
 */
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import { type CookieJar, CookieJarUnavailable, newCookieJar } from "../core/cookies.js"

export { type CookieJar, cookiesExpected, isCookieJar } from "../core/cookies.js"

/**
 * A fresh jar of tough-cookie (in memory), loaded now — only for `cookies: true`, so that a client without it never
 * loads the package. When it cannot be loaded: a `ConfigError` naming `cookies` and how to install it.
 * @internal
 */
export const loadCookieJar = (load?: () => Promise<unknown>): Effect.Effect<CookieJar, ConfigError.ConfigError> =>
  Effect.tryPromise({
    try: () => newCookieJar(load),
    catch: (cause) =>
      ConfigError.InvalidData(
        ["cookies"],
        `cookies: ${(cause instanceof CookieJarUnavailable ? cause : new CookieJarUnavailable(cause)).reason}`
      )
  })
