/** @internal */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import type * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { type HeadersInput, isToken, mergeHeaders } from "../core/headers.js"
import { RequestValidationError } from "../core/requestError.js"
import { redactText, Secrets } from "../core/secrets.js"
import type { HttpResilientError } from "../HttpResilientError.js"
import type { Failed, RequestStarted, RetryScheduled, Succeeded } from "../ResilientEvent.js"
import type { BulkheadOptions } from "./bulkhead.js"
import { type CircuitBreakerOptions, ratio, type Strategy } from "./circuitBreaker.js"
import type { HedgeOptions } from "./hedge.js"
import type { Interceptor } from "./interceptor.js"
import {
  booleanInput,
  durationInput,
  fn,
  followRedirectsInput,
  headersInput,
  positiveInt,
  retryInput
} from "./optionSchema.js"
import { nearestName, showValue } from "./optionValue.js"
import * as Protections from "./protections.js"
import type { RateLimiterOptions } from "./rateLimiter.js"
import type { RetryBudgetOptions } from "./retryBudget.js"
import type { UndiciPoolOptions } from "./transport.js"

/**
 * A hook: a plain function, or one returning an Effect or a Promise. A hook that throws, fails or rejects is logged
 * (Warning, naming the hook) and ignored.
 * @internal
 */
export type Hook<E> = (event: E) => unknown

/**
 * Statuses the client accepts: a predicate, or a list of statuses and inclusive `[from, to]` ranges.
 * @internal
 */
export type AcceptStatus = ((status: number) => boolean) | ReadonlyArray<number | readonly [number, number]>

/** @internal */
export interface ClientOptions {
  readonly baseUrl?: string | URL | undefined
  readonly headers?: HeadersInput | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly deadline?: Duration.DurationInput | undefined
  readonly maxConnections?: number | undefined
  readonly maxOrigins?: number | undefined
  readonly acceptStatus?: AcceptStatus | undefined
  readonly maxResponseSize?: number | undefined
  readonly followRedirects?: boolean | number | undefined
  readonly redactHeaders?: ReadonlyArray<string> | undefined
  /**
   * Query parameter names that are secret beside the rule (see `Telemetry`); case-insensitive.
   * @since 0.1.0
   * @default []
   */
  readonly redactQueryParams?: ReadonlyArray<string> | undefined
  /**
   * Follow a redirect from https: to http: (otherwise `TransportError` reason `InsecureRedirect`).
   * @since 0.1.0
   * @default false
   */
  readonly allowInsecureRedirects?: boolean | undefined
  readonly retry?: Schedule.Schedule<unknown, HttpResilientError, never> | false | undefined
  readonly keepAliveTimeout?: Duration.DurationInput | undefined
  readonly connectTimeout?: Duration.DurationInput | undefined
  readonly headersTimeout?: Duration.DurationInput | undefined
  readonly bodyTimeout?: Duration.DurationInput | undefined
  readonly pipelining?: number | undefined
  readonly gracePeriod?: Duration.DurationInput | undefined
  readonly tls?: UndiciPoolOptions["tls"]
  readonly lookup?: UndiciPoolOptions["lookup"]
  readonly tracing?: boolean | undefined
  readonly interceptors?: ReadonlyArray<Interceptor> | undefined
  readonly onRequest?: Hook<RequestStarted> | undefined
  readonly onRetry?: Hook<RetryScheduled> | undefined
  readonly onSuccess?: Hook<Succeeded> | undefined
  readonly onFailure?: Hook<Failed> | undefined
  readonly circuitBreaker?: Strategy | CircuitBreakerOptions | false | undefined
  readonly bulkhead?: BulkheadOptions | false | undefined
  readonly rateLimiter?: RateLimiterOptions | false | undefined
  readonly retryBudget?: RetryBudgetOptions | false | undefined
  readonly hedge?: HedgeOptions | false | undefined
}

/**
 * The options after validation, in the shapes the hot path wants.
 * @internal
 */
