/**
 * Client options from `Config` (the environment): which options are read, and how, comes from the options' own
 * Schemas (the `env` reader of each field of config.ts's `clientFields` and of the protections' specs); their
 * values are checked by those Schemas, reporting through a frame that names the variable of each option that came
 * from the environment (`HTTP_RESILIENT_TIMEOUT (timeout): 0 is not …`) and the option itself otherwise.
 * @internal
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import {
  defaultPrefix,
  environmentLabel,
  environmentName,
  environmentPath,
  ratioKnobLabel,
  sectionConflict
} from "../core/configEnv.js"
export { environmentName } from "../core/configEnv.js"
import { ratio, ratioSpec } from "./circuitBreaker.js"
import type { ResilientClient } from "./client.js"
import { clientFields, type ClientOptions, resolveConfig } from "./config.js"
import { layer } from "./layers.js"
import { showValue } from "./optionValue.js"
import {
  type Field,
  type Frame,
  layerFrame,
  optionsSchema,
  type OptionsSpec,
  type Path,
  type Reader,
  shown,
  toConfigError
} from "./schema/frame.js"
import { protectionSpecs } from "./schema/protections.js"

/** The `Config` that reads an option's variable `name` as its field's reader says. */
const read = (reader: Reader, name: string): Config.Config<unknown> => {
  switch (reader) {
    case "duration":
      return Config.duration(name)
    case "integer":
      return Config.integer(name)
    case "number":
      return Config.number(name)
    case "string":
      return Config.string(name)
    case "boolean":
      return Config.boolean(name)
    case "list":
      return Config.array(Config.string(), name)
  }
}

/** The fields of `fields` the environment reads, each as its `Config` (not yet under a name's prefix). */
const knobsOf = (fields: Readonly<Record<string, Field>>): Record<string, Config.Config<unknown>> => {
  const knobs: Record<string, Config.Config<unknown>> = {}
  for (const [key, field] of Object.entries(fields)) {
    if (field.env !== undefined) knobs[key] = read(field.env, environmentName("", key))
  }
  return knobs
}

/**
 * A frame reporting the options of `fromEnvironment` as the environment's: each message names the variable, then
 * the option (`HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT (bulkhead.maxConcurrent): 0 is not an integer ≥ 1`), at the
 * variable's config path. Options given in code are reported as a layer reports them.
 */
const environmentFrame = (prefix: string, fromEnvironment: ReadonlySet<string>): Frame => {
  const fromEnv = (path: Path) => path.length > 0 && fromEnvironment.has(path[0])
  const label = (path: Path) => environmentLabel(prefix, path)
  return {
    invalid: (path, value, rule) =>
      fromEnv(path)
        ? `${label(path)}: ${shown(value, rule)} is not ${rule.expected}${
          rule.example === undefined ? "" : ` (e.g. ${rule.example})`
        }`
        : layerFrame.invalid(path, value, rule),
    problem: (path, text, group) => fromEnv(path) ? `${label(path)}: ${text}` : layerFrame.problem(path, text, group),
    unknown: layerFrame.unknown,
    at: (path) => fromEnv(path) ? environmentPath(prefix, path).path : path
  }
}

/**
 * How the ratio knobs of the circuit breaker's section are reported: as `CircuitBreaker.ratio` rejects them, naming
 * the variable (`HTTP_RESILIENT_CIRCUIT_BREAKER_THRESHOLD (CircuitBreaker.ratio threshold): 2 is not a share in
 * (0, 1]`), at its path inside the environment (`Config.nested` adds the prefix).
 */
const ratioKnobsFrame = (prefix: string): Frame => {
  const label = (path: Path) => ratioKnobLabel(prefix, path.join("."))
  return {
    invalid: (path, value, rule) => `${label(path)}: ${showValue(value)} is not ${rule.expected}`,
    problem: (path, text) => `${label(path)}: ${text}`,
    unknown: layerFrame.unknown,
    at: (path) => environmentPath("", ["circuitBreaker", ...path]).path
  }
}

/**
 * The circuit breaker's settings with the ratio strategy's knobs taken out and made into
 * `strategy: CircuitBreaker.ratio(...)`; knobs `CircuitBreaker.ratio`'s Schema rejects fail at their variables' paths.
 */
const circuitBreakerFromKnobs = (prefix: string) => {
  const frame = ratioKnobsFrame(prefix)
  const decode = Schema.decodeUnknownEither(optionsSchema(ratioSpec, [], frame), { errors: "all" })
  return (values: Record<string, unknown>): Either.Either<Record<string, unknown>, ConfigError.ConfigError> => {
    const { minThroughput, threshold, window, ...rest } = values
    if (threshold === undefined && minThroughput === undefined && window === undefined) return Either.right(rest)
    const knobs: Record<string, unknown> = {}
    for (const [key, value] of Object.entries({ threshold, minThroughput, window })) {
      if (value !== undefined) knobs[key] = value
    }
    return Either.match(decode(knobs), {
      onLeft: (error) => Either.left(toConfigError(error, frame)),
      onRight: () => Either.right({ ...rest, strategy: ratio(knobs) })
    })
  }
}

