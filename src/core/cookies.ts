/**
 * The `cookies` client option's rules, for both editions: what a cookie jar is, loading tough-cookie for
 * `cookies: true` (only then), and what a hop does with the jar — the cookies it sends to the hop's URL join the
 * request's own `cookie` header, and every `Set-Cookie` of the response is given to it. Effect-free.
 * @internal
 */

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

/**
 * Whether `u` is a valid `cookies` option.
 * @internal
 */
export const isCookiesOption = (u: unknown): u is boolean | CookieJar => typeof u === "boolean" || isCookieJar(u)

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
 * Why `cookies: true` could not have its jar (tough-cookie could not be loaded), and how to fix it, for an edition to
 * put behind the option's name.
 * @internal
 */
export class CookieJarUnavailable {
  constructor(readonly cause: unknown) {}
  get reason(): string {
    const why = this.cause instanceof Error ? this.cause.message : String(this.cause)
    return `true needs the optional package tough-cookie, which could not be loaded (${why}); install it ` +
      `(npm install tough-cookie) or pass a CookieJar`
  }
}

/**
 * A fresh jar of tough-cookie (in memory), loaded now — only for `cookies: true`, so that a client without it never
 * loads the package; a {@link CookieJarUnavailable} when it cannot be loaded.
 * @internal
 */
export const newCookieJar = (load: () => Promise<unknown> = importToughCookie): Promise<CookieJar> =>
  load().then((module) => {
    const CookieJar = (module as Partial<ToughCookie>).CookieJar ??
      (module as { default?: Partial<ToughCookie> }).default?.CookieJar
    if (typeof CookieJar !== "function") throw new Error("it has no CookieJar")
    return new CookieJar()
  }).catch((cause: unknown) => Promise.reject(new CookieJarUnavailable(cause)))

/**
 * One hop of a request, as both editions' stages pass it down (`B`: the edition's body).
 * @internal
 */
export interface JarHop<B> {
  readonly method: string
  readonly url: URL
  readonly headers: Record<string, string>
  readonly body: B
}

/**
 * A hop with the jar's cookies for its URL (`stored`, from `getCookieString`) after the request's own `cookie`
 * header, on a copy of its headers (the request as events, errors and interceptors see it never holds them);
 * the hop itself when the jar has none for it.
 * @internal
 */
export const withJarCookies = <B>(request: JarHop<B>, stored: unknown): JarHop<B> => {
  if (typeof stored !== "string" || stored === "") return request
  const own = request.headers.cookie
  return {
    method: request.method,
    url: request.url,
    headers: { ...request.headers, cookie: own === undefined || own === "" ? stored : `${own}; ${stored}` },
    body: request.body
  }
}

/**
 * Gives every `Set-Cookie` of a hop's response to the jar for the hop's URL, in order; one the jar refuses
 * (malformed, another domain, a public suffix) is ignored, as a browser ignores it. Rejects only when the jar itself
 * fails (its store).
 * @internal
 */
export const storeSetCookies = (jar: CookieJar, setCookie: ReadonlyArray<string>, href: string): Promise<unknown> =>
  setCookie.reduce<Promise<unknown>>(
    (done, cookie) => done.then(() => jar.setCookie(cookie, href, { ignoreError: true })),
    Promise.resolve()
  )
