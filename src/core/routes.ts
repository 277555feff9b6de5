/**
 * Per-route policies (the client option `routes`), the rules both editions share: what a route's `match` accepts
 * and which route a call takes. A call's route is found once, from its method and its primary URL (joined to
 * `baseUrl`), by comparing strings: the first route whose `match` holds wins; none, and the call runs as the
 * client's own. Effect-free.
 * @internal
 */
import { isToken, normaliseMethod } from "./headers.js"
import { RequestValidationError } from "./requestError.js"
import type { Secrets } from "./secrets.js"
import { joinUrl } from "./url.js"

/**
 * An absolute http: or https: URL with nothing past its origin (no userinfo, path, query or fragment), as the
 * `origin` of a route's `match`; `undefined` for anything else.
 * @internal
 */
export const originOf = (u: unknown): string | undefined => {
  if (typeof u !== "string" && !(u instanceof URL)) return undefined
  let url: URL
  try {
    url = new URL(String(u))
  } catch {
    return undefined
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined
  if (url.username !== "" || url.password !== "" || url.pathname !== "/" || url.search !== "" || url.hash !== "") {
    return undefined
  }
  return url.origin
}

/** @internal */
export const originExpected = `an http: or https: origin such as "https://api.example.com" (no path: use pathPrefix)`

/** Whether `u` is a route's `match.pathPrefix`. @internal */
export const isPathPrefix = (u: unknown): boolean => typeof u === "string" && u.startsWith("/")

/** @internal */
export const pathPrefixExpected = `a path starting with "/"`

const isMethod = (u: unknown): boolean => typeof u === "string" && isToken(u)

/** Whether `u` is a route's `match.method`. @internal */
export const isRouteMethod = (u: unknown): boolean =>
  isMethod(u) || (Array.isArray(u) && u.length > 0 && u.every(isMethod))

/** @internal */
export const routeMethodExpected = `a method ("GET") or a non-empty list of methods`

/**
 * Which calls a route applies to; every field given must hold (an empty `match` takes every call).
 * @internal
 */
export interface RouteMatch {
  /** the URL's origin, e.g. `"https://api.example.com"` */
  readonly origin?: string | URL | undefined
  /** the URL's path is this, or starts with it followed by `/` (a prefix ending in `/`: starts with it) */
  readonly pathPrefix?: string | undefined
  /** the request's method, or one of these */
  readonly method?: string | ReadonlyArray<string> | undefined
}

/**
 * A checked route's `match`, resolved once per client.
 * @internal
 */
export interface ResolvedMatch {
  readonly origin: string | undefined
  readonly pathPrefix: string | undefined
  /** the methods as a request's are normalised; `undefined`: any */
  readonly methods: ReadonlyArray<string> | undefined
}

/** A checked `match`, resolved. @internal */
export const resolveMatch = (match: RouteMatch): ResolvedMatch => ({
  origin: match.origin === undefined ? undefined : originOf(match.origin),
  pathPrefix: match.pathPrefix,
  methods: match.method === undefined ? undefined : (typeof match.method === "string" ? [match.method] : match.method)
    .map((m) => {
      const normal = normaliseMethod(m)
      return normal instanceof RequestValidationError ? m : normal
    })
})

/** Whether `path` is `prefix`, or under it. */
const underPrefix = (path: string, prefix: string): boolean =>
  path.startsWith(prefix) &&
  (path.length === prefix.length || prefix.endsWith("/") || path.charCodeAt(prefix.length) === 47 /* / */)

/**
 * What finds a call's route: `(method, url)` → the index of the first route that matches, or -1. The URL is joined
 * to `baseUrl` only when some route matches on origin or path; a method or URL the call will reject takes no route
 * (the call reports it as without routes).
 * @internal
 */
export const routeFinder = (
  routes: ReadonlyArray<ResolvedMatch>,
  baseUrl: URL | undefined,
  redacted: Secrets | undefined
): (method: string, url: string | URL) => number => {
  const needsUrl = routes.some((route) => route.origin !== undefined || route.pathPrefix !== undefined)
  const needsMethod = routes.some((route) => route.methods !== undefined)
  return (method, url) => {
    let m: string | undefined
    if (needsMethod) {
      const normal = normaliseMethod(method)
      if (normal instanceof RequestValidationError) return -1
      m = normal
    }
    let origin: string | undefined
    let path: string | undefined
    if (needsUrl) {
      const joined = joinUrl(url, baseUrl, redacted)
      if (joined instanceof RequestValidationError) return -1
      origin = joined.origin
      path = joined.pathname
    }
    for (let i = 0; i < routes.length; i++) {
      const route = routes[i]
      if (route.origin !== undefined && route.origin !== origin) continue
      if (route.pathPrefix !== undefined && !underPrefix(path!, route.pathPrefix)) continue
      if (route.methods !== undefined && !route.methods.includes(m!)) continue
      return i
    }
    return -1
  }
}

/**
 * One route's options, over each edition's types: its `match`, and the client options it sets for the calls it
 * takes (what it leaves unset is the client's; `false` turns the client's off for the route).
 * @internal
 */
export interface RouteOptionsOf<Duration, Retry, Accept, Breaker, Bulkhead> {
  readonly match: RouteMatch
  readonly retry?: Retry | false | undefined
  readonly timeout?: Duration | undefined
  readonly deadline?: Duration | undefined
  readonly acceptStatus?: Accept | undefined
  readonly circuitBreaker?: Breaker | false | undefined
  readonly bulkhead?: Bulkhead | false | undefined
}