/**
 * One protection's section of the environment, not yet under the prefix: the switch `SECTION` (`false` turns the
 * protection off, `true` turns it on with its defaults) and the settings `SECTION_KEY`, read into the option's
 * object (`build` may add to it, or fail at a setting's path). Nothing set: `None`, so the default stays. The switch
 * `false` beside a setting is a `ConfigError` naming both.
 */
const readSection = (
  prefix: string,
  option: string,
  knobs: Record<string, Config.Config<unknown>>,
  build: (values: Record<string, unknown>) => Either.Either<Record<string, unknown>, ConfigError.ConfigError> =
    Either.right
): Config.Config<Option.Option<Record<string, unknown> | false>> => {
  const name = environmentName("", option)
  const settings: Record<string, Config.Config<Option.Option<unknown>>> = {}
  for (const [key, config] of Object.entries(knobs)) settings[key] = Config.option(config)
  return Config.all([
    Config.option(Config.boolean(name)),
    Config.nested(Config.all(settings), name)
  ]).pipe(Config.mapOrFail(([on, read]) => {
    const values: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(read)) if (Option.isSome(value)) values[key] = value.value
    const given = Object.keys(values)
    if (Option.isSome(on) && !on.value) {
      if (given.length === 0) return Either.right(Option.some(false as const))
      return Either.left(ConfigError.InvalidData([name], sectionConflict(prefix, option, given)))
    }
    if (Option.isNone(on) && given.length === 0) return Either.right(Option.none())
    return Either.map(build(values), Option.some)
  }))
}

/**
 * The protections' sections of the environment, not yet under the prefix (`optionsFromConfig` nests them): each
 * protection with settings the environment reads (`CIRCUIT_BREAKER`, `BULKHEAD`, `RATE_LIMITER`, `RETRY_BUDGET`), a
 * switch and its settings (see `readSection`); the circuit breaker's also the ratio strategy's knobs. A section named
 * in `skip` (given in code instead) is not read at all.
 */
const protectionsFromConfig = (prefix: string, skip: ReadonlySet<string>) => {
  const sections: Record<string, Config.Config<Option.Option<Record<string, unknown> | false>>> = {}
  for (const [option, spec] of Object.entries(protectionSpecs) as Array<[string, OptionsSpec]>) {
    const knobs = option === "circuitBreaker"
      ? { ...knobsOf(ratioSpec.fields), ...knobsOf(spec.fields) }
      : knobsOf(spec.fields)
    if (Object.keys(knobs).length === 0) continue
    sections[option] = skip.has(option)
      ? Config.succeed(Option.none())
      : readSection(prefix, option, knobs, option === "circuitBreaker" ? circuitBreakerFromKnobs(prefix) : undefined)
  }
  return Config.all(sections)
}

/**
 * Reads options from `Config` under `prefix` (environment: `PREFIX_BASE_URL`, `PREFIX_TIMEOUT` …, and the
 * protections' sections `PREFIX_CIRCUIT_BREAKER`, `PREFIX_BULKHEAD_MAX_CONCURRENT` …); an option in `skip` (given in
 * code instead) is not read: its variable may be anything.
 * @internal
 */
export const optionsFromConfig = (
  prefix: string,
  skip: ReadonlySet<string> = new Set()
): Config.Config<ClientOptions> => {
  const nested = <A>(c: Config.Config<A>) => (prefix === "" ? c : Config.nested(c, prefix))
  const options: Record<string, Config.Config<Option.Option<unknown>>> = {}
  for (const [option, field] of Object.entries(clientFields)) {
    if (field.env === undefined) continue
    options[option] = skip.has(option)
      ? Config.succeed(Option.none())
      : nested(Config.option(read(field.env, environmentName("", option))))
  }
  return Config.zipWith(Config.all(options), nested(protectionsFromConfig(prefix, skip)), (values, sections) => {
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries({ ...values, ...sections })) {
      if (Option.isSome(value)) out[key] = value.value
    }
    return out as ClientOptions
  })
}

/**
 * A client from `Config` under `prefix`, with `overrides` on top; a bad value from the environment names its
 * variable, one from `overrides` its option.
 * @internal
 */
export const layerConfig = (
  prefix = defaultPrefix,
  overrides: ClientOptions = {}
): Layer.Layer<ResilientClient, ConfigError.ConfigError> =>
  Layer.unwrapEffect(
    Effect.map(optionsFromConfig(prefix, new Set(Object.keys(overrides))), (fromEnv) => {
      const options = { ...fromEnv, ...overrides }
      const frame = environmentFrame(prefix, new Set(Object.keys(fromEnv).filter((key) => !(key in overrides))))
      return Either.match(resolveConfig(options, frame), {
        onLeft: (error) => Layer.fail(error),
        onRight: () => layer(options)
      })
    })
  )
