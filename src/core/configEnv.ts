/**
 * How client options are named in the environment, and how a bad value read from it is reported: the rules both
 * editions' `layerConfig` keep (the root's configEnv.ts over its Schemas, the v4 edition's over v4's `Config`).
 * Effect-free.
 * @internal
 */

/**
 * How the environment reads an option; an option without one is not read from it.
 * @internal
 */
export type Reader = "duration" | "integer" | "number" | "string" | "boolean" | "list"

/**
 * The prefix `layerConfig` reads under by default (`ResilientClientLive`'s).
 * @internal
 */
export const defaultPrefix = "HTTP_RESILIENT"

/**
 * The name an option has in the environment under `prefix`: `maxConnections` → `HTTP_RESILIENT_MAX_CONNECTIONS`
 * (the path `layerConfig` reads, joined with `_` as `ConfigProvider.fromEnv` does).
 * @internal
 */
export const environmentName = (prefix: string, option: string): string => {
  const key = option.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()
  return prefix === "" ? key : `${prefix}_${key}`
}

/**
 * The variable and config path of an option's path (`[option]` or `[option, key]`) under `prefix`:
 * `[bulkhead, maxConcurrent]` → `HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT` at `[HTTP_RESILIENT, BULKHEAD, MAX_CONCURRENT]`.
 * @internal
 */
export const environmentPath = (
  prefix: string,
  path: ReadonlyArray<string>
): { readonly variable: string; readonly path: ReadonlyArray<string> } => {
  const keys = path.map((key) => environmentName("", key))
  return {
    variable: prefix === "" ? keys.join("_") : `${prefix}_${keys.join("_")}`,
    path: prefix === "" ? keys : [prefix, ...keys]
  }
}

/**
 * What a message about an option read from the environment starts with: the variable, then the option
 * (`HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT (bulkhead.maxConcurrent)`).
 * @internal
 */
export const environmentLabel = (prefix: string, path: ReadonlyArray<string>): string =>
  `${environmentPath(prefix, path).variable} (${path.join(".")})`

/**
 * What a message about one of the circuit breaker's ratio knobs read from the environment starts with, naming it as
 * `CircuitBreaker.ratio` does (`HTTP_RESILIENT_CIRCUIT_BREAKER_THRESHOLD (CircuitBreaker.ratio threshold)`).
 * @internal
 */
export const ratioKnobLabel = (prefix: string, knob: string): string =>
  `${environmentPath(prefix, ["circuitBreaker", knob]).variable} (CircuitBreaker.ratio ${knob})`

/**
 * A protection's switch `false` beside settings of its section: the message naming both (`given`: the settings'
 * option names).
 * @internal
 */
export const sectionConflict = (prefix: string, option: string, given: ReadonlyArray<string>): string => {
  const variable = environmentPath(prefix, [option]).variable
  const others = given.map((key) => environmentPath(prefix, [option, key]).variable).join(", ")
  return `${variable} (${option}): false turns the ${option} off, which conflicts with ${others}; unset one or the other`
}

/**
 * The circuit breaker's ratio strategy's knobs, which the environment reads in the circuit breaker's section and
 * makes into `strategy: CircuitBreaker.ratio(...)`.
 * @internal
 */
export const ratioKnobs: ReadonlyArray<string> = ["threshold", "minThroughput", "window"]