export interface ResolvedConfig {
  readonly baseUrl: URL | undefined
  readonly headers: Readonly<Record<string, string>>
  readonly timeoutMillis: number
  readonly deadline: Duration.Duration
  readonly acceptStatus: (status: number) => boolean
  readonly maxResponseSize: number
  readonly followRedirects: number
  /** the one rule for secret header and query parameter names (built-ins, `redactHeaders`, `redactQueryParams`) */
  readonly redacted: Secrets
  /** whether a redirect may go from https: to http: */
  readonly allowInsecureRedirects: boolean
  readonly retry: Schedule.Schedule<unknown, HttpResilientError, never> | undefined
  readonly pool: UndiciPoolOptions
  readonly tracing: boolean | undefined
  /** `undefined` when none are configured, so the pipeline skips them for free */
  readonly interceptors: ReadonlyArray<Interceptor> | undefined
  readonly protections: Protections.ProtectionSettings
  /** how many origins per-origin state (breakers, rate limiter pauses and quotas) is kept for */
  readonly maxOrigins: number
  readonly options: ClientOptions
}

/** @internal */
export const defaults = {
  timeout: Duration.seconds(10),
  deadline: Duration.seconds(30),
  maxConnections: 128,
  maxOrigins: 1000,
  maxResponseSize: 32 * 1024 * 1024,
  followRedirects: 10
} as const

const urlInput = Schema.declare((u: unknown): u is string | URL => {
  if (u instanceof URL) return u.protocol === "http:" || u.protocol === "https:"
  if (typeof u !== "string") return false
  try {
    const url = new URL(u)
    return url.protocol === "http:" || url.protocol === "https:"
  } catch {
    return false
  }
}, {
  // the value as the redaction shows it: a userinfo or a secret query parameter in a rejected baseUrl stays secret
  message: (issue) =>
    `baseUrl: ${
      typeof issue.actual === "string" || issue.actual instanceof URL
        ? showValue(redactText(String(issue.actual)))
        : showValue(issue.actual)
    } is not an absolute http: or https: URL`
})

const acceptStatusInput = Schema.declare((u: unknown): u is AcceptStatus => {
  if (typeof u === "function") return true
  if (!Array.isArray(u) || u.length === 0) return false
  return u.every((x) =>
    (typeof x === "number" && Number.isInteger(x) && x >= 100 && x <= 599) ||
    (Array.isArray(x) && x.length === 2 && x.every((y) => Number.isInteger(y) && y >= 100 && y <= 599) && x[0] <= x[1])
  )
}, {
  message: (issue) =>
    `acceptStatus: ${
      showValue(issue.actual)
    } is neither a predicate nor a non-empty list of statuses (100–599) and [from, to] ranges`
})

const redactHeadersInput = Schema.declare(
  (u: unknown): u is ReadonlyArray<string> => Array.isArray(u) && u.every((x) => typeof x === "string" && isToken(x)),
  { message: (issue) => `redactHeaders: ${showValue(issue.actual)} is not a list of header names` }
)

const bytesLike = (u: unknown) => typeof u === "string" || u instanceof Uint8Array

const redactQueryParamsInput = Schema.declare(
  (u: unknown): u is ReadonlyArray<string> => Array.isArray(u) && u.every((x) => typeof x === "string" && x !== ""),
  { message: (issue) => `redactQueryParams: ${showValue(issue.actual)} is not a list of non-empty parameter names` }
)

const tlsKeys = ["ca", "cert", "key", "rejectUnauthorized", "servername"]

