/**
 * The `cookies` option: the jar it stands for, and loading tough-cookie (an optional peer) only when it is `true`.
 * @internal
 */
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"

/**
 * What the client needs of a cookie jar: tough-cookie's `CookieJar` (version 5 or 6) has it, with any store. The
 * jar decides, by RFC 6265, which cookies a `Set-Cookie` stores (domain, path, public suffixes, expiry) and which
 * it sends to a URL.
 * @internal
 */
export interface CookieJar {
  getCookieString(url: string): Promise<string>
  setCookie(cookie: string, url: string, options?: { readonly ignoreError?: boolean }): Promise<unknown>
}

/**
 * Whether `u` can serve as a cookie jar.
 * @internal
 */
export const isCookieJar = (u: unknown): u is CookieJar =>
  typeof u === "object" && u !== null && typeof (u as CookieJar).getCookieString === "function" &&
  typeof (u as CookieJar).setCookie === "function"

/** @internal */
export const cookiesExpected = "true, false or a CookieJar (tough-cookie's, or one with getCookieString and setCookie)"

/** The part of tough-cookie the client loads. */
interface ToughCookie {
  readonly CookieJar: new() => CookieJar
}

/**
 * tough-cookie, imported when asked for. The `.catch` tells bundlers (esbuild) that a missing package is a failure at
 * run time, handled here, and not a reason to refuse to bundle an app that does not use cookies.
 */
const importToughCookie = (): Promise<unknown> =>
  import("tough-cookie").catch((cause: unknown) => Promise.reject(cause))

/**
 * A fresh jar of tough-cookie (in memory), loaded now — only for `cookies: true`, so that a client without it never
 * loads the package. When it cannot be loaded: a `ConfigError` naming `cookies` and how to install it.
 * @internal
 */
export const loadCookieJar = (
  load: () => Promise<unknown> = importToughCookie
): Effect.Effect<CookieJar, ConfigError.ConfigError> =>
  Effect.tryPromise({
    try: () =>
      load().then((module) => {
        const CookieJar = (module as Partial<ToughCookie>).CookieJar ??
          (module as { default?: Partial<ToughCookie> }).default?.CookieJar
        if (typeof CookieJar !== "function") throw new Error("it has no CookieJar")
        return new CookieJar()
      }),
    catch: (cause) =>
      ConfigError.InvalidData(
        ["cookies"],
        `cookies: true needs the optional package tough-cookie, which could not be loaded (${
          cause instanceof Error ? cause.message : String(cause)
        }); install it (npm install tough-cookie) or pass a CookieJar`
      )
  })
