/**
 * The `proxy` client option as a rule of the options' Schema, and its resolution as a `ConfigError`; the rules
 * themselves (what a valid value is, how `"env"` is read) are the core's (src/core/proxy.ts). Its value is shown by
 * the one redaction rule (`redactValue`): the URL's userinfo and the token never reach an error.
 * @internal
 */
import * as ConfigError from "effect/ConfigError"
import * as Either from "effect/Either"
import * as Core from "../../core/proxy.js"
import { redactValue } from "../../core/secrets.js"
import { showValue } from "../optionValue.js"
import type { Rule } from "./rules.js"

export type { ProxyOption, ProxySettings } from "../../core/proxy.js"

/**
 * A proxy URL, `{ uri, token?, noProxy? }` or `"env"`; shown redacted.
 * @internal
 */
export const ProxyRule: Rule = {
  is: Core.isProxyOption,
  expected: Core.proxyExpected,
  example: Core.proxyExample,
  show: (u) => showValue(redactValue(u))
}

/**
 * The settings for a valid `proxy` option (the core's `resolveProxy`); a variable of `"env"` that holds no proxy URL
 * is a `ConfigError` naming `proxy`, the variable and its redacted value.
 * @internal
 */
export const resolveProxy = (
  option: Core.ProxyOption | undefined,
  env: NodeJS.ProcessEnv = process.env
): Either.Either<Core.ProxySettings | undefined, ConfigError.ConfigError> => {
  const resolved = Core.resolveProxy(option, env)
  return resolved instanceof Core.ProxyEnvError
    ? Either.left(ConfigError.InvalidData(["proxy"], `proxy: ${resolved.reason}`))
    : Either.right(resolved)
}