/** What undici's connector takes of TLS settings, and nothing else (a misspelt key would be ignored). */
const tlsInput = Schema.declare((u: unknown): u is UndiciPoolOptions["tls"] => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return false
  const tls = u as Record<string, unknown>
  return Object.keys(tls).every((key) => tlsKeys.includes(key)) &&
    (tls.ca === undefined || bytesLike(tls.ca) || (Array.isArray(tls.ca) && tls.ca.every(bytesLike))) &&
    (tls.cert === undefined || bytesLike(tls.cert)) &&
    (tls.key === undefined || bytesLike(tls.key)) &&
    (tls.rejectUnauthorized === undefined || typeof tls.rejectUnauthorized === "boolean") &&
    (tls.servername === undefined || typeof tls.servername === "string")
}, {
  message: (issue) =>
    `tls: ${
      typeof issue.actual === "object" && issue.actual !== null ? "this value" : showValue(issue.actual)
    } is not { ca?, cert?, key? (strings or Buffers; ca also a list), rejectUnauthorized?: boolean, servername?: string }`
})

/**
 * The schema of the client options. Unknown keys are reported, so a misspelt option is not silently ignored.
 * @internal
 */
export const ClientOptionsSchema = Schema.Struct({
  baseUrl: Schema.optional(urlInput),
  headers: Schema.optional(headersInput("headers")),
  timeout: Schema.optional(durationInput("timeout")),
  deadline: Schema.optional(durationInput("deadline")),
  maxConnections: Schema.optional(positiveInt("maxConnections", 65_536)),
  maxOrigins: Schema.optional(positiveInt("maxOrigins", 1_000_000)),
  acceptStatus: Schema.optional(acceptStatusInput),
  maxResponseSize: Schema.optional(positiveInt("maxResponseSize", 2 ** 32)),
  followRedirects: Schema.optional(followRedirectsInput),
  redactHeaders: Schema.optional(redactHeadersInput),
  retry: Schema.optional(retryInput("retry")),
  redactQueryParams: Schema.optional(redactQueryParamsInput),
  allowInsecureRedirects: Schema.optional(booleanInput("allowInsecureRedirects")),
  keepAliveTimeout: Schema.optional(durationInput("keepAliveTimeout")),
  connectTimeout: Schema.optional(durationInput("connectTimeout")),
  headersTimeout: Schema.optional(durationInput("headersTimeout")),
  bodyTimeout: Schema.optional(durationInput("bodyTimeout")),
  pipelining: Schema.optional(positiveInt("pipelining", 128)),
  gracePeriod: Schema.optional(durationInput("gracePeriod", { allowZero: true })),
  tls: Schema.optional(tlsInput),
  lookup: Schema.optional(fn("lookup")),
  tracing: Schema.optional(booleanInput("tracing")),
  onRequest: Schema.optional(fn("onRequest")),
  onRetry: Schema.optional(fn("onRetry")),
  onSuccess: Schema.optional(fn("onSuccess")),
  onFailure: Schema.optional(fn("onFailure"))
})

/**
 * The names of every known option. Options added by other modules (circuitBreaker, bulkhead …) are
 * validated by them and listed here so that the unknown-key check accepts them.
 * @internal
 */
export const extraOptionNames = new Set<string>([
  "circuitBreaker",
  "bulkhead",
  "rateLimiter",
  "retryBudget",
  "interceptors",
  "hedge"
])

const decode = Schema.decodeUnknownEither(ClientOptionsSchema, { onExcessProperty: "ignore", errors: "all" })

/** Turns a parse failure into a ConfigError naming each option at fault. */
const toConfigError = (error: ParseResult.ParseError): ConfigError.ConfigError => {
  // an optional field is a union with undefined: drop that member's "Expected undefined" beside the real message
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error).filter((issue) =>
    !issue.message.startsWith("Expected undefined")
  )
  const errors = issues.map((issue) => ConfigError.InvalidData(issue.path.map(String), issue.message))
  return errors.reduce((a, b) => ConfigError.And(a, b))
}

/** The names of every option of a client. */
const optionNames: ReadonlyArray<string> = [...Object.keys(ClientOptionsSchema.fields), ...extraOptionNames]

/** ` (did you mean "x"?)` when an unknown top-level option is close to a known one (the list is too long to show). */
const didYouMean = (key: string): string => {
  const name = nearestName(key, optionNames)
  return name === undefined ? "" : ` (did you mean "${name}"?)`
}

