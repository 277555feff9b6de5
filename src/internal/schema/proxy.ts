/**
 * The `proxy` client option: its rule (a proxy URL, `{ uri, token?, noProxy? }` or `"env"`) and what the pool is
 * built from once it is valid. Its value is shown by the one redaction rule (`redactValue`): the URL's userinfo and
 * the token never reach an error.
 * @internal
 */
import * as ConfigError from "effect/ConfigError"
import * as Either from "effect/Either"
import { isValidHeaderValue } from "../../core/headers.js"
import { redactText, redactValue } from "../../core/secrets.js"
import { showValue } from "../optionValue.js"
import type { Rule } from "./rules.js"

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

/** An absolute http: or https: URL with nothing after the authority: a proxy is a host, not a resource. */
const isProxyUrl = (u: unknown): u is string => {
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

const proxyUrlExpected = "an http: or https: proxy URL with no path, query or fragment"

/**
 * A proxy URL, `{ uri, token?, noProxy? }` or `"env"`; shown redacted.
 * @internal
 */
export const ProxyRule: Rule = {
  is: (u) => {
    if (u === "env") return true
    if (typeof u === "string") return isProxyUrl(u)
    if (typeof u !== "object" || u === null || Array.isArray(u)) return false
    const proxy = u as Record<string, unknown>
    return Object.keys(proxy).every((key) => proxyKeys.includes(key)) && isProxyUrl(proxy.uri) &&
      (proxy.token === undefined ||
        (typeof proxy.token === "string" && proxy.token !== "" && isValidHeaderValue(proxy.token))) &&
      isNoProxy(proxy.noProxy)
  },
  expected: `"env", ${proxyUrlExpected} (userinfo for Basic credentials), or { uri, token?: a header value, ` +
    `noProxy?: hosts as a string or a list }`,
  example: `"http://user:password@proxy.internal:3128"`,
  show: (u) => showValue(redactValue(u))
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
 * names first) now, and fails naming the variable whose value is no proxy URL (shown redacted). `undefined`: no
 * proxy (none given, or `"env"` with neither variable set).
 * @internal
 */
export const resolveProxy = (
  option: ProxyOption | undefined,
  env: NodeJS.ProcessEnv = process.env
): Either.Either<ProxySettings | undefined, ConfigError.ConfigError> => {
  if (option === undefined) return Either.right(undefined)
  if (typeof option === "string" && option !== "env") {
    return Either.right({ httpProxy: option, httpsProxy: option, noProxy: "" })
  }
  if (typeof option === "object") {
    const noProxy = option.noProxy === undefined
      ? ""
      : typeof option.noProxy === "string"
      ? option.noProxy
      : option.noProxy.join(",")
    return Either.right({ httpProxy: option.uri, httpsProxy: option.uri, noProxy, token: option.token })
  }
  const http = fromEnv(env, "HTTP_PROXY")
  const https = fromEnv(env, "HTTPS_PROXY")
  for (const variable of [http, https]) {
    if (variable !== undefined && !isProxyUrl(variable[1])) {
      return Either.left(
        ConfigError.InvalidData(
          ["proxy"],
          `proxy: "env": ${variable[0]}=${JSON.stringify(redactText(variable[1]))} is not ${proxyUrlExpected}`
        )
      )
    }
  }
  if (http === undefined && https === undefined) return Either.right(undefined)
  return Either.right({
    httpProxy: http?.[1] ?? "",
    httpsProxy: https?.[1] ?? "",
    noProxy: fromEnv(env, "NO_PROXY")?.[1] ?? ""
  })
}
