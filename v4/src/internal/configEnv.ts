/**
 * Client options from v4's `Config` (the environment by default): the options of this edition the root entry's
 * `layerConfig` reads, under the same variables (the names and messages are the shared core's, core/configEnv.ts).
 * A value that does not parse names its variable, the value and what it should be; a value that parses but breaks an
 * option's rule is reported as the layer reports it, with the variable in front of the option
 * (`HTTP_RESILIENT_MAX_CONNECTIONS (maxConnections): 0 is not a positive integer`).
 * @internal
 */
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import {
  defaultPrefix,
  environmentLabel,
  environmentName,
  ratioKnobLabel,
  ratioKnobs,
  type Reader,
  sectionConflict
} from "../../../src/core/configEnv.js"
import { ratio } from "../CircuitBreaker.js"
import { type ClientOptions, make } from "./client.js"
import { fn } from "./clientOptions.js"
import { BadOption } from "./options.js"
import { ResilientClient } from "./service.js"

/**
 * The options the environment reads (the root entry's, less those this edition does not have), each by its reader.
 * @internal
 */
export const environmentOptions: Readonly<Record<string, Reader>> = {
  baseUrl: "string",
  timeout: "duration",
  deadline: "duration",
  maxConnections: "integer",
  maxOrigins: "integer",
  maxResponseSize: "integer",
  followRedirects: "integer",
  redactHeaders: "list",
  redactQueryParams: "list",
  allowInsecureRedirects: "boolean",
  tracing: "boolean",
  proxy: "string",
  keepAliveTimeout: "duration",
  connectTimeout: "duration"
}

/**
 * The protections' sections: a switch (`PREFIX_BULKHEAD=false`) and these settings (`PREFIX_BULKHEAD_MAX_QUEUE`).
 * @internal
 */
export const environmentSections: Readonly<Record<string, Readonly<Record<string, Reader>>>> = {
  circuitBreaker: {
    threshold: "number",
    minThroughput: "integer",
    window: "duration",
    breakDuration: "duration",
    backoffFactor: "number",
    maxBreakDuration: "duration",
    probes: "integer"
  },
  bulkhead: { maxConcurrent: "integer", maxQueue: "integer", queueTimeout: "duration" },
  retryBudget: { ratio: "number", window: "duration", minRetriesPerSecond: "number", adaptive: "boolean" }
}

const expected: Record<Reader, string> = {
  duration: `a duration (e.g. "10 seconds")`,
  integer: "an integer",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  list: "a comma-separated list"
}

/** The v4 `Config` of a variable, by its option's reader. */
const typed: Readonly<Record<Reader, (name: string) => Config.Config<unknown>>> = {
  duration: Config.Duration,
  integer: Config.Int,
  number: Config.Number,
  string: Config.String,
  boolean: Config.Boolean,
  list: (name) => Config.Array(Schema.String, name)
}

const failWith = (message: string, cause?: unknown): Config.Config<never> =>
  Config.fail(new ConfigProvider.SourceError({ message, cause }))

/**
 * The option at `path` (`[option]` or `[section, key]`), read by `reader` when its variable is set; a value that
 * does not parse fails naming the variable, the value and what it should be.
 */
const readOption = (
  prefix: string,
  path: ReadonlyArray<string>,
  reader: Reader
): Config.Config<Option.Option<unknown>> => {
  const name = environmentName("", path[path.length - 1])
  return Config.option(typed[reader](name)).pipe(
    Config.orElse((error) =>
      Config.String(name).pipe(
        Config.flatMap((raw) =>
          failWith(`${environmentLabel(prefix, path)}: ${JSON.stringify(raw)} is not ${expected[reader]}`, error)
        )
      )
    )
  )
}

const nestedUnder = <A>(config: Config.Config<A>, name: string): Config.Config<A> =>
  name === "" ? config : Config.nested(config, name)