const toAcceptStatus = (input: AcceptStatus | undefined): (status: number) => boolean => {
  if (input === undefined) return (status) => status >= 200 && status < 400
  if (typeof input === "function") return input
  const table = new Uint8Array(600)
  for (const entry of input) {
    if (typeof entry === "number") table[entry] = 1
    else for (let s = entry[0]; s <= entry[1]; s++) table[s] = 1
  }
  return (status) => status >= 0 && status < 600 && table[status] === 1
}

/**
 * Validates the options once per client and prepares what the hot path needs.
 * @internal
 */
export const resolveConfig = (options: ClientOptions): Either.Either<ResolvedConfig, ConfigError.ConfigError> => {
  if (options === null || typeof options !== "object") {
    return Either.left(ConfigError.InvalidData([], `client options must be an object, got ${showValue(options)}`))
  }
  const unknown = Object.keys(options).filter((key) =>
    !(key in ClientOptionsSchema.fields) && !extraOptionNames.has(key)
  )
  if (unknown.length > 0) {
    return Either.left(
      unknown.map((key) => ConfigError.InvalidData([key], `${key}: unknown option${didYouMean(key)}`)).reduce((a, b) =>
        ConfigError.And(a, b)
      )
    )
  }
  const decoded = decode(options)
  const protections = Protections.resolve(options)
  if (Either.isLeft(decoded)) {
    const error = toConfigError(decoded.left)
    return Either.left(Either.isLeft(protections) ? ConfigError.And(error, protections.left) : error)
  }
  if (Either.isLeft(protections)) return Either.left(protections.left)
  const redacted = new Secrets(options.redactHeaders, options.redactQueryParams)
  const headers: Record<string, string> = {}
  const headerError = mergeHeaders(headers, options.headers, redacted)
  if (headerError instanceof RequestValidationError) {
    return Either.left(ConfigError.InvalidData(["headers"], `headers: ${headerError.detail}`))
  }
  const retry = options.retry
  const interceptorError = validateInterceptors(options.interceptors)
  if (interceptorError !== undefined) return Either.left(interceptorError)
  const followRedirects = options.followRedirects === undefined || options.followRedirects === true
    ? defaults.followRedirects
    : options.followRedirects === false
    ? 0
    : options.followRedirects
  return Either.right({
    baseUrl: options.baseUrl === undefined ? undefined : new URL(String(options.baseUrl)),
    headers,
    timeoutMillis: options.timeout === undefined
      ? Duration.toMillis(defaults.timeout)
      : Duration.toMillis(Duration.decode(options.timeout)),
    deadline: options.deadline === undefined ? defaults.deadline : Duration.decode(options.deadline),
    acceptStatus: toAcceptStatus(options.acceptStatus),
    maxResponseSize: options.maxResponseSize ?? defaults.maxResponseSize,
    followRedirects,
    redacted,
    allowInsecureRedirects: options.allowInsecureRedirects === true,
    retry: retry === false || retry === undefined ? undefined : retry,
    pool: {
      connections: options.maxConnections ?? defaults.maxConnections,
      keepAliveTimeout: options.keepAliveTimeout,
      connectTimeout: options.connectTimeout,
      headersTimeout: options.headersTimeout,
      bodyTimeout: options.bodyTimeout,
      pipelining: options.pipelining,
      gracePeriod: options.gracePeriod,
      tls: options.tls,
      lookup: options.lookup
    },
    tracing: options.tracing,
    interceptors: options.interceptors === undefined || options.interceptors.length === 0
      ? undefined
      : [...options.interceptors],
    protections: protections.right,
    maxOrigins: options.maxOrigins ?? defaults.maxOrigins,
    options
  })
}

