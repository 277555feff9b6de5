/**
 * The `proxy` client option's rules, for both editions: what a valid value is (a proxy URL, `{ uri, token?,
 * noProxy? }` or `"env"`), how `"env"` reads `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY`, and the undici agent a
 * resolved proxy is sent through (its `noProxy` matching is undici's `EnvHttpProxyAgent`'s). A value is always shown
 * redacted (the URL's userinfo and the token are secrets). Effect-free.
 * @internal
 */
import * as Undici from "undici"
import { isValidHeaderValue } from "./headers.js"
import { type AgentSettings, poolOptionsOf } from "./pool.js"
import { redactText } from "./secrets.js"

/**
 * The `proxy` option.
 * @internal
 */
export type ProxyOption =
  | string
  | {
    readonly uri: string
    readonly token?: string | undefined
    readonly noProxy?: string | ReadonlyArray<string> | undefined
  }

/**
 * What the pool is built from: the proxy for http: and for https: origins (`""`: none, those go direct), the hosts
 * that go direct (`NO_PROXY` syntax) and the `Proxy-Authorization` value, if any.
 * @internal
 */
export interface ProxySettings {
  readonly httpProxy: string
  readonly httpsProxy: string
  readonly noProxy: string
  readonly token?: string | undefined
}

/**
 * An absolute http: or https: URL with nothing after the authority: a proxy is a host, not a resource.
 * @internal
 */
export const isProxyUrl = (u: unknown): u is string => {
  if (typeof u !== "string") return false
  try {
    const url = new URL(u)
    // undici decodes the userinfo into Basic credentials: a malformed escape would throw when the pool is built
    decodeURIComponent(url.username)
    decodeURIComponent(url.password)
    return (url.protocol === "http:" || url.protocol === "https:") && url.pathname === "/" && url.search === "" &&
      url.hash === "" && !u.includes("?") && !u.includes("#")
  } catch {
    return false
  }
}

const proxyKeys = ["uri", "token", "noProxy"]

const isNoProxy = (u: unknown): boolean =>
  u === undefined || typeof u === "string" || (Array.isArray(u) && u.every((x) => typeof x === "string"))

/** @internal */
export const proxyUrlExpected = "an http: or https: proxy URL with no path, query or fragment"

/**
 * Whether `u` is a valid `proxy` option.
 * @internal
 */
export const isProxyOption = (u: unknown): u is ProxyOption => {
  if (u === "env") return true
  if (typeof u === "string") return isProxyUrl(u)
  if (typeof u !== "object" || u === null || Array.isArray(u)) return false
  const proxy = u as Record<string, unknown>
  return Object.keys(proxy).every((key) => proxyKeys.includes(key)) && isProxyUrl(proxy.uri) &&
    (proxy.token === undefined ||
      (typeof proxy.token === "string" && proxy.token !== "" && isValidHeaderValue(proxy.token))) &&
    isNoProxy(proxy.noProxy)
}

/** What a valid `proxy` option is, as an error says it. @internal */
export const proxyExpected = `"env", ${proxyUrlExpected} (userinfo for Basic credentials), or { uri, token?: a ` +
  `header value, noProxy?: hosts as a string or a list }`

/** @internal */
export const proxyExample = `"http://user:password@proxy.internal:3128"`

/**
 * A proxy variable that `"env"` read and that holds no proxy URL: why, with its value redacted
 * (`"env": HTTPS_PROXY="http://proxy.test:3128/x" is not …`), for an edition to put behind the option's name.
 * @internal
 */
export class ProxyEnvError {
  constructor(readonly variable: string, readonly shown: string) {}
  get reason(): string {
    return `"env": ${this.variable}=${JSON.stringify(this.shown)} is not ${proxyUrlExpected}`
  }
}

/** The environment's value of a proxy variable: the lower-case name first, as curl and undici read them. */
const fromEnv = (env: NodeJS.ProcessEnv, name: string): readonly [string, string] | undefined => {
  const lower = env[name.toLowerCase()]
  if (lower !== undefined && lower !== "") return [name.toLowerCase(), lower]
  const upper = env[name]
  return upper !== undefined && upper !== "" ? [name, upper] : undefined
}

/**
 * The settings for a valid `proxy` option; `"env"` reads `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` (lower-case
 * names first) now, and answers a {@link ProxyEnvError} for the variable whose value is no proxy URL. `undefined`:
 * no proxy (none given, or `"env"` with neither variable set).
 * @internal
 */
export const resolveProxy = (
  option: ProxyOption | undefined,
  env: NodeJS.ProcessEnv = process.env
): ProxySettings | undefined | ProxyEnvError => {
  if (option === undefined) return undefined
  if (typeof option === "string" && option !== "env") return { httpProxy: option, httpsProxy: option, noProxy: "" }
  if (typeof option === "object") {
    const noProxy = option.noProxy === undefined
      ? ""
      : typeof option.noProxy === "string"
      ? option.noProxy
      : option.noProxy.join(",")
    return { httpProxy: option.uri, httpsProxy: option.uri, noProxy, token: option.token }
  }
  const http = fromEnv(env, "HTTP_PROXY")
  const https = fromEnv(env, "HTTPS_PROXY")
  for (const variable of [http, https]) {
    if (variable !== undefined && !isProxyUrl(variable[1])) {
      return new ProxyEnvError(variable[0], redactText(variable[1]))
    }
  }
  if (http === undefined && https === undefined) return undefined
  return { httpProxy: http?.[1] ?? "", httpsProxy: https?.[1] ?? "", noProxy: fromEnv(env, "NO_PROXY")?.[1] ?? "" }
}

/**
 * The pool through a proxy: undici's `EnvHttpProxyAgent` with the resolved settings (never the environment itself:
 * `"env"` was read once, when the option was resolved), https: origins through a `CONNECT` tunnel, http: origins as
 * absolute-form requests to the proxy (`proxyTunnel: false`, a plain forward proxy). `connect` (TLS settings,
 * connect timeout, lookup) applies to the origins through the tunnel, and to the proxy but for the origin's
 * `servername`; every pool, the proxy's own included, has `limits` (`connections` per origin, keep-alive,
 * timeouts).
 * @internal
 */
export const newProxyAgent = (
  limits: Omit<AgentSettings, "connect">,
  connect: Readonly<Record<string, unknown>>,
  proxy: ProxySettings
): Undici.Dispatcher => {
  const pool = poolOptionsOf(limits)
  const { servername: _servername, ...toProxy } = connect
  return new Undici.EnvHttpProxyAgent({
    ...pool,
    connect: connect as any,
    httpProxy: proxy.httpProxy,
    httpsProxy: proxy.httpsProxy,
    noProxy: proxy.noProxy,
    ...(proxy.token === undefined ? {} : { token: proxy.token }),
    proxyTunnel: false,
    requestTls: connect as any,
    proxyTls: toProxy as any,
    factory: (origin, opts) => new Undici.Pool(origin, { ...pool, ...opts } as Undici.Pool.Options)
  })
}