/** The circuit breaker's ratio knobs made into `strategy: CircuitBreaker.ratio(...)`, as the root entry does. */
const withRatio = (prefix: string, values: Record<string, unknown>): Config.Config<Record<string, unknown>> => {
  const knobs: Record<string, unknown> = {}
  const rest: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(values)) (ratioKnobs.includes(key) ? knobs : rest)[key] = value
  if (Object.keys(knobs).length === 0) return Config.succeed(rest)
  try {
    return Config.succeed({ ...rest, strategy: ratio(knobs) })
  } catch (error) {
    if (!(error instanceof BadOption)) throw error
    return failWith(`${ratioKnobLabel(prefix, error.option)}: ${error.reason}`, error)
  }
}

/**
 * One protection's section, not yet under the prefix: nothing set is `None` (the default stays); the switch `false`
 * alone turns it off, beside a setting it is an error naming both; `true` or settings make its options object.
 */
const readSection = (
  prefix: string,
  option: string,
  settings: Readonly<Record<string, Reader>>
): Config.Config<Option.Option<Record<string, unknown> | false>> => {
  const name = environmentName("", option)
  const reads: Record<string, Config.Config<Option.Option<unknown>>> = {}
  for (const [key, reader] of Object.entries(settings)) reads[key] = readOption(prefix, [option, key], reader)
  return Config.all([readOption(prefix, [option], "boolean"), nestedUnder(Config.all(reads), name)]).pipe(
    Config.flatMap(([on, read]): Config.Config<Option.Option<Record<string, unknown> | false>> => {
      const values: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(read)) if (Option.isSome(value)) values[key] = value.value
      const given = Object.keys(values)
      if (Option.isSome(on) && on.value === false) {
        return given.length === 0
          ? Config.succeed(Option.some(false as const))
          : failWith(sectionConflict(prefix, option, given))
      }
      if (Option.isNone(on) && given.length === 0) return Config.succeed(Option.none())
      const built = option === "circuitBreaker" ? withRatio(prefix, values) : Config.succeed(values)
      return Config.map(built, Option.some)
    })
  )
}

/**
 * The options the environment gives under `prefix`; an option in `skip` (given in code instead) is not read: its
 * variables may hold anything.
 * @internal
 */
export const optionsFromConfig = (
  prefix: string,
  skip: ReadonlySet<string> = new Set()
): Config.Config<ClientOptions> => {
  const reads: Record<string, Config.Config<Option.Option<unknown>>> = {}
  for (const [option, reader] of Object.entries(environmentOptions)) {
    if (!skip.has(option)) reads[option] = readOption(prefix, [option], reader)
  }
  for (const [option, settings] of Object.entries(environmentSections)) {
    if (!skip.has(option)) reads[option] = readSection(prefix, option, settings)
  }
  return Config.map(nestedUnder(Config.all(reads), prefix), (read) => {
    const options: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(read)) if (Option.isSome(value)) options[key] = value.value
    return options as ClientOptions
  })
}

/**
 * The layer's error for an option that came from the environment, naming its variable first; others as they are.
 */
const namingVariables = (prefix: string, fromEnvironment: ReadonlySet<string>) => (error: Config.ConfigError) => {
  const bad = error.cause._tag === "SourceError" ? error.cause.cause : undefined
  if (!(bad instanceof BadOption) || bad.fn !== fn) return error
  const path = bad.option.split(".")
  if (!fromEnvironment.has(path[0])) return error
  return new Config.ConfigError(
    new ConfigProvider.SourceError({ message: `${environmentLabel(prefix, path)}: ${bad.reason}`, cause: bad })
  )
}

/**
 * A client from `Config` under `prefix`, with `overrides` on top (an option given there is not read from the
 * environment at all).
 * @internal
 */
export const layerConfig = (
  prefix: string = defaultPrefix,
  overrides: ClientOptions = {}
): Layer.Layer<ResilientClient, Config.ConfigError> =>
  Layer.effect(
    ResilientClient,
    Effect.flatMap(optionsFromConfig(prefix, new Set(Object.keys(overrides))), (fromEnv) => {
      const fromEnvironment = new Set(Object.keys(fromEnv).filter((key) => !(key in overrides)))
      return Effect.mapError(make({ ...fromEnv, ...overrides }), namingVariables(prefix, fromEnvironment))
    })
  )