const validateInterceptors = (input: unknown): ConfigError.ConfigError | undefined => {
  if (input === undefined) return undefined
  if (!Array.isArray(input)) {
    return ConfigError.InvalidData(
      ["interceptors"],
      `interceptors: expected a list of interceptors, got ${showValue(input)}`
    )
  }
  for (let i = 0; i < input.length; i++) {
    const x = input[i] as Partial<Interceptor> | null
    const at = `interceptors[${i}]`
    if (x === null || typeof x !== "object" || typeof x.name !== "string" || x.name === "") {
      return ConfigError.InvalidData(["interceptors", String(i)], `${at}: expected { name, onRequest?, onResponse? }`)
    }
    for (const key of ["onRequest", "onResponse"] as const) {
      if (x[key] !== undefined && typeof x[key] !== "function") {
        return ConfigError.InvalidData(["interceptors", String(i)], `${at} (${x.name}): ${key} is not a function`)
      }
    }
    if (x.onRequest === undefined && x.onResponse === undefined) {
      return ConfigError.InvalidData(
        ["interceptors", String(i)],
        `${at} (${x.name}): has neither onRequest nor onResponse`
      )
    }
  }
  return undefined
}

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
 * `[bulkhead, maxConcurrent]` → `HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT` at `[HTTP_RESILIENT, BULKHEAD, MAX_CONCURRENT]`,
 * the path `optionsFromConfig` reads it at.
 */
const environmentPath = (prefix: string, path: ReadonlyArray<string>) => {
  const keys = path.map((key) => environmentName("", key))
  return {
    variable: prefix === "" ? keys.join("_") : `${prefix}_${keys.join("_")}`,
    path: prefix === "" ? keys : [prefix, ...keys]
  }
}

/**
 * Rewrites the layer's `ConfigError` for options that came from the environment (`fromEnv`, those not replaced by
 * `overrides`): each of their errors is at the variable's config path and names the variable, then the option —
 * `HTTP_RESILIENT_MAX_CONNECTIONS (maxConnections): 0 is not an integer from 1 to 65536`, and for a protection's
 * setting `HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT (bulkhead.maxConcurrent): 0 is not an integer ≥ 1` — as a value
 * that does not parse at all is reported by `Config`. Errors of options given in code are left as they are (a
 * protection given in `overrides` replaces the environment's whole section).
 * @internal
 */
export const nameEnvironmentVariables = (
  prefix: string,
  fromEnv: ClientOptions,
  overrides: ClientOptions
): (error: ConfigError.ConfigError) => ConfigError.ConfigError => {
  const fromEnvironment = new Set(Object.keys(fromEnv).filter((key) => !(key in overrides)))
  const rename = (error: ConfigError.ConfigError): ConfigError.ConfigError => {
    switch (error._op) {
      case "And":
        return ConfigError.And(rename(error.left), rename(error.right))
      case "Or":
        return ConfigError.Or(rename(error.left), rename(error.right))
      case "InvalidData": {
        const option = error.path[0]
        if (option === undefined || !fromEnvironment.has(option)) return error
        const { path, variable } = environmentPath(prefix, error.path)
        const label = error.path.join(".")
        // the option's own prefix (`bulkhead.maxConcurrent: `, or the section's `rateLimiter: `) gives way to ours
        const own = [`${label}: `, `${option}: `].find((start) => error.message.startsWith(start))
        const text = own === undefined ? error.message : error.message.slice(own.length)
        return ConfigError.InvalidData(path, `${variable} (${label}): ${text}`)
      }
      default:
        return error
    }
  }
  return rename
}

/** A setting of a protection read from the environment: its option name and how its value is read. */
type Knobs = Record<string, Config.Config<unknown>>

/**
 * One protection's section of the environment, not yet under the prefix: the switch `SECTION` (`false` turns the
 * protection off, `true` turns it on with its defaults) and the settings `SECTION_KEY`, read into the option's
 * object (`build` may add to it, or fail at a setting's path). Nothing set: `None`, so the default stays. The switch
 * `false` beside a setting is a `ConfigError` naming both.
 */
const readSection = (
  prefix: string,
  option: string,
  knobs: Knobs,
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
      const variable = environmentPath(prefix, [option]).variable
      const others = given.map((key) => environmentPath(prefix, [option, key]).variable).join(", ")
      return Either.left(ConfigError.InvalidData(
        [name],
        `${variable} (${option}): false turns the ${option} off, which conflicts with ${others}; unset one or the other`
      ))
    }
    if (Option.isNone(on) && given.length === 0) return Either.right(Option.none())
    return Either.map(build(values), Option.some)
  }))
}

const ratioKnobs = ["threshold", "minThroughput", "window"] as const

/**
 * The circuit breaker's settings with the default ratio strategy's knobs taken out and made into
 * `strategy: CircuitBreaker.ratio(...)`; a knob `ratio` rejects fails at its variable's path,
 * naming it.
 */
const circuitBreakerFromKnobs = (prefix: string) =>
(
  values: Record<string, unknown>
): Either.Either<Record<string, unknown>, ConfigError.ConfigError> => {
  const { minThroughput, threshold, window, ...rest } = values
  const strategy = { threshold, minThroughput, window }
  if (ratioKnobs.every((key) => strategy[key] === undefined)) return Either.right(rest)
  const problems: Array<ConfigError.ConfigError> = []
  for (const key of ratioKnobs) {
    if (strategy[key] === undefined) continue
    try {
      ratio({ [key]: strategy[key] })
    } catch (e) {
      const message = String((e as Error).message)
      const at = message.indexOf(" is not ")
      const { variable } = environmentPath(prefix, ["circuitBreaker", key])
      problems.push(ConfigError.InvalidData(
        environmentPath("", ["circuitBreaker", key]).path,
        `${variable} (CircuitBreaker.ratio ${key}): ${showValue(strategy[key])} ${
          at < 0 ? message : message.slice(at + 1)
        }`
      ))
    }
  }
  if (problems.length > 0) return Either.left(problems.reduce((a, b) => ConfigError.And(a, b)))
  return Either.right({ ...rest, strategy: ratio(strategy as Parameters<typeof ratio>[0]) })
}

/**
 * The protections' sections of the environment, not yet under the prefix (`optionsFromConfig` nests them):
 * `CIRCUIT_BREAKER`, `BULKHEAD`, `RATE_LIMITER`, `RETRY_BUDGET`, each a switch and its settings (see `section`).
 * A section named in `skip` (given in code instead) is not read at all.
 * @internal
 */
export const protectionsFromConfig = (prefix: string, skip: ReadonlySet<string> = new Set()) => {
  const section: typeof readSection = (prefix, option, knobs, build) =>
    skip.has(option) ? Config.succeed(Option.none()) : readSection(prefix, option, knobs, build)
  return Config.all({
    circuitBreaker: section(prefix, "circuitBreaker", {
      threshold: Config.number("THRESHOLD"),
      minThroughput: Config.integer("MIN_THROUGHPUT"),
      window: Config.duration("WINDOW"),
      breakDuration: Config.duration("BREAK_DURATION"),
      backoffFactor: Config.number("BACKOFF_FACTOR"),
      maxBreakDuration: Config.duration("MAX_BREAK_DURATION"),
      probes: Config.integer("PROBES")
    }, circuitBreakerFromKnobs(prefix)),
    bulkhead: section(prefix, "bulkhead", {
      maxConcurrent: Config.integer("MAX_CONCURRENT"),
      maxQueue: Config.integer("MAX_QUEUE"),
      queueTimeout: Config.duration("QUEUE_TIMEOUT")
    }),
    rateLimiter: section(prefix, "rateLimiter", {
      limit: Config.integer("LIMIT"),
      window: Config.duration("WINDOW"),
      algorithm: Config.string("ALGORITHM")
    }),
    retryBudget: section(prefix, "retryBudget", {
      ratio: Config.number("RATIO"),
      window: Config.duration("WINDOW"),
      minRetriesPerSecond: Config.number("MIN_RETRIES_PER_SECOND")
    })
  })
}
